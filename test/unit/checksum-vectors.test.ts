import { describe, expect, it } from "vitest";
import type { ChecksumAlgorithm } from "../../src/engine/types.js";
import { createMd5Hasher, createPartHasher, md5 } from "../../src/engine/checksum/index.js";

const CHECK = Buffer.from("123456789");

// Published check values: CRC catalogue (reveng) for the CRCs, FIPS 180 / RFC 1321 examples for the hashes.
const VECTORS: Array<[ChecksumAlgorithm, Buffer, string]> = [
  ["CRC32", CHECK, "cbf43926"],
  ["CRC32C", CHECK, "e3069283"],
  ["CRC64NVME", CHECK, "ae8b14860a799888"],
  ["CRC64ECMA", CHECK, "995dc9bbdf1939fa"],
  ["SHA1", Buffer.from("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d"],
  ["SHA256", Buffer.from("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
];

const EMPTY: Record<ChecksumAlgorithm, string> = {
  CRC32: "00000000",
  CRC32C: "00000000",
  CRC64NVME: "0000000000000000",
  CRC64ECMA: "0000000000000000",
  SHA1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
  SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};

async function digestInChunks(algorithm: ChecksumAlgorithm, data: Buffer, chunk: number): Promise<string> {
  const hasher = await createPartHasher(algorithm);
  for (let offset = 0; offset < data.length; offset += chunk)
    hasher.update(data.subarray(offset, offset + chunk));
  return hasher.digest().toString("hex");
}

describe("createPartHasher", () => {
  it.each(VECTORS)("%s matches its published check value", async (algorithm, input, expected) => {
    expect(await digestInChunks(algorithm, input, input.length)).toBe(expected);
  });

  it.each(VECTORS)(
    "%s gives the same digest when fed one byte at a time",
    async (algorithm, input, expected) => {
      expect(await digestInChunks(algorithm, input, 1)).toBe(expected);
    },
  );

  it.each(Object.entries(EMPTY) as Array<[ChecksumAlgorithm, string]>)(
    "%s of an empty part",
    async (algorithm, expected) => {
      const hasher = await createPartHasher(algorithm);
      expect(hasher.digest().toString("hex")).toBe(expected);
    },
  );

  it.each(VECTORS)("%s hashers used concurrently do not share state", async (algorithm, input, expected) => {
    const a = await createPartHasher(algorithm);
    const b = await createPartHasher(algorithm);
    a.update(input.subarray(0, 4));
    b.update(Buffer.from("other data"));
    a.update(input.subarray(4));
    expect(a.digest().toString("hex")).toBe(expected);
    const c = await createPartHasher(algorithm); // may reuse a's pooled state
    c.update(input);
    expect(c.digest().toString("hex")).toBe(expected);
    expect(b.digest().toString("hex")).not.toBe(expected);
  });

  it.each(VECTORS)("%s hasher refuses use after digest()", async (algorithm) => {
    const hasher = await createPartHasher(algorithm);
    hasher.digest();
    expect(() => hasher.update(CHECK)).toThrow(/after digest\(\)/);
    expect(() => hasher.digest()).toThrow(/after digest\(\)/);
  });

  it("hashes a 16 MiB part identically in one call and in 64 KiB chunks", async () => {
    const data = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >>> 9)) & 0xff;
    for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME", "SHA256"] as const) {
      expect(await digestInChunks(algorithm, data, 64 * 1024)).toBe(
        await digestInChunks(algorithm, data, data.length),
      );
    }
  });
});

describe("md5", () => {
  // RFC 1321 test suite.
  it("matches RFC 1321 vectors one-shot and streaming", () => {
    expect(md5(Buffer.from("")).toString("hex")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(md5(Buffer.from("abc")).toString("hex")).toBe("900150983cd24fb0d6963f7d28e17f72");
    const hasher = createMd5Hasher();
    hasher.update(Buffer.from("message "));
    hasher.update(Buffer.from("digest"));
    expect(hasher.digest().toString("hex")).toBe("f96b697d7cb7938d525a2f31aaf161d0");
  });
});
