import { describeS3Error, HINTS, StepError } from "../errors.js";
import {
  checkStoredObject,
  etagIsMd5,
  sameEtag,
  UNPROVABLE_FIX,
  type ExpectedObject,
  type ObjectCheck,
} from "./object-verify.js";
import { call, type FileContext } from "../run-context.js";
import type { StoredObject, WriteAnswer } from "../s3/s3-client.js";
import type { VerificationMethod } from "../types.js";

export interface UploadOutcome {
  etag: string;
  versionId?: string;
  checksumRemote: string | null;
  verification: VerificationMethod;
  verified: boolean;
  notes: string[];
}

const FALLBACK_NOTE =
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
      if (expected.etag !== null && etagIsMd5(answer) && !sameEtag(answer.etag, expected.etag)) {
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
  const check = checkStoredObject(expected, stored);
  if (!check.ok && !check.unprovable) {
    const rewritten =
      answer.etag !== "" && stored.etag !== answer.etag
        ? ` (its ETag ${stored.etag} is not the ${answer.etag} the upload answered: another writer may have replaced it)`
        : "";
    const cause = new StepError("verify object", `${check.problem}${rewritten}`, HINTS.verify);
    throw new StoredMismatchError(ctx, cause, stored, answer);
  }
  try {
    return { ...base, ...proveStored(ctx, check, stored) };
  } catch (error) {
    throw writtenButUnverified(ctx, error);
  }
}

/**
 * A single PutObject proven without its HeadObject, or null when a HeadObject must decide (confirmObject).
 * The answer already shows what the store made of this very request: the checksum it computed over the bytes
 * it received and echoed (the caller has checked it is the local one; the store also checked the checksum and
 * Content-MD5 sent with the body), and the ETag, the MD5 of those bytes. A listing sent after the answer
 * must then show the key with the local size and that ETag: the object is there, is still this write's, and
 * its content has the local MD5. That is what the HeadObject proved (its checksum is the same record's), for
 * many files per request. Not used where the listing cannot tell this write's object apart: a versioned
 * bucket (it lists only the newest version), ETags that are not MD5s (SSE-KMS), or no echoed checksum (the
 * HeadObject may show one, and a result must say the same whichever request proved it).
 */
export async function confirmByListing(
  ctx: FileContext,
  expected: ExpectedObject,
  answer: WriteAnswer,
): Promise<UploadOutcome | null> {
  const echoed = expected.algorithm === null ? null : answer.checksums[expected.algorithm];
  if (
    !ctx.run.options.verify ||
    answer.versionId !== undefined ||
    !etagIsMd5(answer) ||
    !sameEtag(answer.etag, expected.etag) ||
    echoed === undefined ||
    echoed !== expected.checksum
  ) {
    return null;
  }
  const listed = await ctx.run.listing.lookup(ctx.file.key);
  if (listed == null || listed.size !== expected.size || listed.etag !== answer.etag) return null;
  return {
    etag: answer.etag,
    checksumRemote: echoed,
    verification: echoed === null ? "etag-md5" : "checksum",
    verified: true,
    notes: [],
  };
}

/**
 * The write answered success, but the object stored now differs from the local file: corrupted by the store,
 * or replaced by another writer in between. The caller repairs it or removes it (removeWrittenObject).
 */
export class StoredMismatchError extends Error {
  constructor(
    ctx: FileContext,
    cause: StepError,
    readonly stored: StoredObject,
    readonly answer: WriteAnswer,
  ) {
    super(writtenButUnverified(ctx, cause).message, { cause });
    this.name = "StoredMismatchError";
  }
}

/**
 * Removes what a write of this run left that does not match the file, where it is provably this run's: the
 * version its answer named (and earlier wrong versions of this run), or on an unversioned bucket an object
 * whose ETag is the one the write answered; any, when overwriting was allowed anyway or when this run's
 * re-send (If-Match) already replaced the object it had inspected. Returns the error.
 */
export async function removeWrittenObject(
  ctx: FileContext,
  mismatch: StoredMismatchError,
  earlier: { versions: readonly string[]; replacedInspected: boolean } = {
    versions: [],
    replacedInspected: false,
  },
): Promise<Error> {
  const detail = (mismatch.cause as Error).message;
  const fail = (sentence: string): Error => new Error(`${detail} ${sentence}`, { cause: mismatch.cause });
  const versionId = mismatch.answer.versionId;
  const ours =
    versionId !== undefined ||
    ctx.run.options.overwrite ||
    earlier.replacedInspected ||
    mismatch.stored.etag === mismatch.answer.etag;
  if (!ours) {
    return fail(
      `The object was left in place: its ETag ${mismatch.stored.etag} is not the ${mismatch.answer.etag} ` +
        "this run's write answered, so it may be another writer's; check it, then delete it or rerun.",
    );
  }
  const versions = versionId === undefined ? [undefined] : [...earlier.versions, versionId];
  const problem = await deleteWrittenVersions(ctx, versions);
  if (problem !== null) return fail(problem);
  return fail(
    versionId === undefined
      ? "The object this run wrote was deleted; nothing of this run is left."
      : `The version(s) this run wrote (${versions.join(", ")}) were deleted; nothing of this run is left.`,
  );
}

/** Deletes versions this run wrote (undefined: the unversioned object); null when all went, else what to do. */
export async function deleteWrittenVersions(
  ctx: FileContext,
  versions: ReadonlyArray<string | undefined>,
): Promise<string | null> {
  const { bucket } = ctx.run.options;
  // A fresh signal: this is cleanup, owed also when the run was cancelled.
  const cleanup = { ...ctx, signal: AbortSignal.timeout(60_000) };
  for (const version of versions) {
    try {
      await call(cleanup, "DeleteObject", HINTS.access, () =>
        ctx.run.store.deleteObject(
          { bucket, key: ctx.file.key, ...(version ? { versionId: version } : {}) },
          cleanup.signal,
        ),
      );
    } catch (error) {
      return (
        `Deleting what this run wrote also failed (${error instanceof Error ? error.message : String(error)}); ` +
        `delete it with: aws s3api delete-object --bucket ${bucket} --key '${ctx.file.key}'` +
        (version ? ` --version-id '${version}'` : "")
      );
    }
  }
  return null;
}

function proveStored(ctx: FileContext, check: ObjectCheck, stored: StoredObject): UploadOutcome {
  if (!check.ok) throw new StepError("verify object", check.problem, UNPROVABLE_FIX);
  const notes: string[] = [];
  if (ctx.run.algorithm !== null && check.method !== "checksum") {
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
  const outcome = proveStored(ctx, check, stored);
  outcome.notes.unshift(
    `${step} answered ${answered}: the key was written meanwhile (most likely by an earlier attempt of ` +
      "this run whose answer was lost), and the stored object matches the local file.",
  );
  return { ...(stored.versionId ? { versionId: stored.versionId } : {}), ...outcome };
}
