import { HINTS, StepError } from "./errors.js";
import { checkStoredObject, type ExpectedObject } from "./object-verify.js";
import { call, type FileContext } from "./run-context.js";
import type { WriteAnswer } from "./s3-client.js";
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

export function requireChecksumsError(step: string, consequence = ""): StepError {
  return new StepError(
    step,
    "the store does not record additional checksums (x-amz-checksum-*) and checksums are required",
    `${consequence ? `${consequence} ` : ""}Use a store that supports additional checksums, or allow the ` +
      "ETag/MD5 fallback (turn off require-checksums).",
  );
}

/**
 * After the write: the object S3 now holds must match local values (HeadObject with checksum mode), unless
 * verification is off — then only a missing ETag (RGW answers Complete without one) is fetched.
 */
export async function confirmObject(
  ctx: FileContext,
  expected: ExpectedObject,
  answer: WriteAnswer,
  partsMethod: VerificationMethod,
): Promise<UploadOutcome> {
  try {
    return await checkWrittenObject(ctx, expected, answer, partsMethod);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The write already happened: say so, since nothing can be aborted any more.
    throw new Error(
      `${message} The object s3://${ctx.run.options.bucket}/${ctx.file.key} was written but is not verified; ` +
        "rerun the upload with overwrite allowed, or delete the object.",
      { cause: error },
    );
  }
}

async function checkWrittenObject(
  ctx: FileContext,
  expected: ExpectedObject,
  answer: WriteAnswer,
  partsMethod: VerificationMethod,
): Promise<UploadOutcome> {
  const { store, options } = ctx.run;
  const target = {
    bucket: options.bucket,
    key: ctx.file.key,
    ...(answer.versionId ? { versionId: answer.versionId } : {}),
  };
  const base = answer.versionId ? { versionId: answer.versionId } : {};
  if (!options.verify) {
    const etag =
      answer.etag ||
      ((await call(ctx, "HeadObject", HINTS.access, () => store.headObject(target, ctx.signal)))?.etag ?? "");
    const notes = ["The stored object was not re-checked after the upload (verification is off)."];
    const checksumRemote =
      expected.algorithm === null ? null : (answer.checksums[expected.algorithm] ?? null);
    return { ...base, etag, checksumRemote, verification: partsMethod, verified: false, notes };
  }
  const stored = await call(ctx, "HeadObject", HINTS.access, () => store.headObject(target, ctx.signal));
  if (stored === null) {
    throw new StepError("verify object", "HeadObject found no object right after the upload", HINTS.verify);
  }
  const check = checkStoredObject(expected, stored);
  if (!check.ok) {
    const rewritten =
      answer.etag !== "" && stored.etag !== answer.etag
        ? ` (its ETag ${stored.etag} is not the ${answer.etag} the upload answered: another writer may have replaced it)`
        : "";
    throw new StepError("verify object", `${check.problem}${rewritten}`, HINTS.verify);
  }
  const notes: string[] = [];
  if (expected.algorithm !== null && check.method !== "checksum") {
    if (options.requireChecksums) throw requireChecksumsError("verify object");
    notes.push(FALLBACK_NOTE);
  }
  if (check.method === "size-only") {
    notes.push(
      "Only the size could be compared: the store kept no checksum and its ETag is not an MD5 (SSE-KMS).",
    );
  }
  return {
    ...base,
    etag: stored.etag,
    checksumRemote: check.remoteChecksum,
    verification: check.method,
    verified: true,
    notes,
  };
}
