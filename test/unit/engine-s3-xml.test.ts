// The multipart control calls on the lean path (s3-xml.ts, s3-lean-http.ts) against the AWS SDK on the same
// bytes: a bare HTTP server gives both clients one canned answer, and what each makes of it (the parsed
// fields, the error's name and status, whether it is retried) must be the same; so must the Complete body and
// the Create headers they put on the wire. The engine maps both parses with one function (s3-client.ts).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRetryable } from "../../src/engine/retry.js";
import { createS3Store, type S3Store } from "../../src/engine/s3/s3-client.js";
import { parseComplete, parseListParts, parseListUploads } from "../../src/engine/s3/s3-xml.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Canned {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

let server: Server;
let store: S3Store;
let sdk: S3Client;
const seen: Seen[] = [];
let canned: Canned = { status: 200, body: "" };

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      seen.push({
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      // Chunked, as S3 sends its documents.
      response.writeHead(canned.status, { "content-type": "application/xml", ...canned.headers });
      if (canned.body) response.write(canned.body);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const settings = {
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
  };
  store = createS3Store(settings, { maxSockets: 4, stallTimeoutMs: 5000 });
  sdk = new S3Client({ ...settings, maxAttempts: 1 });
});

afterAll(async () => {
  store.destroy();
  sdk.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const target = { Bucket: "bucket", Key: "dir/key.bin", UploadId: "up-1" };
const lean = { bucket: "bucket", key: "dir/key.bin", uploadId: "up-1" };

const LIST_PARTS = `<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket><Key>dir/key.bin</Key><UploadId>up-1</UploadId>
  <PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker>
  <MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>
  <Part><PartNumber>1</PartNumber><LastModified>2026-11-30T10:00:00.000Z</LastModified><ETag>&quot;0123abcd&quot;</ETag><Size>5242880</Size><ChecksumCRC64NVME>AAAAAAAAAAE=</ChecksumCRC64NVME></Part>
  <Part><PartNumber>2</PartNumber><LastModified>2026-11-30T10:00:01.000Z</LastModified><ETag>"4567ef01"</ETag><Size>17</Size><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumCRC32C>AAAAAQ==</ChecksumCRC32C><ChecksumSHA1>2jmj7l5rSw0yVb/vlWAYkK/YBwk=</ChecksumSHA1><ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</ChecksumSHA256></Part>
  <Initiator><ID>owner</ID><DisplayName>owner</DisplayName></Initiator>
  <Owner><ID>owner</ID><DisplayName>owner</DisplayName></Owner>
  <StorageClass>STANDARD</StorageClass>
  <ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>
</ListPartsResult>`;

const LIST_PARTS_LAST = `<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult><Bucket>bucket</Bucket><Key>dir/key.bin</Key><UploadId>up-1</UploadId>
<NextPartNumberMarker>3</NextPartNumberMarker><IsTruncated>false</IsTruncated>
<Part><PartNumber>3</PartNumber><ETag>"89"</ETag><Size>1</Size></Part></ListPartsResult>`;

const LIST_UPLOADS = `<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>dir/b &amp; c.bin</NextKeyMarker><NextUploadIdMarker>up-3</NextUploadIdMarker>
  <Prefix>dir/</Prefix><MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>
  <Upload><Key>dir/a.bin</Key><UploadId>up-2</UploadId><Initiator><ID>o</ID></Initiator><Owner><ID>o</ID></Owner><StorageClass>STANDARD</StorageClass><Initiated>2026-11-29T08:00:00.000Z</Initiated><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType></Upload>
  <Upload><Key>dir/b &amp; c.bin</Key><UploadId>up-3</UploadId><StorageClass>STANDARD_IA</StorageClass><Initiated>2026-11-29T09:00:00.000Z</Initiated></Upload>
</ListMultipartUploadsResult>`;

const COMPLETE = `<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>http://x/bucket/dir/key.bin</Location><Bucket>bucket</Bucket><Key>dir/key.bin</Key><ETag>"3858f62230ac3c915f300c664312c11f-2"</ETag><ChecksumCRC64NVME>AAAAAAAAAAI=</ChecksumCRC64NVME><ChecksumType>FULL_OBJECT</ChecksumType></CompleteMultipartUploadResult>`;

const ERROR_IN_200 = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>R1</RequestId></Error>`;

function errorBody(code: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>m &amp; m</Message><RequestId>R2</RequestId></Error>`;
}

async function sdkSend<T>(send: () => Promise<unknown>): Promise<T> {
  return (await send()) as T;
}

async function caught(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  const shape = error as Error & { $metadata?: { httpStatusCode?: number }; Code?: string };
  return {
    name: shape.name,
    status: shape.$metadata?.httpStatusCode,
    message: shape.message,
    retried: isRetryable(error),
  };
}

const COMPLETE_INPUT = {
  ...lean,
  parts: [
    { number: 1, etag: "0123abcd", checksums: { CRC64NVME: "AAAAAAAAAAE=" } },
    { number: 2, etag: "4567ef01", checksums: { CRC64NVME: "AAAAAAAAAAI=" } },
  ],
  objectChecksums: { CRC64NVME: "AAAAAAAAAAM=" },
  checksumType: "FULL_OBJECT" as const,
  objectSize: 5242897,
  ifNoneMatch: true,
};

function sdkComplete() {
  return new CompleteMultipartUploadCommand({
    ...target,
    MultipartUpload: {
      Parts: COMPLETE_INPUT.parts.map((part) => ({
        PartNumber: part.number,
        ETag: `"${part.etag}"`,
        ChecksumCRC64NVME: part.checksums.CRC64NVME,
      })),
    },
    ChecksumCRC64NVME: "AAAAAAAAAAM=",
    ChecksumType: "FULL_OBJECT",
    MpuObjectSize: 5242897,
    IfNoneMatch: "*",
  });
}

describe("lean multipart control calls read what the SDK reads", () => {
  for (const [name, xml] of [
    ["a truncated page with every field", LIST_PARTS],
    ["the last page", LIST_PARTS_LAST],
  ] as const) {
    it(`ListParts: ${name}`, async () => {
      canned = { status: 200, body: xml };
      const answer = await sdkSend<Record<string, unknown>>(() => sdk.send(new ListPartsCommand(target)));
      const parsed = parseListParts(xml);
      expect(parsed).toEqual({
        Parts: (answer.Parts as Array<Record<string, unknown>>).map((part) =>
          Object.fromEntries(
            Object.entries(part).filter(([field]) => field !== "ChecksumMD5" && !field.includes("XXHASH")),
          ),
        ),
        IsTruncated: answer.IsTruncated,
        NextPartNumberMarker: answer.NextPartNumberMarker,
        ...(answer.ChecksumAlgorithm ? { ChecksumAlgorithm: answer.ChecksumAlgorithm } : {}),
        ...(answer.ChecksumType ? { ChecksumType: answer.ChecksumType } : {}),
        ...(answer.StorageClass ? { StorageClass: answer.StorageClass } : {}),
      });
      seen.length = 0;
      const page = await store.listPartsPage({ ...lean, marker: "1", maxParts: 2 });
      expect(seen[0]!.method).toBe("GET");
      expect(new URL(seen[0]!.url, "http://x").searchParams.get("part-number-marker")).toBe("1");
      expect(new URL(seen[0]!.url, "http://x").searchParams.get("max-parts")).toBe("2");
      expect(page.parts.map((part) => part.etag)).toEqual(
        parsed.Parts!.map((part) => part.ETag!.replace(/"/g, "")),
      );
      expect(page.nextMarker).toBe(parsed.IsTruncated ? parsed.NextPartNumberMarker : undefined);
    });
  }

  it("ListParts: the page the store maps has every algorithm's checksum per part", async () => {
    canned = { status: 200, body: LIST_PARTS };
    const page = await store.listPartsPage(lean);
    expect(page).toEqual({
      parts: [
        {
          number: 1,
          size: 5242880,
          etag: "0123abcd",
          checksums: { CRC64NVME: "AAAAAAAAAAE=" },
          lastModified: new Date("2026-11-30T10:00:00.000Z"),
        },
        {
          number: 2,
          size: 17,
          etag: "4567ef01",
          checksums: {
            CRC32: "AAAAAA==",
            CRC32C: "AAAAAQ==",
            SHA1: "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
            SHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
          },
          lastModified: new Date("2026-11-30T10:00:01.000Z"),
        },
      ],
      nextMarker: "2",
      checksumAlgorithm: "CRC64NVME",
      checksumType: "FULL_OBJECT",
      storageClass: "STANDARD",
    });
  });

  it("ListMultipartUploads: the same uploads and next markers as the SDK", async () => {
    canned = { status: 200, body: LIST_UPLOADS };
    const answer = await sdkSend<Record<string, unknown>>(() =>
      sdk.send(new ListMultipartUploadsCommand({ Bucket: "bucket", Prefix: "dir/" })),
    );
    expect(parseListUploads(LIST_UPLOADS)).toEqual({
      Uploads: (answer.Uploads as Array<Record<string, unknown>>).map(
        ({ Initiator: _i, Owner: _o, ...rest }) => rest,
      ),
      IsTruncated: answer.IsTruncated,
      NextKeyMarker: answer.NextKeyMarker,
      NextUploadIdMarker: answer.NextUploadIdMarker,
    });
    seen.length = 0;
    const page = await store.listUploadsPage({
      bucket: "bucket",
      prefix: "dir/",
      keyMarker: "dir/\u0001",
      uploadIdMarker: "up-0",
    });
    const query = new URL(seen[0]!.url, "http://x").searchParams;
    expect([query.has("uploads"), query.get("key-marker")]).toEqual([true, "dir/\u0001"]);
    expect(query.get("upload-id-marker")).toBe("up-0");
    expect(page.next).toEqual({ keyMarker: "dir/b & c.bin", uploadIdMarker: "up-3" });
    expect(page.uploads.map((upload) => [upload.key, upload.initiated?.toISOString()])).toEqual([
      ["dir/a.bin", "2026-11-29T08:00:00.000Z"],
      ["dir/b & c.bin", "2026-11-29T09:00:00.000Z"],
    ]);
  });

  it("ListMultipartUploads: a control character in a key, raw or as RGW writes it (&#x01;), survives", async () => {
    canned = {
      status: 200,
      body: LIST_UPLOADS.replace(
        "<Key>dir/a.bin</Key>",
        "<Key>dir/a\u0001b&#x01;c&amp;#x01;.bin</Key>",
      ).replace(/dir\/b &amp; c\.bin/g, "dir/b&#x1F;&#31; c.bin"),
    };
    seen.length = 0;
    const page = await store.listUploadsPage({ bucket: "bucket", prefix: "dir/" });
    expect(new URL(seen[0]!.url, "http://x").searchParams.has("encoding-type")).toBe(false);
    expect(page.uploads.map((upload) => upload.key)).toEqual([
      "dir/a\u0001b\u0001c&#x01;.bin",
      "dir/b\u001f\u001f c.bin",
    ]);
    expect(page.next?.keyMarker).toBe("dir/b\u001f\u001f c.bin");
  });

  it("CreateMultipartUpload: the same headers as the SDK, and the upload id", async () => {
    canned = {
      status: 200,
      body: `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>dir/key.bin</Key><UploadId>up-&amp;9</UploadId></InitiateMultipartUploadResult>`,
    };
    seen.length = 0;
    const sdkAnswer = await sdkSend<{ UploadId: string }>(() =>
      sdk.send(
        new CreateMultipartUploadCommand({
          Bucket: "bucket",
          Key: "dir/key.bin",
          ContentType: "text/plain",
          CacheControl: "no-cache",
          Metadata: { build: "7" },
          Tagging: "team=a",
          ChecksumAlgorithm: "CRC64NVME",
          ChecksumType: "FULL_OBJECT",
        }),
      ),
    );
    const uploadId = await store.createMultipartUpload({
      bucket: "bucket",
      key: "dir/key.bin",
      headers: {
        contentType: "text/plain",
        cacheControl: "no-cache",
        metadata: { build: "7" },
        tagging: "team=a",
      },
      algorithm: "CRC64NVME",
      checksumType: "FULL_OBJECT",
    });
    expect(uploadId).toBe(sdkAnswer.UploadId);
    const [bySdk, byLean] = seen;
    expect(byLean!.method).toBe(bySdk!.method);
    expect(new URL(byLean!.url, "http://x").searchParams.has("uploads")).toBe(true);
    const named = (headers: IncomingHttpHeaders) =>
      Object.fromEntries(
        [
          "content-type",
          "cache-control",
          "x-amz-meta-build",
          "x-amz-tagging",
          "x-amz-checksum-algorithm",
          "x-amz-checksum-type",
        ].map((name) => [name, headers[name]]),
      );
    expect(named(byLean!.headers)).toEqual(named(bySdk!.headers));
  });

  it("CreateMultipartUpload: an answer without an UploadId is an error", async () => {
    canned = { status: 200, body: "<InitiateMultipartUploadResult></InitiateMultipartUploadResult>" };
    await expect(
      store.createMultipartUpload({
        bucket: "bucket",
        key: "k",
        headers: { contentType: "text/plain" },
        algorithm: null,
        checksumType: null,
      }),
    ).rejects.toThrow(/without an UploadId/);
  });

  it("CompleteMultipartUpload: the same body and headers as the SDK, and the same answer", async () => {
    canned = {
      status: 200,
      headers: { "x-amz-version-id": "v1", "x-amz-server-side-encryption": "AES256" },
      body: COMPLETE,
    };
    seen.length = 0;
    const sdkAnswer = await sdkSend<Record<string, unknown>>(() => sdk.send(sdkComplete()));
    const answer = await store.completeMultipartUpload(COMPLETE_INPUT);
    const [bySdk, byLean] = seen;
    expect(byLean!.body).toBe(bySdk!.body);
    expect(byLean!.headers["x-amz-content-sha256"]).toBe(bySdk!.headers["x-amz-content-sha256"]);
    for (const name of [
      "content-type",
      "x-amz-checksum-crc64nvme",
      "x-amz-checksum-type",
      "x-amz-mp-object-size",
      "if-none-match",
    ]) {
      expect([name, byLean!.headers[name]]).toEqual([name, bySdk!.headers[name]]);
    }
    expect(parseComplete(COMPLETE)).toEqual({
      ETag: sdkAnswer.ETag,
      ChecksumCRC64NVME: sdkAnswer.ChecksumCRC64NVME,
      ChecksumType: sdkAnswer.ChecksumType,
    });
    expect(answer).toEqual({
      etag: "3858f62230ac3c915f300c664312c11f-2",
      versionId: sdkAnswer.VersionId,
      checksums: { CRC64NVME: "AAAAAAAAAAI=" },
      checksumType: "FULL_OBJECT",
      sse: sdkAnswer.ServerSideEncryption,
    });
  });

  for (const [name, body] of [
    ["a 200 whose body is an <Error>", ERROR_IN_200],
    ["a 200 with an empty body", ""],
  ] as const) {
    it(`CompleteMultipartUpload: ${name} is the SDK's error, retried`, async () => {
      canned = { status: 200, body };
      const bySdk = await caught(sdk.send(sdkComplete()));
      const byLean = await caught(store.completeMultipartUpload(COMPLETE_INPUT));
      expect(byLean).toEqual(bySdk);
      expect(byLean.retried).toBe(true);
    });
  }

  for (const [status, code] of [
    [404, "NoSuchUpload"],
    [412, "PreconditionFailed"],
    [409, "ConditionalRequestConflict"],
    [403, "AccessDenied"],
    [503, "SlowDown"],
    [500, "InternalError"],
    [400, "InvalidPart"],
  ] as const) {
    it(`${status} ${code}: the same name, status and retry decision on every control call`, async () => {
      canned = { status, headers: { "x-amz-request-id": "R2" }, body: errorBody(code) };
      const pairs: Array<[() => Promise<unknown>, () => Promise<unknown>]> = [
        [() => sdk.send(sdkComplete()), () => store.completeMultipartUpload(COMPLETE_INPUT)],
        [() => sdk.send(new ListPartsCommand(target)), () => store.listPartsPage(lean)],
        [
          () => sdk.send(new ListMultipartUploadsCommand({ Bucket: "bucket", Prefix: "dir/" })),
          () => store.listUploadsPage({ bucket: "bucket", prefix: "dir/" }),
        ],
        [
          () => sdk.send(new CreateMultipartUploadCommand({ Bucket: "bucket", Key: "k" })),
          () =>
            store.createMultipartUpload({
              bucket: "bucket",
              key: "k",
              headers: { contentType: "text/plain" },
              algorithm: null,
              checksumType: null,
            }),
        ],
      ];
      for (const [bySdk, byLean] of pairs) {
        expect(await caught(byLean())).toEqual(await caught(bySdk()));
      }
      const abort = await caught(store.abortMultipartUpload(lean));
      expect([abort.name, abort.status]).toEqual([code, status]);
      const deleted = await caught(store.deleteObject({ bucket: "bucket", key: "k", versionId: "v" }));
      expect([deleted.name, deleted.status]).toEqual([code, status]);
    });
  }

  it("AbortMultipartUpload and DeleteObject: DELETE with the upload or version, payload signed", async () => {
    canned = { status: 204, body: "" };
    seen.length = 0;
    await store.abortMultipartUpload(lean);
    await store.deleteObject({ bucket: "bucket", key: "dir/key.bin", versionId: "v 1" });
    expect(seen.map((request) => [request.method, request.url])).toEqual([
      ["DELETE", "/bucket/dir/key.bin?uploadId=up-1"],
      ["DELETE", "/bucket/dir/key.bin?versionId=v%201"],
    ]);
    for (const request of seen) expect(request.headers["x-amz-content-sha256"]).toMatch(/^[0-9a-f]{64}$/);
  });
});
