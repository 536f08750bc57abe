// The emulator's r2, gcs, b2 and minio profiles, each on the points the engine's provider table names for that store
// (profiles.ts cites what each rests on). Raw signed requests, so every header is exactly what a client sends.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type ProfileName } from "../emulator/index.js";
import { sendSigned, type RawResponse, type S3Target } from "../helpers/signed-request.js";

const BUCKET = "profiled";

interface Store {
  emulator: Emulator;
  target: S3Target;
}

async function startStore(profile: ProfileName, minPartSize?: number): Promise<Store> {
  const emulator = await startEmulator({
    profile,
    buckets: [BUCKET],
    ...(minPartSize === undefined ? {} : { minPartSize }),
  });
  const target = { endpoint: emulator.endpoint, region: emulator.region, credentials: emulator.credentials };
  return { emulator, target };
}

function md5(data: Buffer | string): Buffer {
  return createHash("md5").update(data).digest();
}

function put(store: Store, key: string, body: Buffer | string, headers: Record<string, string> = {}) {
  return sendSigned(store.target, { method: "PUT", path: `/${BUCKET}/${key}`, body, headers });
}

function create(store: Store, key: string, headers: Record<string, string> = {}) {
  return sendSigned(store.target, {
    method: "POST",
    path: `/${BUCKET}/${key}`,
    query: { uploads: "" },
    headers,
  });
}

function uploadIdOf(created: RawResponse): string {
  expect(created.status, created.body.toString()).toBe(200);
  return /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString())![1]!;
}

function uploadPart(
  store: Store,
  key: string,
  uploadId: string,
  partNumber: number,
  body: Buffer,
  headers = {},
) {
  return sendSigned(store.target, {
    method: "PUT",
    path: `/${BUCKET}/${key}`,
    query: { partNumber: String(partNumber), uploadId },
    body,
    headers,
  });
}

/** Uploads the parts in order and completes with their ETags. */
async function multipart(store: Store, key: string, sizes: number[], completeHeaders = {}) {
  const uploadId = uploadIdOf(await create(store, key));
  const parts: string[] = [];
  for (const [index, size] of sizes.entries()) {
    const answer = await uploadPart(store, key, uploadId, index + 1, randomBytes(size));
    expect(answer.status, answer.body.toString()).toBe(200);
    parts.push(
      `<Part><PartNumber>${index + 1}</PartNumber><ETag>${answer.headers.etag as string}</ETag></Part>`,
    );
  }
  return sendSigned(store.target, {
    method: "POST",
    path: `/${BUCKET}/${key}`,
    query: { uploadId },
    body: `<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`,
    headers: completeHeaders,
  });
}

function chunkedPut(store: Store, key: string) {
  return sendSigned(store.target, {
    method: "PUT",
    path: `/${BUCKET}/${key}`,
    headers: {
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": "3",
      "x-amz-trailer": "x-amz-checksum-crc32",
    },
    body: "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n",
  });
}

/** The error answer's <Message>, its XML entities decoded. */
function messageOf(answer: RawResponse): string {
  const text = /<Message>([^<]*)<\/Message>/.exec(answer.body.toString())?.[1] ?? "";
  const entities: Record<string, string> = { apos: "'", quot: '"', lt: "<", gt: ">", amp: "&" };
  return text.replace(/&(apos|quot|lt|gt|amp);/g, (_, name: string) => entities[name]!);
}

function checksumHeaders(answer: RawResponse): string[] {
  return Object.keys(answer.headers).filter((name) => name.startsWith("x-amz-checksum"));
}

describe("emulator r2 profile", () => {
  let r2: Store;
  beforeAll(async () => {
    r2 = await startStore("r2", 1024);
  });
  afterAll(async () => {
    await r2.emulator.stop();
  });

  it("refuses parts of unequal size, or a last part larger than the others, with InvalidPart", async () => {
    for (const [key, sizes] of [
      ["uneven.bin", [2048, 1024, 100]],
      ["larger-last.bin", [2048, 2048, 4096]],
    ] as const) {
      const refused = await multipart(r2, key, [...sizes]);
      expect([refused.status, refused.code], key).toEqual([400, "InvalidPart"]);
      expect(messageOf(refused)).toBe("All non-trailing parts must have the same length.");
    }
    const done = await multipart(r2, "equal.bin", [2048, 2048, 2048]);
    expect(done.status, done.body.toString()).toBe(200);
    const shorter = await multipart(r2, "shorter-last.bin", [2048, 2048, 1]);
    expect(shorter.status, shorter.body.toString()).toBe(200);
  });

  it("takes CRC64NVME whole-object and the composite pairs, and refuses CRC32/CRC32C FULL_OBJECT with 501", async () => {
    for (const [algorithm, type] of [
      ["CRC64NVME", "FULL_OBJECT"],
      ["CRC32", "COMPOSITE"],
      ["CRC32C", "COMPOSITE"],
      ["SHA1", "COMPOSITE"],
      ["SHA256", "COMPOSITE"],
      ["CRC32", undefined],
    ] as const) {
      const headers = {
        "x-amz-checksum-algorithm": algorithm,
        ...(type ? { "x-amz-checksum-type": type } : {}),
      };
      expect((await create(r2, "pair.bin", headers)).status, `${algorithm} ${type}`).toBe(200);
    }
    for (const algorithm of ["CRC32", "CRC32C"]) {
      const refused = await create(r2, "pair.bin", {
        "x-amz-checksum-algorithm": algorithm,
        "x-amz-checksum-type": "FULL_OBJECT",
      });
      expect([refused.status, refused.code]).toEqual([501, "NotImplemented"]);
      expect(messageOf(refused)).toBe(
        "Header 'x-amz-checksum-type' with value 'FULL_OBJECT' not implemented",
      );
    }
  });

  it("gives no default checksum to an object sent without one, and keeps one that was sent", async () => {
    await put(r2, "plain.txt", "plain");
    const plain = await sendSigned(r2.target, {
      method: "HEAD",
      path: `/${BUCKET}/plain.txt`,
      headers: { "x-amz-checksum-mode": "ENABLED" },
    });
    expect(checksumHeaders(plain)).toEqual([]);
    expect((await chunkedPut(r2, "chunked.txt")).status).toBe(200);
    const kept = await sendSigned(r2.target, {
      method: "HEAD",
      path: `/${BUCKET}/chunked.txt`,
      headers: { "x-amz-checksum-mode": "ENABLED" },
    });
    expect(kept.headers["x-amz-checksum-crc32"]).toBe("NSRBwg==");
  });
});

describe("emulator gcs profile", () => {
  let gcs: Store;
  beforeAll(async () => {
    gcs = await startStore("gcs", 1024);
  });
  afterAll(async () => {
    await gcs.emulator.stop();
  });

  it("refuses x-amz-checksum headers: ExcessHeaderValues on writes and reads, PreconditionFailed on Complete", async () => {
    const onPut = await put(gcs, "c.txt", "c", { "x-amz-checksum-crc32": "AAAAAA==" });
    expect([onPut.status, onPut.code]).toEqual([400, "ExcessHeaderValues"]);
    const uploadId = uploadIdOf(await create(gcs, "m.bin"));
    const onPart = await uploadPart(gcs, "m.bin", uploadId, 1, randomBytes(10), {
      "x-amz-sdk-checksum-algorithm": "CRC32",
    });
    expect([onPart.status, onPart.code]).toEqual([400, "ExcessHeaderValues"]);
    const onCreate = await create(gcs, "m.bin", { "x-amz-checksum-algorithm": "CRC32" });
    expect([onCreate.status, onCreate.code]).toEqual([400, "ExcessHeaderValues"]);
    const onComplete = await multipart(gcs, "m2.bin", [10], { "x-amz-checksum-crc32": "AAAAAA==-1" });
    expect([onComplete.status, onComplete.code]).toEqual([412, "PreconditionFailed"]);
    await put(gcs, "r.txt", "r");
    const onGet = await sendSigned(gcs.target, {
      method: "GET",
      path: `/${BUCKET}/r.txt`,
      headers: { "x-amz-checksum-mode": "ENABLED" },
    });
    expect([onGet.status, onGet.code]).toEqual([400, "ExcessHeaderValues"]);
  });

  it("refuses aws-chunked bodies (SignatureDoesNotMatch) and conditional writes (501)", async () => {
    const chunked = await chunkedPut(gcs, "chunked.txt");
    expect([chunked.status, chunked.code]).toEqual([403, "SignatureDoesNotMatch"]);
    const conditional = await put(gcs, "cond.txt", "x", { "if-none-match": "*" });
    expect([conditional.status, conditional.code]).toEqual([501, "NotImplemented"]);
  });

  it("checks Content-MD5 (BadDigest) and lists each part's MD5 as its ETag, with no checksum anywhere", async () => {
    const wrong = await put(gcs, "md5.txt", "body", { "content-md5": md5("other").toString("base64") });
    expect([wrong.status, wrong.code]).toEqual([400, "BadDigest"]);
    const part = randomBytes(2048);
    const uploadId = uploadIdOf(await create(gcs, "listed.bin"));
    const answer = await uploadPart(gcs, "listed.bin", uploadId, 1, part, {
      "content-md5": md5(part).toString("base64"),
    });
    expect(answer.headers.etag).toBe(`"${md5(part).toString("hex")}"`);
    const listed = await sendSigned(gcs.target, {
      method: "GET",
      path: `/${BUCKET}/listed.bin`,
      query: { uploadId },
    });
    expect(listed.body.toString()).toContain(`<ETag>&quot;${md5(part).toString("hex")}&quot;</ETag>`);
    expect(listed.body.toString()).not.toContain("Checksum");
  });
});

describe("emulator b2 profile", () => {
  let b2: Store;
  beforeAll(async () => {
    b2 = await startStore("b2");
  });
  afterAll(async () => {
    await b2.emulator.stop();
  });

  it("refuses every x-amz-checksum header with InvalidArgument naming it", async () => {
    const cases: [string, () => Promise<RawResponse>][] = [
      ["x-amz-checksum-crc32", () => put(b2, "c.txt", "c", { "x-amz-checksum-crc32": "AAAAAA==" })],
      [
        "x-amz-sdk-checksum-algorithm",
        () => put(b2, "c.txt", "c", { "x-amz-sdk-checksum-algorithm": "CRC32" }),
      ],
      ["x-amz-checksum-algorithm", () => create(b2, "m.bin", { "x-amz-checksum-algorithm": "SHA256" })],
      [
        "x-amz-checksum-mode",
        () =>
          sendSigned(b2.target, {
            method: "GET",
            path: `/${BUCKET}/c.txt`,
            headers: { "x-amz-checksum-mode": "ENABLED" },
          }),
      ],
      ["x-amz-trailer", () => chunkedPut(b2, "chunked.txt")],
    ];
    for (const [name, send] of cases) {
      const refused = await send();
      expect([refused.status, refused.code], name).toEqual([400, "InvalidArgument"]);
      expect(messageOf(refused)).toBe(`Unsupported header '${name}' received for this API call.`);
    }
  });

  it("takes parts of 5,000,000 bytes and refuses smaller ones but the last (EntityTooSmall)", async () => {
    const small = await multipart(b2, "small.bin", [4_999_999, 10]);
    expect([small.status, small.code]).toEqual([400, "EntityTooSmall"]);
    const done = await multipart(b2, "exact.bin", [5_000_000, 10]);
    expect(done.status, done.body.toString()).toBe(200);
  });

  it("answers If-None-Match on writes with 501 (B2 documents no conditional create)", async () => {
    const conditional = await put(b2, "cond.txt", "x", { "if-none-match": "*" });
    expect([conditional.status, conditional.code]).toEqual([501, "NotImplemented"]);
  });
});

describe("emulator minio profile", () => {
  let minio: Store;
  beforeAll(async () => {
    minio = await startStore("minio");
  });
  afterAll(async () => {
    await minio.emulator.stop();
  });

  async function listedKeys(prefix: string | undefined): Promise<string[]> {
    const listed = await sendSigned(minio.target, {
      method: "GET",
      path: `/${BUCKET}`,
      query: { uploads: "", ...(prefix === undefined ? {} : { prefix }) },
    });
    return [...listed.body.toString().matchAll(/<Key>([^<]+)<\/Key>/g)].map((match) => match[1]!);
  }

  it("lists only the uploads of exactly the key a ListMultipartUploads prefix names, all without one", async () => {
    for (const key of ["dir/a", "dir/ab", "dir/a/b"]) uploadIdOf(await create(minio, key));
    expect(await listedKeys("dir/a")).toEqual(["dir/a"]);
    expect(await listedKeys("dir/")).toEqual([]);
    expect(await listedKeys(undefined)).toEqual(["dir/a", "dir/a/b", "dir/ab"]);
  });

  it("checks additional checksums as S3 does", async () => {
    const wrong = await put(minio, "c.txt", "c", { "x-amz-checksum-crc32": "AAAAAA==" });
    expect([wrong.status, wrong.code]).toEqual([400, "BadDigest"]);
  });
});
