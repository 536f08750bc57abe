// A CreateMultipartUpload whose answer was lost (reset, stall, 5xx after the store acted) is retried, and
// the store then holds an upload nobody knows the id of: billed until a lifecycle rule removes it. S3 lets
// nobody mark an in-progress upload, so a lost attempt is recognised by what it must look like when this
// file's upload is done: an upload of this key that was not there when this run looked before its Create,
// with the settings S3 shows of ours, still no part, and an Initiated time within this run's Create call of
// our own upload's (both on the store's clock; the window is only the call's duration measured here).
//
// Limit: another job that created an upload of the same key with the same settings inside that window and
// has stored no part by the time this file is done looks the same, and is aborted; it then fails with
// NoSuchUpload, whose message says another job may be uploading the same key. The sweep runs only at the
// end, so a job that started beside this one has had this file's whole upload to store its first part.
import { describeS3Error, HINTS, isNoSuchUpload, StepError } from "../errors.js";
import { pendingUploadsOfKey } from "./resume.js";
import { call, type FileContext } from "../run-context.js";
import type { PendingUpload } from "../s3/s3-client.js";

/** Our own upload, as CreateMultipartUpload returned it after `attempts` tries taking `durationMs`. */
export interface CreatedUpload {
  uploadId: string;
  attempts: number;
  durationMs: number;
}

/** Timestamps on a store are not finer than this; the window is widened by it on both sides. */
const CLOCK_SLACK_MS = 1000;

/**
 * Looks at our new upload as the store lists it (after Complete it is listed no more) and returns the sweep
 * to run when the file is done, or null (with a warning) when lost attempts cannot be told apart. `seen` is
 * the key's uploads listed before Create, null when they could not be listed.
 */
export async function watchLostCreates(
  ctx: FileContext,
  seen: ReadonlySet<string> | null,
  created: CreatedUpload,
): Promise<(() => Promise<void>) | null> {
  // Cleanup, like an abort on failure: it must run even when the run was cancelled.
  const cleanup = { ...ctx, signal: AbortSignal.timeout(60_000) };
  const cannot = (why: string): null => {
    ctx.run.emit({
      type: "warning",
      file: ctx.file,
      message:
        `CreateMultipartUpload took ${created.attempts} attempts, and ${why}, so an upload a lost answer ` +
        "may have left could not be looked for; remove stale uploads with the cleanup mode or a lifecycle " +
        "rule (lifecycle-abort-days).",
    });
    return null;
  };
  const list = async (): Promise<PendingUpload[] | string> => {
    try {
      return await pendingUploadsOfKey(cleanup);
    } catch (error) {
      return `listing them failed (${describeS3Error(error instanceof StepError ? (error.cause ?? error) : error)})`;
    }
  };
  if (seen === null) return cannot("the key's uploads could not be listed before it");
  const first = await list();
  if (typeof first === "string") return cannot(first);
  const ours = first.find((upload) => upload.uploadId === created.uploadId);
  const ourInitiated = ours?.initiated?.getTime();
  if (ours === undefined || ourInitiated === undefined) {
    return cannot("the store did not show when ours was initiated");
  }
  const reach = created.durationMs + CLOCK_SLACK_MS;
  return async () => {
    const uploads = await list();
    if (typeof uploads === "string") return void cannot(uploads);
    const lost = uploads.filter(
      (upload) =>
        upload.uploadId !== created.uploadId &&
        !seen.has(upload.uploadId) &&
        upload.initiated !== undefined &&
        Math.abs(upload.initiated.getTime() - ourInitiated) <= reach &&
        sameVisibleSettings(upload, ours),
    );
    for (const upload of lost) await abortIfEmpty(cleanup, upload);
  };
}

function sameVisibleSettings(a: PendingUpload, b: PendingUpload): boolean {
  return (
    a.storageClass === b.storageClass &&
    a.checksumAlgorithm === b.checksumAlgorithm &&
    a.checksumType === b.checksumType
  );
}

/** Aborts the upload when it holds no part. Failures only warn: the file itself is done either way. */
async function abortIfEmpty(ctx: FileContext, upload: PendingUpload): Promise<void> {
  const target = { bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId: upload.uploadId };
  try {
    const page = await call(ctx, "ListParts", HINTS.retry, () =>
      ctx.run.store.listPartsPage({ ...target, maxParts: 1 }, ctx.signal),
    );
    if (page.parts.length > 0) return;
    await call(ctx, "AbortMultipartUpload", HINTS.access, () =>
      ctx.run.store.abortMultipartUpload(target, ctx.signal),
    );
  } catch (error) {
    if (isNoSuchUpload(error)) return;
    ctx.run.emit({
      type: "warning",
      file: ctx.file,
      message:
        `Multipart upload ${upload.uploadId} looks left by a lost CreateMultipartUpload answer, but could ` +
        `not be aborted (${describeS3Error(error instanceof StepError ? (error.cause ?? error) : error)}); ` +
        `abort it with: aws s3api abort-multipart-upload --bucket ${target.bucket} --key '${target.key}' ` +
        `--upload-id '${upload.uploadId}'`,
    });
    return;
  }
  ctx.run.emit({
    type: "warning",
    file: ctx.file,
    message:
      `Aborted multipart upload ${upload.uploadId} of this key that a lost CreateMultipartUpload answer left ` +
      `(initiated ${upload.initiated?.toISOString()}, during this run's Create retries, with no parts).`,
  });
}
