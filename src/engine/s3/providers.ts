// What each store can prove and what it refuses, in one table: the engine reads a row, never a store's name.
// Each row cites what its values rest on; "emulated" in README's provider table marks the rows whose
// behaviour is tested against test/emulator's profile of that store, not against the service itself.
import { pathStyleCause } from "./lean-endpoint.js";
import type { ChecksumAlgorithm, ChecksumType, S3Limits } from "../types.js";

export const PROVIDERS = ["aws", "oss", "r2", "gcs", "b2", "ceph", "minio", "generic"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** The `provider` input's choices: a store, or auto (from the endpoint's host, see detectProvider). */
export const PROVIDER_CHOICES = ["auto", ...PROVIDERS] as const;
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];

export interface ChecksumPair {
  algorithm: ChecksumAlgorithm;
  type: ChecksumType;
}

export interface ProviderProfile {
  name: ProviderName;
  /** As README and messages name the store. */
  label: string;
  /** "virtual-host" only: path-style is refused by the store (OSS: SecondLevelDomainForbidden). */
  addressing: "virtual-host" | "either";
  minPartSize: number;
  maxPartSize: number;
  maxParts: number;
  /** Every part but the last must have the same size, and the last no larger (R2). */
  equalParts: boolean;
  /** The x-amz-checksum algorithm/type pairs the store checks and keeps; empty: it has none. */
  checksums: readonly ChecksumPair[];
  /** A store checksum of its own, in its own header, on writes and reads (OSS: x-oss-hash-crc64ecma). */
  nativeChecksum: "crc64ecma" | null;
  /** Whether Content-MD5 goes on every write, or only where no checksum proves the body. */
  contentMd5: "always" | "when-unproven";
  /** Streaming aws-chunked bodies (trailing checksums) are accepted. The engine never sends them. */
  awsChunked: boolean;
  /** How a write refuses to replace an existing key; null: the store has no such write. */
  conditionalCreate: "if-none-match" | "x-oss-forbid-overwrite" | null;
  /**
   * ListMultipartUploads: "any-prefix" as S3; "exact-key": a prefix lists only the uploads of exactly that
   * key (MinIO), while no prefix lists all.
   */
  listMultipartUploads: "any-prefix" | "exact-key";
  /** What proves an object on this store, strongest first, as README's provider table says it. */
  proof: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** S3's own pairs: CRC64NVME only whole-object, SHA1/SHA256 only composite, CRC32/CRC32C either. */
const S3_PAIRS: readonly ChecksumPair[] = [
  { algorithm: "CRC64NVME", type: "FULL_OBJECT" },
  { algorithm: "CRC32", type: "FULL_OBJECT" },
  { algorithm: "CRC32", type: "COMPOSITE" },
  { algorithm: "CRC32C", type: "FULL_OBJECT" },
  { algorithm: "CRC32C", type: "COMPOSITE" },
  { algorithm: "SHA1", type: "COMPOSITE" },
  { algorithm: "SHA256", type: "COMPOSITE" },
];

const S3_PART_LIMITS = { minPartSize: 5 * MiB, maxPartSize: 5 * GiB, maxParts: 10_000 } as const;

export const PROFILES: Readonly<Record<ProviderName, ProviderProfile>> = {
  // docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html (5 MiB–5 GiB, 10,000 parts);
  // checking-object-integrity-upload.html (the pairs); conditional-writes.html (If-None-Match on PutObject
  // and CompleteMultipartUpload). Path-style still answers, and legacy bucket names need it.
  aws: {
    name: "aws",
    label: "Amazon S3",
    addressing: "either",
    ...S3_PART_LIMITS,
    equalParts: false,
    checksums: S3_PAIRS,
    nativeChecksum: null,
    contentMd5: "when-unproven",
    awsChunked: true,
    conditionalCreate: "if-none-match",
    listMultipartUploads: "any-prefix",
    proof:
      "x-amz-checksum (CRC64NVME whole-object by default) per part (ListParts) and for the object (Complete, HeadObject)",
  },
  // alibabacloud.com/help/en/oss UploadPart (parts 100 KB–5 GB, numbers 1–10,000; error 0042-00000213
  // EntityTooSmall below 100 KB), x-oss-forbid-overwrite (409 FileAlreadyExists on PutObject and
  // CompleteMultipartUpload, errors 0026-00000002 and 0042-00000214), SecondLevelDomainForbidden for
  // path-style; x-oss-hash-crc64ecma on UploadPart, PutObject, Complete, Get and Head. OSS neither checks
  // nor keeps x-amz-checksum-*, and refuses aws-chunked bodies (issue 14).
  oss: {
    name: "oss",
    label: "Aliyun OSS",
    addressing: "virtual-host",
    minPartSize: 100 * KiB,
    maxPartSize: 5 * GiB,
    maxParts: 10_000,
    equalParts: false,
    checksums: [],
    nativeChecksum: "crc64ecma",
    contentMd5: "always",
    awsChunked: false,
    conditionalCreate: "x-oss-forbid-overwrite",
    listMultipartUploads: "any-prefix",
    proof:
      "x-oss-hash-crc64ecma (CRC-64/XZ) per part (UploadPart) and for the object (Complete, HeadObject); Content-MD5 on every write",
  },
  // developers.cloudflare.com/r2/objects/multipart-objects (5 MiB–5 GiB, 10,000 parts, "All parts except the
  // last one must be the same size", part ETags are MD5s since 2023-06-21); r2/api/s3/api (path-style and
  // virtual-host, If-None-Match, ListMultipartUploads); R2 release notes 2025-07-03 (cloudflare-docs#23443:
  // CRC64NVME on single and multipart objects, which "brings support for the FULL_OBJECT Checksum Type on
  // Multipart Uploads": the other algorithms are composite-only there).
  r2: {
    name: "r2",
    label: "Cloudflare R2",
    addressing: "either",
    ...S3_PART_LIMITS,
    equalParts: true,
    checksums: [
      { algorithm: "CRC64NVME", type: "FULL_OBJECT" },
      { algorithm: "CRC32", type: "COMPOSITE" },
      { algorithm: "CRC32C", type: "COMPOSITE" },
      { algorithm: "SHA1", type: "COMPOSITE" },
      { algorithm: "SHA256", type: "COMPOSITE" },
    ],
    nativeChecksum: null,
    contentMd5: "when-unproven",
    awsChunked: true,
    conditionalCreate: "if-none-match",
    listMultipartUploads: "any-prefix",
    proof:
      "x-amz-checksum (CRC64NVME whole-object, or a composite) per part (ListParts) and for the object (Complete, HeadObject)",
  },
  // cloud.google.com/storage/docs/multipart-uploads ("XML API multipart uploads are compatible with Amazon
  // S3 multipart uploads"; "Preconditions are not supported in the requests"; in-progress uploads can be
  // listed) and xml-api/put-object-multipart (Content-MD5 or x-goog-hash checked per part, part numbers
  // 1–10,000); storage/quotas (parts 5 MiB–5 GiB). The XML API has no x-amz-checksum (issue 14).
  gcs: {
    name: "gcs",
    label: "Google Cloud Storage (XML API)",
    addressing: "either",
    ...S3_PART_LIMITS,
    equalParts: false,
    checksums: [],
    nativeChecksum: null,
    contentMd5: "always",
    awsChunked: false,
    conditionalCreate: null,
    listMultipartUploads: "any-prefix",
    proof:
      "Content-MD5 on every write, each part's ETag = its MD5 (ListParts), the object's size and ETag (HeadObject)",
  },
  // backblaze.com/apidocs (S3-compatible API: parts 5 MB (5,000,000 bytes) to 5 GiB, List Multipart Uploads
  // supported) and b2/docs/s3_compatible_api (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256,
  // -algorithm and -mode listed as unsupported). No conditional create is documented for its PutObject.
  b2: {
    name: "b2",
    label: "Backblaze B2",
    addressing: "either",
    minPartSize: 5_000_000,
    maxPartSize: 5 * GiB,
    maxParts: 10_000,
    equalParts: false,
    checksums: [],
    nativeChecksum: null,
    contentMd5: "always",
    awsChunked: false,
    conditionalCreate: null,
    listMultipartUploads: "any-prefix",
    proof:
      "Content-MD5 on every write, each part's ETag = its MD5 (ListParts), the object's ETag = MD5 of the part MD5s (HeadObject)",
  },
  // Ceph RGW 16.2 (Pacific, the server in CI): rgw_multipart_min_part_size 5 MiB, If-None-Match on PUT,
  // aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) accepted, additional checksums ignored (RGW keeps them
  // only from 19.2 Squid on: use provider generic there, which finds out per upload).
  ceph: {
    name: "ceph",
    label: "Ceph RGW 16.2",
    addressing: "either",
    ...S3_PART_LIMITS,
    equalParts: false,
    checksums: [],
    nativeChecksum: null,
    contentMd5: "always",
    awsChunked: true,
    conditionalCreate: "if-none-match",
    listMultipartUploads: "any-prefix",
    proof:
      "Content-MD5 on every write, each part's ETag = its MD5 (ListParts), the object's ETag = MD5 of the part MD5s (HeadObject)",
  },
  // min.io docs (S3 limits: 5 MiB–5 GiB, 10,000 parts; the AWS checksum algorithms and types, If-None-Match
  // on writes); minio/minio#11686 and #20989: ListMultipartUploads with a prefix lists only the uploads of
  // exactly that key, without one it lists all.
  minio: {
    name: "minio",
    label: "MinIO",
    addressing: "either",
    ...S3_PART_LIMITS,
    equalParts: false,
    checksums: S3_PAIRS,
    nativeChecksum: null,
    contentMd5: "when-unproven",
    awsChunked: true,
    conditionalCreate: "if-none-match",
    listMultipartUploads: "exact-key",
    proof: "x-amz-checksum per part (ListParts) and for the object (Complete, HeadObject)",
  },
  // Any other S3-compatible store: S3's rules, and each upload finds out from its own first answers whether
  // the store keeps the checksum (else ETag = MD5 proves it, and the result says so).
  generic: {
    name: "generic",
    label: "an S3-compatible store",
    addressing: "either",
    ...S3_PART_LIMITS,
    equalParts: false,
    checksums: S3_PAIRS,
    nativeChecksum: null,
    contentMd5: "when-unproven",
    awsChunked: false,
    conditionalCreate: "if-none-match",
    listMultipartUploads: "any-prefix",
    proof:
      "x-amz-checksum when the store echoes and lists it, else Content-MD5 and ETag = MD5; the result says which",
  },
};

/** Host suffixes that name a store; ceph and minio run anywhere and are never detected. */
const HOST_SUFFIXES: ReadonlyArray<[string, ProviderName]> = [
  ["amazonaws.com", "aws"],
  ["amazonaws.com.cn", "aws"],
  ["aliyuncs.com", "oss"],
  ["r2.cloudflarestorage.com", "r2"],
  ["storage.googleapis.com", "gcs"],
  ["backblazeb2.com", "b2"],
];

/** The store an endpoint's host names; no endpoint is Amazon S3, an unknown host a generic store. */
export function detectProvider(endpoint: string | undefined): ProviderName {
  if (endpoint === undefined || endpoint === "") return "aws";
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return "generic";
  }
  const match = HOST_SUFFIXES.find(([suffix]) => host === suffix || host.endsWith(`.${suffix}`));
  return match ? match[1] : "generic";
}

/** The row a run uses: the one named, or the one the endpoint's host names. */
export function providerProfile(
  choice: ProviderChoice | undefined,
  endpoint: string | undefined,
): ProviderProfile {
  return PROFILES[choice === undefined || choice === "auto" ? detectProvider(endpoint) : choice];
}

/** The row's multipart limits, for resolveLimits (plan.ts); tests may still lower them. */
export function profileLimits(
  profile: ProviderProfile,
): Pick<S3Limits, "minPartSize" | "maxPartSize" | "maxParts"> {
  return {
    minPartSize: profile.minPartSize,
    maxPartSize: profile.maxPartSize,
    maxParts: profile.maxParts,
  };
}

/** "CRC64NVME FULL_OBJECT, CRC32 COMPOSITE, …" as messages list what a store takes. */
export function pairsText(pairs: readonly ChecksumPair[]): string {
  return pairs.map((pair) => `${pair.algorithm} ${pair.type}`).join(", ");
}

/**
 * Why an algorithm/type pair cannot work on the store, with what does; null when it can. `algorithm` null
 * (no additional checksum) always works.
 */
export function checksumPairProblem(
  profile: ProviderProfile,
  algorithm: ChecksumAlgorithm | null,
  type: ChecksumType,
): string | null {
  if (algorithm === null) return null;
  if (profile.checksums.length === 0) {
    return (
      `${profile.label} keeps no x-amz-checksum, so ${algorithm} would prove nothing there; use none ` +
      `(it proves objects by ${profile.proof}).`
    );
  }
  if (profile.checksums.some((pair) => pair.algorithm === algorithm && pair.type === type)) return null;
  return `${profile.label} does not take ${algorithm} ${type}; use one of ${pairsText(profile.checksums)}.`;
}

/** The input to change when requests would be refused for their addressing, and why. */
export interface AddressingProblem {
  input: "force-path-style" | "bucket" | "endpoint";
  problem: string;
}

/**
 * Why requests to this bucket would be refused for their addressing, with the fix; null when they would not.
 * A bucket name with a dot, or an endpoint given as an IP address, is always addressed path-style
 * (lean-endpoint.ts, as the SDK's rules).
 */
export function addressingProblem(
  profile: ProviderProfile,
  request: { bucket: string; endpoint: string | undefined; forcePathStyle: boolean },
): AddressingProblem | null {
  if (profile.addressing !== "virtual-host") return null;
  const refuses = `${profile.label} refuses path-style requests (SecondLevelDomainForbidden)`;
  const host = (request.endpoint === undefined ? undefined : hostOf(request.endpoint)) ?? "";
  switch (pathStyleCause(request.bucket, host, request.forcePathStyle)) {
    case "force-path-style":
      return { input: "force-path-style", problem: `${refuses}; set force-path-style to false.` };
    case "bucket":
      return {
        input: "bucket",
        problem: `${refuses}, and a bucket name with "." is always addressed path-style; use a bucket without ".".`,
      };
    case "endpoint":
      return {
        input: "endpoint",
        problem: `${refuses}, and an endpoint given as an IP address (${host}) is addressed path-style; give the endpoint by its host name.`,
      };
    case null:
      return null;
  }
}

function hostOf(endpoint: string): string | undefined {
  try {
    return new URL(endpoint).hostname;
  } catch {
    return undefined;
  }
}
