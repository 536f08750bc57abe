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
import { call, type FileContext } from "../run-context.js";
import type { ListedPart, PendingUpload } from "../s3/s3-client.js";
import {
  holdsLocalBytes,
  keptMisfit,
  needsMd5,
  newestOfKey,
  notResumedWarning,
  planMisfit,
  quietPeriodMs,
  resumeNote,
  stillActive,
  type ListedUpload,
} from "./resume-rules.js";
import type { UploadedPart } from "./verify-parts.js";

export interface Resumed {
  uploadId: string;
  /** Parts proven to hold the local bytes, by part number. */
  kept: Map<number, UploadedPart>;
  note: string;
}

export interface ResumeSearch {
  resumed: Resumed | null;
  /** The key's uploads that existed before this run created any; null when they could not be listed. */
  seen: ReadonlySet<string> | null;
}

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
  const wanted = {
    algorithm: ctx.run.algorithm,
    checksumType: ctx.run.checksumType,
    storageClass: ctx.run.options.object.storageClass ?? "STANDARD",
  };
  const quietMs = quietPeriodMs(ctx.run.options.tuning, plan);
  for (const candidate of candidates) {
    let listed: ListedUpload;
    try {
      listed = await call(ctx, "ListParts", "", () => listUpload(ctx, candidate.uploadId));
    } catch (error) {
      // Completed or aborted since it was listed: nothing to resume there.
      if (ctx.signal?.aborted) throw error;
      continue;
    }
    let misfit = planMisfit(wanted, plan, candidate, listed) ?? stillActive(quietMs, candidate, listed, now);
    if (misfit === null) {
      const kept = await provenParts(ctx, handle, plan, listed.parts);
      misfit = keptMisfit(plan, listed, kept);
      if (misfit === null) {
        const resumed = {
          uploadId: candidate.uploadId,
          kept,
          note: resumeNote(candidate, plan, listed, kept),
        };
        return { resumed, seen };
      }
    }
    ctx.run.emit({ type: "warning", file: ctx.file, message: notResumedWarning(candidate.uploadId, misfit) });
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
  return newestOfKey(listed, ctx.file.key);
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
    if (!holdsLocalBytes(ctx.run.algorithm, part, local)) return;
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
  const withMd5 = needsMd5(algorithm, listed);
  return ctx.run.pool.run(
    part.size,
    async (buffer) => {
      await readPart(handle, part, buffer);
      return hashPart(part, buffer, algorithm, withMd5);
    },
    ctx.signal,
  );
}
