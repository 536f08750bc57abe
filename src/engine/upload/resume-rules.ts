// The rules that decide whether an in-progress multipart upload may be resumed and which of its parts are kept,
// shared by uploads with S3 credentials (resume.ts) and through a broker (broker/resume-via-broker.ts): the two
// read the store differently, but an upload is adopted, and a part kept, on exactly the same evidence.
import { DEFAULT_STALL_TIMEOUT_MS } from "../retry.js";
import type { ListedPart, PendingUpload } from "../s3/s3-client.js";
import type { ChecksumAlgorithm, ChecksumType, EngineTuning } from "../types.js";
import type { UploadPlan } from "./plan.js";

/** An upload's parts and the settings the store shows of it (ListParts, else ListMultipartUploads). */
export interface ListedUpload {
  parts: ListedPart[];
  checksumAlgorithm: string | undefined;
  checksumType: string | undefined;
  storageClass: string | undefined;
}

/** What this run would create: an upload started with anything else is not its to continue. */
export interface WantedUpload {
  algorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  storageClass: string;
}

/** The local bytes of a listed part's range, hashed as the store lists that part. */
export interface LocalDigest {
  digest: Buffer | null;
  md5: Buffer | null;
}

const SLOWEST_PART_BYTES_PER_MS = (1024 * 1024) / 1000;

/**
 * Why the upload cannot belong to this plan, or null when every setting the store shows of it (checksum
 * algorithm and type, storage class, part sizes and checksums) fits it.
 */
export function planMisfit(
  wanted: WantedUpload,
  plan: UploadPlan,
  candidate: PendingUpload,
  listed: ListedUpload,
): string | null {
  const declared = listed.checksumAlgorithm ?? candidate.checksumAlgorithm;
  if (declared !== undefined && declared !== wanted.algorithm) {
    return `it was started with checksum algorithm ${declared}, this run uses ${wanted.algorithm ?? "none"}`;
  }
  const declaredType = listed.checksumType ?? candidate.checksumType;
  if (declaredType !== undefined && declaredType !== wanted.checksumType) {
    return `it was started with checksum type ${declaredType}, this run uses ${wanted.checksumType ?? "none"}`;
  }
  const declaredClass = listed.storageClass ?? candidate.storageClass;
  if (declaredClass !== undefined && declaredClass !== wanted.storageClass) {
    return `it was started with storage class ${declaredClass}, this run uses ${wanted.storageClass}`;
  }
  for (const part of listed.parts) {
    const planned = plan.parts[part.number - 1];
    if (planned === undefined) {
      return `it has part ${part.number}, the local file needs only ${plan.parts.length} parts`;
    }
    if (planned.size !== part.size) {
      return (
        `its part ${part.number} is ${part.size} bytes, this run's part ${part.number} is ${planned.size} ` +
        `(different file size or part size)`
      );
    }
    const foreign = Object.keys(part.checksums).find((algorithm) => algorithm !== wanted.algorithm);
    if (foreign !== undefined)
      return `its parts carry ${foreign} checksums, this run uses ${wanted.algorithm ?? "none"}`;
  }
  return null;
}

/** How long an upload must have been quiet before it is taken for abandoned. */
export function quietPeriodMs(tuning: EngineTuning | undefined, plan: UploadPlan): number {
  // A live job stores a part at least this often, even through one stalled and retried request.
  return (
    tuning?.resumeQuietMs ??
    (tuning?.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS) + plan.partSize / SLOWEST_PART_BYTES_PER_MS
  );
}

/**
 * Why the upload may still be written to by the job that started it, or null when it has been quiet long
 * enough. Times are the store's, compared with this machine's clock: a clock running ahead shortens the wait.
 */
export function stillActive(
  quietMs: number,
  candidate: PendingUpload,
  listed: ListedUpload,
  now: number,
): string | null {
  const newestPart = Math.max(0, ...listed.parts.map((part) => part.lastModified?.getTime() ?? 0));
  const initiated = candidate.initiated?.getTime() ?? 0;
  const last = Math.max(newestPart, initiated);
  const age = now - last;
  if (last === 0 || age >= quietMs) return null;
  const what = newestPart >= initiated ? "its last part was stored" : "it was initiated";
  return (
    `${what} ${Math.max(0, Math.round(age / 1000))} s ago; another job may still be uploading it ` +
    `(an upload is resumed once it has been quiet for ${Math.ceil(quietMs / 1000)} s)`
  );
}

/** Without a listed checksum for the run's algorithm, the ETag (MD5) is the only proof there is. */
export function needsMd5(algorithm: ChecksumAlgorithm | null, part: ListedPart): boolean {
  return algorithm === null || part.checksums[algorithm] === undefined;
}

// An ETag equal to the MD5 of the local range is proof whatever the encryption: under SSE-KMS it simply
// never matches, and the part is uploaded again.
export function holdsLocalBytes(
  algorithm: ChecksumAlgorithm | null,
  part: ListedPart,
  local: LocalDigest,
): boolean {
  const remote = algorithm === null ? undefined : part.checksums[algorithm];
  if (remote !== undefined) return local.digest !== null && remote === local.digest.toString("base64");
  return local.md5 !== null && part.etag === local.md5.toString("hex");
}

/**
 * Null when the proven parts make the upload resumable (none listed, or its last part, which pins the file
 * size, among them), else why not.
 */
export function keptMisfit(plan: UploadPlan, listed: ListedUpload, kept: ReadonlyMap<number, unknown>) {
  if (listed.parts.length === 0 || kept.has(plan.parts.length)) return null;
  return kept.size === 0
    ? "none of its parts holds the bytes of the local file"
    : `its last part ${plan.parts.length}, which pins the file size, is not stored with the local bytes`;
}

export function notResumedWarning(uploadId: string, misfit: string): string {
  return (
    `In-progress upload ${uploadId} of this key was not resumed: ${misfit}. It is left in place; ` +
    `remove stale uploads with the cleanup mode or a lifecycle rule (lifecycle-abort-days).`
  );
}

export function resumeNote(
  candidate: PendingUpload,
  plan: UploadPlan,
  listed: ListedUpload,
  kept: ReadonlyMap<number, { size: number }>,
): string {
  const keptBytes = [...kept.values()].reduce((sum, part) => sum + part.size, 0);
  const redone = listed.parts.length - kept.size;
  return (
    `Resumed multipart upload ${candidate.uploadId}` +
    (candidate.initiated ? ` (initiated ${candidate.initiated.toISOString()})` : "") +
    `: kept ${kept.size} of ${plan.parts.length} parts (${keptBytes} bytes) whose stored checksums match the ` +
    `local file` +
    (redone > 0 ? `; ${redone} stored part(s) did not match and were uploaded again` : "") +
    "."
  );
}

/** In-progress uploads of exactly `key` (a prefix listing holds longer keys too), newest first. */
export function newestOfKey(uploads: readonly PendingUpload[], key: string): PendingUpload[] {
  return uploads
    .filter((upload) => upload.key === key)
    .sort((a, b) => (b.initiated?.getTime() ?? 0) - (a.initiated?.getTime() ?? 0));
}
