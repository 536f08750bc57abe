// Verified download from Ceph RGW, which keeps no additional checksums: a single-part object is proven by its
// ETag (MD5), a multipart one by the MD5 of its part MD5s with ranges aligned to its parts (RGW ignores
// partNumber, so the parts come from the part size this tool's upload recorded).
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions } from "../../src/engine/index.js";
import { runDownloads, type DownloadOptions } from "../../src/engine/download/index.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";
import { awsCliEnv } from "../helpers/aws-cli.js";

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

  it("multipart by aws s3 cp (8 MiB parts, no record of them, RGW ignores partNumber): the part size is found from the ETag", async () => {
    const bytes = randomBytes(17 * MiB + 5);
    const source = path.join(dir, "awscli.bin");
    await writeFile(source, bytes);
    await new Promise<void>((resolve, reject) =>
      execFile(
        "/usr/bin/aws",
        [
          "s3",
          "cp",
          source,
          `s3://${bucket}/dl/awscli.bin`,
          "--only-show-errors",
          "--endpoint-url",
          s3.endpoint!,
        ],
        { env: awsCliEnv(dir, s3.credentials!, "us-east-1") },
        (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve()),
      ),
    );
    const destination = path.join(dir, "out", "awscli.bin");
    const result = (await runDownloads([{ key: "dl/awscli.bin", path: destination }], options())).files[0]!;
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: "downloaded", verification: "etag-md5", verified: true });
    expect(result.etag).toMatch(/-3$/);
    expect(result.checksumLocal).toBe(result.etag);
    expect(result.notes.join(" ")).toMatch(/parts of 8 MiB give the ETag/);
    expect((await readFile(destination)).equals(bytes)).toBe(true);
  });

  it("multipart of unequal parts nobody recorded: unverified, and a failure with nothing written under require-checksums", async () => {
    const key = "dl/unequal.bin";
    const parts = [randomBytes(5 * MiB + 3), randomBytes(1000)];
    const created = await sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const etags = [];
    for (const [index, part] of parts.entries()) {
      const answer = await sdk.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: created.UploadId,
          PartNumber: index + 1,
          Body: part,
        }),
      );
      etags.push({ PartNumber: index + 1, ETag: answer.ETag });
    }
    await sdk.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: created.UploadId,
        MultipartUpload: { Parts: etags },
      }),
    );
    const required = path.join(dir, "required", "unequal.bin");
    const failed = (await runDownloads([{ key, path: required }], options({ requireChecksums: true })))
      .files[0]!;
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/no common part size gives the ETag.*require-checksums/);
    expect(await readdir(path.join(dir, "required"))).toEqual([]);

    // An upload manifest promises a match, which unproven bytes cannot keep, even with the same ETag.
    const manifested = path.join(dir, "manifested", "unequal.bin");
    const expected = {
      size: 5 * MiB + 1003,
      checksumAlgorithm: null,
      checksumType: null,
      checksum: null,
      etag: failed.etag,
    };
    const refused = (await runDownloads([{ key, path: manifested, expected }], options())).files[0]!;
    expect(refused).toMatchObject({ status: "failed", verified: false });
    expect(refused.error).toMatch(/no common part size gives the ETag.*expected-manifest/);
    expect(await readdir(path.join(dir, "manifested"))).toEqual([]);

    const destination = path.join(dir, "out", "unequal.bin");
    const unproven = (await runDownloads([{ key, path: destination }], options())).files[0]!;
    expect(unproven).toMatchObject({ status: "downloaded", verification: "none", verified: false });
    expect((await readFile(destination)).equals(Buffer.concat(parts))).toBe(true);
  });
});
