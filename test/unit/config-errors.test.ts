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
    'Input "bucket": "ab" breaks S3\'s bucket naming rules: it has 2 characters, S3 allows 3 to 63. Use the bucket\'s exact name.',
  ],
  [
    "bucket with a space",
    { bucket: "my bucket" },
    'Input "bucket": "my bucket" breaks S3\'s bucket naming rules: it contains " ", S3 allows only lower-case letters, digits, "." and "-". Use the bucket\'s exact name.',
  ],
  [
    "bucket too long for Amazon S3",
    { bucket: "b".repeat(64) },
    `Input "bucket": "${"b".repeat(64)}" breaks S3's bucket naming rules: it has 64 characters, S3 allows 3 to 63 (a bucket created in us-east-1 before March 2018 may have up to 255 characters, upper case and "_": set force-path-style to true to address one). Use the bucket's exact name.`,
  ],
  [
    "bucket with upper case on Amazon S3",
    { bucket: "My-Bucket" },
    'Input "bucket": "My-Bucket" breaks S3\'s bucket naming rules: it contains "M", S3 allows only lower-case letters, digits, "." and "-" (a bucket created in us-east-1 before March 2018 may have up to 255 characters, upper case and "_": set force-path-style to true to address one). Use the bucket\'s exact name.',
  ],
  [
    "bucket with an underscore on Amazon S3",
    { bucket: "my_bucket", endpoint: "https://s3.eu-west-1.amazonaws.com" },
    'Input "bucket": "my_bucket" breaks S3\'s bucket naming rules: it contains "_", S3 allows only lower-case letters, digits, "." and "-" (a bucket created in us-east-1 before March 2018 may have up to 255 characters, upper case and "_": set force-path-style to true to address one). Use the bucket\'s exact name.',
  ],
  [
    "bucket starting with a hyphen",
    { bucket: "-bucket" },
    'Input "bucket": "-bucket" breaks S3\'s bucket naming rules: it starts or ends with "." or "-", S3 requires a letter or digit there. Use the bucket\'s exact name.',
  ],
  [
    "bucket ending with a dot",
    { bucket: "bucket." },
    'Input "bucket": "bucket." breaks S3\'s bucket naming rules: it starts or ends with "." or "-", S3 requires a letter or digit there. Use the bucket\'s exact name.',
  ],
  [
    "bucket with two adjacent dots",
    { bucket: "my..bucket" },
    'Input "bucket": "my..bucket" breaks S3\'s bucket naming rules: it has two adjacent dots "..". Use the bucket\'s exact name.',
  ],
  [
    "bucket formatted as an IP address",
    { bucket: "192.168.5.4" },
    'Input "bucket": "192.168.5.4" breaks S3\'s bucket naming rules: it is formatted as an IP address. Use the bucket\'s exact name.',
  ],
  [
    "bucket with a reserved prefix",
    { bucket: "xn--bucket" },
    'Input "bucket": "xn--bucket" breaks S3\'s bucket naming rules: it starts with "xn--", which S3 reserves. Use the bucket\'s exact name.',
  ],
  [
    "bucket with the sthree- prefix",
    { bucket: "sthree-bucket" },
    'Input "bucket": "sthree-bucket" breaks S3\'s bucket naming rules: it starts with "sthree-", which S3 reserves. Use the bucket\'s exact name.',
  ],
  [
    "bucket with the .mrap suffix",
    { bucket: "global.mrap" },
    'Input "bucket": "global.mrap" breaks S3\'s bucket naming rules: it ends with ".mrap", which S3 reserves (address a Multi-Region Access Point by its ARN). Use the bucket\'s exact name.',
  ],
  [
    "bucket with a character no store accepts",
    { bucket: "my bucket", endpoint: "http://127.0.0.1:9000" },
    'Input "bucket": "my bucket" is not a bucket name: it contains " "; use 3 to 255 letters, digits, ".", "-" and "_" (S3-compatible stores such as Ceph RGW may allow upper case and "_"; Amazon S3 does not).',
  ],
  [
    "bucket too long for any store",
    { bucket: "b".repeat(256), endpoint: "http://127.0.0.1:9000" },
    `Input "bucket": "${"b".repeat(256)}" is not a bucket name: it has 256 characters; use 3 to 255 letters, digits, ".", "-" and "_" (S3-compatible stores such as Ceph RGW may allow upper case and "_"; Amazon S3 does not).`,
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
    'Input "endpoint": "localhost:9000" has no http:// or https:// scheme; add one, e.g. https://localhost:9000 (or http:// for a store without TLS).',
  ],
  [
    "endpoint without scheme, with credentials",
    { endpoint: "user:secret@host:9000" },
    'Input "endpoint": the URL contains credentials; remove them and use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. It also has no http:// or https:// scheme; add one, e.g. https://host:9000.',
  ],
  [
    "endpoint with another scheme",
    { endpoint: "ftp://host" },
    'Input "endpoint": "ftp://host" is not an http(s) URL; use e.g. https://s3.example.com or http://127.0.0.1:9000.',
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

  it.each([
    "https://user:hunter2@s3.example.com",
    "user:hunter2@s3.example.com:9000",
    "user:hunter2@s3.example.com",
    "hunter2@s3.example.com",
    "s3://user:hunter2@s3.example.com",
    "https://user:hunter2@s3.example.com/bucket",
    "https://s3.example.com/?X-Amz-Security-Token=hunter2",
    "https://s3.example.com/path?token=hunter2",
    "https://s3.example.com/#hunter2",
    "user:hunter2@ bad url",
  ])("never echoes credentials embedded in endpoint %s", (endpoint) => {
    const errors = errorsFor({ endpoint });
    expect(errors).toHaveLength(1);
    expect(errors.join("\n")).not.toContain("hunter2");
  });

  it("accepts a legacy bucket name on Amazon S3 with force-path-style, the way to reach one", () => {
    expect(errorsFor({ bucket: "Legacy_Bucket", "force-path-style": "true" })).toEqual([]);
    expect(errorsFor({ bucket: "Legacy_Bucket", "force-path-style": "yes" })).toEqual([
      'Input "bucket": "Legacy_Bucket" breaks S3\'s bucket naming rules: it contains "L", S3 allows only lower-case letters, digits, "." and "-" (a bucket created in us-east-1 before March 2018 may have up to 255 characters, upper case and "_": set force-path-style to true to address one). Use the bucket\'s exact name.',
      'Input "force-path-style": "yes" is not a boolean; use true or false.',
    ]);
    // Rules no bucket ever had still apply, and need no legacy hint.
    expect(errorsFor({ bucket: "-bucket" })).toEqual([
      'Input "bucket": "-bucket" breaks S3\'s bucket naming rules: it starts or ends with "." or "-", S3 requires a letter or digit there. Use the bucket\'s exact name.',
    ]);
  });

  it("accepts a legacy-style bucket name on an S3-compatible store, which may allow it", () => {
    expect(errorsFor({ bucket: "Legacy_Bucket", endpoint: "http://127.0.0.1:7480" })).toEqual([]);
  });

  it("accepts access point aliases and directory buckets, which are addressed like buckets", () => {
    expect(errorsFor({ bucket: "my-ap-abcdefghijklmnopqrstuvwxyz01234-s3alias" })).toEqual([]);
    expect(errorsFor({ bucket: "my-ol-ap-abcdefghijklmnopqrstuvwxyz012--ol-s3" })).toEqual([]);
    expect(errorsFor({ bucket: "builds--use1-az4--x-s3" })).toEqual([]);
    expect(errorsFor({ bucket: "releases.example.com" })).toEqual([]);
  });
});
