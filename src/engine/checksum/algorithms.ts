import type { ChecksumAlgorithm, ChecksumType } from "../types.js";

export type SdkChecksumField =
  "ChecksumCRC64NVME" | "ChecksumCRC32" | "ChecksumCRC32C" | "ChecksumSHA1" | "ChecksumSHA256";

/** Algorithms S3 can combine into a FULL_OBJECT value (CRCs are linear, hashes are not). */
export type FullObjectAlgorithm = "CRC64NVME" | "CRC32" | "CRC32C" | "CRC64ECMA";

interface AlgorithmFacts {
  header: string;
  /** null: the store computes it and answers it in its own header; requests never carry it. */
  sdkField: SdkChecksumField | null;
  digestBytes: number;
  defaultType: ChecksumType;
  allowedTypes: readonly ChecksumType[];
}

// S3 rules: CRC64NVME is FULL_OBJECT only, SHA1/SHA256 COMPOSITE only, CRC32/CRC32C either.
const FACTS: Record<ChecksumAlgorithm, AlgorithmFacts> = {
  CRC64NVME: {
    header: "x-amz-checksum-crc64nvme",
    sdkField: "ChecksumCRC64NVME",
    digestBytes: 8,
    defaultType: "FULL_OBJECT",
    allowedTypes: ["FULL_OBJECT"],
  },
  CRC32: {
    header: "x-amz-checksum-crc32",
    sdkField: "ChecksumCRC32",
    digestBytes: 4,
    defaultType: "FULL_OBJECT",
    allowedTypes: ["FULL_OBJECT", "COMPOSITE"],
  },
  CRC32C: {
    header: "x-amz-checksum-crc32c",
    sdkField: "ChecksumCRC32C",
    digestBytes: 4,
    defaultType: "FULL_OBJECT",
    allowedTypes: ["FULL_OBJECT", "COMPOSITE"],
  },
  SHA1: {
    header: "x-amz-checksum-sha1",
    sdkField: "ChecksumSHA1",
    digestBytes: 20,
    defaultType: "COMPOSITE",
    allowedTypes: ["COMPOSITE"],
  },
  SHA256: {
    header: "x-amz-checksum-sha256",
    sdkField: "ChecksumSHA256",
    digestBytes: 32,
    defaultType: "COMPOSITE",
    allowedTypes: ["COMPOSITE"],
  },
  // OSS answers the whole object's CRC on Complete and Head: the FULL_OBJECT kind, combined from the parts'.
  CRC64ECMA: {
    header: "x-oss-hash-crc64ecma",
    sdkField: null,
    digestBytes: 8,
    defaultType: "FULL_OBJECT",
    allowedTypes: ["FULL_OBJECT"],
  },
};

/** The x-amz-checksum algorithms: requests carry them, and stores that keep them answer them. */
export const AMZ_CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = (
  Object.keys(FACTS) as ChecksumAlgorithm[]
).filter((algorithm) => FACTS[algorithm].sdkField !== null);

export function defaultChecksumType(algorithm: ChecksumAlgorithm): ChecksumType {
  return FACTS[algorithm].defaultType;
}

export function checksumTypeAllowed(algorithm: ChecksumAlgorithm, type: ChecksumType): boolean {
  return FACTS[algorithm].allowedTypes.includes(type);
}

export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return FACTS[algorithm].header;
}

export function sdkChecksumField(algorithm: ChecksumAlgorithm): SdkChecksumField {
  const field = FACTS[algorithm].sdkField;
  if (field === null) {
    throw new Error(
      `${algorithm} is the store's own checksum (${FACTS[algorithm].header}); no request carries it`,
    );
  }
  return field;
}

/** Checksums the store computes itself and answers in its own header: the engine only compares them. */
export type StoreComputedAlgorithm = "CRC64ECMA";

export function isStoreComputed(algorithm: ChecksumAlgorithm): algorithm is StoreComputedAlgorithm {
  return FACTS[algorithm].sdkField === null;
}

export function digestLength(algorithm: ChecksumAlgorithm): number {
  return FACTS[algorithm].digestBytes;
}

export function isFullObjectAlgorithm(algorithm: ChecksumAlgorithm): algorithm is FullObjectAlgorithm {
  return checksumTypeAllowed(algorithm, "FULL_OBJECT");
}
