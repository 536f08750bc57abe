// What the S3 client really puts on the wire: a bare HTTP server records the requests (it checks nothing;
// proof that uploads work comes from the emulator and RGW suites).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRetryable } from "../../src/engine/retry.js";
import { createS3Store, type S3Store } from "../../src/engine/s3/s3-client.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server;
let store: S3Store;
const seen: Seen[] = [];
let nextBody = "";

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      seen.push({
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.concat(chunks),
      });
      response.writeHead(200, { ETag: '"abc"' }).end(nextBody);
      nextBody = "";
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  store = createS3Store(
    {
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    },
    { maxSockets: 4, stallTimeoutMs: 5000 },
  );
});

afterAll(async () => {
  store.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe("S3 client on the wire", () => {
  it("sends UploadPart with UNSIGNED-PAYLOAD, our checksum header, a plain body and no aws-chunked encoding", async () => {
    const body = Buffer.from("0123456789".repeat(1000));
    seen.length = 0;
    const answer = await store.uploadPart({
      bucket: "bucket",
      key: "dir/file.bin",
      uploadId: "up1",
      partNumber: 7,
      body,
      checksums: { CRC64NVME: "AAAAAAAAAAA=" },
      contentMd5: "MD5VALUE==",
    });
    expect(answer.etag).toBe("abc");
    const request = seen[0]!;
    expect(request.method).toBe("PUT");
    expect(request.url).toMatch(/^\/bucket\/dir\/file\.bin\?partNumber=7&uploadId=up1(&|$)/);
    expect(request.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
    expect(request.headers["authorization"]).toMatch(/SignedHeaders=.*x-amz-content-sha256/);
    expect(request.headers["x-amz-checksum-crc64nvme"]).toBe("AAAAAAAAAAA=");
    expect(request.headers["content-md5"]).toBe("MD5VALUE==");
    expect(request.headers["content-encoding"]).toBeUndefined();
    expect(request.headers["x-amz-decoded-content-length"]).toBeUndefined();
    expect(request.headers["x-amz-trailer"]).toBeUndefined();
    expect(request.headers["content-length"]).toBe(String(body.length));
    expect(request.body.equals(body)).toBe(true);
  });

  it("sends PutObject with UNSIGNED-PAYLOAD and If-None-Match, and no SDK-computed checksum", async () => {
    seen.length = 0;
    await store.putObject({
      bucket: "bucket",
      key: "a.txt",
      body: Buffer.from("hello"),
      headers: { contentType: "text/plain", metadata: { team: "ci" }, tagging: "a=1" },
      checksums: {},
      ifNoneMatch: true,
    });
    const headers = seen[0]!.headers;
    expect(headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
    expect(headers["if-none-match"]).toBe("*");
    expect(headers["content-type"]).toBe("text/plain");
    expect(headers["x-amz-meta-team"]).toBe("ci");
    expect(headers["x-amz-tagging"]).toBe("a=1");
    expect(Object.keys(headers).filter((name) => name.startsWith("x-amz-checksum"))).toEqual([]);
  });

  it("signs control calls with the payload hash as usual", async () => {
    seen.length = 0;
    await store.abortMultipartUpload({ bucket: "bucket", key: "k", uploadId: "u" });
    expect(seen[0]!.method).toBe("DELETE");
    expect(seen[0]!.headers["x-amz-content-sha256"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("treats a CompleteMultipartUpload 200 with an <Error> body as a failure worth retrying", async () => {
    nextBody =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>' +
      "<Message>We encountered an internal error.</Message><RequestId>R1</RequestId></Error>";
    const complete = store.completeMultipartUpload({
      bucket: "bucket",
      key: "k",
      uploadId: "u",
      parts: [{ number: 1, etag: "abc", checksums: { CRC32: "AAAAAA==" } }],
      objectChecksums: { CRC32: "AAAAAA==" },
      checksumType: "FULL_OBJECT",
      objectSize: 5,
      ifNoneMatch: true,
    });
    const error = await complete.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect(isRetryable(error)).toBe(true);
    const headers = seen.at(-1)!.headers;
    expect(headers["x-amz-mp-object-size"]).toBe("5");
    expect(headers["x-amz-checksum-crc32"]).toBe("AAAAAA==");
    expect(headers["x-amz-checksum-type"]).toBe("FULL_OBJECT");
    expect(headers["if-none-match"]).toBe("*");
  });
});
