// Which checksum proves a run's objects when the store has one of its own (providers.ts: nativeChecksum).
import { isStoreComputed } from "../checksum/algorithms.js";
import type { ChecksumAlgorithm, ChecksumType } from "../types.js";
import type { ProviderProfile } from "./providers.js";

export interface RunChecksum {
  algorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
}

/**
 * A store that computes a CRC of its own (OSS: x-oss-hash-crc64ecma) proves every object by it when no
 * x-amz-checksum was chosen (it keeps none: checksumPairProblem refuses them), so the run computes the same CRC
 * per part and for the whole object and compares each answer with it. Elsewhere the choice stands, except that
 * a store's own CRC cannot be asked of a store that does not compute it.
 */
export function runChecksum(
  profile: ProviderProfile,
  algorithm: ChecksumAlgorithm | null,
  checksumType: ChecksumType | null,
): RunChecksum {
  if (algorithm === null && profile.nativeChecksum === "crc64ecma") {
    return { algorithm: "CRC64ECMA", checksumType: "FULL_OBJECT" };
  }
  if (algorithm !== null && isStoreComputed(algorithm) && profile.nativeChecksum !== "crc64ecma") {
    throw new Error(
      `Invalid checksum-algorithm ${algorithm}: it is Aliyun OSS's own CRC-64 (x-oss-hash-crc64ecma), which ` +
        `${profile.label} does not compute; choose an x-amz-checksum algorithm such as CRC64NVME, or set provider to oss.`,
    );
  }
  return { algorithm, checksumType };
}
