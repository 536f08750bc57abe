import {
  confirmAmbiguousWrite,
  confirmObject,
  requireChecksumsError,
  type UploadOutcome,
} from "./confirm-object.js";
import { HINTS, s3ErrorInfo, StepError } from "./errors.js";
import { expectedEtag, type ExpectedObject } from "./object-verify.js";
import type { OpenFile } from "./part-reader.js";
import { sendPart, type SentPart } from "./part-transfer.js";
import type { UploadPlan } from "./plan.js";
import type { FileContext } from "./run-context.js";

// A single PutObject cannot be taken back like a multipart upload can be aborted.
const WRITTEN = "The object was written but is not proven by a checksum; delete it if that matters.";

export interface SingleOutcome extends UploadOutcome {
  checksumLocal: string | null;
}

/**
 * Files below the multipart threshold: one PutObject carrying the same checksum a part would, and always
 * Content-MD5 (cheap at this size): every store then refuses a body damaged in transit, also those that keep
 * no additional checksums, and the MD5 is the proof there (ETag) when the object is checked.
 */
export async function uploadSingle(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  ifNoneMatch: boolean,
): Promise<SingleOutcome> {
  const { store, options, algorithm } = ctx.run;
  const part = plan.parts[0]!;
  let digest: SentPart["digest"] | undefined;
  let sent: SentPart;
  try {
    sent = await sendPart(
      ctx,
      handle,
      part,
      "PutObject",
      (body, checksums, contentMd5) =>
        store.putObject(
          {
            bucket: options.bucket,
            key: ctx.file.key,
            body,
            headers: ctx.headers,
            checksums,
            ...(contentMd5 ? { contentMd5 } : {}),
            ifNoneMatch,
          },
          ctx.signal,
        ),
      true,
      (read) => (digest = read),
    );
  } catch (error) {
    // A 412 under If-None-Match: an earlier attempt whose answer was lost may have written the object.
    if (!ifNoneMatch || digest === undefined || !isPreconditionFailed(error)) throw error;
    const checksumLocal = digest.digest?.toString("base64") ?? null;
    const outcome = await confirmAmbiguousWrite(ctx, expectedOf(ctx, plan, digest), "PutObject", error);
    ctx.run.emit({ type: "progress", file: ctx.file, bytesDone: plan.size, size: plan.size });
    return { ...outcome, checksumLocal };
  }
  ctx.run.emit({ type: "progress", file: ctx.file, bytesDone: plan.size, size: plan.size });
  const checksumLocal = sent.digest.digest?.toString("base64") ?? null;
  if (algorithm !== null) {
    const echoed = sent.answer.checksums[algorithm];
    if (echoed !== undefined && echoed !== checksumLocal) {
      throw new StepError(
        "PutObject",
        `S3 answered ${algorithm} ${echoed}, local value is ${checksumLocal}`,
        HINTS.verify,
      );
    }
    if (echoed === undefined && options.requireChecksums) throw requireChecksumsError("PutObject", WRITTEN);
  }
  const method =
    algorithm !== null && sent.answer.checksums[algorithm] !== undefined ? "checksum" : "etag-md5";
  const outcome = await confirmObject(
    ctx,
    expectedOf(ctx, plan, sent.digest),
    sent.answer,
    method,
    "PutObject",
  );
  return { ...outcome, checksumLocal };
}

function expectedOf(ctx: FileContext, plan: UploadPlan, digest: SentPart["digest"]): ExpectedObject {
  return {
    size: plan.size,
    algorithm: ctx.run.algorithm,
    checksum: digest.digest?.toString("base64") ?? null,
    etag: expectedEtag(false, [digest.md5]),
  };
}

function isPreconditionFailed(error: unknown): boolean {
  const cause = error instanceof StepError ? (error.cause ?? error) : error;
  return s3ErrorInfo(cause).code === "PreconditionFailed";
}
