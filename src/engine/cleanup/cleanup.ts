// Cleanup mode: list in-progress multipart uploads under a prefix and abort those old enough (or say so, dry run).
import { describeS3Error, hintFor } from "../errors.js";
import { mergeAbortRule } from "./lifecycle.js";
import { DEFAULT_RETRY, DEFAULT_STALL_TIMEOUT_MS, withRetry, type RetryPolicy } from "../retry.js";
import { createS3Store, type PendingUpload, type S3Store } from "../s3/s3-client.js";
import { providerProfile, type ProviderProfile } from "../s3/providers.js";
import type { CleanupOptions, CleanupResult, CleanupUpload } from "../types.js";

const SOCKETS = 4;

/**
 * Every in-progress upload whose key starts with `prefix`, across ListMultipartUploads pages. A store that
 * lists by exact key (providers.ts: MinIO) is asked for the whole bucket, its answer kept to the prefix; a
 * prefix that is one key (resume's) is answered by every store.
 */
export async function listPendingUploads(
  store: S3Store,
  bucket: string,
  prefix: string,
  retry: <T>(operation: () => Promise<T>) => Promise<T>,
  signal?: AbortSignal,
  listing: ProviderProfile["listMultipartUploads"] = "any-prefix",
): Promise<PendingUpload[]> {
  const asked = listing === "exact-key" ? "" : prefix;
  const uploads: PendingUpload[] = [];
  let next: { keyMarker: string; uploadIdMarker: string } | undefined;
  do {
    const marker = next;
    const page = await retry(() => store.listUploadsPage({ bucket, prefix: asked, ...marker }, signal));
    uploads.push(...page.uploads.filter((upload) => upload.key.startsWith(prefix)));
    if (
      page.next &&
      marker &&
      page.next.keyMarker === marker.keyMarker &&
      page.next.uploadIdMarker === marker.uploadIdMarker
    ) {
      throw new Error(`ListMultipartUploads pagination did not advance past key-marker ${marker.keyMarker}`);
    }
    next = page.next;
  } while (next !== undefined);
  return uploads;
}

function retryPolicy(options: CleanupOptions): RetryPolicy {
  const tuning = options.tuning ?? {};
  return {
    ...DEFAULT_RETRY,
    ...(tuning.maxAttempts !== undefined ? { maxAttempts: tuning.maxAttempts } : {}),
    ...(tuning.retryBaseDelayMs !== undefined ? { baseDelayMs: tuning.retryBaseDelayMs } : {}),
  };
}

/**
 * Aborts in-progress uploads under the prefix initiated at least `olderThanMs` ago. An upload whose age the
 * store does not report is left alone: aborting someone's running upload is worse than leaving a stale one.
 */
export async function runCleanup(options: CleanupOptions): Promise<CleanupResult> {
  if (!options.bucket) throw new Error("Missing bucket: name the bucket to clean up.");
  if (!Number.isFinite(options.olderThanMs) || options.olderThanMs < 0) {
    throw new Error(`Invalid older-than ${options.olderThanMs} ms: use a duration of zero or more, e.g. 7d.`);
  }
  const store = createS3Store(options.s3, {
    maxSockets: SOCKETS,
    stallTimeoutMs: options.tuning?.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
  });
  const policy = retryPolicy(options);
  const retry = <T>(operation: () => Promise<T>): Promise<T> =>
    withRetry(operation, {
      policy,
      onRetry: () => undefined,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  try {
    const result: CleanupResult = { uploads: [], ok: true };
    if (options.lifecycleDays !== undefined) {
      result.lifecycle = await installAbortRule(store, options, options.lifecycleDays, retry);
    }
    const { listMultipartUploads } = providerProfile(options.s3.provider, options.s3.endpoint);
    const pending = await listPendingUploads(
      store,
      options.bucket,
      options.prefix,
      retry,
      options.signal,
      listMultipartUploads,
    );
    const cutoff = (options.now ?? new Date()).getTime() - options.olderThanMs;
    for (const upload of pending) {
      result.uploads.push(await settle(store, options, upload, cutoff, retry));
    }
    result.ok = result.uploads.every((upload) => upload.action !== "failed");
    return result;
  } catch (error) {
    const hint = hintFor(error);
    throw new Error(
      `Cleanup of s3://${options.bucket}/${options.prefix} failed: ${describeS3Error(error)}${hint ? `. ${hint}` : ""}`,
      { cause: error },
    );
  } finally {
    store.destroy();
  }
}

async function settle(
  store: S3Store,
  options: CleanupOptions,
  upload: PendingUpload,
  cutoff: number,
  retry: <T>(operation: () => Promise<T>) => Promise<T>,
): Promise<CleanupUpload> {
  const entry = {
    key: upload.key,
    uploadId: upload.uploadId,
    initiated: upload.initiated ? upload.initiated.toISOString() : null,
  };
  if (!upload.initiated || upload.initiated.getTime() > cutoff) return { ...entry, action: "too-young" };
  if (options.dryRun) return { ...entry, action: "would-abort" };
  try {
    await retry(() => store.abortMultipartUpload({ bucket: options.bucket, ...upload }, options.signal));
    return { ...entry, action: "aborted" };
  } catch (error) {
    // Gone already (another cleanup, or it completed meanwhile): nothing is left, which is what we wanted.
    if ((error as { name?: string }).name === "NoSuchUpload") return { ...entry, action: "aborted" };
    return { ...entry, action: "failed", error: describeS3Error(error) };
  }
}

async function installAbortRule(
  store: S3Store,
  options: CleanupOptions,
  days: number,
  retry: <T>(operation: () => Promise<T>) => Promise<T>,
): Promise<NonNullable<CleanupResult["lifecycle"]>> {
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(`Invalid lifecycle days ${days}: use a whole number of days, 1 or more, e.g. 7.`);
  }
  const existing = await retry(() => store.getLifecycle(options.bucket, options.signal));
  const merged = mergeAbortRule(existing.rules, options.prefix, days);
  const otherRules = merged.rules.length - 1;
  if (merged.change !== "unchanged") {
    if (options.dryRun) {
      const action = merged.change === "added" ? "would-add" : "would-update";
      return { ruleId: merged.ruleId, days, action, otherRules };
    }
    const lifecycle = { ...existing, rules: merged.rules };
    await retry(() => store.putLifecycle(options.bucket, lifecycle, options.signal));
  }
  return { ruleId: merged.ruleId, days, action: merged.change, otherRules };
}
