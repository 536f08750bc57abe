import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import type { ChecksumAlgorithm } from "../types.js";
import { digestLength } from "./algorithms.js";
import { crc32cSmall } from "./crc32c-small.js";

function uint32Bytes(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

type CompositeAlgorithm = Exclude<ChecksumAlgorithm, "CRC64NVME" | "CRC64ECMA">;

function digestOf(algorithm: CompositeAlgorithm, data: Buffer): Buffer {
  switch (algorithm) {
    case "SHA1":
      return createHash("sha1").update(data).digest();
    case "SHA256":
      return createHash("sha256").update(data).digest();
    case "CRC32":
      return uint32Bytes(crc32(data));
    case "CRC32C":
      return uint32Bytes(crc32cSmall(data));
  }
}

/** S3's COMPOSITE value: base64(hash(part1 digest ‖ part2 digest ‖ …)) + "-" + part count. */
export function compositeChecksum(
  algorithm: ChecksumAlgorithm,
  partDigests: ReadonlyArray<Uint8Array>,
): string {
  if (algorithm === "CRC64NVME" || algorithm === "CRC64ECMA") {
    throw new Error(`compositeChecksum: ${algorithm} is allowed only as FULL_OBJECT; use combineFullObject`);
  }
  if (partDigests.length === 0) {
    throw new Error("compositeChecksum: no part digests given; a multipart object has at least one part");
  }
  const expected = digestLength(algorithm);
  partDigests.forEach((digest, index) => {
    if (digest.length !== expected) {
      throw new Error(
        `compositeChecksum: part ${index + 1} has a ${digest.length}-byte digest; ${algorithm} digests are ${expected} bytes`,
      );
    }
  });
  const joined = Buffer.concat(partDigests);
  return `${digestOf(algorithm, joined).toString("base64")}-${partDigests.length}`;
}
