import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { resolveLimits } from "../../src/engine/index.js";

const VALID = { bucket: "my-bucket", path: "dist/**" };
// S3's own limits, whatever this Node.js's Buffer holds; config-part-limits.test.ts covers the narrowed ones.
const S3_LIMITS = resolveLimits(undefined, Number.MAX_SAFE_INTEGER);

function errorsFor(inputs: Record<string, string>): string[] {
  const result = parseConfig((name) => ({ ...VALID, ...inputs })[name], S3_LIMITS);
  return result.ok ? [] : result.errors;
}

// Each row: the inputs that differ from a valid config, and the one exact message expected.
const CASES: [string, Record<string, string>, string][] = [
  ["missing bucket", { bucket: "" }, 'Input "bucket" is required: the name of the S3 bucket to upload to.'],
  [
    "bucket as s3 URL",
    { bucket: "s3://b/x" },
    'Input "bucket": "s3://b/x" is a URL; give only the bucket name, and the key part in "prefix".',
  ],
  [
    "bucket with a slash",
    { bucket: "b/releases" },
    'Input "bucket": "b/releases" contains "/"; give only the bucket name, and the key part in "prefix".',
  ],
  [
    "bucket too short",
    { bucket: "ab" },
    'Input "bucket": "ab" is not a bucket name; use 3 to 63 lower-case letters, digits, "." and "-".',
  ],
  [
    "bucket with a space",
    { bucket: "my bucket" },
    'Input "bucket": "my bucket" is not a bucket name; use 3 to 63 lower-case letters, digits, "." and "-".',
  ],
  [
    "missing path",
    { path: "  \n " },
    'Input "path" is required: newline-separated glob patterns of the files to upload, e.g. dist/**.',
  ],
  [
    "only excludes",
    { path: "!dist/*.map\n!tmp/**" },
    'Input "path": every pattern excludes ("!…"); add at least one pattern that matches files.',
  ],
  [
    "prefix with leading slash",
    { prefix: "/releases" },
    'Input "prefix": "/releases" starts with "/"; S3 keys do not, so write it without the leading "/".',
  ],
  [
    "prefix with ..",
    { prefix: "a/../b" },
    'Input "prefix": "a/../b" has a "." or ".." segment, which S3 keeps literally; write the prefix without it.',
  ],
  [
    "part-size not a size",
    { "part-size": "big" },
    'Input "part-size": "big" is not a size; use a whole number of bytes or a number with a unit, e.g. 16MiB, 64MB, 16777216.',
  ],
  [
    "part-size below 5 MiB",
    { "part-size": "4MiB" },
    'Input "part-size": "4MiB" is outside S3\'s part size range; use 5MiB to 5GiB (5242880 to 5368709120 bytes).',
  ],
  [
    "part-size above 5 GiB",
    { "part-size": "6GiB" },
    'Input "part-size": "6GiB" is outside S3\'s part size range; use 5MiB to 5GiB (5242880 to 5368709120 bytes).',
  ],
  ["concurrency zero", { concurrency: "0" }, 'Input "concurrency": "0" is not a whole number from 1 to 64.'],
  [
    "concurrency fraction",
    { concurrency: "2.5" },
    'Input "concurrency": "2.5" is not a whole number from 1 to 64.',
  ],
  [
    "concurrency too high",
    { concurrency: "65" },
    'Input "concurrency": "65" is not a whole number from 1 to 64.',
  ],
  [
    "unknown checksum algorithm",
    { "checksum-algorithm": "MD5" },
    'Input "checksum-algorithm": "MD5" is not supported; use one of CRC64NVME, CRC32, CRC32C, SHA1, SHA256, none.',
  ],
  [
    "unknown checksum type",
    { "checksum-type": "PARTIAL" },
    'Input "checksum-type": "PARTIAL" is not supported; use one of FULL_OBJECT, COMPOSITE.',
  ],
  [
    "CRC64NVME composite",
    { "checksum-type": "COMPOSITE" },
    'Input "checksum-type": CRC64NVME supports only FULL_OBJECT; use FULL_OBJECT, or CRC32/CRC32C for COMPOSITE.',
  ],
  [
    "SHA256 full object",
    { "checksum-algorithm": "SHA256", "checksum-type": "FULL_OBJECT" },
    'Input "checksum-type": SHA256 supports only COMPOSITE; use COMPOSITE, or CRC64NVME/CRC32/CRC32C for FULL_OBJECT.',
  ],
  [
    "checksum type without algorithm",
    { "checksum-algorithm": "none", "checksum-type": "COMPOSITE" },
    'Input "checksum-type" is set but "checksum-algorithm" is none; remove one of them.',
  ],
  [
    "content-md5 not boolean",
    { "content-md5": "yes" },
    'Input "content-md5": "yes" is not a boolean; use true or false.',
  ],
  [
    "multipart-threshold not a size",
    { "multipart-threshold": "-1" },
    'Input "multipart-threshold": "-1" is not a size; use a whole number of bytes or a number with a unit, e.g. 16MiB, 64MB, 16777216.',
  ],
  [
    "multipart-threshold above PutObject limit",
    { "multipart-threshold": "6GiB" },
    'Input "multipart-threshold": "6GiB" is above 5GiB, the largest single PutObject; use at most 5GiB.',
  ],
  [
    "bad region",
    { region: "us east 1" },
    'Input "region": "us east 1" is not a region name; use e.g. us-east-1.',
  ],
  [
    "endpoint without scheme",
    { endpoint: "localhost:9000" },
    'Input "endpoint": "localhost:9000" is not an http(s) URL; use e.g. https://s3.example.com or http://127.0.0.1:9000.',
  ],
  [
    "endpoint not a URL",
    { endpoint: "not a url" },
    'Input "endpoint": "not a url" is not an http(s) URL; use e.g. https://s3.example.com or http://127.0.0.1:9000.',
  ],
  [
    "endpoint with credentials",
    { endpoint: "https://AKIA:s3cr3t@s3.example.com" },
    'Input "endpoint": the URL contains credentials; remove them and use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.',
  ],
  [
    "endpoint with bucket path",
    { endpoint: "https://s3.example.com/my-bucket" },
    'Input "endpoint": "https://s3.example.com/my-bucket" has a path or query; give only scheme, host and port, and the bucket in "bucket".',
  ],
  [
    "force-path-style not boolean",
    { "force-path-style": "1" },
    'Input "force-path-style": "1" is not a boolean; use true or false.',
  ],
  [
    "overwrite not boolean",
    { overwrite: "always" },
    'Input "overwrite": "always" is not a boolean; use true or false.',
  ],
  [
    "if-no-files-found unknown",
    { "if-no-files-found": "fail" },
    'Input "if-no-files-found": "fail" is not supported; use one of error, warn, ignore.',
  ],
  [
    "include-hidden-files not boolean",
    { "include-hidden-files": "on" },
    'Input "include-hidden-files": "on" is not a boolean; use true or false.',
  ],
  [
    "content-type without subtype",
    { "content-type": "zip" },
    'Input "content-type": "zip" is not a media type; use type/subtype, e.g. application/zip, or leave it empty to guess from the extension.',
  ],
  [
    "metadata line without =",
    { metadata: "a=1\nbuild" },
    'Input "metadata": line 2 "build" is not key=value; write one key=value per line.',
  ],
  [
    "metadata line with empty key",
    { metadata: "=1" },
    'Input "metadata": line 1 "=1" is not key=value; write one key=value per line.',
  ],
  [
    "metadata key with space",
    { metadata: "my key=1" },
    'Input "metadata": key "my key" may only contain letters, digits, "-", "_" and ".".',
  ],
  [
    "metadata duplicate key",
    { metadata: "Build=1\nbuild=2" },
    'Input "metadata": key "build" appears more than once (keys are case-insensitive).',
  ],
  [
    "metadata non-ASCII value",
    { metadata: "author=Zoë" },
    'Input "metadata": the value of "author" has non-ASCII or control characters; S3 stores metadata as HTTP headers, so encode it (e.g. URL-encode).',
  ],
  [
    "too many tags",
    { tags: Array.from({ length: 11 }, (_, i) => `t${i}=v`).join("\n") },
    'Input "tags": 11 entries given; S3 allows at most 10.',
  ],
  [
    "tag key too long",
    { tags: `${"k".repeat(129)}=v` },
    `Input "tags": key "${"k".repeat(20)}…" is longer than 128 characters.`,
  ],
  [
    "tag value too long",
    { tags: `team=${"v".repeat(257)}` },
    'Input "tags": the value of "team" is longer than 256 characters.',
  ],
  [
    "storage class lower case",
    { "storage-class": "standard_ia" },
    'Input "storage-class": "standard_ia" is not a storage class name; use upper case, e.g. STANDARD, STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR.',
  ],
  [
    "unknown sse",
    { sse: "kms" },
    'Input "sse": "kms" is not supported; use one of AES256, aws:kms, aws:kms:dsse.',
  ],
  [
    "kms key without kms sse",
    { sse: "AES256", "sse-kms-key-id": "alias/builds" },
    'Input "sse-kms-key-id" needs "sse" set to aws:kms or aws:kms:dsse.',
  ],
  ["verify not boolean", { verify: "maybe" }, 'Input "verify": "maybe" is not a boolean; use true or false.'],
  [
    "require-checksums without algorithm",
    { "checksum-algorithm": "none", "require-checksums": "true" },
    'Input "require-checksums" is true but "checksum-algorithm" is none; choose an algorithm.',
  ],
  [
    "on-failure unknown",
    { "on-failure": "retry" },
    'Input "on-failure": "retry" is not supported; use one of abort, keep.',
  ],
  ["dry-run not boolean", { "dry-run": "y" }, 'Input "dry-run": "y" is not a boolean; use true or false.'],
];

describe("parseConfig rejects bad settings with one exact message each", () => {
  it("has at least 30 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)("%s", (_label, inputs, message) => {
    expect(errorsFor(inputs)).toEqual([message]);
  });

  it("reports every bad input at once, in input order", () => {
    expect(errorsFor({ bucket: "", concurrency: "x", "dry-run": "nope" })).toEqual([
      'Input "bucket" is required: the name of the S3 bucket to upload to.',
      'Input "concurrency": "x" is not a whole number from 1 to 64.',
      'Input "dry-run": "nope" is not a boolean; use true or false.',
    ]);
  });

  it("never echoes credentials embedded in an endpoint", () => {
    expect(errorsFor({ endpoint: "https://user:hunter2@s3.example.com" }).join("\n")).not.toContain(
      "hunter2",
    );
  });
});
