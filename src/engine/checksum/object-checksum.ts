import type { ChecksumAlgorithm, ChecksumType } from "../types.js";
import { checksumTypeAllowed, isFullObjectAlgorithm } from "./algorithms.js";
import { compositeChecksum } from "./composite.js";
import { combineFullObject } from "./crc-combine.js";

/**
 * The whole object's checksum as S3 shows it for a multipart upload: plain base64 for FULL_OBJECT,
 * base64 with a "-N" suffix for COMPOSITE. Parts must be in part-number order.
 */
export function objectChecksum(
  algorithm: ChecksumAlgorithm,
  type: ChecksumType,
  parts: ReadonlyArray<{ digest: Uint8Array; size: number }>,
): string {
  if (type === "FULL_OBJECT" && isFullObjectAlgorithm(algorithm)) {
    return combineFullObject(algorithm, parts).toString("base64");
  }
  if (type === "COMPOSITE" && checksumTypeAllowed(algorithm, "COMPOSITE")) {
    return compositeChecksum(
      algorithm,
      parts.map((part) => part.digest),
    );
  }
  throw new Error(`objectChecksum: S3 does not allow ${algorithm} with checksum type ${type}`);
}
