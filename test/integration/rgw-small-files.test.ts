// Small files on Ceph RGW (issue #12): the shared ListObjectsV2 pages that spare HeadObjects depend on the
// store's listing (UTF-8 binary key order, start-after, ETags as listed), so they are checked on a real one.
// A proxy in front records which requests the engine sent.
import { randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from "../helpers/fault-proxy.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";

const env = startRgw();
const bucket = `svu-small-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];
let proxy: FaultProxy;
const sent: ProxiedRequest[] = [];

// Names whose UTF-16 order differs from UTF-8 byte order (astral vs. high BMP), a few neighbours, and
// characters the listing's URL and XML encodings must bring back intact.
const NAMES = [
  "a.bin",
  "a b.bin",
  "B.bin",
  "z~.bin",
  "ü.bin",
  "Ω.bin",
  "\u{1F600}.bin",
  "\uFF5E.bin",
  "zz.bin",
  "c+d.bin",
  "e&f%<.bin",
];

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return rgwEngineOptions(bucket, { ...s3, endpoint: proxy.endpoint }, { overwrite: false, ...overrides });
}

async function localFiles(folder: string): Promise<Array<{ file: LocalFile; bytes: Buffer }>> {
  const files = [];
  for (const [index, name] of NAMES.entries()) {
    const bytes = randomBytes(1000 + index);
    const filePath = path.join(dir, `${folder}-${index}.bin`);
    await writeFile(filePath, bytes);
    files.push({ file: { path: filePath, key: `${folder}/${name}` }, bytes });
  }
  return files;
}

async function download(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

function count(operation: string): number {
  return sent.filter((request) => request.operation === operation).length;
}

describe.skipIf(env === null)("small files against Ceph RGW", () => {
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-small-"));
    proxy = await startFaultProxy(s3.endpoint!, (request) => {
      sent.push(request);
      return undefined;
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  it("lists which keys exist: HeadObject only for those, identical ones unchanged, a different one refused", async () => {
    const files = await localFiles("exist");
    const same = files[4]!;
    const other = files[6]!;
    const theirs = randomBytes(other.bytes.length);
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: same.file.key, Body: same.bytes }));
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: other.file.key, Body: theirs }));
    sent.length = 0;
    const result = await runUploads(
      files.map(({ file }) => file),
      options(),
    );
    const statuses = result.files.map((file) => file.status);
    expect(statuses).toEqual(
      files.map((entry) => (entry === same ? "unchanged" : entry === other ? "failed" : "uploaded")),
    );
    expect(result.files[6]?.error).toMatch(/already exists and differs/);
    expect(await download(other.file.key)).toEqual(theirs);
    // RGW echoes no checksum, so each uploaded file is still proven by its HeadObject (ETag = MD5).
    expect(count("HeadObject")).toBe(2 + (files.length - 2));
    for (const { file, bytes } of files.filter((entry) => entry !== other)) {
      expect((await download(file.key)).equals(bytes)).toBe(true);
    }
  });

  it("without a checksum algorithm, a new file is proven by its answer's ETag and the listing: one PutObject", async () => {
    const files = await localFiles("md5");
    sent.length = 0;
    const result = await runUploads(
      files.map(({ file }) => file),
      options({ checksumAlgorithm: null }),
    );
    expect(result.ok).toBe(true);
    for (const file of result.files) {
      expect(file).toMatchObject({ status: "uploaded", verified: true, verification: "etag-md5" });
    }
    expect(count("PutObject")).toBe(files.length);
    expect(count("HeadObject")).toBe(0);
    for (const { file, bytes } of files) expect((await download(file.key)).equals(bytes)).toBe(true);
    const again = await runUploads(
      files.map(({ file }) => file),
      options({ checksumAlgorithm: null }),
    );
    expect(again.files.map((file) => file.status)).toEqual(files.map(() => "unchanged"));
  });
});
