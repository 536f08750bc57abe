import type { Limiter, TransferPool } from "./pool.js";
import type { KeyListing } from "./upload/key-listing.js";
import { retryStep, type RetryPolicy } from "./retry.js";
import type { ObjectHeaders, S3Store } from "./s3/s3-client.js";
import type { ProviderProfile } from "./s3/providers.js";
import type {
  ChecksumAlgorithm,
  ChecksumType,
  EngineEvent,
  EngineOptions,
  LocalFile,
  S3Limits,
} from "./types.js";

/** Everything one run shares across its files. */
export interface RunContext {
  options: EngineOptions;
  store: S3Store;
  pool: TransferPool;
  /**
   * Single PutObjects of small files (upload-single.ts: SMALL_PUT_BYTES): several per pool slot, since their
   * time is round trips, not bytes, and their buffers are small.
   */
  smallPuts: TransferPool;
  /** Multipart files in progress at once: each holds an upload open on the store, and their parts share the pool. */
  multipartFiles: Limiter;
  limits: S3Limits;
  /** The store's row: what it takes and what proves an object there. */
  provider: ProviderProfile;
  retry: RetryPolicy;
  algorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  /** Shared ListObjectsV2 pages that spare small files their HeadObjects (key-listing.ts). */
  listing: KeyListing;
  emit(event: EngineEvent): void;
}

/** Per-file state handed to the upload steps. */
export interface FileContext {
  run: RunContext;
  file: LocalFile;
  headers: ObjectHeaders;
  /** The run's cancellation; undefined when the caller cannot cancel. */
  signal: AbortSignal | undefined;
}

/** One S3 call with our retry loop; failures come back as a StepError naming the step and what to do. */
export function call<T>(
  ctx: FileContext,
  step: string,
  hint: string,
  operation: () => Promise<T>,
): Promise<T> {
  return retryStep(step, hint, operation, {
    policy: ctx.run.retry,
    signal: ctx.signal,
    onRetry: (attempt, reason) =>
      ctx.run.emit({ type: "retry", file: ctx.file, operation: step, attempt, reason }),
    rerun: "upload",
  });
}
