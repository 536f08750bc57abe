// Verified download from Ceph RGW, which keeps no additional checksums: a single-part object is proven by its
// ETag (MD5), a multipart one by the MD5 of its part MD5s with ranges aligned to its parts (RGW ignores
// partNumber, so the parts come from the part size this tool's upload recorded).
import { randomBytes, randomUUID } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions } from "../../src/engine/index.js";
import { runDownloads, type DownloadOptions } from "../../src/engine/download/index.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";

const MiB = 1024 * 1024;
const env = startRgw();
const bucket = `svu-download-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];

describe.skipIf(env === null)("verified download from Ceph RGW", () => {
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-download-"));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  function options(overrides: Partial<DownloadOptions> = {}): DownloadOptions {
    return {
      bucket,
      s3,
      concurrency: 4,
      partSize: 2 * MiB,
      overwrite: false,
      verify: true,
      requireChecksums: false,
      dryRun: false,
      onFailure: "abort",
      tuning: { retryBaseDelayMs: 10 },
      ...overrides,
    };
  }

  for (const [shape, size, etag] of [
    ["single-part: the ETag is its MD5", 3 * MiB + 5, /^[0-9a-f]{32}$/],
    ["multipart: MD5 of the part MD5s is its ETag", 12 * MiB + 7, /^[0-9a-f]{32}-3$/],
  ] as const) {
    it(shape, async () => {
      const bytes = randomBytes(size);
      const name = `${size}.bin`;
      await writeFile(path.join(dir, name), bytes);
      const key = `dl/${name}`;
      const upload = await runUploads(
        [{ path: path.join(dir, name), key }],
        rgwEngineOptions(bucket, s3, { checksumAlgorithm: null }),
      );
      expect(upload.files[0]?.error).toBeUndefined();
      const destination = path.join(dir, "out", name);
      const run = await runDownloads([{ key, path: destination }], options());
      const result = run.files[0]!;
      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ status: "downloaded", verification: "etag-md5", verified: true });
      expect(result.etag).toMatch(etag);
      expect(result.checksumLocal).toBe(result.etag);
      expect((await readFile(destination)).equals(bytes)).toBe(true);
      expect(await readdir(path.join(dir, "out"))).toContain(name);
    });
  }
});
