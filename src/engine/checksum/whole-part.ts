// The digests of one whole part held in memory: on a worker thread when the runner has a spare core and the
// part is big enough to pay for the hand-off, inline otherwise. Both give the same bytes.
import { availableParallelism } from "node:os";
import type { ChecksumAlgorithm } from "../types.js";
import { HashWorkers, type WholePartDigests } from "./hash-workers.js";
import { createPartHasher, md5 } from "./part-hasher.js";

export type { WholePartDigests } from "./hash-workers.js";

// Below this a part hashes inline in about a millisecond, no more than the round trip to a worker costs.
const WORKER_MIN_BYTES = 1024 * 1024;
// Two cores stay with the main thread and the kernel's socket and page-cache work: on a 2-core machine a worker
// saved no CPU and its isolate took the 1 GiB upload past 150 MiB RSS (155 against 134, bench 2026-11-30).
// Beyond a few workers, parts in flight run out first.
const CORES_KEPT = 2;
const MAX_WORKERS = 4;

let sharedWorkers: HashWorkers | null | undefined;

function hashWorkers(): HashWorkers | null {
  if (sharedWorkers === undefined) {
    const spare = Math.min(availableParallelism() - CORES_KEPT, MAX_WORKERS);
    sharedWorkers = spare >= 1 ? new HashWorkers(spare) : null;
  }
  return sharedWorkers;
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
  // Workers carry the CRC64NVME kernel only: CRC32C's and OSS's CRC64ECMA hash on this thread.
  const worthAWorker =
    (algorithm !== null || withMd5) &&
    algorithm !== "CRC32C" &&
    algorithm !== "CRC64ECMA" &&
    bytes.byteLength >= WORKER_MIN_BYTES &&
    bytes.buffer instanceof SharedArrayBuffer;
  const inWorker = worthAWorker ? hashWorkers()?.hash(bytes, algorithm, withMd5) : null;
  if (inWorker === null || inWorker === undefined) return digestWholePartInline(bytes, algorithm, withMd5);
  // A worker that stopped leaves the bytes as they were, so hashing them here gives the same proof.
  return inWorker.catch(() => digestWholePartInline(bytes, algorithm, withMd5));
}
