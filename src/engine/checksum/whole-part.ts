// The digests of one whole part held in memory: on a worker thread when the runner has a spare core and the
// part is big enough to pay for the hand-off, inline otherwise. Both give the same bytes.
import { availableParallelism } from "node:os";
import type { ChecksumAlgorithm } from "../types.js";
import { HashWorkers, type WholePartDigests, type WorkerAlgorithm } from "./hash-workers.js";
import { createPartHasher, md5 } from "./part-hasher.js";

export type { WholePartDigests } from "./hash-workers.js";

// Below this a part hashes inline in about a millisecond, no more than the round trip to a worker costs.
const WORKER_MIN_BYTES = 1024 * 1024;
// One core stays with the main thread (sending, and the kernel's socket work it does); from two cores a worker
// takes the CRC off it: 1.81 -> 1.06 main-thread CPU-s per GiB uploaded, with the worker reading parts in place
// costing no more CPU in all (bench/results/upload-throughput-2026-11-30-night.md). Beyond a few workers, parts
// in flight run out first.
const CORES_KEPT = 1;
const MAX_WORKERS = 4;

/** How many hashing workers a machine with `cores` cores runs (0: hashing stays on the main thread). */
export function hashWorkerCount(cores: number): number {
  return Math.max(0, Math.min(cores - CORES_KEPT, MAX_WORKERS));
}

let sharedWorkers: HashWorkers | null | undefined;

function hashWorkers(): HashWorkers | null {
  if (sharedWorkers === undefined) {
    const count = hashWorkerCount(availableParallelism());
    sharedWorkers = count >= 1 ? new HashWorkers(count) : null;
  }
  return sharedWorkers;
}

/** A worker carries no CRC32C or OSS CRC64ECMA kernel: those hash on this thread. */
function workerComputes(algorithm: ChecksumAlgorithm | null): algorithm is WorkerAlgorithm | null {
  return algorithm !== "CRC32C" && algorithm !== "CRC64ECMA";
}

function workerHashes(algorithm: ChecksumAlgorithm | null, withMd5: boolean): boolean {
  return (algorithm !== null || withMd5) && workerComputes(algorithm);
}

/**
 * Called by an upload about to hash whole parts with these settings: starts a hashing worker, if this machine
 * runs any and they would compute these digests, so it is ready for the first part.
 */
export function prepareWholePartHashing(algorithm: ChecksumAlgorithm | null, withMd5: boolean): void {
  if (workerHashes(algorithm, withMd5)) hashWorkers()?.start();
}

/** Hashes on the calling thread. */
export async function digestWholePartInline(
  bytes: Uint8Array,
  algorithm: ChecksumAlgorithm | null,
  withMd5: boolean,
): Promise<WholePartDigests> {
  let digest: Buffer | null = null;
  if (algorithm !== null) {
    const hasher = await createPartHasher(algorithm);
    hasher.update(bytes);
    digest = hasher.digest();
  }
  return { digest, md5: withMd5 ? md5(bytes) : null };
}

/**
 * The part's checksum and MD5 (each null when not asked for). The caller must not change `bytes` until this
 * settles: a worker may be reading them in place (when they live in a SharedArrayBuffer).
 */
export async function digestWholePart(
  bytes: Uint8Array,
  algorithm: ChecksumAlgorithm | null,
  withMd5: boolean,
): Promise<WholePartDigests> {
  const worthAWorker =
    (algorithm !== null || withMd5) &&
    workerComputes(algorithm) &&
    bytes.byteLength >= WORKER_MIN_BYTES &&
    bytes.buffer instanceof SharedArrayBuffer;
  const inWorker = worthAWorker ? hashWorkers()?.hash(bytes, algorithm, withMd5) : null;
  if (inWorker === null || inWorker === undefined) return digestWholePartInline(bytes, algorithm, withMd5);
  // A worker that stopped leaves the bytes as they were, so hashing them here gives the same proof.
  return inWorker.catch(() => digestWholePartInline(bytes, algorithm, withMd5));
}
