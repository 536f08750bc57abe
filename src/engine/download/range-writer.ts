// Writes one GET's body at its offset in the temp file. The body's chunks are lent (the socket path reads
// every chunk into the same memory), so they are copied into write slabs, each written with one positional
// write: one trip to the thread pool per slab instead of per socket chunk, and the next slab fills from the
// socket while the previous one is written. Memory per GET: three slabs. The slabs come from a pool the run
// shares: fresh ones for every range cost a page fault per 4 KiB (measured: the copy took 0.45 CPU-s/GiB).
// They live in the CRC64NVME kernel's memory, block-aligned: the range's CRC reads each piece in place (not
// through another copy into the kernel's input window), and a whole slab can be written past the page cache
// (direct-writes.ts). The transport can read the body straight into the slab being filled (space()): a copy
// into this shared memory runs through V8's relaxed (atomic-safe) memmove, the largest main-thread cost after
// the CRC once the page cache was out of the way.
import type { FileHandle } from "node:fs/promises";
import { allocateHashable, releaseHashable } from "../checksum/hash-memory.js";
import type { DirectWrites } from "./direct-writes.js";
import { writeAt } from "./temp-file.js";

/**
 * Big enough to make a thread-pool trip rare and a direct write large (a virtio disk took 1 GiB of 1 MiB
 * direct writes in 8.2 s, of 8 MiB ones in 4.0), small enough that concurrency × 3 slabs stays small: 4 MiB
 * against 1 MiB took the 1 GiB download from 83 to 115 MiB peak RSS and from 2.1 to 1.7 CPU-s
 * (bench/results/download-direct-2026-11-30-night.md).
 */
export const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

/** Write slabs of one size, handed back once written; holds at most what the busiest moment needed. */
export interface SlabPool {
  readonly slabBytes: number;
  take(): Buffer;
  give(slab: Buffer): void;
  /** Whether `slab` starts on a block boundary in memory, as a direct write needs. */
  aligned(slab: Buffer): boolean;
  /** Gives the kernel memory back once the run is done; slabs given back later are released at once. */
  close(): void;
}

export function createSlabPool(slabBytes: number = WRITE_BATCH_BYTES): SlabPool {
  const idle: Buffer[] = [];
  // Regions of the kernel's memory start on 64 KiB boundaries; an ordinary buffer (when that memory is full)
  // starts wherever malloc put it.
  const inKernelMemory = new WeakSet<Buffer>();
  let closed = false;
  return {
    slabBytes,
    take: () => {
      const reused = idle.pop();
      if (reused !== undefined) return reused;
      const hashable = allocateHashable(slabBytes);
      if (hashable === null) return Buffer.allocUnsafeSlow(slabBytes);
      inKernelMemory.add(hashable);
      return hashable;
    },
    give: (slab) => {
      if (closed) releaseHashable(slab);
      else idle.push(slab);
    },
    aligned: (slab) => inKernelMemory.has(slab),
    close: () => {
      closed = true;
      for (const slab of idle.splice(0)) releaseHashable(slab);
    },
  };
}

export interface RangeWriterOptions {
  /** The temp file's direct writes, for whole aligned slabs; the rest goes through `handle`. */
  direct?: DirectWrites | null;
  /**
   * Each piece of the body once it is in its slab (copied, or read there), in order; valid only during the
   * call. In the CRC64NVME kernel's memory when the slab is, so a CRC of it reads it in place.
   */
  onPlaced?: (bytes: Buffer) => void;
}

/** Writes a caller may have under way before push asks it to wait. */
const WRITES_IN_FLIGHT = 2;

export interface RangeWriter {
  /**
   * Copies `chunk` after the bytes before it (the caller may reuse its memory at once); waits only when
   * enough slabs are being written already.
   */
  push(chunk: Uint8Array): Promise<void> | undefined;
  /**
   * Free memory of the slab being filled, at most `most` bytes: bytes read into its start and then pushed
   * (as a view of it) are taken where they are, without a copy.
   */
  space(most: number): Buffer;
  /** Writes what is left and resolves once every byte pushed is written. */
  finish(): Promise<void>;
  /**
   * Resolves once no write is in flight (errors ignored): a retry rewrites the range from its first byte,
   * and a stale slab landing after it would overwrite the new bytes.
   */
  settle(): Promise<void>;
}

export function createRangeWriter(
  handle: FileHandle,
  offset: number,
  slabs: SlabPool = createSlabPool(),
  options: RangeWriterOptions = {},
): RangeWriter {
  const { direct = null, onPlaced } = options;
  const batchBytes = slabs.slabBytes;
  let position = offset;
  let slab: Buffer | null = null;
  let filled = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;

  const flush = (): void => {
    const full = slab!;
    const bytes = full.subarray(0, filled);
    const at = position;
    const written = direct === null ? Promise.resolve(0) : direct.write(bytes, at, slabs.aligned(full));
    const write = written
      .then((done) =>
        done === bytes.byteLength ? undefined : writeAllAt(handle, [bytes.subarray(done)], at + done),
      )
      .then(
        () => {
          slabs.give(full);
        },
        (error: unknown) => {
          failure ??= { error };
        },
      );
    position += filled;
    slab = null;
    filled = 0;
    inFlight.add(write);
    void write.then(() => inFlight.delete(write));
  };

  const failed = (): Promise<void> => Promise.reject(failure!.error as Error);
  const waitForAWrite = (): Promise<void> =>
    Promise.race(inFlight).then(() => (failure === null ? undefined : failed()));

  return {
    push(chunk) {
      if (failure !== null) return failed();
      if (slab !== null && chunk.buffer === slab.buffer && chunk.byteOffset === slab.byteOffset + filled) {
        onPlaced?.(slab.subarray(filled, filled + chunk.byteLength));
        filled += chunk.byteLength;
        if (filled === batchBytes) flush();
        return inFlight.size < WRITES_IN_FLIGHT ? undefined : waitForAWrite();
      }
      let at = 0;
      while (at < chunk.byteLength) {
        slab ??= slabs.take();
        const copied = Math.min(batchBytes - filled, chunk.byteLength - at);
        slab.set(chunk.subarray(at, at + copied), filled);
        onPlaced?.(slab.subarray(filled, filled + copied));
        filled += copied;
        at += copied;
        if (filled === batchBytes) flush();
      }
      return inFlight.size < WRITES_IN_FLIGHT ? undefined : waitForAWrite();
    },
    space(most) {
      slab ??= slabs.take();
      return slab.subarray(filled, Math.min(batchBytes, filled + Math.max(1, most)));
    },
    async finish() {
      if (filled > 0) flush();
      else if (slab !== null) slabs.give(slab);
      slab = null;
      await Promise.all(inFlight);
      if (failure !== null) throw failure.error;
    },
    async settle() {
      await Promise.all(inFlight);
    },
  };
}

/** All of `buffers`, back to back from `position`; a short writev is finished piece by piece. */
async function writeAllAt(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  const { bytesWritten } = await handle.writev(buffers, position);
  let skip = bytesWritten;
  let at = position;
  for (const buffer of buffers) {
    if (skip >= buffer.byteLength) {
      skip -= buffer.byteLength;
      at += buffer.byteLength;
      continue;
    }
    await writeAt(handle, buffer.subarray(skip), at + skip);
    at += buffer.byteLength;
    skip = 0;
  }
}
