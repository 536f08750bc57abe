// Resume across runs: find an in-progress multipart upload of this key and keep the parts that hold exactly
// the bytes of the same ranges of the local file.
//
// S3 shows no metadata of an in-progress upload, and a fresh runner has no local state, so the record is
// the upload itself: ListParts gives each part's size and checksum (or MD5 ETag). The engine sends the last
// part first, so its number and size record the file size. An upload is reused only when every listed part
// fits this run's plan (sizes, checksum algorithm and type, storage class) and its last part holds the local
// bytes; then each part is kept only when the local bytes of its range hash to the listed value. So a
// different file size, part size, algorithm or content never ends up in the object.
//
// An upload written to a moment ago may belong to a job still running: it is left alone until it has been
// quiet for the stall timeout plus the time a part takes at 1 MiB/s (a live job of this tool stores a part
// at least that often). Headers (Content-Type, …), metadata, tags and encryption are not shown on an
// in-progress upload by S3, so they cannot be compared before resuming; the svu-plan metadata fingerprints
// them on the finished object (settings-fingerprint.ts). An adopted upload is never aborted by this run.
import { listPendingUploads } from "../cleanup/cleanup.js";
import { describeS3Error, StepError } from "../errors.js";
import { hashPart, readPart, type OpenFile, type PartDigest } from "./part-reader.js";
import type { PlannedPart, UploadPlan } from "./plan.js";
import { mapLimited } from "../pool.js";
import { DEFAULT_STALL_TIMEOUT_MS } from "../retry.js";
import { call, type FileContext } from "../run-context.js";
import type { ListedPart, PendingUpload } from "../s3/s3-client.js";
import type { UploadedPart } from "./verify-parts.js";

export interface Resumed {
  uploadId: string;
  /** Parts proven to hold the local bytes, by part number. */
  kept: Map<number, UploadedPart>;
  note: string;
}

interface ListedUpload {
  parts: ListedPart[];
  checksumAlgorithm: string | undefined;
  checksumType: string | undefined;
  storageClass: string | undefined;
}

export interface ResumeSearch {
  resumed: Resumed | null;
  /** The key's uploads that existed before this run created any; null when they could not be listed. */
  seen: ReadonlySet<string> | null;
}

const SLOWEST_PART_BYTES_PER_MS = (1024 * 1024) / 1000;

/**
 * The newest in-progress upload of this key that fits the plan, with its proven parts; null when there is
 * none. Uploads that do not fit are left in place (they may belong to another job) and named in a warning.
 */
export async function findResumable(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
): Promise<ResumeSearch> {
  let candidates: PendingUpload[];
  try {
    candidates = await pendingUploadsOfKey(ctx);
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    ctx.run.emit({
      type: "warning",
      file: ctx.file,
      message:
        `Could not look for an upload to resume (${describeS3Error(error instanceof StepError ? (error.cause ?? error) : error)}); ` +
        "starting a new one. Allow s3:ListBucketMultipartUploads on the bucket to resume interrupted uploads.",
    });
    return { resumed: null, seen: null };
  }
  const seen = new Set(candidates.map((candidate) => candidate.uploadId));
  const now = Date.now();
  for (const candidate of candidates) {
    let listed: ListedUpload;
    try {
      listed = await call(ctx, "ListParts", "", () => listUpload(ctx, candidate.uploadId));
    } catch (error) {
      // Completed or aborted since it was listed: nothing to resume there.
      if (ctx.signal?.aborted) throw error;
      continue;
    }
    let misfit = planMisfit(ctx, plan, candidate, listed) ?? stillActive(ctx, plan, candidate, listed, now);
    if (misfit === null) {
      const kept = await provenParts(ctx, handle, plan, listed.parts);
      if (listed.parts.length === 0 || kept.has(plan.parts.length)) {
        const resumed = {
          uploadId: candidate.uploadId,
          kept,
          note: resumeNote(candidate, plan, listed, kept),
        };
        return { resumed, seen };
      }
      misfit =
        kept.size === 0
          ? "none of its parts holds the bytes of the local file"
          : `its last part ${plan.parts.length}, which pins the file size, is not stored with the local bytes`;
    }
    ctx.run.emit({
      type: "warning",
      file: ctx.file,
      message:
        `In-progress upload ${candidate.uploadId} of this key was not resumed: ` +
        `${misfit}. It is left in place; ` +
        `remove stale uploads with the cleanup mode or a lifecycle rule (lifecycle-abort-days).`,
    });
  }
  return { resumed: null, seen };
}

/** The key's in-progress uploads, newest first (the prefix listing also holds longer keys). */
export async function pendingUploadsOfKey(ctx: FileContext): Promise<PendingUpload[]> {
  const retried = <T>(operation: () => Promise<T>): Promise<T> =>
    call(ctx, "ListMultipartUploads", "", operation);
  const listed = await listPendingUploads(
    ctx.run.store,
    ctx.run.options.bucket,
    ctx.file.key,
    retried,
    ctx.signal,
  );
  return listed
    .filter((upload) => upload.key === ctx.file.key)
    .sort((a, b) => (b.initiated?.getTime() ?? 0) - (a.initiated?.getTime() ?? 0));
}

async function listUpload(ctx: FileContext, uploadId: string): Promise<ListedUpload> {
  const target = { bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId };
  const parts: ListedPart[] = [];
  let checksumAlgorithm: string | undefined;
  let checksumType: string | undefined;
  let storageClass: string | undefined;
  let marker: string | undefined;
  do {
    const page = await ctx.run.store.listPartsPage(
      marker === undefined ? target : { ...target, marker },
      ctx.signal,
    );
    parts.push(...page.parts);
    checksumAlgorithm ??= page.checksumAlgorithm;
    checksumType ??= page.checksumType;
    storageClass ??= page.storageClass;
    if (page.nextMarker !== undefined && page.nextMarker === marker) {
      throw new Error(`ListParts pagination did not advance past part-number-marker ${marker}`);
    }
    marker = page.nextMarker;
  } while (marker !== undefined);
  return { parts, checksumAlgorithm, checksumType, storageClass };
}

/**
 * Why the upload cannot belong to this plan, or null when every setting S3 shows of it (checksum algorithm
 * and type, storage class, part sizes and checksums) fits it.
 */
function planMisfit(
  ctx: FileContext,
  plan: UploadPlan,
  candidate: PendingUpload,
  listed: ListedUpload,
): string | null {
  const wanted = ctx.run.algorithm;
  const declared = listed.checksumAlgorithm ?? candidate.checksumAlgorithm;
  if (declared !== undefined && declared !== wanted) {
    return `it was started with checksum algorithm ${declared}, this run uses ${wanted ?? "none"}`;
  }
  const wantedType = ctx.run.checksumType;
  const declaredType = listed.checksumType ?? candidate.checksumType;
  if (declaredType !== undefined && declaredType !== wantedType) {
    return `it was started with checksum type ${declaredType}, this run uses ${wantedType ?? "none"}`;
  }
  const wantedClass = ctx.run.options.object.storageClass ?? "STANDARD";
  const declaredClass = listed.storageClass ?? candidate.storageClass;
  if (declaredClass !== undefined && declaredClass !== wantedClass) {
    return `it was started with storage class ${declaredClass}, this run uses ${wantedClass}`;
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
    const foreign = Object.keys(part.checksums).find((algorithm) => algorithm !== wanted);
    if (foreign !== undefined)
      return `its parts carry ${foreign} checksums, this run uses ${wanted ?? "none"}`;
  }
  return null;
}

/**
 * Why the upload may still be written to by the job that started it, or null when it has been quiet long
 * enough. Times are the store's, compared with this machine's clock: a clock running ahead shortens the wait.
 */
function stillActive(
  ctx: FileContext,
  plan: UploadPlan,
  candidate: PendingUpload,
  listed: ListedUpload,
  now: number,
): string | null {
  const tuning = ctx.run.options.tuning ?? {};
  // A live job stores a part at least this often, even through one stalled and retried request.
  const quietMs =
    tuning.resumeQuietMs ??
    (tuning.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS) + plan.partSize / SLOWEST_PART_BYTES_PER_MS;
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

/** Reads and hashes each listed part's range once, through the run's pool, and keeps those that match. */
async function provenParts(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  listed: ListedPart[],
): Promise<Map<number, UploadedPart>> {
  const kept = new Map<number, UploadedPart>();
  await mapLimited(listed, ctx.run.options.concurrency, async (part) => {
    const planned = plan.parts[part.number - 1]!;
    const local = await hashRange(ctx, handle, planned, part);
    if (!matches(ctx, part, local)) return;
    kept.set(part.number, {
      number: part.number,
      size: part.size,
      etag: part.etag,
      checksum: local.digest?.toString("base64") ?? null,
      digest: local.digest,
      md5Hex: local.md5?.toString("hex") ?? null,
    });
  });
  return kept;
}

function hashRange(
  ctx: FileContext,
  handle: OpenFile,
  part: PlannedPart,
  listed: ListedPart,
): Promise<PartDigest> {
  const algorithm = ctx.run.algorithm;
  // Without a listed checksum the ETag (MD5) is the only proof there is.
  const withMd5 = algorithm === null || listed.checksums[algorithm] === undefined;
  return ctx.run.pool.run(
    part.size,
    async (buffer) => {
      await readPart(handle, part, buffer);
      return hashPart(part, buffer, algorithm, withMd5);
    },
    ctx.signal,
  );
}

// An ETag equal to the MD5 of the local range is proof whatever the encryption: under SSE-KMS it simply
// never matches, and the part is uploaded again.
function matches(ctx: FileContext, part: ListedPart, local: PartDigest): boolean {
  const { algorithm } = ctx.run;
  const remote = algorithm === null ? undefined : part.checksums[algorithm];
  if (remote !== undefined) return local.digest !== null && remote === local.digest.toString("base64");
  return local.md5 !== null && part.etag === local.md5.toString("hex");
}

function resumeNote(
  candidate: PendingUpload,
  plan: UploadPlan,
  listed: ListedUpload,
  kept: Map<number, UploadedPart>,
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
