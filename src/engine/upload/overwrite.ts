import {
  combineFullObject,
  compositeChecksum,
  createMd5Hasher,
  createSha256Hasher,
  isFullObjectAlgorithm,
} from "../checksum/index.js";
import { HINTS, Refusal } from "../errors.js";
import { etagIsMd5, expectedEtag, sameEtag } from "./object-verify.js";
import { hashPart, readPart, type OpenFile } from "./part-reader.js";
import type { UploadPlan } from "./plan.js";
import { call, type FileContext } from "../run-context.js";
import type { StoredObject } from "../s3/s3-client.js";
import type { ChecksumAlgorithm, VerificationMethod } from "../types.js";

export type ExistingDecision =
  | { action: "upload"; ifNoneMatch: boolean }
  | {
      action: "unchanged";
      stored: StoredObject;
      method: VerificationMethod;
      checksum: string | null;
      /** Hex SHA-256 of the file, from the read that compared it; null when off. */
      sha256: string | null;
    };

/** How the existing object can be compared with the local file without uploading anything. */
type Comparison =
  | { by: "checksum"; algorithm: ChecksumAlgorithm; remote: string; compositeParts: number | null }
  | { by: "etag"; multipartParts: number | null };

function choose(ctx: FileContext, plan: UploadPlan, stored: StoredObject): Comparison | null {
  const algorithm = ctx.run.algorithm;
  const remote = algorithm === null ? undefined : stored.checksums[algorithm];
  if (algorithm !== null && remote !== undefined) {
    const suffix = /-(\d+)$/.exec(remote);
    const compositeParts = suffix ? Number(suffix[1]) : null;
    const fullObjectComparable = isFullObjectAlgorithm(algorithm) || plan.parts.length === 1;
    if (compositeParts === null ? fullObjectComparable : compositeParts === plan.parts.length) {
      return { by: "checksum", algorithm, remote, compositeParts };
    }
  }
  if (!etagIsMd5(stored)) return null;
  const suffix = /-(\d+)$/.exec(stored.etag);
  if (suffix && Number(suffix[1]) !== plan.parts.length) return null;
  return { by: "etag", multipartParts: suffix ? Number(suffix[1]) : null };
}

/** One sequential pass over the file computing only what the comparison needs, and the SHA-256 when on. */
async function localValue(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  how: Comparison,
): Promise<{ value: string; sha256: string | null }> {
  const sha256 = ctx.run.options.sha256 === true ? createSha256Hasher() : null;
  const value = await comparedValue(ctx, handle, plan, how, (bytes) => sha256?.update(bytes));
  return { value, sha256: sha256?.digest().toString("hex") ?? null };
}

async function comparedValue(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  how: Comparison,
  onBytes: (bytes: Buffer) => void,
): Promise<string> {
  const algorithm = how.by === "checksum" ? how.algorithm : null;
  const digests: Array<{ digest: Buffer; size: number }> = [];
  const md5s: Buffer[] = [];
  const wholeMd5 = createMd5Hasher();
  for (const part of plan.parts) {
    await ctx.run.pool.run(
      part.size,
      async (buffer) => {
        await readPart(handle, part, buffer);
        const digest = await hashPart(part, buffer, algorithm, how.by === "etag");
        if (digest.digest) digests.push({ digest: digest.digest, size: part.size });
        if (digest.md5) md5s.push(digest.md5);
        if (how.by === "etag" && how.multipartParts === null) wholeMd5.update(buffer);
        onBytes(buffer);
      },
      ctx.signal,
    );
  }
  if (how.by === "etag") {
    return how.multipartParts === null ? wholeMd5.digest().toString("hex") : (expectedEtag(true, md5s) ?? "");
  }
  if (how.compositeParts !== null)
    return compositeChecksum(
      how.algorithm,
      digests.map((entry) => entry.digest),
    );
  if (isFullObjectAlgorithm(how.algorithm))
    return combineFullObject(how.algorithm, digests).toString("base64");
  return digests[0]!.digest.toString("base64");
}

/**
 * Overwrite policy. Allowed: upload. Not allowed: a missing key (absent from a listing, or HeadObject finds
 * none) is written with If-None-Match so a racing writer cannot be clobbered; an existing key is skipped when
 * provably identical (HeadObject), else refused.
 */
export async function decideExisting(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
): Promise<ExistingDecision> {
  const { store, options } = ctx.run;
  if (options.overwrite) return { action: "upload", ifNoneMatch: false };
  // A key a listing shows absent is written with If-None-Match, which closes the race as after a HEAD.
  if ((await ctx.run.listing.listedBefore(ctx.file.key)) === null)
    return { action: "upload", ifNoneMatch: true };
  const stored = await call(ctx, "HeadObject", HINTS.access, () =>
    store.headObject({ bucket: options.bucket, key: ctx.file.key }, ctx.signal),
  );
  if (stored === null) return { action: "upload", ifNoneMatch: true };
  const refuse = (why: string): Refusal =>
    new Refusal(
      "overwrite check",
      `overwrite check failed: s3://${options.bucket}/${ctx.file.key} already exists and ${why}. ` +
        "Allow overwriting (overwrite: true) or choose another key.",
    );
  if (stored.size !== plan.size) throw refuse(`is ${stored.size} bytes while the local file is ${plan.size}`);
  const how = choose(ctx, plan, stored);
  if (how === null) throw refuse("its checksum/ETag cannot be compared with the local file");
  const { value: local, sha256 } = await localValue(ctx, handle, plan, how);
  const remote = how.by === "checksum" ? how.remote : stored.etag;
  if (how.by === "checksum" ? local !== remote : !sameEtag(remote, local)) {
    throw refuse(
      `differs from the local file (${how.by === "checksum" ? how.algorithm : "ETag"} ${remote}, local ${local})`,
    );
  }
  return {
    action: "unchanged",
    stored,
    method: how.by === "checksum" ? "checksum" : "etag-md5",
    checksum: how.by === "checksum" ? local : null,
    sha256,
  };
}
