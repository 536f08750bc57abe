import { randomBytes } from "node:crypto";
import { mkdtemp, open, readFile, rm, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRangeWriter, createSlabPool } from "../../src/engine/download/range-writer.js";

const scratch = mkdtemp(path.join(os.tmpdir(), "range-writer-"));
afterAll(async () => rm(await scratch, { recursive: true, force: true }));

/** Pushes `bytes` in chunks of the given sizes, as a GET body arrives. */
async function pushAll(writer: ReturnType<typeof createRangeWriter>, bytes: Buffer, sizes: number[]) {
  let at = 0;
  for (let i = 0; at < bytes.byteLength; i++) {
    const size = Math.min(sizes[i % sizes.length]!, bytes.byteLength - at);
    await writer.push(bytes.subarray(at, at + size));
    at += size;
  }
  await writer.finish();
}

describe("range writer", () => {
  it("writes every byte at its offset, in batches, around other ranges", async () => {
    const file = path.join(await scratch, "a.bin");
    const handle = await open(file, "w+");
    const whole = randomBytes(300_000);
    await handle.truncate(whole.byteLength);
    // Two ranges written at once, each in uneven chunks that straddle the batch size.
    await Promise.all([
      pushAll(
        createRangeWriter(handle, 0, createSlabPool(50_000)),
        whole.subarray(0, 123_457),
        [7_001, 30_000, 1],
      ),
      pushAll(
        createRangeWriter(handle, 123_457, createSlabPool(50_000)),
        whole.subarray(123_457),
        [65_536, 999],
      ),
    ]);
    await handle.close();
    expect((await readFile(file)).equals(whole)).toBe(true);
  });

  it("copies each chunk, so the body may reuse its memory once push returns", async () => {
    const file = path.join(await scratch, "lent.bin");
    const handle = await open(file, "w+");
    const lent = Buffer.alloc(1000);
    const expected: Buffer[] = [];
    const writer = createRangeWriter(handle, 0, createSlabPool(4096));
    for (let i = 0; i < 10; i++) {
      // The socket path reads every chunk into the same buffer (socket-http.ts).
      lent.fill(i);
      expected.push(Buffer.from(lent));
      await writer.push(lent);
    }
    await writer.finish();
    await handle.close();
    expect((await readFile(file)).equals(Buffer.concat(expected))).toBe(true);
  });

  it("writes one slab per batch", async () => {
    const calls: number[] = [];
    const handle = {
      writev: async (buffers: Buffer[]) => {
        calls.push(buffers.reduce((n, b) => n + b.byteLength, 0));
        return { bytesWritten: buffers.reduce((n, b) => n + b.byteLength, 0), buffers };
      },
    } as unknown as FileHandle;
    await pushAll(createRangeWriter(handle, 0, createSlabPool(4096)), Buffer.alloc(10 * 1024), [1024]);
    expect(calls).toEqual([4096, 4096, 2048]);
  });

  it("finishes a short writev with the rest", async () => {
    const written: Array<{ bytes: string; position: number }> = [];
    const handle = {
      // Writes only the first 3 bytes of whatever it is given.
      writev: async (buffers: Buffer[], position: number) => {
        written.push({ bytes: Buffer.concat(buffers).subarray(0, 3).toString(), position });
        return { bytesWritten: 3, buffers };
      },
      write: async (buffer: Buffer, offset: number, length: number, position: number) => {
        written.push({ bytes: buffer.subarray(offset, offset + length).toString(), position });
        return { bytesWritten: length, buffer };
      },
    } as unknown as FileHandle;
    const writer = createRangeWriter(handle, 100, createSlabPool(1));
    await writer.push(Buffer.from("ab"));
    await writer.push(Buffer.from("cdef"));
    await writer.finish();
    const ondisk = Buffer.alloc(6);
    for (const w of written) Buffer.from(w.bytes).copy(ondisk, w.position - 100);
    expect(ondisk.toString()).toBe("abcdef");
  });

  it("settles only once the write in flight has landed, even when the body failed meanwhile", async () => {
    let land!: () => void;
    const handle = {
      writev: (buffers: Buffer[]) =>
        new Promise((resolve) => {
          land = () => resolve({ bytesWritten: buffers.reduce((n, b) => n + b.byteLength, 0), buffers });
        }),
    } as unknown as FileHandle;
    const writer = createRangeWriter(handle, 0, createSlabPool(2));
    await writer.push(Buffer.from("ab")); // batch full: its write starts and stays in flight
    let settled = false;
    const settling = writer.settle().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    land();
    await settling;
    expect(settled).toBe(true);
  });

  it("reports a failed write from finish, and settle does not throw it", async () => {
    const handle = {
      writev: async () => {
        throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
      },
    } as unknown as FileHandle;
    const writer = createRangeWriter(handle, 0, createSlabPool(2));
    await writer.push(Buffer.from("ab"));
    await expect(writer.finish()).rejects.toThrow("no space");
    await expect(writer.settle()).resolves.toBeUndefined();
  });
});
