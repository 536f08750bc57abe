// The one list of settings: action.yml, the CLI flags, the S3VU_* variables, --help and the README tables
// all follow it (test/unit/frontend-docs.test.ts fails when action.yml or the README drift from it).

export interface InputSpec {
  name: string;
  description: string;
  /** As action.yml writes it; "" means unset. */
  default: string;
  required?: boolean;
  /** true: a CLI flag that may stand alone (`--dry-run`) meaning "true". */
  boolean?: boolean;
  /** true: several lines; the CLI flag may repeat. */
  multiline?: boolean;
}

export const INPUTS: readonly InputSpec[] = [
  { name: "bucket", description: "Name of the S3 bucket to upload to.", default: "", required: true },
  {
    name: "path",
    description:
      'Files to upload: newline-separated glob patterns relative to the working directory; a leading "!" excludes. Download mode: globs over keys relative to "prefix"; empty takes every key under it.',
    default: "",
    required: true,
    multiline: true,
  },
  {
    name: "prefix",
    description:
      'Key prefix put before every key; a "/" is added between prefix and path unless it ends in one.',
    default: "",
  },
  {
    name: "base-dir",
    description:
      "Directory the keys are relative to: base-dir/a/b.txt becomes key prefix/a/b.txt (and, in download mode, key prefix/a/b.txt is written to base-dir/a/b.txt).",
    default: ".",
  },
  {
    name: "part-size",
    description:
      "Size of each multipart part, 5MiB to 5GiB (bytes, or with a unit: KB, MB, GB, KiB, MiB, GiB); raised automatically so a file needs at most 10,000 parts.",
    default: "16MiB",
  },
  {
    name: "concurrency",
    description:
      "How many parts are in flight at once (1 to 64). Files up to 256 KiB sent as one PutObject also have their own slots: 4 per unit of concurrency, at most 64.",
    default: "4",
  },
  {
    name: "checksum-algorithm",
    description:
      "Checksum sent with every part and verified: CRC64NVME, CRC32, CRC32C, SHA1, SHA256 or none.",
    default: "CRC64NVME",
  },
  {
    name: "checksum-type",
    description:
      "FULL_OBJECT or COMPOSITE; empty picks the algorithm's default (FULL_OBJECT for CRCs, COMPOSITE for SHA1/SHA256).",
    default: "",
  },
  {
    name: "content-md5",
    description: "Also send Content-MD5 with every part and single upload (true/false).",
    default: "false",
    boolean: true,
  },
  {
    name: "multipart-threshold",
    description:
      "Files smaller than this go up in one PutObject, larger ones as multipart uploads (at most 5GiB); empty means the part size.",
    default: "",
  },
  {
    name: "region",
    description: "AWS region; empty uses the SDK default chain (AWS_REGION, profile).",
    default: "",
  },
  {
    name: "profile",
    description:
      "AWS profile (from ~/.aws/config and credentials) for credentials, region and ca_bundle; empty uses AWS_PROFILE or default.",
    default: "",
  },
  {
    name: "role-to-assume",
    description:
      "ARN of an IAM role to assume with an OIDC token (GitHub Actions: needs permissions id-token: write; elsewhere set web-identity-token-file); assumed again with a new token before each session ends, so runs of any length keep going. Empty uses the SDK default chain.",
    default: "",
  },
  {
    name: "role-session-name",
    description:
      "Session name for role-to-assume (2 to 64 letters, digits and +=,.@-), as CloudTrail shows it.",
    default: "s3-verified-upload",
  },
  {
    name: "role-duration-seconds",
    description:
      "Session length asked for role-to-assume, 900 to 43200 seconds (at most the role's maximum session duration); sessions are renewed before they end whatever their length.",
    default: "3600",
  },
  {
    name: "web-identity-token-file",
    description:
      "File holding the OIDC token for role-to-assume (GitLab: an id_tokens variable written to a file), read again at each renewal; empty in GitHub Actions asks for the job's token (audience sts.amazonaws.com).",
    default: "",
  },
  {
    name: "broker-url",
    description:
      "Base URL of a presigned-part broker (s3-verified-upload broker): upload through it with an OIDC token instead of S3 credentials, every part signed with its checksum; https unless on loopback. Upload mode only; empty uploads with S3 credentials.",
    default: "",
  },
  {
    name: "broker-audience",
    description:
      "Audience of the GitHub OIDC token sent to broker-url (the one its issuers entry expects; needs permissions id-token: write). Elsewhere the token comes from web-identity-token-file.",
    default: "",
  },
  {
    name: "endpoint",
    description: "Endpoint URL of an S3-compatible store, e.g. http://127.0.0.1:9000; empty for Amazon S3.",
    default: "",
  },
  {
    name: "provider",
    description:
      "The store behind endpoint, for its rules and strongest proof: auto (by the endpoint's host: amazonaws.com, aliyuncs.com, r2.cloudflarestorage.com, storage.googleapis.com, backblazeb2.com; others are generic), aws, oss, r2, gcs, b2, ceph, minio or generic.",
    default: "auto",
  },
  {
    name: "force-path-style",
    description: "Address the bucket as endpoint/bucket/key instead of bucket.endpoint/key (true/false).",
    default: "false",
    boolean: true,
  },
  {
    name: "overwrite",
    description:
      "Replace objects that already exist with different content; false skips identical objects and fails on different ones.",
    default: "false",
    boolean: true,
  },
  {
    name: "if-no-files-found",
    description: "What to do when the patterns match no file: error, warn or ignore.",
    default: "error",
  },
  {
    name: "include-hidden-files",
    description: 'Also upload files and directories whose names start with "." (true/false).',
    default: "false",
    boolean: true,
  },
  {
    name: "content-type",
    description: "Content-Type for every object; empty guesses it from each file's extension.",
    default: "",
  },
  {
    name: "content-encoding",
    description:
      "Content-Encoding for every object, e.g. gzip; empty sends none (a .gz file is stored as application/gzip and downloads as is).",
    default: "",
  },
  { name: "cache-control", description: "Cache-Control header for every object.", default: "" },
  {
    name: "headers",
    description:
      'Per-file headers, one "pattern | Header: value" per line (a glob relative to base-dir), e.g. **/*.js.gz | Content-Encoding: gzip; later lines win.',
    default: "",
    multiline: true,
  },
  {
    name: "metadata",
    description: "User metadata, one key=value per line (stored as x-amz-meta-key).",
    default: "",
    multiline: true,
  },
  {
    name: "tags",
    description: "Object tags, one key=value per line (at most 10).",
    default: "",
    multiline: true,
  },
  {
    name: "storage-class",
    description:
      "Storage class, e.g. STANDARD, STANDARD_IA, INTELLIGENT_TIERING; empty uses the bucket's default.",
    default: "",
  },
  {
    name: "sse",
    description: "Server-side encryption: AES256, aws:kms or aws:kms:dsse; empty uses the bucket's default.",
    default: "",
  },
  {
    name: "sse-kms-key-id",
    description: "KMS key id or ARN for sse aws:kms / aws:kms:dsse; empty uses the AWS managed key.",
    default: "",
  },
  {
    name: "verify",
    description:
      "Check the completed object (HeadObject: size, checksum, ETag) against the local file; parts are always checked with ListParts (true/false).",
    default: "true",
    boolean: true,
  },
  {
    name: "require-checksums",
    description:
      "Fail instead of falling back to ETag/MD5 verification when the store keeps no checksums (true/false).",
    default: "false",
    boolean: true,
  },
  {
    name: "sha256",
    description:
      "Compute each file's SHA-256 (hex, as sha256sum prints it) from the bytes read for the upload (in download mode, from the bytes written), for the results, the manifest and the checksums-file output (true/false).",
    default: "false",
    boolean: true,
  },
  {
    name: "on-failure",
    description:
      "What to do with a failed multipart upload or download: abort (delete its parts or temp file) or keep (a rerun resumes it).",
    default: "abort",
  },
  {
    name: "dry-run",
    description:
      "Ask the store what each file would do: upload, unchanged (proven identical) or refused (and why); writes nothing (true/false).",
    default: "false",
    boolean: true,
  },
  {
    name: "mode",
    description:
      'upload; download: fetch the objects under "prefix" into "base-dir", each verified against its stored checksum or ETag; or cleanup: abort in-progress multipart uploads under "prefix" older than "older-than" ("path" is not used).',
    default: "upload",
  },
  {
    name: "older-than",
    description:
      "Cleanup mode: only uploads initiated at least this long ago are aborted, e.g. 7d, 12h, 30m.",
    default: "7d",
  },
  {
    name: "lifecycle-abort-days",
    description:
      'Cleanup mode: also add a bucket lifecycle rule aborting incomplete uploads under "prefix" after this many days, keeping other rules; empty adds none.',
    default: "",
  },
  {
    name: "version-id",
    description:
      'Download mode: fetch this version of the one key "path" names (no wildcards); empty fetches the current version.',
    default: "",
  },
  {
    name: "expected-manifest",
    description:
      "Download mode: path of a manifest written by an upload of this tool; every downloaded file must have the size and checksum it records, or it fails and is not kept.",
    default: "",
  },
];

export const ENV_PREFIX = "S3VU_";

/** "base-dir" → "S3VU_BASE_DIR". */
export function envName(input: string): string {
  return ENV_PREFIX + input.toUpperCase().replaceAll("-", "_");
}
