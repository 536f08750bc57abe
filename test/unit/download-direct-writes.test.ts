import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { directWritesOver } from "../../src/engine/download/direct-writes.js";
import { createRangeWriter, createSlabPool } from "../../src/engine/download/range-writer.js";
import { createTempFile, discardTempFile } from "../../src/engine/download/temp-file.js";

const scratch = mkdtemp(path.join(os.tmpdir(), "direct-writes-"));
afterAll(async () => rm(await scratch, { recursive: true, force: true }));

const MiB = 1024 * 1024;

async function pushAll(writer: ReturnType<typeof createRangeWriter>, bytes: Buffer, chunk: number) {
  for (let at = 0; at < bytes.byteLength; at += chunk) await writer.push(bytes.subarray(at, at + chunk));
  await writer.finish();
}

describe("direct writes", () => {
  it("writes whole aligned slabs through the O_DIRECT descriptor and the rest buffered, byte-exact", async () => {
    const destination = path.join(await scratch, "a.bin");
    const whole = randomBytes(3 * MiB + 5000);
    const temp = await createTempFile(destination, whole.byteLength);
    try {
      if (process.platform === "linux") expect(temp.direct).not.toBeNull();
      if (temp.direct === null) return;
      const counted = { direct: 0 };
      const direct = temp.direct;
      const spy = {
        write: async (bytes: Buffer, position: number, aligned: boolean) => {
          const written = await direct.write(bytes, position, aligned);
          if (written > 0) counted.direct++;
          return written;
        },
        close: () => direct.close(),
      };
      const slabs = createSlabPool(MiB);
      await pushAll(createRangeWriter(temp.handle, 0, slabs, { direct: spy }), whole, 64 * 1024);
      slabs.close();
      // Three whole slabs direct; the 5000-byte tail is no whole block, so it goes through the page cache.
      expect(counted.direct).toBe(3);
      await temp.handle.sync();
      expect((await readFile(temp.path)).equals(whole)).toBe(true);
    } finally {
      await discardTempFile(temp, false);
    }
  });

  it("falls back to buffered writes for good once the file system refuses a direct write", async () => {
    const destination = path.join(await scratch, "b.bin");
    const whole = randomBytes(4 * 64 * 1024);
    const temp = await createTempFile(destination, whole.byteLength);
    let refused = 0;
    const refusing = directWritesOver({
      write: async () => {
        refused++;
        throw Object.assign(new Error("invalid argument"), { code: "EINVAL" });
      },
      close: async () => undefined,
    } as unknown as FileHandle);
    try {
      const slabs = createSlabPool(64 * 1024);
      await pushAll(createRangeWriter(temp.handle, 0, slabs, { direct: refusing }), whole, 4096);
      slabs.close();
      expect(refused).toBe(1);
      expect((await readFile(temp.path)).equals(whole)).toBe(true);
    } finally {
      await discardTempFile(temp, false);
    }
  });

  it("hands the hasher each piece as copied, in order, from the CRC kernel's memory", async () => {
    const destination = path.join(await scratch, "c.bin");
    const whole = randomBytes(300_000);
    const temp = await createTempFile(destination, whole.byteLength);
    const seen: Buffer[] = [];
    let inKernelMemory = true;
    try {
      const slabs = createSlabPool(64 * 1024);
      const writer = createRangeWriter(temp.handle, 0, slabs, {
        onPlaced: (bytes) => {
          inKernelMemory &&= bytes.buffer instanceof SharedArrayBuffer;
          seen.push(Buffer.from(bytes));
        },
      });
      await pushAll(writer, whole, 10_000);
      slabs.close();
      expect(Buffer.concat(seen).equals(whole)).toBe(true);
      expect(inKernelMemory).toBe(true);
    } finally {
      await discardTempFile(temp, false);
    }
  });

  it("takes a read that landed in the space it lent without a copy, byte-exact with copied chunks around it", async () => {
    const destination = path.join(await scratch, "d.bin");
    const whole = randomBytes(200_000);
    const temp = await createTempFile(destination, whole.byteLength);
    try {
      const slabs = createSlabPool(64 * 1024);
      const placed: Buffer[] = [];
      const writer = createRangeWriter(temp.handle, 0, slabs, { onPlaced: (bytes) => placed.push(bytes) });
      let at = 0;
      let lentAndUsed = 0;
      for (let i = 0; at < whole.byteLength; i++) {
        if (i % 2 === 0) {
          // Copied, as the bytes that come with an answer's head are.
          const chunk = Buffer.from(whole.subarray(at, at + 1000));
          await writer.push(chunk);
          at += chunk.byteLength;
          continue;
        }
        const space = writer.space(whole.byteLength - at);
        const take = Math.min(space.byteLength, 7000);
        whole.copy(space, 0, at, at + take);
        await writer.push(space.subarray(0, take));
        const last = placed[placed.length - 1]!;
        if (last.byteOffset === space.byteOffset && last.buffer === space.buffer) lentAndUsed++;
        at += take;
      }
      await writer.finish();
      slabs.close();
      expect(lentAndUsed).toBeGreaterThan(0);
      expect((await readFile(temp.path)).equals(whole)).toBe(true);
    } finally {
      await discardTempFile(temp, false);
    }
  });
});
