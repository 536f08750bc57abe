import { randomFillSync } from "node:crypto";
import { Crc64Nvme as AwsCrc64Nvme } from "@aws-sdk/crc64-nvme";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Crc64Nvme } from "../../src/engine/checksum/crc64nvme.js";
import { allocateHashable, RegionAllocator } from "../../src/engine/checksum/hash-memory.js";
import { TransferPool } from "../../src/engine/pool.js";

async function reference(data: Uint8Array): Promise<string> {
  const hasher = new AwsCrc64Nvme();
  hasher.update(data);
  return Buffer.from(await hasher.digest()).toString("hex");
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("transfer buffers in the CRC64NVME kernel's memory", () => {
  it("hashes a pooled part in place: no byte is copied into the kernel's window", async () => {
    const pool = new TransferPool(2, { hashable: true });
    try {
      const size = 3 * 1024 * 1024 + 17;
      await Promise.all(
        [0, 1].map((index) =>
          pool.run(size - index * 5, async (part) => {
            randomFillSync(part);
            const expected = await reference(part);
            const copies = vi.spyOn(Uint8Array.prototype, "set");
            const crc = new Crc64Nvme();
            // Odd splits, as a re-read or a caller hashing in slices would feed it.
            crc.update(part.subarray(0, 1001));
            crc.update(part.subarray(1001));
            const digest = crc.digest().toString("hex");
            const copied = copies.mock.calls.length;
            copies.mockRestore();
            expect(copied).toBe(0);
            expect(digest).toBe(expected);
          }),
        ),
      );
    } finally {
      pool.close();
    }
  });

  it("still hashes bytes from anywhere else by copying them through the window", async () => {
    const data = randomFillSync(Buffer.alloc(200_000));
    const crc = new Crc64Nvme();
    crc.update(data);
    expect(crc.digest().toString("hex")).toBe(await reference(data));
  });

  it("reuses the memory of a closed pool's buffers for the next pool", async () => {
    const offsets = async (): Promise<number[]> => {
      const pool = new TransferPool(2, { hashable: true });
      const seen: number[] = [];
      await Promise.all(
        [0, 1].map(() => pool.run(1024 * 1024, async (part) => void seen.push(part.byteOffset))),
      );
      pool.close();
      return seen.sort((a, b) => a - b);
    };
    const first = await offsets();
    expect(await offsets()).toEqual(first);
  });
});

describe("RegionAllocator", () => {
  const KiB64 = 64 * 1024;

  it("hands out whole 64 KiB pages from the start, merges freed neighbours and lowers the top", () => {
    let reserved = 0;
    const allocator = new RegionAllocator(98_304, (end) => {
      reserved = Math.max(reserved, end);
      return true;
    });
    const a = allocator.take(1)!;
    const b = allocator.take(KiB64 + 1)!;
    const c = allocator.take(KiB64)!;
    expect([a, b, c]).toEqual([2 * KiB64, 3 * KiB64, 5 * KiB64]);
    expect(reserved).toBe(6 * KiB64);
    allocator.give(a);
    allocator.give(b);
    // a and b merged: a three-page request fits where they were.
    expect(allocator.take(3 * KiB64)).toBe(2 * KiB64);
    allocator.give(2 * KiB64);
    allocator.give(c);
    expect(allocator.takenBytes).toBe(0);
    // Everything free again: the next request starts at the bottom.
    expect(allocator.take(4 * KiB64)).toBe(2 * KiB64);
  });

  it("answers null when the memory cannot grow, and ignores offsets it did not hand out", () => {
    const allocator = new RegionAllocator(0, (end) => end <= 4 * KiB64);
    expect(allocator.take(3 * KiB64)).toBe(0);
    expect(allocator.take(2 * KiB64)).toBeNull();
    allocator.give(12345);
    expect(allocator.take(KiB64)).toBe(3 * KiB64);
    expect(allocator.takenBytes).toBe(4 * KiB64);
  });
});

describe("allocateHashable", () => {
  it("refuses what the 4 GiB memory cannot hold, so the pool falls back to an ordinary buffer", async () => {
    expect(allocateHashable(4 * 1024 * 1024 * 1024)).toBeNull();
    const pool = new TransferPool(1, { hashable: true });
    try {
      const length = await pool.run(5, async (buffer) => buffer.byteLength);
      expect(length).toBe(5);
    } finally {
      pool.close();
    }
  });
});
