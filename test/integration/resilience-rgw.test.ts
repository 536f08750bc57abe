// Resume and cleanup against Ceph RGW, a real third-party S3 server that keeps no additional checksums: a kept
// upload is resumed on part ETag = MD5 alone, and the lifecycle rule is accepted next to another rule.
import { randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutBucketLifecycleConfigurationCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCleanup, runUploads, type EngineOptions } from "../../src/engine/index.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";

const MiB = 1024 * 1024;
const QUIET_MS = 1000;
const env = startRgw();
const bucket = `svu-resilience-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return rgwEngineOptions(bucket, s3, { concurrency: 2, onFailure: "keep", ...overrides });
}

async function pending(): Promise<{ key: string; uploadId: string }[]> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (answer.Uploads ?? []).map((upload) => ({ key: upload.Key!, uploadId: upload.UploadId! }));
}

describe.skipIf(env === null)("resilience against Ceph RGW", () => {
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-resilience-"));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (!sdk) return;
    for (const upload of await pending()) {
      await sdk.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }),
      );
    }
    await sdk.send(new DeleteBucketLifecycleCommand({ Bucket: bucket })).catch(() => undefined);
    await deleteBucketAndClose(sdk, bucket);
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
    // Resume waits until an upload has been quiet (another job may be running it); RGW's times are real.
    await new Promise((resolve) => setTimeout(resolve, 2 * QUIET_MS));

    const sent: number[] = [];
    const result = await runUploads([file], {
      ...options(),
      tuning: { ...options().tuning, resumeQuietMs: QUIET_MS },
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
        // RGW accepts this bucket-wide setting but does not report it back; whatever it reports must survive.
        TransitionDefaultMinimumObjectSize: "varies_by_storage_class",
      }),
    );
    const before = await sdk.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
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
    expect(rules.TransitionDefaultMinimumObjectSize).toBe(before.TransitionDefaultMinimumObjectSize);
  });
});
