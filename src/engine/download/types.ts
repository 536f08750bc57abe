// The download mode's public contract: front ends build DownloadOptions and read the results; nothing else crosses.
import type {
  ChecksumAlgorithm,
  ChecksumType,
  EngineTuning,
  FailureDetail,
  S3Settings,
  VerificationMethod,
} from "../types.js";

export interface RemoteFile {
  key: string;
  /** Absolute destination path. */
  path: string;
  /** Download exactly this version (else the current one, pinned by its first HEAD). */
  versionId?: string;
  /** What an upload manifest recorded for this key: the stored object must still be that one. */
  expected?: ExpectedObject;
}

/** One file of an upload manifest (expected-manifest), as the upload stored it. */
export interface ExpectedObject {
  size: number;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  /** The stored checksum the upload recorded (base64, -N for COMPOSITE); null when it recorded none. */
  checksum: string | null;
  etag?: string;
  sha256?: string;
}

export interface DownloadOptions {
  bucket: string;
  s3: S3Settings;
  concurrency: number;
  /** Range size: each GET fetches at most this many bytes (part-aligned proofs use the object's parts). */
  partSize: number;
  overwrite: boolean;
  /** Prove every file against the store's checksum or ETag; false downloads without proof ("none"). */
  verify: boolean;
  /** A file that cannot be proven fails (and is not written) instead of being reported unverified. */
  requireChecksums: boolean;
  dryRun: boolean;
  /** Compute each file's SHA-256 (hex) from the bytes written, or read from an identical local file. */
  sha256?: boolean;
  /** "keep": a failed download leaves its temp file beside the destination (never the destination itself). */
  onFailure: "abort" | "keep";
  signal?: AbortSignal;
  onEvent?: (event: DownloadEvent) => void;
  /** Timeouts and retry pacing; defaults suit real stores, tests shorten them. */
  tuning?: EngineTuning;
}

export interface DownloadResult {
  key: string;
  path: string;
  size: number;
  etag: string;
  versionId?: string;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  /** As S3 shows it: base64 (with -N for COMPOSITE), or the ETag for "etag-md5". */
  checksumRemote: string | null;
  checksumLocal: string | null;
  /** Hex SHA-256 of the file's bytes as written (sha256 on); null otherwise. */
  sha256: string | null;
  verification: VerificationMethod;
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
  /**
   * Temp files that downloads stopped without on-failure keep (e.g. SIGKILLed) left beside this run's
   * destinations, removed by this run (stale-temps.ts).
   */
  staleTempFilesRemoved: string[];
}

export type DownloadEvent =
  | { type: "file-start"; file: RemoteFile; size: number; ranges: number }
  | { type: "progress"; file: RemoteFile; bytesDone: number; size: number }
  | { type: "retry"; file: RemoteFile; operation: string; attempt: number; reason: string }
  | { type: "file-done"; result: DownloadResult }
  | { type: "warning"; file?: RemoteFile; message: string };

export interface ListOptions {
  bucket: string;
  s3: S3Settings;
  /** Key prefix; "" lists the whole bucket. */
  prefix: string;
  signal?: AbortSignal;
  tuning?: EngineTuning;
}

export interface RemoteObject {
  key: string;
  size: number;
}
