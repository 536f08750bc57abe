// PLACEHOLDER: replaced by the engine lane at merge
// The download engine's contract (team brief, issue #10), so the front end compiles before the engine exists.
import type { ChecksumAlgorithm, ChecksumType, FailureDetail, S3Settings } from "../types.js";

/** What the upload recorded for an object (an expected-manifest entry); the download must match it. */
export interface ExpectedObject {
  size: number;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  /** base64, "-N" suffix when COMPOSITE, as S3 shows it; null when the upload stored no checksum. */
  checksum: string | null;
  /** The ETag the upload recorded; proves the bytes by MD5 when the store keeps no checksum. */
  etag?: string;
  /** Hex SHA-256 of the whole file, when the upload computed it (input sha256). */
  sha256?: string;
}

export interface RemoteFile {
  key: string;
  /** Absolute destination path. */
  path: string;
  versionId?: string;
  /** From expected-manifest: a download that does not match it fails and leaves no file. */
  expected?: ExpectedObject;
}

export type DownloadEvent =
  | { type: "file-start"; file: RemoteFile; size: number; parts: number; partSize: number }
  | { type: "progress"; file: RemoteFile; bytesDone: number; size: number }
  | { type: "retry"; file: RemoteFile; operation: string; attempt: number; reason: string }
  | { type: "file-done"; result: DownloadResult }
  | { type: "warning"; file?: RemoteFile; message: string };

export interface DownloadOptions {
  bucket: string;
  s3: S3Settings;
  concurrency: number;
  /** Range size. */
  partSize: number;
  overwrite: boolean;
  verify: boolean;
  requireChecksums: boolean;
  dryRun: boolean;
  onFailure: "abort" | "keep";
  signal?: AbortSignal;
  onEvent?: (event: DownloadEvent) => void;
}

export interface DownloadResult {
  key: string;
  path: string;
  size: number;
  etag: string;
  versionId?: string;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  checksumRemote: string | null;
  checksumLocal: string | null;
  verification: "checksum" | "etag-md5" | "none";
  verified: boolean;
  status: "downloaded" | "unchanged" | "dry-run" | "failed";
  error?: string;
  failure?: FailureDetail;
  notes: string[];
  durationMs: number;
}

export interface DownloadRun {
  ok: boolean;
  files: DownloadResult[];
}

export interface ListOptions {
  bucket: string;
  s3: S3Settings;
  prefix: string;
  signal?: AbortSignal;
}

export interface RemoteObject {
  key: string;
  size: number;
}
