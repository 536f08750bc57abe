// Download mode: every object through one shared pool of `concurrency` ranged GETs, each proven before it
// reaches its destination.
import { stepFailed } from "../errors.js";
import { mapLimited, TransferPool } from "../pool.js";
import { DEFAULT_RETRY, DEFAULT_STALL_TIMEOUT_MS, withRetry, type RetryPolicy } from "../retry.js";
import { createS3Store, type S3Store } from "../s3/s3-client.js";
import type { EngineTuning } from "../types.js";
import type { DownloadRunContext } from "./context.js";
import { createSlabPool } from "./range-writer.js";
import { downloadFile } from "./download-file.js";
import { removeStaleTemps } from "./stale-temps.js";
import type { DownloadOptions, DownloadRun, ListOptions, RemoteFile, RemoteObject } from "./types.js";

export type * from "./types.js";
export { workFileOf } from "./resume-record.js";

/** HeadObject and part HEADs run beside the GET pool and need their own sockets. */
const CONTROL_SOCKETS = 4;

/** The smallest range worth a request of its own. */
const MIN_RANGE = 1024;

/** Run-wide input errors: the caller's to fix before any file is touched, so they throw. */
function checkOptions(options: DownloadOptions): void {
  if (!options.bucket) throw new Error("Missing bucket: name the bucket to download from.");
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 64) {
    throw new Error(`Invalid concurrency ${options.concurrency}: use a whole number from 1 to 64, e.g. 4.`);
  }
  if (!Number.isSafeInteger(options.partSize) || options.partSize < MIN_RANGE) {
    throw new Error(
      `Invalid part-size ${options.partSize}: use a whole number of bytes of at least 1 KiB, e.g. 8MiB.`,
    );
  }
  if (options.requireChecksums && !options.verify) {
    throw new Error("require-checksums is set but verify is off: enable verify, or unset require-checksums.");
  }
}

function retryPolicy(tuning: EngineTuning | undefined): RetryPolicy {
  return {
    ...DEFAULT_RETRY,
    ...(tuning?.maxAttempts !== undefined ? { maxAttempts: tuning.maxAttempts } : {}),
    ...(tuning?.retryBaseDelayMs !== undefined ? { baseDelayMs: tuning.retryBaseDelayMs } : {}),
  };
}

function openStore(options: Pick<DownloadOptions, "s3" | "tuning">, sockets: number): S3Store {
  // Requests get the run's signal itself: the store keeps one listener on it (s3-client.ts: sdkSend).
  return createS3Store(options.s3, {
    maxSockets: sockets,
    stallTimeoutMs: options.tuning?.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
  });
}

/**
 * Downloads every file through one shared pool of `concurrency` ranged GETs and returns one result per file,
 * each saying how its bytes were proven. Memory: each GET holds only the chunk it is writing.
 */
export async function runDownloads(files: RemoteFile[], options: DownloadOptions): Promise<DownloadRun> {
  checkOptions(options);
  const store = openStore(options, options.concurrency + CONTROL_SOCKETS);
  const run: DownloadRunContext = {
    options,
    store,
    pool: new TransferPool(options.concurrency),
    slabs: createSlabPool(),
    retry: retryPolicy(options.tuning),
    emit: (event) => options.onEvent?.(event),
  };
  try {
    // Before this run creates temp files of its own, so none of them can look stale.
    const staleTempFilesRemoved = options.dryRun ? [] : await removeStaleTemps(files, Date.now(), run.emit);
    // Twice the pool, so one file's HEADs overlap another file's GETs.
    const results = await mapLimited(files, options.concurrency * 2, (file) => downloadFile(run, file));
    return {
      ok: results.every((result) => result.status !== "failed"),
      files: results,
      staleTempFilesRemoved,
    };
  } finally {
    run.slabs.close();
    store.destroy();
  }
}

/** Every object under the prefix (ListObjectsV2, all pages), in the store's key order. */
export async function listRemoteFiles(options: ListOptions): Promise<RemoteObject[]> {
  if (!options.bucket) throw new Error("Missing bucket: name the bucket to download from.");
  const store = openStore(options, CONTROL_SOCKETS);
  const step = `ListObjectsV2 ${options.bucket}/${options.prefix}`;
  const policy = retryPolicy(options.tuning);
  try {
    const objects: RemoteObject[] = [];
    let token: string | undefined;
    do {
      const page = await withRetry(
        () =>
          store.listObjectsPage(
            { bucket: options.bucket, prefix: options.prefix, continuationToken: token },
            options.signal,
          ),
        { policy, ...(options.signal ? { signal: options.signal } : {}), onRetry: () => undefined },
      ).catch((error: unknown) => {
        throw stepFailed(
          step,
          error,
          "Check the bucket, prefix and that the credentials may list it (s3:ListBucket).",
        );
      });
      objects.push(...page.objects);
      token = page.next;
    } while (token !== undefined);
    return objects;
  } finally {
    store.destroy();
  }
}
