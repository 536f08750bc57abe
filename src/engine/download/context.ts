import type { TransferPool } from "../pool.js";
import { retryStep, type RetryPolicy } from "../retry.js";
import type { S3Store } from "../s3/s3-client.js";
import type { SlabPool } from "./range-writer.js";
import type { DownloadEvent, DownloadOptions, RemoteFile } from "./types.js";

/** Everything one download run shares across its files. */
export interface DownloadRunContext {
  options: DownloadOptions;
  store: S3Store;
  pool: TransferPool;
  /** The range writers' copy buffers, reused across every GET of the run. */
  slabs: SlabPool;
  retry: RetryPolicy;
  emit(event: DownloadEvent): void;
}

/** Per-file state handed to the download steps. */
export interface ObjectContext {
  run: DownloadRunContext;
  file: RemoteFile;
  signal: AbortSignal | undefined;
}

/** One S3 call (or ranged GET) with the run's retry loop; failures come back as a StepError. */
export function call<T>(
  ctx: ObjectContext,
  step: string,
  hint: string,
  operation: () => Promise<T>,
): Promise<T> {
  return retryStep(step, hint, operation, {
    policy: ctx.run.retry,
    signal: ctx.signal,
    onRetry: (attempt, reason) =>
      ctx.run.emit({ type: "retry", file: ctx.file, operation: step, attempt, reason }),
    rerun: "download",
  });
}
