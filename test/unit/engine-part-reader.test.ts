// Parts above 2 GiB: Node's fs.read refuses lengths of 2 GiB or more (and wraps at 4 GiB), its hashes refuse
// updates of 2 GiB or more, and zlib's crc32 silently wraps at 4 GiB. A part must still be read and hashed
// exactly, byte for byte at the right offsets.
import { constants as bufferConstants } from "node:buffer";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { md5 } from "../../src/engine/checksum/index.js";
import { hashPart, readPart } from "../../src/engine/upload/part-reader.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-part-reader-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("readPart", () => {
  it("reads a part in reads no longer than the limit it is given, every byte at its offset", async () => {
    const bytes = randomBytes(100_000);
    const file = path.join(dir, "small.bin");
    await writeFile(file, bytes);
    const handle = await open(file);
    try {
      const part = { number: 2, offset: 777, size: 50_001 };
      const buffer = Buffer.alloc(part.size);
      await readPart(handle, part, buffer, 4096);
      expect(buffer.equals(bytes.subarray(777, 777 + 50_001))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it("says the file changed when it ends inside a chunked part", async () => {
    const file = path.join(dir, "short.bin");
    await writeFile(file, randomBytes(10_000));
    const handle = await open(file);
    try {
      const part = { number: 1, offset: 0, size: 20_000 };
      await expect(readPart(handle, part, Buffer.alloc(part.size), 4096)).rejects.toThrow(
        /ended at byte 10000 while reading part 1; it changed/,
      );
    } finally {
      await handle.close();
    }
  });

  // One real part of the largest size a Buffer holds here (4 GiB on Node.js 20), from a sparse file.
  it(
    "reads and hashes a part above 2 GiB exactly: marker bytes at the 2 GiB and 4 GiB boundaries",
    { timeout: 900_000 },
    async () => {
      const partSize = Math.min(4 * GiB, bufferConstants.MAX_LENGTH);
      const start = MiB + 3;
      const file = path.join(dir, "sparse.bin");
      const handle = await open(file, "w+");
      try {
        await handle.truncate(start + partSize + MiB);
        const markers = new Map<number, number>([
          [start, 0x11],
          [start + 2 ** 31 - 1, 0x22],
          [start + 2 ** 31, 0x33],
          [2 ** 31, 0x44],
          [2 ** 32, 0x55],
          [start + partSize - 1, 0x66],
          [start + partSize, 0x77],
        ]);
        for (const [position, value] of markers) await handle.write(Buffer.from([value]), 0, 1, position);

        const part = { number: 1, offset: start, size: partSize };
        const buffer = Buffer.allocUnsafe(partSize);
        await readPart(handle, part, buffer);
        for (const [position, value] of markers) {
          const inPart = position - start;
          if (inPart >= 0 && inPart < partSize) expect([position, buffer[inPart]]).toEqual([position, value]);
        }
        expect(buffer[start + 2 ** 31 - 2 - start]).toBe(0);

        // References fed in 256 MiB slices, which every hash takes. CRC32 (zlib's crc32 wraps its length at
        // 4 GiB) over the whole part; MD5 (Node's hashes refuse 2 GiB at once; SHA1 and SHA256 share its
        // class, hash-wasm's CRCs take any length) over 2 GiB + 1 MiB of it, as MD5 is slow.
        const md5Head = buffer.subarray(0, 2 * GiB + MiB);
        let crc = 0;
        const md5Reference = createHash("md5");
        for (let offset = 0; offset < partSize; offset += 256 * MiB) {
          const slice = buffer.subarray(offset, Math.min(partSize, offset + 256 * MiB));
          crc = crc32(slice, crc);
          if (offset < md5Head.byteLength) {
            md5Reference.update(md5Head.subarray(offset, Math.min(md5Head.byteLength, offset + 256 * MiB)));
          }
        }
        const crcBytes = Buffer.alloc(4);
        crcBytes.writeUInt32BE(crc);

        const digest = await hashPart(part, buffer, "CRC32", false);
        expect(digest.digest?.toString("hex")).toBe(crcBytes.toString("hex"));
        expect(md5(md5Head).toString("hex")).toBe(md5Reference.digest("hex"));
      } finally {
        await handle.close();
        await rm(file, { force: true });
      }
    },
  );
});
