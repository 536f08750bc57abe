// Transfer buffers that live in the CRC64NVME kernel's WebAssembly memory. A part read into one is hashed
// where it lies: without it every byte is copied into the kernel's 64 KiB input window first (0.2 CPU-s per
// GiB, measured with perf). The same buffer is then sent as the request body, so the upload reads each byte
// from the file once, hashes it in place and sends it: no copy of our own.
// The regions are also 64 KiB-aligned, which a SharedArrayBuffer is not (16 bytes past a cache line here):
// the kernel's copy of a read into a misaligned buffer cost 0.86 CPU-s per GiB against 0.30 aligned
// (AMD EPYC, Linux; bench/results/upload-cpu-2026-11-30.md).
import { crc64NvmeSharedKernel } from "./crc64nvme.js";

// Whole WebAssembly pages: a freed region then fits any later buffer of the same rounded size.
const GRANULE = 64 * 1024;

interface Region {
  offset: number;
  size: number;
}

/**
 * First-fit regions of one growable memory. Freed regions merge with free neighbours, and a free region at
 * the top lowers the top, so a run that frees what it took leaves the memory as it found it (its pages stay
 * with the process: WebAssembly memory never shrinks).
 */
export class RegionAllocator {
  private readonly free: Region[] = [];
  private readonly taken = new Map<number, number>();
  private top: number;

  constructor(
    start: number,
    /** Makes room up to `end` bytes; false when the memory cannot grow that far. */
    private readonly reserve: (end: number) => boolean,
  ) {
    this.top = Math.ceil(start / GRANULE) * GRANULE;
  }

  /** The offset of `bytes` free bytes, or null when the memory cannot hold them. */
  take(bytes: number): number | null {
    const size = Math.max(GRANULE, Math.ceil(bytes / GRANULE) * GRANULE);
    const fitting = this.free.findIndex((region) => region.size >= size);
    let offset: number;
    if (fitting >= 0) {
      const region = this.free[fitting]!;
      offset = region.offset;
      if (region.size === size) this.free.splice(fitting, 1);
      else this.free[fitting] = { offset: offset + size, size: region.size - size };
    } else {
      if (!this.reserve(this.top + size)) return null;
      offset = this.top;
      this.top += size;
    }
    this.taken.set(offset, size);
    return offset;
  }

  /** Gives back a region from take(); an offset it did not hand out is ignored. */
  give(offset: number): void {
    const size = this.taken.get(offset);
    if (size === undefined) return;
    this.taken.delete(offset);
    let region: Region = { offset, size };
    const at = this.free.findIndex((other) => other.offset > offset);
    const index = at < 0 ? this.free.length : at;
    const before = this.free[index - 1];
    const after = this.free[index];
    let removeFrom = index;
    let removeCount = 0;
    if (before !== undefined && before.offset + before.size === region.offset) {
      region = { offset: before.offset, size: before.size + region.size };
      removeFrom = index - 1;
      removeCount++;
    }
    if (after !== undefined && region.offset + region.size === after.offset) {
      region = { offset: region.offset, size: region.size + after.size };
      removeCount++;
    }
    if (region.offset + region.size === this.top) {
      this.free.splice(removeFrom, removeCount);
      this.top = region.offset;
    } else {
      this.free.splice(removeFrom, removeCount, region);
    }
  }

  /** Bytes handed out and not given back. */
  get takenBytes(): number {
    let total = 0;
    for (const size of this.taken.values()) total += size;
    return total;
  }
}

let shared: { allocator: RegionAllocator; memory: () => SharedArrayBuffer } | undefined;

function kernelMemory(): NonNullable<typeof shared> {
  if (shared === undefined) {
    const kernel = crc64NvmeSharedKernel();
    let current = kernel.memoryUpTo(0)!;
    shared = {
      allocator: new RegionAllocator(kernel.firstFreeByte, (end) => {
        const grown = kernel.memoryUpTo(end);
        if (grown !== null) current = grown;
        return grown !== null;
      }),
      memory: () => current,
    };
  }
  return shared;
}

const hashable = new WeakSet<Buffer>();

/**
 * Where `bytes` start in the kernel's memory when they lie in it (a view of a buffer from allocateHashable()),
 * else null: a hashing worker on the same memory reads them there in place (hash-workers.ts).
 */
export function kernelMemoryOffset(bytes: Uint8Array): number | null {
  if (shared === undefined) return null;
  return crc64NvmeSharedKernel().holds(bytes) ? bytes.byteOffset : null;
}

/** The kernel's WebAssembly.Memory, for a worker's kernel to run on. */
export function kernelWasmMemory(): object {
  kernelMemory();
  return crc64NvmeSharedKernel().wasmMemory;
}

/**
 * A buffer of `bytes` in the kernel's memory (shared, so a hashing worker can read it in place too), or null
 * when the memory cannot hold it (under 4 GiB in all): the caller then takes an ordinary one.
 */
export function allocateHashable(bytes: number): Buffer | null {
  const { allocator, memory } = kernelMemory();
  const offset = allocator.take(bytes);
  if (offset === null) return null;
  const buffer = Buffer.from(memory(), offset, bytes);
  hashable.add(buffer);
  return buffer;
}

/**
 * Returns a buffer from allocateHashable() for reuse; other buffers are left to the garbage collector. The
 * caller must be done with it: the next allocation may hand the same bytes out.
 */
export function releaseHashable(buffer: Buffer): void {
  if (!hashable.delete(buffer)) return;
  kernelMemory().allocator.give(buffer.byteOffset);
}
