// Reference checksums for the emulator suites, from libraries the emulator does not use (except node:crypto
// for SHA, a FIPS-validated path).
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import type { ChecksumAlgorithm } from "@aws-sdk/client-s3";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { crc32c } from "@aws-crypto/crc32c";

/** The raw digest of `data`. */
export async function referenceDigest(alg: ChecksumAlgorithm, data: Buffer): Promise<Buffer> {
  const fourBytes = (value: number) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value >>> 0);
    return out;
  };
  switch (alg) {
    case "CRC32":
      return fourBytes(crc32(data));
    case "CRC32C":
      return fourBytes(crc32c(data));
    case "CRC64NVME": {
      const crc = new Crc64Nvme();
      crc.update(data);
      return Buffer.from(await crc.digest());
    }
    case "SHA1":
      return createHash("sha1").update(data).digest();
    case "SHA256":
      return createHash("sha256").update(data).digest();
  }
  throw new Error(`no reference for ${alg}`);
}

/** The digest of `data` in base64, as S3 shows it in x-amz-checksum-* and Checksum* fields. */
export async function referenceChecksum(alg: ChecksumAlgorithm, data: Buffer): Promise<string> {
  return (await referenceDigest(alg, data)).toString("base64");
}
