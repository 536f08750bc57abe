// The per-file SHA-256 against Ceph RGW, which keeps no additional checksums (parts and objects are proven by
// ETag/MD5 there): the digest reported is the SHA-256 of the file and of the object RGW serves back.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";

const MiB = 1024 * 1024;
const env = startRgw();
const bucket = `svu-sha256-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];

async function localFile(name: string, size: number): Promise<{ file: LocalFile; bytes: Buffer }> {
  const bytes = randomBytes(size);
  const filePath = path.join(dir, name);
  await writeFile(filePath, bytes);
  return { file: { path: filePath, key: `sha/${name}` }, bytes };
}

async function storedSha256(key: string): Promise<string> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return createHash("sha256")
    .update(await answer.Body!.transformToByteArray())
    .digest("hex");
}

function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

describe.skipIf(env === null)("sha256 against Ceph RGW", () => {
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-sha256-"));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  it("multipart and single files: the file's SHA-256, equal to that of the object served back", async () => {
    const big = await localFile("big.bin", 16 * MiB + 4321);
    const small = await localFile("small.bin", 70_000);
    const result = await runUploads([big.file, small.file], rgwEngineOptions(bucket, s3, { sha256: true }));
    expect(result.files.map((file) => file.error)).toEqual([undefined, undefined]);
    expect(result.files.map((file) => [file.multipart, file.verification, file.sha256])).toEqual([
      [true, "etag-md5", sha256Hex(big.bytes)],
      [false, "etag-md5", sha256Hex(small.bytes)],
    ]);
    expect(await storedSha256(big.file.key)).toBe(sha256Hex(big.bytes));
    expect(await storedSha256(small.file.key)).toBe(sha256Hex(small.bytes));
  });

  it("an unchanged file rerun with overwrite off reports the same SHA-256", async () => {
    const { file, bytes } = await localFile("again.bin", 11 * MiB);
    await runUploads([file], rgwEngineOptions(bucket, s3, { sha256: true }));
    const again = await runUploads([file], rgwEngineOptions(bucket, s3, { sha256: true, overwrite: false }));
    expect(again.files[0]).toMatchObject({ status: "unchanged", sha256: sha256Hex(bytes) });
  });
});
