// provider oss against the emulator's oss profile: a write that must not replace a key carries OSS's
// x-oss-forbid-overwrite, never If-None-Match (which OSS does not model on writes: the emulator answers 501),
// and OSS's refusal (409 FileAlreadyExists) is read as a refused create. Virtual-host addressing; 100 KB parts.
// The CRC-64 proof of whole uploads is P2's (test/integration/engine-oss.test.ts on branch p2).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCreateRefused } from "../../src/engine/errors.js";
import { createS3Store, type S3Store } from "../../src/engine/s3/s3-client.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { startForwardProxy, type ForwardProxy } from "../helpers/forward-proxy.js";

const KiB = 1024;
const BUCKET = `oss-${randomUUID().slice(0, 8)}`;
let emulator: Emulator;
let proxy: ForwardProxy;
let store: S3Store;

const headers = { contentType: "application/octet-stream" };

function md5(body: Buffer): string {
  return createHash("md5").update(body).digest("base64");
}

async function refusal(write: Promise<unknown>): Promise<unknown> {
  return write.then(
    () => {
      throw new Error("the write was not refused");
    },
    (error: unknown) => error,
  );
}

describe("provider oss: the conditional create as OSS spells it", () => {
  beforeAll(async () => {
    emulator = await startEmulator({ profile: "oss", buckets: [BUCKET] });
    const port = new URL(emulator.endpoint).port;
    proxy = await startForwardProxy({ hosts: { [`${BUCKET}.localhost`]: `127.0.0.1:${port}` } });
    store = createS3Store(
      {
        endpoint: emulator.virtualHostEndpoint,
        region: emulator.region,
        credentials: emulator.credentials,
        provider: "oss",
        // glibc does not resolve <bucket>.localhost; the proxy knows it is the emulator.
        network: { proxy: { httpProxy: proxy.url } },
      },
      { maxSockets: 4, stallTimeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    store?.destroy();
    await proxy?.stop();
    await emulator?.stop();
  });

  it("PutObject: creates a new key, and is refused (409 FileAlreadyExists) on an existing one", async () => {
    const body = randomBytes(10 * KiB);
    const target = { bucket: BUCKET, key: "put.bin", body, headers, checksums: {}, contentMd5: md5(body) };
    await store.putObject({ ...target, ifNoneMatch: true });
    const error = await refusal(store.putObject({ ...target, ifNoneMatch: true }));
    expect(error).toMatchObject({ name: "FileAlreadyExists", $metadata: { httpStatusCode: 409 } });
    expect(isCreateRefused(error)).toBe(true);
    const log = emulator.requestLog.filter((entry) => entry.key === "put.bin");
    expect(log.map((entry) => [entry.operation, entry.status])).toEqual([
      ["PutObject", 200],
      ["PutObject", 409],
    ]);
  });

  it("CompleteMultipartUpload of 100 KB parts: creates, and is refused on a key written meanwhile", async () => {
    const parts = [randomBytes(100 * KiB), randomBytes(30 * KiB)];
    const upload = async (key: string) => {
      const uploadId = await store.createMultipartUpload(
        { bucket: BUCKET, key, headers, algorithm: null, checksumType: null },
        undefined,
      );
      const sent = [];
      for (const [index, body] of parts.entries()) {
        const answer = await store.uploadPart({
          bucket: BUCKET,
          key,
          uploadId,
          partNumber: index + 1,
          body,
          checksums: {},
          contentMd5: md5(body),
        });
        sent.push({ number: index + 1, etag: answer.etag, checksums: {} });
      }
      return { uploadId, sent };
    };
    const complete = (
      key: string,
      uploadId: string,
      sent: Array<{ number: number; etag: string; checksums: object }>,
    ) =>
      store.completeMultipartUpload({
        bucket: BUCKET,
        key,
        uploadId,
        parts: sent,
        objectChecksums: {},
        checksumType: null,
        objectSize: 130 * KiB,
        ifNoneMatch: true,
      });
    const first = await upload("multi.bin");
    await complete("multi.bin", first.uploadId, first.sent);
    const second = await upload("multi.bin");
    const error = await refusal(complete("multi.bin", second.uploadId, second.sent));
    expect(error).toMatchObject({ name: "FileAlreadyExists", $metadata: { httpStatusCode: 409 } });
    expect(isCreateRefused(error)).toBe(true);
    await store.abortMultipartUpload({ bucket: BUCKET, key: "multi.bin", uploadId: second.uploadId });
    const statuses = emulator.requestLog
      .filter((entry) => entry.key === "multi.bin")
      .map((entry) => entry.status);
    expect(statuses.filter((status) => status >= 400)).toEqual([409]);
  });
});
