import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { crc32c } from "@aws-crypto/crc32c";
import {
  checksumOf,
  compositeChecksum,
  isWellFormedChecksum,
  multipartEtag,
  createDigester,
  type Algorithm,
} from "../emulator/checksums.js";

// Published check values for the input "123456789" (CRC catalogue; FIPS 180 examples for SHA, RFC 1321 for MD5).
const CHECK_VALUES: Record<Algorithm | "MD5", string> = {
  CRC32: "cbf43926",
  CRC32C: "e3069283",
  CRC64NVME: "ae8b14860a799888",
  SHA1: "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
  SHA256: "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
  MD5: "25f9e794323b453885f5181f1b624d0b",
};

describe("emulator checksum calculators", () => {
  for (const [alg, expected] of Object.entries(CHECK_VALUES)) {
    it(`${alg}("123456789") matches the published check value`, async () => {
      const digest = await checksumOf(alg as Algorithm, Buffer.from("123456789"));
      expect(digest.toString("hex")).toBe(expected);
    });
  }

  it("SHA-256 of the empty string matches FIPS 180-4", async () => {
    expect((await checksumOf("SHA256", Buffer.alloc(0))).toString("hex")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("CRC64NVME and CRC32C agree with AWS's own pure-JS implementations on random data fed in pieces", async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const crc64 = await createDigester("CRC64NVME");
    const crc32cDigester = await createDigester("CRC32C");
    for (let offset = 0; offset < data.length; offset += 65_521) {
      crc64.update(data.subarray(offset, offset + 65_521));
      crc32cDigester.update(data.subarray(offset, offset + 65_521));
    }
    const reference = new Crc64Nvme();
    reference.update(data);
    expect(crc64.digest().toString("base64")).toBe(Buffer.from(await reference.digest()).toString("base64"));
    expect(crc32cDigester.digest().readUInt32BE(0)).toBe(crc32c(data) >>> 0);
  });

  it("composite checksum is the hash of the raw part digests with a -N suffix", async () => {
    const parts = [Buffer.from("part one"), Buffer.from("part two"), Buffer.from("three")];
    const partSums = parts.map((part) => createHash("sha256").update(part).digest());
    const expected = createHash("sha256").update(Buffer.concat(partSums)).digest("base64");
    const value = await compositeChecksum(
      "SHA256",
      partSums.map((sum) => sum.toString("base64")),
    );
    expect(value).toBe(`${expected}-3`);
  });

  it("multipart ETag is the md5 of the raw part md5s with a -N suffix", () => {
    const md5s = ["a", "b"].map((text) => createHash("md5").update(text).digest());
    const expected = createHash("md5").update(Buffer.concat(md5s)).digest("hex");
    expect(multipartEtag(md5s.map((md5) => `"${md5.toString("hex")}"`))).toBe(`"${expected}-2"`);
  });

  it("accepts only canonical base64 of the digest's exact length", () => {
    expect(isWellFormedChecksum("CRC32", "yZRlqg==")).toBe(true);
    expect(isWellFormedChecksum("CRC32", "yZRlqg")).toBe(false);
    expect(isWellFormedChecksum("CRC32", "AAAAAAAA")).toBe(false);
    expect(isWellFormedChecksum("CRC64NVME", "yZRlqg==")).toBe(false);
    expect(isWellFormedChecksum("SHA1", "not base64!")).toBe(false);
  });
});
