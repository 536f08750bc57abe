// The refusals a store profile adds before any handler runs: addressing, body encodings, its own headers.
import { S3Error } from "./errors.js";
import { header, type RequestContext } from "./context.js";
import type { Operation } from "./router.js";
import { isChecksumHeader } from "./profiles.js";
import { STREAMING_UNSIGNED_TRAILER } from "./body.js";

const WRITES = new Set<Operation>(["PutObject", "CreateMultipartUpload", "CompleteMultipartUpload"]);

/** The x-oss-* headers the OSS profile acts on, per operation; others answer 501 rather than be ignored. */
const OSS_HEADERS: Partial<Record<Operation, string[]>> = {
  PutObject: ["x-oss-forbid-overwrite"],
  CreateMultipartUpload: ["x-oss-forbid-overwrite"],
  CompleteMultipartUpload: ["x-oss-forbid-overwrite"],
};

/** An aws-chunked body the emulator implements (signed chunks answer 501 under every profile, in body.ts). */
function isAwsChunked(ctx: RequestContext): boolean {
  if (ctx.auth.payloadHash.startsWith("STREAMING-AWS4-")) return false;
  const encodings = (header(ctx, "content-encoding") ?? "").split(",").map((item) => item.trim());
  return ctx.auth.payloadHash === STREAMING_UNSIGNED_TRAILER || encodings.includes("aws-chunked");
}

function checkStoreHeaders(ctx: RequestContext): void {
  const operation = ctx.route.operation;
  const refusal = ctx.config.profile.checksumHeaderRefusal;
  for (const [name, raw] of Object.entries(ctx.req.headers)) {
    if (refusal && isChecksumHeader(name)) throw refusal(name, operation);
    if (!name.startsWith("x-oss-")) continue;
    if (!ctx.config.profile.forbidOverwriteHeader) continue;
    if (!(OSS_HEADERS[operation] ?? []).includes(name)) {
      throw new S3Error(
        "NotImplemented",
        `This emulator does not implement the ${name} header on ${operation}.`,
      );
    }
    const value = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
    if (name === "x-oss-forbid-overwrite" && value !== "true" && value !== "false") {
      throw new S3Error("InvalidArgument", "Invalid x-oss-forbid-overwrite header: must be true or false.", {
        ArgumentName: "x-oss-forbid-overwrite",
        ArgumentValue: value,
      });
    }
  }
}

/** Throws the store's answer to what it refuses and S3 takes; returning means the handler may run. */
export function checkProfileRules(ctx: RequestContext): void {
  const { profile } = ctx.config;
  if (profile.virtualHostOnly && ctx.route.addressing === "path" && ctx.route.bucket !== undefined) {
    throw new S3Error("SecondLevelDomainForbidden", "Please use virtual hosted style to access.");
  }
  if (profile.awsChunkedRefusal && isAwsChunked(ctx)) throw profile.awsChunkedRefusal();
  if (
    !profile.conditionalWrites &&
    WRITES.has(ctx.route.operation) &&
    (header(ctx, "if-none-match") !== undefined || header(ctx, "if-match") !== undefined)
  ) {
    throw new S3Error(
      "NotImplemented",
      `This emulator's ${profile.name} profile does not model If-None-Match/If-Match on writes; the store's conditional create is ${profile.forbidOverwriteHeader ? "x-oss-forbid-overwrite" : "not documented"}.`,
    );
  }
  checkStoreHeaders(ctx);
}

/** `x-oss-forbid-overwrite: true` refuses an existing key (versioned buckets keep every write, so there it does nothing). */
export function checkForbidOverwrite(ctx: RequestContext, keyExists: boolean, versioned: boolean): void {
  if (!ctx.config.profile.forbidOverwriteHeader || header(ctx, "x-oss-forbid-overwrite") !== "true") return;
  if (keyExists && !versioned) {
    throw new S3Error(
      "FileAlreadyExists",
      "The object you specified already exists and can not be overwritten.",
    );
  }
}
