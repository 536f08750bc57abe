import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ChecksumAlgorithm } from "../../src/engine/types.js";
import {
  checksumHeaderName,
  checksumTypeAllowed,
  compositeChecksum,
  createPartHasher,
  defaultChecksumType,
  objectChecksum,
  sdkChecksumField,
} from "../../src/engine/checksum/index.js";

const ALL: ChecksumAlgorithm[] = ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256"];

async function partDigest(algorithm: ChecksumAlgorithm, data: string): Promise<Buffer> {
  const hasher = await createPartHasher(algorithm);
  hasher.update(Buffer.from(data));
  return hasher.digest();
}

describe("compositeChecksum", () => {
  // Expected values computed by hand with Python's hashlib/zlib and a bitwise CRC32C, not with this code.
  it.each([
    ["SHA256", "Zhie15keHg/OBlOZxcoF/BXCgYZaeimRvdZnwUZqkaQ=-2"],
    ["SHA1", "9oeo+kMlG3hL6irRRMB+8GuSWwc=-2"],
    ["CRC32", "1Fu2mQ==-2"],
    ["CRC32C", "vUZpoA==-2"],
  ] as Array<[ChecksumAlgorithm, string]>)(
    "%s of parts 'hello ' and 'world'",
    async (algorithm, expected) => {
      const digests = [await partDigest(algorithm, "hello "), await partDigest(algorithm, "world")];
      expect(compositeChecksum(algorithm, digests)).toBe(expected);
    },
  );

  it("hashes the concatenated raw digests, not their base64 text, and counts parts", () => {
    const digests = Array.from({ length: 3 }, (_, i) => createHash("sha256").update(`part ${i}`).digest());
    const byHand = createHash("sha256").update(Buffer.concat(digests)).digest("base64");
    expect(compositeChecksum("SHA256", digests)).toBe(`${byHand}-3`);
    expect(compositeChecksum("SHA256", [digests[1]!, digests[0]!, digests[2]!])).not.toBe(`${byHand}-3`);
  });

  it("rejects CRC64NVME, empty part lists and wrong digest lengths", () => {
    expect(() => compositeChecksum("CRC64NVME", [Buffer.alloc(8)])).toThrow(/only as FULL_OBJECT/);
    expect(() => compositeChecksum("SHA256", [])).toThrow(/no part digests/);
    expect(() => compositeChecksum("SHA1", [Buffer.alloc(32)])).toThrow(
      /part 1 has a 32-byte digest.*20 bytes/,
    );
  });
});

describe("objectChecksum", () => {
  it("gives FULL_OBJECT as plain base64 and COMPOSITE with the -N suffix", async () => {
    const parts = [
      { digest: await partDigest("CRC32", "hello "), size: 6 },
      { digest: await partDigest("CRC32", "world"), size: 5 },
    ];
    const whole = await partDigest("CRC32", "hello world");
    expect(objectChecksum("CRC32", "FULL_OBJECT", parts)).toBe(whole.toString("base64"));
    expect(objectChecksum("CRC32", "COMPOSITE", parts)).toBe("1Fu2mQ==-2");
  });

  it("refuses combinations S3 does not allow", () => {
    const part = { digest: Buffer.alloc(32), size: 1 };
    expect(() => objectChecksum("SHA256", "FULL_OBJECT", [part])).toThrow(/does not allow SHA256/);
    expect(() => objectChecksum("CRC64NVME", "COMPOSITE", [part])).toThrow(/does not allow CRC64NVME/);
  });
});

describe("S3 algorithm rules", () => {
  it("defaults CRCs to FULL_OBJECT and SHAs to COMPOSITE", () => {
    expect(ALL.map((a) => [a, defaultChecksumType(a)])).toEqual([
      ["CRC64NVME", "FULL_OBJECT"],
      ["CRC32", "FULL_OBJECT"],
      ["CRC32C", "FULL_OBJECT"],
      ["SHA1", "COMPOSITE"],
      ["SHA256", "COMPOSITE"],
    ]);
  });

  it("allows CRC64NVME only FULL_OBJECT, SHAs only COMPOSITE, CRC32/CRC32C both", () => {
    const allowed = ALL.map((a) => [
      a,
      checksumTypeAllowed(a, "FULL_OBJECT"),
      checksumTypeAllowed(a, "COMPOSITE"),
    ]);
    expect(allowed).toEqual([
      ["CRC64NVME", true, false],
      ["CRC32", true, true],
      ["CRC32C", true, true],
      ["SHA1", false, true],
      ["SHA256", false, true],
    ]);
  });

  it("names S3's headers and the SDK's fields", () => {
    expect(ALL.map(checksumHeaderName)).toEqual([
      "x-amz-checksum-crc64nvme",
      "x-amz-checksum-crc32",
      "x-amz-checksum-crc32c",
      "x-amz-checksum-sha1",
      "x-amz-checksum-sha256",
    ]);
    expect(ALL.map(sdkChecksumField)).toEqual([
      "ChecksumCRC64NVME",
      "ChecksumCRC32",
      "ChecksumCRC32C",
      "ChecksumSHA1",
      "ChecksumSHA256",
    ]);
  });
});
