// How the emulator differs per store it stands in for (`--profile`), on the points the engine's provider table
// (src/engine/s3/providers.ts) names; "aws" is the S3 behaviour documented in README.md. Each value says where it
// comes from, so a test that passes here claims no more than the store's documentation or reports do.
import { S3Error } from "./errors.js";
import type { Algorithm, ChecksumType } from "./checksums.js";
import type { Operation } from "./router.js";

export const PROFILES = ["aws", "oss", "r2", "gcs", "b2", "ceph", "minio"] as const;
export type ProfileName = (typeof PROFILES)[number];

export interface ChecksumPair {
  algorithm: Algorithm;
  type: ChecksumType;
}

export interface StoreProfile {
  name: ProfileName;
  /** Path-style requests (/bucket/key on the service host) are refused with 403 SecondLevelDomainForbidden. */
  virtualHostOnly: boolean;
  /** EntityTooSmall threshold at Complete when the instance sets none. */
  minPartSize: number;
  /** Every part but the last must have one size, and the last no more (else InvalidPart at Complete). */
  equalParts: boolean;
  /** The store's answer to an aws-chunked body (STREAMING-* payload hash); null: accepted as S3 does. */
  awsChunkedRefusal: (() => S3Error) | null;
  /**
   * x-amz-checksum-* (headers, Create's algorithm/type, Complete's part checksums, checksum mode, the SDK's
   * algorithm and trailer headers): "checked" and kept as S3 does; "ignored": neither checked nor kept nor echoed;
   * "refused": answered with `checksumHeaderRefusal`.
   */
  additionalChecksums: "checked" | "ignored" | "refused";
  checksumHeaderRefusal: ((name: string, operation: Operation) => S3Error) | null;
  /** Multipart algorithm/type pairs CreateMultipartUpload takes (others: 501 naming the header); null: S3's rules. */
  checksumPairs: readonly ChecksumPair[] | null;
  /** S3 gives every new object without a checksum a full-object CRC64NVME; other stores do not. */
  defaultChecksum: boolean;
  /**
   * OSS's own CRC-64/XZ ("crc64ecma") of every part and object, as a decimal uint64 in x-oss-hash-crc64ecma on
   * UploadPart, PutObject, Complete (when every part has one), GetObject and HeadObject, and as HashCrc64ecma in
   * ListParts (OSS SDK v2 ListParts results carry it).
   */
  crc64ecma: boolean;
  /** The code of a Content-MD5 that does not match the body: S3's BadDigest, or the store's. */
  md5MismatchCode: "BadDigest" | "InvalidDigest";
  /** ETags in upper-case hex. */
  upperCaseEtags: boolean;
  /**
   * `x-oss-forbid-overwrite: true` on PutObject, InitiateMultipartUpload and CompleteMultipartUpload refuses an
   * existing key with 409 FileAlreadyExists; not on versioned buckets. Other x-oss-* headers are 501.
   */
  forbidOverwriteHeader: boolean;
  /**
   * If-None-Match / If-Match on writes: S3's conditional writes, or 501 where the store documents none (or another
   * header), so a client relying on them fails here instead of overwriting there.
   */
  conditionalWrites: boolean;
  /** ListMultipartUploads' prefix: S3's, or "exact-key" as MinIO (a prefix lists only that key's uploads). */
  listUploadsPrefix: "prefix" | "exact-key";
}

const MIB = 1024 * 1024;
const CHECKSUM_HEADER = /^x-amz-(checksum-|sdk-checksum-algorithm$|trailer$)/;

/** Whether a header belongs to S3's additional checksums (what "ignored" and "refused" act on). */
export function isChecksumHeader(name: string): boolean {
  return CHECKSUM_HEADER.test(name);
}

// docs.aws.amazon.com/AmazonS3: everything README.md documents.
const AWS: StoreProfile = {
  name: "aws",
  virtualHostOnly: false,
  minPartSize: 5 * MIB,
  equalParts: false,
  awsChunkedRefusal: null,
  additionalChecksums: "checked",
  checksumHeaderRefusal: null,
  checksumPairs: null,
  defaultChecksum: true,
  crc64ecma: false,
  md5MismatchCode: "BadDigest",
  upperCaseEtags: false,
  forbidOverwriteHeader: false,
  conditionalWrites: true,
  listUploadsPrefix: "prefix",
};

// Aliyun OSS through its S3-compatible API. SecondLevelDomainForbidden "Please use virtual hosted style to access."
// (notea-org/notea#182, peak/s5cmd#518); aws-chunked: 400 InvalidArgument (pig-mesh/oss-spring-boot-starter#21,
// zenml-io/zenml#4286); 100 KB parts, numbers 1–10,000 not necessarily consecutive (UploadPart,
// CompleteMultipartUpload, error 0042-00000213); Content-MD5 mismatch InvalidDigest (error 0017-00000503, Java SDK
// data-validation docs); x-oss-forbid-overwrite (errors 0026-00000002, 0042-00000214, 0017-00000279); upper-case
// ETags (every example in those pages). OSS keeps no x-amz-checksum (issue 14).
const OSS: StoreProfile = {
  ...AWS,
  name: "oss",
  virtualHostOnly: true,
  minPartSize: 100 * 1024,
  awsChunkedRefusal: () =>
    new S3Error(
      "InvalidArgument",
      "aws-chunked encoding is not supported with the specified x-amz-content-sha256 value.",
    ),
  additionalChecksums: "ignored",
  defaultChecksum: false,
  crc64ecma: true,
  md5MismatchCode: "InvalidDigest",
  upperCaseEtags: true,
  forbidOverwriteHeader: true,
  conditionalWrites: false,
};

// Cloudflare R2. developers.cloudflare.com/r2/objects/multipart-objects: "All parts except the last one must be the
// same size", the last "the same or smaller" (InvalidPart "All non-trailing parts must have the same length." as
// apache/opendal#2904, get-convex/convex-backend#395 saw it). Release notes 2025-07-03 (cloudflare-docs#23443):
// CRC64NVME single and multipart, FULL_OBJECT only for it; the other algorithms composite. An unsupported header
// value is 501 "Header 'x-amz-checksum-algorithm' with value 'CRC32C' not implemented" (mattermost#22221). No
// default checksum is documented.
const R2: StoreProfile = {
  ...AWS,
  name: "r2",
  equalParts: true,
  checksumPairs: [
    { algorithm: "CRC64NVME", type: "FULL_OBJECT" },
    { algorithm: "CRC32", type: "COMPOSITE" },
    { algorithm: "CRC32C", type: "COMPOSITE" },
    { algorithm: "SHA1", type: "COMPOSITE" },
    { algorithm: "SHA256", type: "COMPOSITE" },
  ],
  defaultChecksum: false,
};

// Google Cloud Storage, XML API. cloud.google.com/storage/docs/migrating: chunked transfer encoding and V4
// signatures cannot be used together (qdrant/qdrant#9568 saw SignatureDoesNotMatch "Invalid argument." on
// UploadPart); x-amz-checksum-* on writes: 400 ExcessHeaderValues (milvus-io/milvus-storage#480), a composite
// checksum on CompleteMultipartUpload 412 PreconditionFailed (langfuse/langfuse#13280); "Preconditions are not
// supported" in multipart requests (storage/docs/multipart-uploads).
const GCS: StoreProfile = {
  ...AWS,
  name: "gcs",
  awsChunkedRefusal: () => new S3Error("SignatureDoesNotMatch", "Invalid argument."),
  additionalChecksums: "refused",
  checksumHeaderRefusal: (name, operation) =>
    operation === "CompleteMultipartUpload"
      ? new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold.")
      : new S3Error("ExcessHeaderValues", `The XML API does not accept the ${name} header.`),
  defaultChecksum: false,
  conditionalWrites: false,
};

// Backblaze B2, S3-compatible API. backblaze.com/docs/cloud-storage-s3-compatible-api "Unsupported features" lists
// the x-amz-checksum-* headers, answered 400 InvalidArgument "Unsupported header 'x-amz-checksum-crc32' received
// for this API call." (iterate-ch/cyberduck#16107, home-assistant/core#143995, vatesfr/xen-orchestra#8358); parts of
// at least 5 MB (5,000,000 bytes); no conditional create documented.
const B2: StoreProfile = {
  ...AWS,
  name: "b2",
  minPartSize: 5_000_000,
  additionalChecksums: "refused",
  checksumHeaderRefusal: (name) =>
    new S3Error("InvalidArgument", `Unsupported header '${name}' received for this API call.`),
  defaultChecksum: false,
  conditionalWrites: false,
};

// Ceph RGW 16.2 (Pacific), checked against the RGW in CI (emulator-profile-ceph.test.ts): x-amz-checksum-* ignored,
// even malformed; STREAMING-UNSIGNED-PAYLOAD-TRAILER answered 400 XAmzContentSHA256Mismatch; If-None-Match works.
const CEPH: StoreProfile = {
  ...AWS,
  name: "ceph",
  awsChunkedRefusal: () =>
    new S3Error(
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    ),
  additionalChecksums: "ignored",
  defaultChecksum: false,
};

// MinIO: S3's checksums and conditional writes; ListMultipartUploads with a prefix lists only the uploads of exactly
// that key, without one all of them (minio/minio#11686, #20989).
const MINIO: StoreProfile = { ...AWS, name: "minio", listUploadsPrefix: "exact-key" };

const BY_NAME: Record<ProfileName, StoreProfile> = {
  aws: AWS,
  oss: OSS,
  r2: R2,
  gcs: GCS,
  b2: B2,
  ceph: CEPH,
  minio: MINIO,
};

/** The profile's rules; throws naming the profiles that exist when `name` is not one of them. */
export function storeProfile(name: string): StoreProfile {
  const profile = BY_NAME[name as ProfileName];
  if (!profile) throw new Error(`emulator profile "${name}" is unknown; use one of ${PROFILES.join(", ")}`);
  return profile;
}
