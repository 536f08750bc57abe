// The engine's public contract: front ends build EngineOptions and read RunResult; nothing else crosses.
import type { NetworkSettings } from "./s3/network.js";
import type { ProviderName } from "./s3/providers.js";

export type { NetworkSettings, ProxySettings } from "./s3/network.js";

export type ChecksumAlgorithm = "CRC64NVME" | "CRC32" | "CRC32C" | "SHA1" | "SHA256";
export type ChecksumType = "FULL_OBJECT" | "COMPOSITE";

/** S3's documented multipart limits; tests may lower minPartSize against the emulator. */
export interface S3Limits {
  minPartSize: number;
  maxPartSize: number;
  maxParts: number;
  maxObjectSize: number;
}

export interface S3Settings {
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** The store's row in s3/providers.ts; unset: the one the endpoint's host names (detectProvider). */
  provider?: ProviderName;
  /** Only tests pass these; real runs use the AWS SDK default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The shared-config profile for credentials and region (AWS_PROFILE when unset). */
  profile?: string;
  /** Assume this role with an OIDC token, and again with a new token before the session ends. */
  assumeRole?: WebIdentityRole;
  /** Proxy and extra CA, read from the environment by the front end. */
  network?: NetworkSettings;
}

/** A role assumed with AssumeRoleWithWebIdentity (GitHub Actions' or GitLab's OIDC token). */
export interface WebIdentityRole {
  roleArn: string;
  sessionName: string;
  /** Asked of STS; the session's real end is the Expiration STS answers. */
  durationSeconds: number;
  /** STS's URL (AWS's regional endpoint, or AWS_ENDPOINT_URL_STS). */
  stsEndpoint: string;
  /** A fresh token on each call: the run asks for one whenever it assumes the role again. Never logged. */
  webIdentityToken: () => Promise<string>;
}

/** A presigned-part broker (src/broker/): the run holds no S3 credentials, only OIDC tokens for the broker. */
export interface BrokerSettings {
  /** The broker's base URL (it serves /s3/multipart). */
  url: string;
  /** A token for each call (cached by the engine while it has life left). Never logged. */
  token: () => Promise<string>;
}

/** Headers an object is served with; an undefined one is not sent (Content-Type is then guessed). */
export interface ServedHeaders {
  contentType?: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
}

/** Settings for every object; the served headers are defaults under each file's own (LocalFile.headers). */
export interface ObjectSettings extends ServedHeaders {
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  storageClass?: string;
  sse?: "AES256" | "aws:kms" | "aws:kms:dsse";
  sseKmsKeyId?: string;
}

export interface LocalFile {
  /** Absolute path on disk. */
  path: string;
  /** Full object key, prefix included. */
  key: string;
  /** This file's own headers (the front end's header rules), over those of ObjectSettings. */
  headers?: ServedHeaders;
}

export interface EngineOptions {
  bucket: string;
  s3: S3Settings;
  partSize: number;
  concurrency: number;
  /** null: no additional checksum (ETag/Content-MD5 only). */
  checksumAlgorithm: ChecksumAlgorithm | null;
  /** Defaults per algorithm: FULL_OBJECT for CRCs, COMPOSITE for SHA1/SHA256. */
  checksumType?: ChecksumType;
  contentMd5: boolean;
  /** Files smaller than this go up with one PutObject. */
  multipartThreshold: number;
  overwrite: boolean;
  verify: boolean;
  onFailure: "abort" | "keep";
  dryRun: boolean;
  /** Fail instead of falling back to ETag/MD5 verification when the store keeps no checksums. */
  requireChecksums?: boolean;
  /** Compute each file's hex SHA-256 from the upload's own reads (default false: about 0.8 CPU s per GiB). */
  sha256?: boolean;
  object: ObjectSettings;
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  limits?: Partial<S3Limits>;
  /** Timeouts and retry pacing; defaults suit real stores, tests shorten them. */
  tuning?: EngineTuning;
  /** Upload through this broker's presigned part URLs instead of with S3 credentials (engine/broker/). */
  broker?: BrokerSettings;
}

export interface EngineTuning {
  /** A request whose connection sees no traffic this long is cut and retried (default 60 s). */
  stallTimeoutMs?: number;
  /** Attempts per S3 call, first included (default 6). */
  maxAttempts?: number;
  /** Backoff base; the n-th retry waits a random time up to base·2^(n-1), capped at 20 s (default 200 ms). */
  retryBaseDelayMs?: number;
  /**
   * Resume leaves alone an upload written to (part stored, or initiated) less than this long ago: another
   * job may still be running it (default: the stall timeout plus one part's time at 1 MiB/s).
   */
  resumeQuietMs?: number;
}

export type EngineEvent =
  | { type: "file-start"; file: LocalFile; size: number; parts: number; partSize: number }
  | { type: "progress"; file: LocalFile; bytesDone: number; size: number }
  | { type: "retry"; file: LocalFile; operation: string; attempt: number; reason: string }
  | { type: "file-done"; result: FileResult }
  | { type: "warning"; file?: LocalFile; message: string };

/** How the object was proven; size alone never is ("none" when it was not proven). */
export type VerificationMethod = "checksum" | "etag-md5" | "none";

export interface FailureDetail {
  step: string;
  code: string | null;
  detail: string;
  hint: string;
}

export interface FileResult {
  path: string;
  key: string;
  bucket: string;
  size: number;
  partSize: number;
  parts: number;
  multipart: boolean;
  etag: string;
  versionId?: string;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  /** base64 (with -N suffix for COMPOSITE), as S3 shows it. */
  checksumLocal: string | null;
  checksumRemote: string | null;
  /**
   * Hex SHA-256 of the whole file, from the bytes read for this upload (or for the unchanged check), each part
   * checked against the digest it is proven with; null when off or when the file was not read to the end.
   */
  sha256: string | null;
  verification: VerificationMethod;
  verified: boolean;
  /** Human-readable notes, e.g. why verification fell back to ETag/MD5. */
  notes: string[];
  /**
   * "dry-run": a dry run found the file would be uploaded; "refused": a dry run found the real run would refuse
   * it (error says why: overwrite policy, size limits). "unchanged" is proven the same way in both.
   */
  status: "uploaded" | "unchanged" | "dry-run" | "refused" | "failed";
  error?: string;
  /** With error: the failed step, the store's or network's error code (null when the message is the cause), what went wrong and the fix. */
  failure?: FailureDetail;
  durationMs: number;
  bytesPerSecond: number;
}

export interface RunResult {
  files: FileResult[];
  ok: boolean;
}

/** Cleanup mode: abort stale in-progress multipart uploads under a prefix, optionally install a lifecycle rule. */
export interface CleanupOptions {
  bucket: string;
  s3: S3Settings;
  /** Key prefix; "" means the whole bucket. */
  prefix: string;
  /** Only uploads initiated at least this long ago are aborted. */
  olderThanMs: number;
  dryRun: boolean;
  /** Install (or update) a rule aborting incomplete uploads under the prefix this many days after initiation. */
  lifecycleDays?: number;
  signal?: AbortSignal;
  tuning?: EngineTuning;
  /** Tests pin the clock; real runs use now. */
  now?: Date;
}

export interface CleanupUpload {
  key: string;
  uploadId: string;
  /** ISO time, or null when the store did not say. */
  initiated: string | null;
  action: "aborted" | "would-abort" | "too-young" | "failed";
  error?: string;
}

export interface CleanupResult {
  uploads: CleanupUpload[];
  lifecycle?: {
    ruleId: string;
    days: number;
    action: "added" | "updated" | "unchanged" | "would-add" | "would-update";
    /** Rules of other owners left in place. */
    otherRules: number;
  };
  ok: boolean;
}
