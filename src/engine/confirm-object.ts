import { describeS3Error, HINTS, StepError } from "./errors.js";
import { checkStoredObject, etagIsMd5, UNPROVABLE_FIX, type ExpectedObject } from "./object-verify.js";
import { call, type FileContext } from "./run-context.js";
import type { StoredObject, WriteAnswer } from "./s3-client.js";
import type { VerificationMethod } from "./types.js";

export interface UploadOutcome {
  etag: string;
  versionId?: string;
  checksumRemote: string | null;
  verification: VerificationMethod;
  verified: boolean;
  notes: string[];
}

export const FALLBACK_NOTE =
  "The store did not record the additional checksum (x-amz-checksum-*), so the object was verified by " +
  "comparing S3 ETags with locally computed MD5s instead.";

const NOT_RECHECKED = "The stored object was not re-checked after the upload (verification is off).";

export function requireChecksumsError(step: string, consequence = ""): StepError {
  return new StepError(
    step,
    "the store does not record additional checksums (x-amz-checksum-*) and checksums are required",
    `${consequence ? `${consequence} ` : ""}Use a store that supports additional checksums, or allow the ` +
      "ETag/MD5 fallback (turn off require-checksums).",
  );
}

/** The write answered success, yet no object is there: nothing of it can be kept or verified. */
export class NoObjectStoredError extends StepError {
  constructor(ctx: FileContext, step: string) {
    super(
      "verify object",
      `${step} answered success but no object is stored at s3://${ctx.run.options.bucket}/${ctx.file.key}`,
      "The store lost the write, something between this run and the store (a proxy or gateway) answered in " +
        "its place, or another writer deleted the object; check the endpoint and rerun.",
    );
    this.name = "NoObjectStoredError";
  }
}

function head(ctx: FileContext, versionId: string | undefined): Promise<StoredObject | null> {
  const target = {
    bucket: ctx.run.options.bucket,
    key: ctx.file.key,
    ...(versionId ? { versionId } : {}),
  };
  return call(ctx, "HeadObject", HINTS.access, () => ctx.run.store.headObject(target, ctx.signal));
}

/** An object of this run is in the bucket but unproven: say so, since nothing can be aborted any more. */
function writtenButUnverified(ctx: FileContext, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(
    `${message} The object s3://${ctx.run.options.bucket}/${ctx.file.key} was written but is not verified; ` +
      "rerun the upload with overwrite allowed, or delete the object.",
    { cause: error },
  );
}

/**
 * After a write that answered success, the object must be there and match local values (HeadObject with
 * checksum mode). With verification off the HEAD is skipped when the answer itself carries an ETag (and it
 * is compared with the local MD5-derived ETag where both are known); a missing object is never a success.
 */
export async function confirmObject(
  ctx: FileContext,
  expected: ExpectedObject,
  answer: WriteAnswer,
  partsMethod: VerificationMethod,
  step: string,
): Promise<UploadOutcome> {
  const base = answer.versionId ? { versionId: answer.versionId } : {};
  const checksumRemote = expected.algorithm === null ? null : (answer.checksums[expected.algorithm] ?? null);
  let stored: StoredObject | null;
  try {
    if (!ctx.run.options.verify && answer.etag !== "") {
      if (expected.etag !== null && etagIsMd5(answer) && answer.etag !== expected.etag) {
        throw new StepError(
          step,
          `the store answered ETag ${answer.etag}, the local MD5-derived ETag is ${expected.etag}`,
          HINTS.verify,
        );
      }
      const notes = [NOT_RECHECKED];
      return {
        ...base,
        etag: answer.etag,
        checksumRemote,
        verification: partsMethod,
        verified: false,
        notes,
      };
    }
    stored = await head(ctx, answer.versionId);
  } catch (error) {
    throw writtenButUnverified(ctx, error);
  }
  if (stored === null) throw new NoObjectStoredError(ctx, step);
  if (!ctx.run.options.verify) {
    const notes = [NOT_RECHECKED];
    return { ...base, etag: stored.etag, checksumRemote, verification: partsMethod, verified: false, notes };
  }
  try {
    return { ...base, ...proveStored(ctx, expected, stored, answer.etag) };
  } catch (error) {
    throw writtenButUnverified(ctx, error);
  }
}

function proveStored(
  ctx: FileContext,
  expected: ExpectedObject,
  stored: StoredObject,
  answeredEtag: string,
): UploadOutcome {
  const check = checkStoredObject(expected, stored);
  if (!check.ok) {
    if (check.unprovable) throw new StepError("verify object", check.problem, UNPROVABLE_FIX);
    const rewritten =
      answeredEtag !== "" && stored.etag !== answeredEtag
        ? ` (its ETag ${stored.etag} is not the ${answeredEtag} the upload answered: another writer may have replaced it)`
        : "";
    throw new StepError("verify object", `${check.problem}${rewritten}`, HINTS.verify);
  }
  const notes: string[] = [];
  if (expected.algorithm !== null && check.method !== "checksum") {
    if (ctx.run.options.requireChecksums) throw requireChecksumsError("verify object");
    notes.push(FALLBACK_NOTE);
  }
  return {
    etag: stored.etag,
    checksumRemote: check.remoteChecksum,
    verification: check.method,
    verified: true,
    notes,
  };
}

/**
 * A write whose outcome is unknown: a retried PutObject or Complete answered 412 under If-None-Match (an
 * earlier attempt may have landed), or a retried Complete answered NoSuchUpload. The stored object decides,
 * and only a checksum or MD5-ETag match is proof: otherwise another writer created the key.
 */
export async function confirmAmbiguousWrite(
  ctx: FileContext,
  expected: ExpectedObject,
  step: string,
  writeError: unknown,
): Promise<UploadOutcome> {
  const stored = await head(ctx, undefined);
  if (stored === null) throw writeError;
  const check = checkStoredObject(expected, stored);
  const answered = describeS3Error(
    writeError instanceof StepError ? (writeError.cause ?? writeError) : writeError,
  );
  if (!check.ok) {
    const why = check.unprovable
      ? `this run cannot prove is its own (${check.problem})`
      : `differs from the local file (${check.problem})`;
    throw new StepError(
      step,
      `${step} answered ${answered}, and the object now at s3://${ctx.run.options.bucket}/${ctx.file.key} ` +
        `${why}: another writer created the key`,
      "Find the other job or person writing this key; rerun with overwrite: true to replace that object, or " +
        `upload to another key.${check.unprovable && !etagIsMd5(stored) ? ` ${UNPROVABLE_FIX}` : ""}`,
      writeError,
    );
  }
  const notes = [
    `${step} answered ${answered}: the key was written meanwhile (most likely by an earlier attempt of ` +
      "this run whose answer was lost), and the stored object matches the local file.",
  ];
  if (expected.algorithm !== null && check.method !== "checksum") {
    if (ctx.run.options.requireChecksums) throw requireChecksumsError("verify object");
    notes.push(FALLBACK_NOTE);
  }
  return {
    ...(stored.versionId ? { versionId: stored.versionId } : {}),
    etag: stored.etag,
    checksumRemote: check.remoteChecksum,
    verification: check.method,
    verified: true,
    notes,
  };
}
