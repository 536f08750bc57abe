// How the S3 client reads Aliyun OSS's own CRC-64 (x-oss-hash-crc64ecma, ListParts' HashCrc64ecma) and that it
// names it in no request. A bare HTTP server answers as OSS documents; it checks nothing (the OSS profile of
// the emulator is where uploads are proven end to end).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Store, type S3Store } from "../../src/engine/s3/s3-client.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

// "123456789": CRC-64/XZ 0x995DC9BBDF1939FA, which OSS writes in decimal.
const CRC_DECIMAL = "11051210869376104954";
const CRC_BASE64 = Buffer.from("995dc9bbdf1939fa", "hex").toString("base64");
const OTHER_DECIMAL = "42";
const OTHER_BASE64 = Buffer.from("000000000000002a", "hex").toString("base64");

const LIST_PARTS = `<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult>
  <Bucket>bucket</Bucket><Key>key</Key><UploadId>up1</UploadId>
  <NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>
  <Part><PartNumber>1</PartNumber><LastModified>2026-11-30T00:00:00.000Z</LastModified><ETag>"AA11"</ETag><HashCrc64ecma>${CRC_DECIMAL}</HashCrc64ecma><Size>102400</Size></Part>
  <Part><PartNumber>2</PartNumber><LastModified>2026-11-30T00:00:00.000Z</LastModified><ETag>"BB22"</ETag><HashCrc64ecma>${OTHER_DECIMAL}</HashCrc64ecma><Size>9</Size></Part>
</ListPartsResult>`;

const COMPLETE = `<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult><Location>x</Location><Bucket>bucket</Bucket><Key>key</Key><ETag>"CC33-2"</ETag></CompleteMultipartUploadResult>`;

const INITIATE = `<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>key</Key><UploadId>up1</UploadId></InitiateMultipartUploadResult>`;

let server: Server;
let store: S3Store;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers });
      const url = new URL(request.url!, "http://x");
      const crc = { "x-oss-hash-crc64ecma": CRC_DECIMAL };
      const xml = { "content-type": "application/xml" };
      if (request.method === "GET" && url.searchParams.has("uploadId")) {
        response.writeHead(200, xml).end(LIST_PARTS);
      } else if (request.method === "POST" && url.searchParams.has("uploads")) {
        response.writeHead(200, xml).end(INITIATE);
      } else if (request.method === "POST" && url.searchParams.has("uploadId")) {
        response.writeHead(200, { ...xml, ...crc }).end(COMPLETE);
      } else if (request.method === "HEAD") {
        response.writeHead(200, { ...crc, etag: '"CC33-2"', "content-length": "102409" }).end();
      } else {
        response.writeHead(200, { ...crc, etag: '"DD44"' }).end();
      }
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

function noChecksumHeaders(headers: IncomingHttpHeaders): string[] {
  return Object.keys(headers).filter((name) => name.startsWith("x-amz-checksum") || name.includes("crc64"));
}

describe("S3 client and OSS's CRC-64 (CRC64ECMA)", () => {
  const target = { bucket: "bucket", key: "key" };

  it("reads x-oss-hash-crc64ecma from UploadPart and names the CRC in no request header", async () => {
    seen.length = 0;
    const answer = await store.uploadPart({
      ...target,
      uploadId: "up1",
      partNumber: 1,
      body: Buffer.from("123456789"),
      checksums: { CRC64ECMA: CRC_BASE64 },
      contentMd5: "MD5VALUE==",
    });
    expect(answer.checksums.CRC64ECMA).toBe(CRC_BASE64);
    expect(noChecksumHeaders(seen[0]!.headers)).toEqual([]);
    expect(seen[0]!.headers["content-md5"]).toBe("MD5VALUE==");
  });

  it("reads it from PutObject and HeadObject answers", async () => {
    const put = await store.putObject({
      ...target,
      body: Buffer.from("123456789"),
      headers: { contentType: "application/octet-stream" },
      checksums: { CRC64ECMA: CRC_BASE64 },
      contentMd5: "MD5VALUE==",
      ifNoneMatch: false,
    });
    expect(put.checksums.CRC64ECMA).toBe(CRC_BASE64);
    const head = await store.headObject(target);
    expect(head?.checksums.CRC64ECMA).toBe(CRC_BASE64);
  });

  it("creates the upload without naming an algorithm, and reads the CRC from Complete's answer", async () => {
    seen.length = 0;
    const uploadId = await store.createMultipartUpload({
      ...target,
      headers: { contentType: "application/octet-stream" },
      algorithm: "CRC64ECMA",
      checksumType: "FULL_OBJECT",
    });
    expect(uploadId).toBe("up1");
    const answer = await store.completeMultipartUpload({
      ...target,
      uploadId,
      parts: [
        { number: 1, etag: "AA11", checksums: { CRC64ECMA: CRC_BASE64 } },
        { number: 2, etag: "BB22", checksums: { CRC64ECMA: OTHER_BASE64 } },
      ],
      objectChecksums: { CRC64ECMA: CRC_BASE64 },
      checksumType: null,
      objectSize: 102409,
      ifNoneMatch: false,
    });
    expect(answer.checksums.CRC64ECMA).toBe(CRC_BASE64);
    for (const request of seen) expect(noChecksumHeaders(request.headers)).toEqual([]);
  });

  it("reads each part's HashCrc64ecma from ListParts", async () => {
    const page = await store.listPartsPage({ ...target, uploadId: "up1" });
    expect(page.parts.map((part) => [part.number, part.etag, part.checksums.CRC64ECMA])).toEqual([
      [1, "AA11", CRC_BASE64],
      [2, "BB22", OTHER_BASE64],
    ]);
  });
});
