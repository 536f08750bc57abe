// A CreateMultipartUpload whose answer was lost (reset, stall, 5xx after the store acted) is retried, and
// the store then holds an upload nobody knows the id of: billed until a lifecycle rule removes it. S3 lets
// nobody mark an in-progress upload, so a lost attempt is recognised by what it must look like: an upload of
// this key that was not there when this run looked before its Create, that has the settings S3 shows of
// ours, no parts, and an Initiated time within this run's Create call of our own upload's (both on the
// store's clock, the window is only the call's duration measured here).
//
// Limit: another job that creates an upload of the same key with the same settings inside that window and
// has stored no part yet looks the same, and is aborted; it then fails with NoSuchUpload, which says another
// job may be uploading the same key. Two jobs writing one key at the same moment race anyway.
import { describeS3Error, HINTS, isNoSuchUpload, StepError } from "./errors.js";
import { pendingUploadsOfKey } from "./resume.js";
import { call, type FileContext } from "./run-context.js";
import type { PendingUpload } from "./s3-client.js";

/** Our own upload, as CreateMultipartUpload returned it after `attempts` tries taking `durationMs`. */
export interface CreatedUpload {
  uploadId: string;
  attempts: number;
  durationMs: number;
}

/** Timestamps on a store are not finer than this; the window is widened by it on both sides. */
const CLOCK_SLACK_MS = 1000;

/**
 * Returns a sweep to run after Create and again when the file is done (a stalled attempt can be carried
 * out late). `seen` is the key's uploads listed before Create, null when they could not be listed.
 */
export function lostCreateSweeper(
  ctx: FileContext,
  seen: ReadonlySet<string> | null,
  created: CreatedUpload,
): () => Promise<void> {
  // Cleanup, like an abort on failure: it must run even when the run was cancelled.
  ctx = { ...ctx, signal: AbortSignal.timeout(60_000) };
  let ours: PendingUpload | undefined;
  const aborted = new Set<string>();
  let warned = false;
  return async () => {
    const cannot = (why: string): void => {
      if (warned) return;
      warned = true;
      ctx.run.emit({
        type: "warning",
        file: ctx.file,
        message:
          `CreateMultipartUpload took ${created.attempts} attempts, and ${why}, so an upload a lost answer ` +
          "may have left could not be looked for; remove stale uploads with the cleanup mode or a lifecycle " +
          "rule (lifecycle-abort-days).",
      });
    };
    if (seen === null) return cannot("the key's uploads could not be listed before it");
    let uploads: PendingUpload[];
    try {
      uploads = await pendingUploadsOfKey(ctx);
    } catch (error) {
      return cannot(
        `listing them failed (${describeS3Error(error instanceof StepError ? (error.cause ?? error) : error)})`,
      );
    }
    // Remembered from the first sweep: after Complete our upload is no longer listed.
    ours ??= uploads.find((upload) => upload.uploadId === created.uploadId);
    const ourInitiated = ours?.initiated?.getTime();
    if (ours === undefined || ourInitiated === undefined) {
      return cannot("the store did not show when ours was initiated");
    }
    const reach = created.durationMs + CLOCK_SLACK_MS;
    const lost = uploads.filter(
      (upload) =>
        upload.uploadId !== created.uploadId &&
        !seen.has(upload.uploadId) &&
        !aborted.has(upload.uploadId) &&
        upload.initiated !== undefined &&
        Math.abs(upload.initiated.getTime() - ourInitiated) <= reach &&
        sameVisibleSettings(upload, ours!),
    );
    for (const upload of lost) {
      if (await abortIfEmpty(ctx, upload)) aborted.add(upload.uploadId);
    }
  };
}

function sameVisibleSettings(a: PendingUpload, b: PendingUpload): boolean {
  return (
    a.storageClass === b.storageClass &&
    a.checksumAlgorithm === b.checksumAlgorithm &&
    a.checksumType === b.checksumType
  );
}

/** Aborts the upload when it holds no part; true when it is gone. Failures only warn: the file is fine. */
async function abortIfEmpty(ctx: FileContext, upload: PendingUpload): Promise<boolean> {
  const target = { bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId: upload.uploadId };
  try {
    const page = await call(ctx, "ListParts", HINTS.retry, () =>
      ctx.run.store.listPartsPage({ ...target, maxParts: 1 }, ctx.signal),
    );
    if (page.parts.length > 0) return false;
    await call(ctx, "AbortMultipartUpload", HINTS.access, () =>
      ctx.run.store.abortMultipartUpload(target, ctx.signal),
    );
  } catch (error) {
    if (isNoSuchUpload(error)) return true;
    ctx.run.emit({
      type: "warning",
      file: ctx.file,
      message:
        `Multipart upload ${upload.uploadId} looks left by a lost CreateMultipartUpload answer, but could ` +
        `not be aborted (${describeS3Error(error instanceof StepError ? (error.cause ?? error) : error)}); ` +
        `abort it with: aws s3api abort-multipart-upload --bucket ${target.bucket} --key '${target.key}' ` +
        `--upload-id '${upload.uploadId}'`,
    });
    return false;
  }
  ctx.run.emit({
    type: "warning",
    file: ctx.file,
    message:
      `Aborted multipart upload ${upload.uploadId} of this key that a lost CreateMultipartUpload answer left ` +
      `(initiated ${upload.initiated?.toISOString()}, during this run's Create retries, with no parts).`,
  });
  return true;
}
