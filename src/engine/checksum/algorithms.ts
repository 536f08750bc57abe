import type { ChecksumAlgorithm, ChecksumType } from "../types.js";

export type SdkChecksumField =
  "ChecksumCRC64NVME" | "ChecksumCRC32" | "ChecksumCRC32C" | "ChecksumSHA1" | "ChecksumSHA256";

/** Algorithms S3 can combine into a FULL_OBJECT value (CRCs are linear, hashes are not). */
export type FullObjectAlgorithm = "CRC64NVME" | "CRC32" | "CRC32C";

interface AlgorithmFacts {
  header: string;
  sdkField: SdkChecksumField;
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
};

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
  return FACTS[algorithm].sdkField;
}

export function digestLength(algorithm: ChecksumAlgorithm): number {
  return FACTS[algorithm].digestBytes;
}

export function isFullObjectAlgorithm(algorithm: ChecksumAlgorithm): algorithm is FullObjectAlgorithm {
  return checksumTypeAllowed(algorithm, "FULL_OBJECT");
}
