// Resume and cleanup against Ceph RGW, a real third-party S3 server that keeps no additional checksums: a kept
// upload is resumed on part ETag = MD5 alone, and the lifecycle rule is accepted next to another rule.
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCleanup, runUploads, type EngineOptions } from "../../src/engine/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const rgwUp = path.resolve(repoRoot, "../shared/tools/rgw-up.sh");
const MiB = 1024 * 1024;

function startRgw(): Record<string, string> | null {
  if (!existsSync(rgwUp)) {
    if (process.env.CI === "true") throw new Error(`${rgwUp} is missing; CI must run the RGW interop tests`);
    return null;
  }
  const output = execFileSync("bash", [rgwUp], { encoding: "utf8", timeout: 180_000 });
  return Object.fromEntries(
    output
      .split("\n")
      .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1]!, match[2]!]),
  );
}

const env = startRgw();
const bucket = `svu-resilience-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return {
    bucket,
    s3,
    partSize: 5 * MiB,
    concurrency: 2,
    checksumAlgorithm: "CRC64NVME",
    contentMd5: false,
    multipartThreshold: 5 * MiB,
    overwrite: true,
    verify: true,
    onFailure: "keep",
    dryRun: false,
    object: {},
    tuning: { retryBaseDelayMs: 10 },
    ...overrides,
  };
}

async function pending(): Promise<{ key: string; uploadId: string }[]> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (answer.Uploads ?? []).map((upload) => ({ key: upload.Key!, uploadId: upload.UploadId! }));
}

describe.skipIf(env === null)("resilience against Ceph RGW", () => {
  beforeAll(async () => {
    const credentials = {
      accessKeyId: env!.AWS_ACCESS_KEY_ID!,
      secretAccessKey: env!.AWS_SECRET_ACCESS_KEY!,
    };
    s3 = { endpoint: env!.S3_ENDPOINT!, region: "us-east-1", forcePathStyle: true, credentials };
    sdk = new S3Client({ ...s3, credentials });
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    dir = await mkdtemp(path.join(tmpdir(), "svu-rgw-resilience-"));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (!sdk) return;
    for (const upload of await pending()) {
      await sdk.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }),
      );
    }
    const listed = await sdk.send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const object of listed.Contents ?? []) {
      await sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key! }));
    }
    await sdk.send(new DeleteBucketLifecycleCommand({ Bucket: bucket })).catch(() => undefined);
    await sdk.send(new DeleteBucketCommand({ Bucket: bucket }));
    sdk.destroy();
  });

  it("resumes a kept upload by part ETag = MD5, sending only the missing parts", async () => {
    const bytes = randomBytes(6 * 5 * MiB + 4321);
    const file = { path: path.join(dir, "kept.bin"), key: "resume/kept.bin" };
    await writeFile(file.path, bytes);
    const controller = new AbortController();
    let stored = 0;
    const cancelled = await runUploads([file], {
      ...options(),
      concurrency: 1,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "progress" && ++stored === 3) controller.abort();
      },
    });
    expect(cancelled.files[0]?.error).toMatch(/was kept \(on-failure: keep\)/);
    const [kept] = await pending();

    const sent: number[] = [];
    const result = await runUploads([file], {
      ...options(),
      onEvent: (event) => {
        if (event.type === "progress") sent.push(event.bytesDone);
      },
    });
    expect(result.files[0]?.error).toBeUndefined();
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, verification: "etag-md5" });
    expect(result.files[0]?.notes[0]).toMatch(
      new RegExp(`^Resumed multipart upload ${kept!.uploadId}.*: kept 3 of 7 parts`),
    );
    expect(sent).toHaveLength(4);
    const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: file.key }));
    expect(Buffer.from(await answer.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    expect(await pending()).toEqual([]);
  });

  it("cleanup aborts uploads under the prefix and adds the lifecycle rule beside another", async () => {
    await sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "stale/a.bin" }));
    await sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "other/b.bin" }));
    await sdk.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            { ID: "expire-logs", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 30 } },
          ],
        },
      }),
    );
    const result = await runCleanup({
      bucket,
      s3,
      prefix: "stale/",
      olderThanMs: 0,
      dryRun: false,
      lifecycleDays: 2,
    });
    expect(result.uploads.map((upload) => [upload.key, upload.action])).toEqual([["stale/a.bin", "aborted"]]);
    expect(result.lifecycle).toMatchObject({ action: "added", otherRules: 1 });
    expect((await pending()).map((upload) => upload.key)).toEqual(["other/b.bin"]);
    const rules = await sdk.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(
      rules.Rules?.map((rule) => [rule.ID, rule.Expiration?.Days, rule.AbortIncompleteMultipartUpload]),
    ).toEqual([
      ["expire-logs", 30, undefined],
      ["s3-verified-upload-abort-incomplete:stale/", undefined, { DaysAfterInitiation: 2 }],
    ]);
  });
});
