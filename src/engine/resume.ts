// Resume across runs: find an in-progress multipart upload of this key and keep the parts that hold exactly
// the bytes of the same ranges of the local file.
//
// S3 shows no metadata of an in-progress upload, and a fresh runner has no local state, so the record is
// the upload itself: ListParts gives each part's size and checksum (or MD5 ETag). The engine sends the last
// part first, so its number and size record the file size. An upload is reused only when every listed part
// fits this run's plan (sizes, algorithm) and its last part holds the local bytes; then each part is kept
// only when the local bytes of its range hash to the listed value. So a different file size, part size,
// algorithm or content never ends up in the object.
import { listPendingUploads } from "./cleanup.js";
import { describeS3Error, StepError } from "./errors.js";
import { hashPart, readPart, type OpenFile, type PartDigest } from "./part-reader.js";
import type { PlannedPart, UploadPlan } from "./plan.js";
import { mapLimited } from "./pool.js";
import { call, type FileContext } from "./run-context.js";
import type { ListedPart, PendingUpload } from "./s3-client.js";
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
}

/**
 * The newest in-progress upload of this key that fits the plan, with its proven parts; null when there is
 * none. Uploads that do not fit are left in place (they may belong to another job) and named in a warning.
 */
export async function findResumable(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
): Promise<Resumed | null> {
  const candidates = await pendingUploadsOfKey(ctx);
  for (const candidate of candidates) {
    let listed: ListedUpload;
    try {
      listed = await call(ctx, "ListParts", "", () => listUpload(ctx, candidate.uploadId));
    } catch (error) {
      // Completed or aborted since it was listed: nothing to resume there.
      if (ctx.signal?.aborted) throw error;
      continue;
    }
    let misfit = planMisfit(ctx, plan, listed);
    if (misfit === null) {
      const kept = await provenParts(ctx, handle, plan, listed.parts);
      if (listed.parts.length === 0 || kept.has(plan.parts.length)) {
        return { uploadId: candidate.uploadId, kept, note: resumeNote(candidate, plan, listed, kept) };
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
  return null;
}

/** Newest first. A store or policy that does not allow listing uploads only costs the resume, not the upload. */
async function pendingUploadsOfKey(ctx: FileContext): Promise<PendingUpload[]> {
  let found: PendingUpload[];
  try {
    const retried = <T>(operation: () => Promise<T>): Promise<T> =>
      call(ctx, "ListMultipartUploads", "", operation);
    const listed = await listPendingUploads(
      ctx.run.store,
      ctx.run.options.bucket,
      ctx.file.key,
      retried,
      ctx.signal,
    );
    found = listed.filter((upload) => upload.key === ctx.file.key);
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    ctx.run.emit({
      type: "warning",
      file: ctx.file,
      message:
        `Could not look for an upload to resume (${describeS3Error(error instanceof StepError ? (error.cause ?? error) : error)}); ` +
        "starting a new one. Allow s3:ListBucketMultipartUploads on the bucket to resume interrupted uploads.",
    });
    return [];
  }
  return found.sort((a, b) => (b.initiated?.getTime() ?? 0) - (a.initiated?.getTime() ?? 0));
}

async function listUpload(ctx: FileContext, uploadId: string): Promise<ListedUpload> {
  const target = { bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId };
  const parts: ListedPart[] = [];
  let checksumAlgorithm: string | undefined;
  let marker: string | undefined;
  do {
    const page = await ctx.run.store.listPartsPage(
      marker === undefined ? target : { ...target, marker },
      ctx.signal,
    );
    parts.push(...page.parts);
    checksumAlgorithm ??= page.checksumAlgorithm;
    if (page.nextMarker !== undefined && page.nextMarker === marker) {
      throw new Error(`ListParts pagination did not advance past part-number-marker ${marker}`);
    }
    marker = page.nextMarker;
  } while (marker !== undefined);
  return { parts, checksumAlgorithm };
}

/** Why the upload cannot belong to this plan, or null when every listed part fits it. */
function planMisfit(ctx: FileContext, plan: UploadPlan, listed: ListedUpload): string | null {
  const wanted = ctx.run.algorithm;
  const declared = listed.checksumAlgorithm;
  if (declared !== undefined && declared !== wanted) {
    return `it was started with checksum algorithm ${declared}, this run uses ${wanted ?? "none"}`;
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
