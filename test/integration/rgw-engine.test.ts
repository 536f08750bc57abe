// The engine against Ceph RGW, a real third-party S3 server that ignores x-amz-checksum-* and answers
// Complete with an empty ETag: uploads must still be proven, by the ETag/MD5 fallback, and say so.
import { randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";

const MiB = 1024 * 1024;
const env = startRgw();
const bucket = `svu-engine-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return rgwEngineOptions(bucket, s3, overrides);
}

async function localFile(name: string, size: number): Promise<{ file: LocalFile; bytes: Buffer }> {
  const bytes = randomBytes(size);
  const filePath = path.join(dir, name);
  await writeFile(filePath, bytes);
  return { file: { path: filePath, key: `rgw/${name}` }, bytes };
}

async function download(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

async function openUploads(): Promise<number> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return answer.Uploads?.length ?? 0;
}

describe.skipIf(env === null)("engine against Ceph RGW", () => {
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-"));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  it("uploads a multi-part file, verifies it by ETag/MD5 and says why", async () => {
    const { file, bytes } = await localFile("three-parts.bin", 12 * MiB + 12345);
    const result = await runUploads([file], options());
    const [uploaded] = result.files;
    expect(uploaded?.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(uploaded).toMatchObject({ status: "uploaded", multipart: true, parts: 3, verified: true });
    expect(uploaded?.verification).toBe("etag-md5");
    expect(uploaded?.notes.join(" ")).toMatch(/did not record the additional checksum/);
    expect(uploaded?.etag).toMatch(/^[0-9a-f]{32}-3$/);
    expect((await download(file.key)).equals(bytes)).toBe(true);
    expect(await openUploads()).toBe(0);
  });

  it("sends Content-MD5 on every part when asked, and RGW accepts it", async () => {
    const { file, bytes } = await localFile("md5.bin", 10 * MiB + 1);
    const result = await runUploads([file], options({ contentMd5: true, checksumAlgorithm: "SHA256" }));
    expect(result.files[0]?.error).toBeUndefined();
    expect(result.files[0]).toMatchObject({ status: "uploaded", verification: "etag-md5", parts: 3 });
    expect((await download(file.key)).equals(bytes)).toBe(true);
  });

  it("uploads small files with one PutObject and verifies them by ETag", async () => {
    const small = await localFile("small.txt", 1000);
    const empty = await localFile("empty.bin", 0);
    const result = await runUploads([small.file, empty.file], options());
    expect(result.files.map((file) => file.error)).toEqual([undefined, undefined]);
    expect(result.files.map((file) => [file.multipart, file.verification, file.verified])).toEqual([
      [false, "etag-md5", true],
      [false, "etag-md5", true],
    ]);
    expect((await download(small.file.key)).equals(small.bytes)).toBe(true);
    expect((await download(empty.file.key)).length).toBe(0);
  });

  it("fails and aborts when checksums are required but RGW does not keep them", async () => {
    const { file } = await localFile("required.bin", 11 * MiB);
    const result = await runUploads([file], options({ requireChecksums: true }));
    expect(result.ok).toBe(false);
    expect(result.files[0]?.error).toMatch(/does not record additional checksums.*aborted/s);
    expect(await openUploads()).toBe(0);
  });

  it("skips an identical existing object on rerun when overwriting is off, and refuses a different one", async () => {
    const { file } = await localFile("rerun.bin", 11 * MiB);
    const first = await runUploads([file], options({ overwrite: false }));
    expect(first.files[0]?.status).toBe("uploaded");
    const again = await runUploads([file], options({ overwrite: false }));
    expect(again.files[0]).toMatchObject({ status: "unchanged", verification: "etag-md5", verified: true });
    await writeFile(file.path, randomBytes(11 * MiB));
    const changed = await runUploads([file], options({ overwrite: false }));
    expect(changed.ok).toBe(false);
    expect(changed.files[0]?.error).toMatch(/already exists and differs/);
  });
});
