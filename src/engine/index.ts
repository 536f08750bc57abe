import { totalmem } from "node:os";
import { checksumTypeAllowed, defaultChecksumType } from "./checksum/index.js";
import { checkPartSize, resolveLimits } from "./upload/plan.js";
import { preflight, watchStore } from "./s3/preflight.js";
import { formatSize } from "./size.js";
import { Limiter, mapLimited, TransferPool } from "./pool.js";
import { DEFAULT_RETRY, DEFAULT_STALL_TIMEOUT_MS } from "./retry.js";
import type { RunContext } from "./run-context.js";
import { createS3Store } from "./s3/s3-client.js";
import { runChecksum } from "./s3/native-checksum.js";
import {
  addressingProblem,
  checksumPairProblem,
  profileLimits,
  providerProfile,
  type ProviderProfile,
} from "./s3/providers.js";
import type { ChecksumType, EngineEvent, EngineOptions, LocalFile, RunResult, S3Limits } from "./types.js";
import { createKeyListing } from "./upload/key-listing.js";
import { runBrokerUploads } from "./broker/upload-via-broker.js";
import { notAttempted, uploadFile } from "./upload/upload-file.js";
import { smallPutSlots } from "./upload/upload-single.js";

export { runCleanup } from "./cleanup/cleanup.js";
export { listRemoteFiles, runDownloads } from "./download/index.js";
export type * from "./download/types.js";
export { bufferLimitNote, resolveLimits } from "./upload/plan.js";
export { SERVED_HEADER_NAMES } from "./upload/served-headers.js";
export { formatSize, parseSize } from "./size.js";
export type * from "./types.js";

/** Control calls (HeadObject, ListParts, Complete) run beside the part pool and need their own sockets. */
const CONTROL_SOCKETS = 4;

/**
 * Files in progress at once. A small file spends most of its time waiting on round trips (its PutObject's
 * turn in its slots, then the listing that confirms it), holding only an open descriptor: with four times the
 * small-PutObject slots in flight, the slots stay busy and one listing confirms many files (1,000 × 64 KiB:
 * 64 listings, against 96 at half as many). Multipart files stay at twice the pool
 * (RunContext.multipartFiles); memory stays bounded by the pool's buffers.
 */
export function filesInFlight(concurrency: number): number {
  // Descriptors: 512 stays clear of the usual soft limit of 1,024 open files, as before at concurrency 64.
  return Math.min(concurrency * 16, MAX_FILES_IN_FLIGHT);
}

const MAX_FILES_IN_FLIGHT = 512;

/** The store's limits (tests may lower them), narrowed to the largest Buffer this Node.js can allocate. */
function runLimits(options: EngineOptions, provider: ProviderProfile): S3Limits {
  return resolveLimits({ ...profileLimits(provider), ...options.limits });
}

/** Run-wide input errors: these are the caller's to fix before any file is touched, so they throw. */
function checkOptions(
  options: EngineOptions,
  limits: S3Limits,
  provider: ProviderProfile,
): ChecksumType | null {
  const addressing = addressingProblem(provider, {
    bucket: options.bucket,
    endpoint: options.s3.endpoint,
    forcePathStyle: options.s3.forcePathStyle ?? false,
  });
  if (addressing) throw new Error(`Invalid ${addressing.input}: ${addressing.problem}`);
  const partSizeError = checkPartSize(options.partSize, limits);
  if (partSizeError) throw new Error(`Invalid part-size: ${partSizeError}`);
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 64) {
    throw new Error(`Invalid concurrency ${options.concurrency}: use a whole number from 1 to 64, e.g. 4.`);
  }
  if (!options.bucket) throw new Error("Missing bucket: name the bucket to upload to.");
  const algorithm = options.checksumAlgorithm;
  if (algorithm === null) {
    // A store with a CRC of its own proves every object by it (native-checksum.ts).
    if (options.requireChecksums && provider.nativeChecksum === null) {
      throw new Error(
        "require-checksums is set but checksum-algorithm is none; choose an algorithm, e.g. CRC64NVME.",
      );
    }
    return null;
  }
  const type = options.checksumType ?? defaultChecksumType(algorithm);
  if (!checksumTypeAllowed(algorithm, type)) {
    throw new Error(
      `Invalid checksum-type ${type} for ${algorithm}: S3 allows CRC64NVME only as FULL_OBJECT and SHA1/SHA256 ` +
        `only as COMPOSITE; CRC32/CRC32C take either. Leave checksum-type empty for the default.`,
    );
  }
  const problem = checksumPairProblem(provider, algorithm, type);
  if (problem) throw new Error(`Invalid checksum-algorithm ${algorithm} (${type}): ${problem}`);
  return type;
}

/**
 * What one transfer may buffer: a part, or a whole file sent as one PutObject (below the multipart
 * threshold, and never above the largest part this Node.js can buffer, or it would go multipart).
 */
function bytesPerTransfer(options: EngineOptions, limits: S3Limits): number {
  return Math.max(options.partSize, Math.min(options.multipartThreshold, limits.maxPartSize));
}

/**
 * Checks with one request that the store can take the files (preflight.ts: a StepError otherwise), then
 * uploads every file through one shared pool of `concurrency` transfers and returns one verified result
 * per file. Memory: at most `concurrency` buffers of bytesPerTransfer (or of a part size raised for a file
 * of over 10,000 parts) are held at once.
 */
export async function runUploads(files: LocalFile[], given: EngineOptions): Promise<RunResult> {
  const provider = providerProfile(given.s3.provider, given.s3.endpoint);
  // A store that wants Content-MD5 on every write gets it whatever the input says.
  const options =
    provider.contentMd5 === "always" && !given.contentMd5 ? { ...given, contentMd5: true } : given;
  const limits = runLimits(options, provider);
  const checksum = runChecksum(provider, options.checksumAlgorithm, checkOptions(options, limits, provider));
  if (options.broker) return runBrokerUploads(files, options, options.broker);
  const perTransfer = bytesPerTransfer(options, limits);
  const smallSlots = smallPutSlots(options.concurrency);
  // The small-PutObject slots add at most 16 MiB (upload-single.ts), not worth a word beside this.
  const memoryBound = options.concurrency * perTransfer;
  if (memoryBound > totalmem() / 2) {
    options.onEvent?.({
      type: "warning",
      message:
        `concurrency ${options.concurrency} × ${formatSize(perTransfer)} per transfer (a part, or a whole file ` +
        `below multipart-threshold) holds up to ${formatSize(memoryBound)} in memory, over half of this ` +
        `machine's RAM; lower concurrency, part-size or multipart-threshold if it runs out.`,
    });
  }
  if (!options.overwrite && provider.conditionalCreate === null) {
    options.onEvent?.({
      type: "warning",
      message:
        `${provider.label} has no write that refuses to replace an existing key, so overwrite: false rests on ` +
        "the check made just before each upload: a writer creating the key in between is not stopped by the store.",
    });
  }
  const tuning = options.tuning ?? {};
  // Requests get the run's signal itself: the store keeps one listener on it (s3-client.ts: sdkSend).
  const store = createS3Store(options.s3, {
    maxSockets: options.concurrency + smallSlots + CONTROL_SOCKETS,
    stallTimeoutMs: tuning.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
  });
  const retry = {
    ...DEFAULT_RETRY,
    ...(tuning.maxAttempts !== undefined ? { maxAttempts: tuning.maxAttempts } : {}),
    ...(tuning.retryBaseDelayMs !== undefined ? { baseDelayMs: tuning.retryBaseDelayMs } : {}),
  };
  const emit = (event: EngineEvent): void => options.onEvent?.(event);
  const run: RunContext = {
    options,
    store,
    pool: new TransferPool(options.concurrency, { hashable: true }),
    smallPuts: new TransferPool(smallSlots),
    // Twice the pool, so one file's control calls overlap another file's transfers.
    multipartFiles: new Limiter(options.concurrency * 2),
    limits,
    provider,
    retry,
    algorithm: checksum.algorithm,
    checksumType: checksum.checksumType,
    listing: createKeyListing(store, options.bucket, options.signal, {
      policy: retry,
      // A page serves many files: the retry is reported on the first one it was to answer for.
      onRetry: (attempt, reason, firstKey) => {
        const file = files.find((candidate) => candidate.key === firstKey);
        if (file) emit({ type: "retry", file, operation: "ListObjectsV2", attempt, reason });
      },
    }),
    emit,
  };
  try {
    if (files.length > 0) await preflight(run, files);
    if (!options.overwrite) run.listing.listAhead(files.map((file) => file.key));
    const watch = watchStore(run, files);
    const results = await mapLimited(files, filesInFlight(options.concurrency), async (file) => {
      const lost = watch.lost();
      if (lost) return notAttempted(run, file, lost);
      const result = await uploadFile(run, file);
      await watch.recheck(result);
      return result;
    });
    const ok = results.every((result) => result.status !== "failed" && result.status !== "refused");
    return { files: results, ok };
  } finally {
    store.destroy();
    run.pool.close();
  }
}
