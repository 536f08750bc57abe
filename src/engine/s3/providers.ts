// What each store can prove and what it refuses, in one table: the engine reads a row, never a store's name.
import type { ChecksumAlgorithm, ChecksumType } from "../types.js";

export const PROVIDERS = ["aws", "oss", "r2", "gcs", "b2", "ceph", "minio", "generic"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface ChecksumPair {
  algorithm: ChecksumAlgorithm;
  type: ChecksumType;
}

export interface ProviderProfile {
  name: ProviderName;
  /** As README and messages name the store. */
  label: string;
  /** "virtual-host" only: path-style is refused by the store (OSS: SecondLevelDomainForbidden). */
  addressing: "virtual-host" | "path" | "either";
  minPartSize: number;
  maxPartSize: number;
  maxParts: number;
  /** Every part but the last must have the same size (R2). */
  equalParts: boolean;
  /** The x-amz-checksum algorithm/type pairs the store checks and keeps; empty: it has none. */
  checksums: readonly ChecksumPair[];
  /** A store checksum of its own, in its own header, on writes and reads (OSS: x-oss-hash-crc64ecma). */
  nativeChecksum: "crc64ecma" | null;
  /** Whether Content-MD5 goes on every write, or only where no checksum proves the body. */
  contentMd5: "always" | "when-unproven";
  /** Streaming aws-chunked bodies (trailing checksums) are accepted. */
  awsChunked: boolean;
  /** How a write refuses to replace an existing key; null: the store has no such write. */
  conditionalCreate: "if-none-match" | "x-oss-forbid-overwrite" | null;
  listMultipartUploads: boolean;
  /** What proves an object on this store, strongest first, as README's provider table says it. */
  proof: string;
}
