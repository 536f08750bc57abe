// Ceph RGW ignores x-amz-checksum-*, so on the wire only Content-MD5 protects a body: a byte flipped in
// transit (by a proxy between the engine and RGW) must be refused by RGW and retried, never stored.
import { randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineEvent, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import {
  startFaultProxy,
  type FaultProxy,
  type ProxiedRequest,
  type ProxyAction,
} from "../helpers/fault-proxy.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";

const MiB = 1024 * 1024;
const env = startRgw();
const bucket = `svu-proof-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];
let proxy: FaultProxy;
let decide: (request: ProxiedRequest) => ProxyAction | undefined = () => undefined;

async function localFile(name: string, size: number): Promise<{ file: LocalFile; bytes: Buffer }> {
  const bytes = randomBytes(size);
  const filePath = path.join(dir, name);
  await writeFile(filePath, bytes);
  return { file: { path: filePath, key: `proof/${name}` }, bytes };
}

async function download(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

describe.skipIf(env === null)("bytes flipped in transit to Ceph RGW", () => {
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-proof-"));
    proxy = await startFaultProxy(s3.endpoint!, (request) => decide(request));
  });

  afterAll(async () => {
    await proxy?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
    return rgwEngineOptions(bucket, { ...s3, endpoint: proxy.endpoint }, overrides);
  }

  for (const checksumAlgorithm of ["CRC64NVME", null] as const) {
    it(`a single PutObject is refused by Content-MD5 and retried (${checksumAlgorithm ?? "no checksum"})`, async () => {
      const { file, bytes } = await localFile(`single-${checksumAlgorithm}.bin`, 100_000);
      let flips = 0;
      decide = (request) =>
        request.operation === "PutObject" && request.key === file.key && flips < 2
          ? (flips++, { flipByte: true })
          : undefined;
      const events: EngineEvent[] = [];
      const result = await runUploads(
        [file],
        options({ checksumAlgorithm, onEvent: (event) => events.push(event) }),
      );
      expect(result.files[0]?.error).toBeUndefined();
      expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, verification: "etag-md5" });
      expect(events.filter((event) => event.type === "retry" && /BadDigest/.test(event.reason))).toHaveLength(
        2,
      );
      expect((await download(file.key)).equals(bytes)).toBe(true);
    });
  }

  it("a multipart part is refused by Content-MD5 and retried", async () => {
    const { file, bytes } = await localFile("multi.bin", 11 * MiB);
    let flips = 0;
    decide = (request) =>
      request.operation === "UploadPart" && request.key === file.key && request.partNumber === 2 && flips < 1
        ? (flips++, { flipByte: true })
        : undefined;
    const events: EngineEvent[] = [];
    const result = await runUploads([file], options({ onEvent: (event) => events.push(event) }));
    expect(result.files[0]?.error).toBeUndefined();
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, verification: "etag-md5" });
    expect(events.filter((event) => event.type === "retry" && /BadDigest/.test(event.reason))).toHaveLength(
      1,
    );
    expect((await download(file.key)).equals(bytes)).toBe(true);
  });
});
