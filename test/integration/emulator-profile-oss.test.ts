// The emulator's "oss" profile behaves like Aliyun OSS where the engine's provider table says OSS differs from S3:
// virtual-hosted only, aws-chunked refused, x-amz-checksum-* ignored, Content-MD5 checked (InvalidDigest), its
// CRC-64 (x-oss-hash-crc64ecma) on every answer, 100 KB parts, x-oss-forbid-overwrite. Raw signed requests, so
// every header is exactly what a client sends; the CRC reference below is written here, apart from the emulator's.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { sendSigned, type RawRequest, type S3Target } from "../helpers/signed-request.js";
import { virtualHostClientFor } from "../emulator/sdk-client.js";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";

const BUCKET = "oss-bucket";
const KB = 1024;
const MIN_PART = 100 * KB;

// CRC-64/XZ ("ECMA-182" in OSS's words): reflected polynomial of 0x42F0E1EBA9EA3693, init and xorout all ones.
const REFLECTED = 0xc96c5795d7870f42n;
const ONES = 0xffffffffffffffffn;
const TABLE = Array.from({ length: 256 }, (_, index) => {
  let crc = BigInt(index);
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 1n ? (crc >> 1n) ^ REFLECTED : crc >> 1n;
  return crc;
});

/** OSS's header value: the decimal uint64. */
function crc64ecma(data: Buffer): string {
  let crc = ONES;
  for (const byte of data) crc = TABLE[Number((crc ^ BigInt(byte)) & 0xffn)]! ^ (crc >> 8n);
  return (crc ^ ONES).toString();
}

function md5(data: Buffer): Buffer {
  return createHash("md5").update(data).digest();
}

let emulator: Emulator;
let hosted: S3Target;
let pathStyle: S3Target;

beforeAll(async () => {
  emulator = await startEmulator({ profile: "oss", buckets: [BUCKET] });
  const port = new URL(emulator.endpoint).port;
  const common = { region: emulator.region, credentials: emulator.credentials };
  hosted = { endpoint: `http://${BUCKET}.localhost:${port}`, ...common };
  pathStyle = { endpoint: emulator.endpoint, ...common };
});

afterAll(async () => {
  await emulator.stop();
});

function put(key: string, body: Buffer, headers: Record<string, string> = {}) {
  return sendSigned(hosted, { method: "PUT", path: `/${key}`, body, headers });
}

async function createUpload(key: string, headers: Record<string, string> = {}): Promise<string> {
  const created = await sendSigned(hosted, {
    method: "POST",
    path: `/${key}`,
    query: { uploads: "" },
    headers,
  });
  expect(created.status, created.body.toString()).toBe(200);
  return /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString())![1]!;
}

function uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer, headers = {}) {
  return sendSigned(hosted, {
    method: "PUT",
    path: `/${key}`,
    query: { partNumber: String(partNumber), uploadId },
    body,
    headers,
  });
}

function complete(key: string, uploadId: string, parts: [number, string][], headers = {}) {
  const xml =
    "<CompleteMultipartUpload>" +
    parts.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`).join("") +
    "</CompleteMultipartUpload>";
  return sendSigned(hosted, { method: "POST", path: `/${key}`, query: { uploadId }, body: xml, headers });
}

function xamzChecksumHeaders(headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter((name) => name.startsWith("x-amz-checksum"));
}

describe("emulator oss profile: addressing", () => {
  it("answers path-style requests with 403 SecondLevelDomainForbidden and serves virtual-hosted ones", async () => {
    const refused = await sendSigned(pathStyle, { method: "PUT", path: `/${BUCKET}/a.txt`, body: "x" });
    expect(refused.status).toBe(403);
    expect(refused.code).toBe("SecondLevelDomainForbidden");
    expect(refused.body.toString()).toContain("Please use virtual hosted style to access.");
    const listed = await sendSigned(pathStyle, { method: "GET", path: "/" });
    expect(listed.status).toBe(200);
    expect(listed.body.toString()).toContain(`<Name>${BUCKET}</Name>`);
    const stored = await put("a.txt", Buffer.from("x"));
    expect(stored.status).toBe(200);
    const read = await sendSigned(hosted, { method: "GET", path: "/a.txt" });
    expect(read.body.toString()).toBe("x");
  });

  it("serves the AWS SDK addressing virtual-hosted (virtualHostClientFor)", async () => {
    const sdk = virtualHostClientFor(emulator, { requestChecksumCalculation: "WHEN_REQUIRED" });
    try {
      await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: "sdk.txt", Body: "from the sdk" }));
      const read = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: "sdk.txt" }));
      expect(await read.Body!.transformToString()).toBe("from the sdk");
      expect(read.ETag).toBe(`"${md5(Buffer.from("from the sdk")).toString("hex").toUpperCase()}"`);
    } finally {
      sdk.destroy();
    }
  });

  it("names the virtual-hosted object in Complete's Location", async () => {
    const key = "dir/located.bin";
    const uploadId = await createUpload(key);
    const part = await uploadPart(key, uploadId, 1, Buffer.from("tail"));
    const done = await complete(key, uploadId, [[1, part.headers.etag as string]]);
    expect(done.body.toString()).toContain(`<Location>${hosted.endpoint}/dir/located.bin</Location>`);
  });
});

describe("emulator oss profile: CRC-64 on every answer", () => {
  it("computes CRC-64/XZ with the check value OSS documents", () => {
    expect(crc64ecma(Buffer.from("123456789"))).toBe(BigInt("0x995DC9BBDF1939FA").toString());
  });

  it("sends x-oss-hash-crc64ecma on PutObject, GetObject (whole and ranged) and HeadObject, with an upper-case MD5 ETag", async () => {
    const body = randomBytes(300 * KB + 7);
    const answer = await put("single.bin", body);
    expect(answer.status).toBe(200);
    expect(answer.headers["x-oss-hash-crc64ecma"]).toBe(crc64ecma(body));
    expect(answer.headers.etag).toBe(`"${md5(body).toString("hex").toUpperCase()}"`);
    const head = await sendSigned(hosted, { method: "HEAD", path: "/single.bin" });
    expect(head.headers["x-oss-hash-crc64ecma"]).toBe(crc64ecma(body));
    const read = await sendSigned(hosted, { method: "GET", path: "/single.bin" });
    expect(read.body.equals(body)).toBe(true);
    expect(read.headers["x-oss-hash-crc64ecma"]).toBe(crc64ecma(body));
    const ranged = await sendSigned(hosted, {
      method: "GET",
      path: "/single.bin",
      headers: { range: "bytes=0-99" },
    });
    expect(ranged.status).toBe(206);
    expect(ranged.headers["x-oss-hash-crc64ecma"]).toBe(crc64ecma(body));
  });

  it("gives each part and the completed object their CRC-64 (UploadPart, ListParts, Complete, Get, Head)", async () => {
    const key = "multi.bin";
    const parts = [randomBytes(MIN_PART), randomBytes(MIN_PART + 1), randomBytes(333)];
    const whole = Buffer.concat(parts);
    const uploadId = await createUpload(key);
    const etags: [number, string][] = [];
    for (const [index, part] of parts.entries()) {
      const answer = await uploadPart(key, uploadId, index + 1, part);
      expect(answer.status).toBe(200);
      expect(answer.headers["x-oss-hash-crc64ecma"]).toBe(crc64ecma(part));
      expect(answer.headers.etag).toBe(`"${md5(part).toString("hex").toUpperCase()}"`);
      etags.push([index + 1, answer.headers.etag as string]);
    }
    const listed = await sendSigned(hosted, { method: "GET", path: `/${key}`, query: { uploadId } });
    const listedCrcs = [...listed.body.toString().matchAll(/<HashCrc64ecma>(\d+)<\/HashCrc64ecma>/g)].map(
      (match) => match[1],
    );
    expect(listedCrcs).toEqual(parts.map(crc64ecma));
    const done = await complete(key, uploadId, etags);
    expect(done.status, done.body.toString()).toBe(200);
    expect(done.headers["x-oss-hash-crc64ecma"]).toBe(crc64ecma(whole));
    expect(done.body.toString()).toMatch(/<ETag>&quot;[0-9A-F]{32}-3&quot;<\/ETag>/);
    expect(xamzChecksumHeaders(done.headers)).toEqual([]);
    expect(done.body.toString()).not.toContain("Checksum");
    for (const method of ["GET", "HEAD"]) {
      const read = await sendSigned(hosted, {
        method,
        path: `/${key}`,
        headers: { "x-amz-checksum-mode": "ENABLED" },
      });
      expect(read.headers["x-oss-hash-crc64ecma"]).toBe(crc64ecma(whole));
      expect(xamzChecksumHeaders(read.headers)).toEqual([]);
      if (method === "GET") expect(read.body.equals(whole)).toBe(true);
    }
  });

  it("lets a part corrupted in storage show in ListParts' CRC-64 while UploadPart answered the true one", async () => {
    const key = "corrupted.bin";
    const parts = [randomBytes(MIN_PART), randomBytes(MIN_PART)];
    emulator.faults.add({ operation: "UploadPart", action: "corrupt-stored", key, partNumber: 2, times: 1 });
    const uploadId = await createUpload(key);
    const answers = [];
    for (const [index, part] of parts.entries())
      answers.push(await uploadPart(key, uploadId, index + 1, part));
    expect(answers.map((answer) => answer.headers["x-oss-hash-crc64ecma"])).toEqual(parts.map(crc64ecma));
    const listed = await sendSigned(hosted, { method: "GET", path: `/${key}`, query: { uploadId } });
    const listedCrcs = [...listed.body.toString().matchAll(/<HashCrc64ecma>(\d+)<\/HashCrc64ecma>/g)].map(
      (match) => match[1],
    );
    expect(listedCrcs[0]).toBe(crc64ecma(parts[0]!));
    expect(listedCrcs[1]).not.toBe(crc64ecma(parts[1]!));
    const middle = Math.floor(MIN_PART / 2);
    const stored = Buffer.from(parts[1]!);
    stored[middle] = stored[middle]! ^ 0xff;
    expect(listedCrcs[1]).toBe(crc64ecma(stored));
    await sendSigned(hosted, { method: "DELETE", path: `/${key}`, query: { uploadId } });
  });
});

describe("emulator oss profile: what OSS refuses or ignores", () => {
  it("refuses aws-chunked bodies with 400 InvalidArgument", async () => {
    const chunked: RawRequest = {
      method: "PUT",
      path: "/chunked.bin",
      headers: {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": "3",
        "x-amz-trailer": "x-amz-checksum-crc32",
      },
      body: "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n",
    };
    const refused = await sendSigned(hosted, chunked);
    expect(refused.status).toBe(400);
    expect(refused.code).toBe("InvalidArgument");
    expect(refused.body.toString()).toContain("aws-chunked encoding is not supported");
  });

  it("ignores x-amz-checksum-*: a wrong value is not checked and no checksum is echoed or kept", async () => {
    const body = Buffer.from("checksummed");
    const answer = await put("ignored.txt", body, {
      "x-amz-checksum-crc32": "AAAAAA==",
      "x-amz-sdk-checksum-algorithm": "CRC32",
    });
    expect(answer.status).toBe(200);
    expect(xamzChecksumHeaders(answer.headers)).toEqual([]);
    const uploadId = await createUpload("ignored-multi.bin", {
      "x-amz-checksum-algorithm": "SHA256",
      "x-amz-checksum-type": "COMPOSITE",
    });
    const part = await uploadPart("ignored-multi.bin", uploadId, 1, body, { "x-amz-checksum-sha256": "bad" });
    expect(part.status).toBe(200);
    expect(xamzChecksumHeaders(part.headers)).toEqual([]);
    const listed = await sendSigned(hosted, {
      method: "GET",
      path: "/ignored-multi.bin",
      query: { uploadId },
    });
    expect(listed.body.toString()).not.toContain("Checksum");
    const done = await complete("ignored-multi.bin", uploadId, [[1, part.headers.etag as string]], {
      "x-amz-checksum-sha256": "bad",
    });
    expect(done.status, done.body.toString()).toBe(200);
    expect(done.headers["x-oss-hash-crc64ecma"]).toBe(crc64ecma(body));
  });

  it("answers a Content-MD5 that does not match, or is malformed, with 400 InvalidDigest", async () => {
    const body = Buffer.from("digest me");
    const good = await put("md5.txt", body, { "content-md5": md5(body).toString("base64") });
    expect(good.status).toBe(200);
    const wrong = await put("md5.txt", body, { "content-md5": md5(Buffer.from("other")).toString("base64") });
    expect([wrong.status, wrong.code]).toEqual([400, "InvalidDigest"]);
    const malformed = await put("md5.txt", body, { "content-md5": "not-base64" });
    expect([malformed.status, malformed.code]).toEqual([400, "InvalidDigest"]);
    const uploadId = await createUpload("md5-part.bin");
    const part = await uploadPart("md5-part.bin", uploadId, 1, body, {
      "content-md5": md5(Buffer.from("other")).toString("base64"),
    });
    expect([part.status, part.code]).toEqual([400, "InvalidDigest"]);
    const sent = await uploadPart("md5-part.bin", uploadId, 1, body);
    const completeWithWrongMd5 = await complete(
      "md5-part.bin",
      uploadId,
      [[1, sent.headers.etag as string]],
      {
        "content-md5": md5(Buffer.from("other")).toString("base64"),
      },
    );
    expect([completeWithWrongMd5.status, completeWithWrongMd5.code]).toEqual([400, "InvalidDigest"]);
  });

  it("takes part numbers 1-10,000 and parts of at least 100 KB but the last (EntityTooSmall)", async () => {
    const key = "small-parts.bin";
    const uploadId = await createUpload(key);
    for (const partNumber of [0, 10001]) {
      const refused = await uploadPart(key, uploadId, partNumber, Buffer.from("x"));
      expect([refused.status, refused.code]).toEqual([400, "InvalidArgument"]);
    }
    const first = await uploadPart(key, uploadId, 1, randomBytes(MIN_PART - 1));
    const last = await uploadPart(key, uploadId, 10000, randomBytes(10));
    const tooSmall = await complete(key, uploadId, [
      [1, first.headers.etag as string],
      [10000, last.headers.etag as string],
    ]);
    expect([tooSmall.status, tooSmall.code]).toEqual([400, "EntityTooSmall"]);
    const exact = await uploadPart(key, uploadId, 1, randomBytes(MIN_PART));
    // Part numbers need not be consecutive on OSS.
    const done = await complete(key, uploadId, [
      [1, exact.headers.etag as string],
      [10000, last.headers.etag as string],
    ]);
    expect(done.status, done.body.toString()).toBe(200);
  });

  it("refuses to replace a key with x-oss-forbid-overwrite: true (409 FileAlreadyExists), on PutObject and Complete", async () => {
    const key = "kept.txt";
    expect((await put(key, Buffer.from("v1"), { "x-oss-forbid-overwrite": "true" })).status).toBe(200);
    const again = await put(key, Buffer.from("v2"), { "x-oss-forbid-overwrite": "true" });
    expect([again.status, again.code]).toEqual([409, "FileAlreadyExists"]);
    const uploadId = await createUpload("kept-multi.bin");
    const part = await uploadPart("kept-multi.bin", uploadId, 1, Buffer.from("m"));
    await put("kept-multi.bin", Buffer.from("meanwhile"));
    const completed = await complete("kept-multi.bin", uploadId, [[1, part.headers.etag as string]], {
      "x-oss-forbid-overwrite": "true",
    });
    expect([completed.status, completed.code]).toEqual([409, "FileAlreadyExists"]);
    const created = await sendSigned(hosted, {
      method: "POST",
      path: `/${key}`,
      query: { uploads: "" },
      headers: { "x-oss-forbid-overwrite": "true" },
    });
    expect([created.status, created.code]).toEqual([409, "FileAlreadyExists"]);
    const read = await sendSigned(hosted, { method: "GET", path: `/${key}` });
    expect(read.body.toString()).toBe("v1");
    const replaced = await put(key, Buffer.from("v3"), { "x-oss-forbid-overwrite": "false" });
    expect(replaced.status).toBe(200);
    const invalid = await put(key, Buffer.from("v4"), { "x-oss-forbid-overwrite": "yes" });
    expect([invalid.status, invalid.code]).toEqual([400, "InvalidArgument"]);
  });

  it("answers If-None-Match on writes with 501 (OSS's conditional create is x-oss-forbid-overwrite)", async () => {
    const refused = await put("conditional.txt", Buffer.from("x"), { "if-none-match": "*" });
    expect([refused.status, refused.code]).toEqual([501, "NotImplemented"]);
  });
});
