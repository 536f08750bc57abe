// How the emulator differs per store it stands in for (`--profile`), on the points the engine's provider table
// (src/engine/s3/providers.ts) names; "aws" is the S3 behaviour documented in README.md. Each value says where it
// comes from, so a test that passes here claims no more than the store's documentation does.

export const PROFILES = ["aws", "oss", "r2", "gcs", "b2", "ceph", "minio"] as const;
export type ProfileName = (typeof PROFILES)[number];

export interface StoreProfile {
  name: ProfileName;
  /**
   * Path-style requests (/bucket/key on the service host) are refused with 403 SecondLevelDomainForbidden: OSS
   * ("Please use virtual hosted style to access.", seen by every S3 client pointed at OSS path-style, e.g.
   * notea-org/notea#182, peak/s5cmd#518).
   */
  virtualHostOnly: boolean;
  /** EntityTooSmall threshold at Complete when the instance sets none. OSS: 100 KB (its UploadPart docs). */
  minPartSize: number;
  /**
   * aws-chunked bodies (STREAMING-* payload hashes): accepted as S3 does, or refused with 400 InvalidArgument
   * "aws-chunked encoding is not supported with the specified x-amz-content-sha256 value." as OSS answers the
   * SDKs' default streaming uploads (pig-mesh/oss-spring-boot-starter#21, zenml-io/zenml#4286).
   */
  awsChunked: boolean;
  /**
   * x-amz-checksum-* (headers, Create's algorithm, Complete's part checksums, checksum mode): "checked" and kept as
   * S3 does, or "ignored" — neither checked nor kept nor echoed, as by a store without additional checksums.
   */
  additionalChecksums: "checked" | "ignored";
  /** S3 gives every new object without a checksum a full-object CRC64NVME; other stores do not. */
  defaultChecksum: boolean;
  /**
   * OSS's own CRC-64/XZ ("crc64ecma") of every part and object, as a decimal uint64 in x-oss-hash-crc64ecma on
   * UploadPart, PutObject, Complete (when every part has one), GetObject and HeadObject, and as HashCrc64ecma in
   * ListParts (OSS SDK v2 ListParts results carry it).
   */
  crc64ecma: boolean;
  /** The code of a Content-MD5 that does not match the body: S3's BadDigest, OSS's InvalidDigest (error 0017-00000503). */
  md5MismatchCode: "BadDigest" | "InvalidDigest";
  /** OSS writes ETags as upper-case hex ("3349DC70…" in its CompleteMultipartUpload examples). */
  upperCaseEtags: boolean;
  /**
   * `x-oss-forbid-overwrite: true` on PutObject, InitiateMultipartUpload and CompleteMultipartUpload refuses an
   * existing key with 409 FileAlreadyExists (OSS errors 0026-00000002, 0042-00000214); not on versioned buckets.
   */
  forbidOverwriteHeader: boolean;
  /**
   * If-None-Match / If-Match on writes: S3's conditional writes, or 501 where the store's conditional create is
   * another header (OSS: x-oss-forbid-overwrite) and its answer to these is not documented.
   */
  conditionalWrites: boolean;
}

const MIB = 1024 * 1024;

const AWS: StoreProfile = {
  name: "aws",
  virtualHostOnly: false,
  minPartSize: 5 * MIB,
  awsChunked: true,
  additionalChecksums: "checked",
  defaultChecksum: true,
  crc64ecma: false,
  md5MismatchCode: "BadDigest",
  upperCaseEtags: false,
  forbidOverwriteHeader: false,
  conditionalWrites: true,
};

const OSS: StoreProfile = {
  name: "oss",
  virtualHostOnly: true,
  minPartSize: 100 * 1024,
  awsChunked: false,
  additionalChecksums: "ignored",
  defaultChecksum: false,
  crc64ecma: true,
  md5MismatchCode: "InvalidDigest",
  upperCaseEtags: true,
  forbidOverwriteHeader: true,
  conditionalWrites: false,
};

const BY_NAME: Partial<Record<ProfileName, StoreProfile>> = { aws: AWS, oss: OSS };

/** The profile's rules; throws naming the profiles that exist when `name` is not one of them. */
export function storeProfile(name: string): StoreProfile {
  const profile = BY_NAME[name as ProfileName];
  if (!profile) {
    throw new Error(
      `emulator profile "${name}" is unknown or not built yet; use one of ${Object.keys(BY_NAME).join(", ")}`,
    );
  }
  return profile;
}
