// The lean UploadPart/PutObject/HeadObject path: the strict emulator checks its signatures and stores what it sends;
// a bare server shows that its failures reach the engine shaped like SDK errors (codes, retryability).
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPartHasher } from "../../src/engine/checksum/index.js";
import { s3ErrorInfo } from "../../src/engine/errors.js";
import { isRetryable } from "../../src/engine/retry.js";
import { createS3Store, type S3Store } from "../../src/engine/s3/s3-client.js";
import { startEmulator, type Emulator } from "../emulator/index.js";

const BUCKET = "lean";
let emulator: Emulator;
let store: S3Store;
let sdk: S3Client;

beforeAll(async () => {
  emulator = await startEmulator({ minPartSize: 1024, buckets: [BUCKET] });
  const s3 = {
    endpoint: emulator.endpoint,
    region: emulator.region,
    forcePathStyle: true,
    credentials: emulator.credentials,
  };
  store = createS3Store(s3, { maxSockets: 4, stallTimeoutMs: 5000 });
  sdk = new S3Client(s3);
});

afterAll(async () => {
  store?.destroy();
  sdk?.destroy();
  await emulator?.stop();
});

async function crc64(body: Buffer): Promise<string> {
  const hasher = await createPartHasher("CRC64NVME");
  hasher.update(body);
  return hasher.digest().toString("base64");
}

describe("lean PUT against the strict emulator", () => {
  it("PutObject with a key needing escapes, headers and metadata is accepted and stored byte-exact", async () => {
    const key = "dir one/a+b=c!'()*&ü~.txt";
    const body = randomBytes(3000);
    const checksum = await crc64(body);
    const answer = await store.putObject({
      bucket: BUCKET,
      key,
      body,
      headers: { contentType: "text/x-test", cacheControl: "max-age=5", metadata: { team: "ci" } },
      checksums: { CRC64NVME: checksum },
      ifNoneMatch: true,
    });
    expect(answer.checksums.CRC64NVME).toBe(checksum);
    expect(answer.etag).toMatch(/^[0-9a-f]{32}$/);
    const stored = await store.headObject({ bucket: BUCKET, key });
    expect(stored).toEqual({
      size: 3000,
      etag: answer.etag,
      checksums: { CRC64NVME: checksum },
      checksumType: "FULL_OBJECT",
      sse: "AES256",
      served: { contentType: "text/x-test", cacheControl: "max-age=5" },
    });
    const head = await sdk.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentType).toBe("text/x-test");
    expect(head.CacheControl).toBe("max-age=5");
    expect(head.Metadata).toEqual({ team: "ci" });
    const got = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it("HeadObject of a missing key is null; a version id reaches the store", async () => {
    expect(await store.headObject({ bucket: BUCKET, key: "missing/ü key" })).toBeNull();
    await emulator.createBucket("versions", { versioning: true });
    const put = (text: string) =>
      store.putObject({
        bucket: "versions",
        key: "v.txt",
        body: Buffer.from(text),
        headers: { contentType: "text/plain" },
        checksums: {},
        ifNoneMatch: false,
      });
    const first = await put("first");
    await put("second, longer");
    expect(first.versionId).toBeTruthy();
    const old = await store.headObject({ bucket: "versions", key: "v.txt", versionId: first.versionId! });
    expect(old).toMatchObject({ size: 5, etag: first.etag, versionId: first.versionId });
    expect(await store.headObject({ bucket: "versions", key: "v.txt" })).toMatchObject({ size: 14 });
  });

  it("a second PutObject with If-None-Match fails as PreconditionFailed, not retryable", async () => {
    const key = "exists.bin";
    const put = () =>
      store.putObject({
        bucket: BUCKET,
        key,
        body: Buffer.from("x"),
        headers: { contentType: "application/octet-stream" },
        checksums: {},
        ifNoneMatch: true,
      });
    await put();
    const error = await put().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(s3ErrorInfo(error)).toMatchObject({ code: "PreconditionFailed", status: 412 });
    expect(isRetryable(error)).toBe(false);
  });

  it("a wrong checksum comes back as the store's BadDigest-style code with status 400", async () => {
    const error = await store
      .putObject({
        bucket: BUCKET,
        key: "bad.bin",
        body: Buffer.from("payload"),
        headers: { contentType: "application/octet-stream" },
        checksums: { CRC64NVME: await crc64(Buffer.from("other")) },
        ifNoneMatch: false,
      })
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    const info = s3ErrorInfo(error);
    expect(info.status).toBe(400);
    expect(info.code).toMatch(/BadDigest|InvalidDigest|XAmzContentChecksumMismatch/);
  });
});

describe("lean PUT failures from a bare server", () => {
  let server: Server;
  let bare: S3Store;
  let answer: (response: import("node:http").ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on("end", () => answer(response));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    bare = createS3Store(
      {
        endpoint: `http://127.0.0.1:${port}`,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
      },
      { maxSockets: 2, stallTimeoutMs: 200 },
    );
  });

  afterAll(async () => {
    bare?.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const part = () =>
    bare
      .uploadPart({
        bucket: "b",
        key: "k",
        uploadId: "u",
        partNumber: 1,
        body: Buffer.alloc(10),
        checksums: {},
      })
      .then(
        () => null,
        (caught: unknown) => caught,
      );

  it("503 SlowDown keeps its code, status and request id and is retried", async () => {
    answer = (response) =>
      response
        .writeHead(503, { "x-amz-request-id": "REQ1" })
        .end("<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>");
    const error = await part();
    expect(s3ErrorInfo(error)).toEqual({
      code: "SlowDown",
      message: "Reduce your request rate.",
      status: 503,
      requestId: "REQ1",
    });
    expect(isRetryable(error)).toBe(true);
  });

  it("403 AccessDenied is not retried", async () => {
    answer = (response) =>
      response.writeHead(403).end("<Error><Code>AccessDenied</Code><Message>no</Message></Error>");
    const error = await part();
    expect(s3ErrorInfo(error)).toMatchObject({ code: "AccessDenied", status: 403 });
    expect(isRetryable(error)).toBe(false);
  });

  it("a server that never answers is cut after the stall timeout and the error is retryable", async () => {
    // The server never answers, so only the stall timeout can end this call; how soon is not asserted.
    answer = () => undefined;
    const error = await part();
    expect((error as Error).name).toBe("TimeoutError");
    expect(isRetryable(error)).toBe(true);
  });

  it("the success answer's ETag loses its quotes and echoed checksums are read", async () => {
    answer = (response) =>
      response.writeHead(200, { ETag: '"e1"', "x-amz-checksum-crc32": "AAAAAA==" }).end();
    const result = await bare.uploadPart({
      bucket: "b",
      key: "k",
      uploadId: "u",
      partNumber: 2,
      body: Buffer.alloc(10),
      checksums: { CRC32: "AAAAAA==" },
    });
    expect(result).toEqual({ etag: "e1", checksums: { CRC32: "AAAAAA==" } });
  });

  it("reads the encryption the store applied from the answer (a bucket default is named only there)", async () => {
    answer = (response) =>
      response.writeHead(200, { ETag: '"e2"', "x-amz-server-side-encryption": "aws:kms" }).end();
    const result = await bare.uploadPart({
      bucket: "b",
      key: "k",
      uploadId: "u",
      partNumber: 1,
      body: Buffer.alloc(10),
      checksums: {},
    });
    expect(result).toEqual({ etag: "e2", checksums: {}, sse: "aws:kms" });
  });
});
