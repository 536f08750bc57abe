// Preflight and the dry run against Ceph RGW: its answers to a wrong bucket and a wrong secret stop the run
// with one message, and a dry run proves "unchanged" by the ETag/MD5 RGW keeps (it stores no checksums).
import { randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";

const env = startRgw();
const bucket = `svu-preflight-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return rgwEngineOptions(bucket, s3, { tuning: { retryBaseDelayMs: 10, maxAttempts: 2 }, ...overrides });
}

async function localFile(name: string, bytes: Buffer): Promise<LocalFile> {
  await writeFile(path.join(dir, name), bytes);
  return { path: path.join(dir, name), key: `pre/${name}` };
}

describe.skipIf(env === null)("preflight against Ceph RGW", () => {
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-preflight-"));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  it("a wrong bucket stops the run with NoSuchBucket named once", async () => {
    const files = [await localFile("a.txt", randomBytes(10)), await localFile("b.txt", randomBytes(10))];
    const wrong = `${bucket}-missing`;
    await expect(runUploads(files, options({ bucket: wrong }))).rejects.toMatchObject({
      step: "preflight",
      message: expect.stringContaining(`bucket "${wrong}" does not exist at ${s3.endpoint}`),
    });
  });

  it("a wrong secret names AWS_SECRET_ACCESS_KEY", async () => {
    const files = [await localFile("c.txt", randomBytes(10))];
    const credentials = { ...s3.credentials!, secretAccessKey: "wrong-secret" };
    await expect(runUploads(files, options({ s3: { ...s3, credentials } }))).rejects.toMatchObject({
      step: "preflight",
      message: expect.stringMatching(/SignatureDoesNotMatch.*AWS_SECRET_ACCESS_KEY/),
    });
  });

  it("dry run: unchanged by ETag/MD5, refused when different, would upload when new", async () => {
    const same = await localFile("same.txt", randomBytes(1000));
    const changed = await localFile("changed.txt", randomBytes(1000));
    expect((await runUploads([same, changed], options())).ok).toBe(true);
    await localFile("changed.txt", randomBytes(1000));
    const fresh = await localFile("new.txt", randomBytes(10));
    const run = await runUploads([same, changed, fresh], options({ dryRun: true, overwrite: false }));
    expect(run.files.map((file) => [file.key, file.status, file.verification])).toEqual([
      ["pre/same.txt", "unchanged", "etag-md5"],
      ["pre/changed.txt", "refused", "none"],
      ["pre/new.txt", "dry-run", "none"],
    ]);
  });
});
