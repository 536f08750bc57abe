// The emulator driven by @aws-sdk/client-s3 over real HTTP: auth, integrity checks, objects, listing, versioning.
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type ChecksumAlgorithm,
  type S3Client,
} from "@aws-sdk/client-s3";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { s3ClientFor, s3ErrorOf } from "../emulator/sdk-client.js";
import { referenceChecksum } from "../helpers/checksums.js";

const BUCKET = "objects-bucket";
const ALGORITHMS: ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

function checksumField(alg: ChecksumAlgorithm): `Checksum${ChecksumAlgorithm}` {
  return `Checksum${alg}`;
}

/** Replaces the request body after signing: what a corrupting network or a buggy client would send. */
function swapBodyAfterSigning(client: S3Client, body: Buffer | string): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { body: unknown }).body = body;
      return next(args);
    },
    { step: "deserialize", name: "swapBodyAfterSigning" },
  );
}

function forceHeaderBeforeSigning(client: S3Client, name: string, value: string): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers[name] = value;
      return next(args);
    },
    { step: "build", name: `force-${name}` },
  );
}

let emulator: Emulator;
let s3: S3Client;

beforeAll(async () => {
  emulator = await startEmulator({ buckets: [BUCKET] });
  s3 = s3ClientFor(emulator);
});

afterAll(async () => {
  s3.destroy();
  await emulator.stop();
});

describe("authentication", () => {
  it("accepts the configured keys and rejects a wrong secret or an unknown key", async () => {
    await s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
    const wrongSecret = s3ClientFor(emulator, {
      credentials: { ...emulator.credentials, secretAccessKey: "wrong-secret-wrong-secret-wrong-secret00" },
    });
    expect(await s3ErrorOf(wrongSecret.send(new ListObjectsV2Command({ Bucket: BUCKET })))).toEqual({
      code: "SignatureDoesNotMatch",
      status: 403,
    });
    const unknownKey = s3ClientFor(emulator, {
      credentials: { ...emulator.credentials, accessKeyId: "AKIAUNKNOWN000000000" },
    });
    expect(await s3ErrorOf(unknownKey.send(new ListObjectsV2Command({ Bucket: BUCKET })))).toEqual({
      code: "InvalidAccessKeyId",
      status: 403,
    });
  });

  it("accepts UNSIGNED-PAYLOAD and verifies a signed hex payload hash", async () => {
    const unsigned = s3ClientFor(emulator, { requestChecksumCalculation: "WHEN_REQUIRED" });
    forceHeaderBeforeSigning(unsigned, "x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    await unsigned.send(new PutObjectCommand({ Bucket: BUCKET, Key: "unsigned", Body: "payload" }));
    const stored = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "unsigned" }));
    expect(await stored.Body!.transformToString()).toBe("payload");

    const tampered = s3ClientFor(emulator, { requestChecksumCalculation: "WHEN_REQUIRED" });
    swapBodyAfterSigning(tampered, "PAYLOAD");
    expect(
      await s3ErrorOf(
        tampered.send(new PutObjectCommand({ Bucket: BUCKET, Key: "tampered", Body: "payload" })),
      ),
    ).toEqual({
      code: "XAmzContentSHA256Mismatch",
      status: 400,
    });
  });
});

describe("buckets", () => {
  it("creates, heads and lists buckets, refuses invalid names, re-creates an own bucket as us-east-1 does", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "second-bucket" }));
    const names = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name);
    expect(names).toEqual(expect.arrayContaining([BUCKET, "second-bucket"]));
    // us-east-1 answers 200 to re-creating an own bucket (documented legacy behaviour; other regions: 409).
    const again = await s3.send(new CreateBucketCommand({ Bucket: "second-bucket" }));
    expect(again.$metadata.httpStatusCode).toBe(200);
    expect((await s3ErrorOf(s3.send(new CreateBucketCommand({ Bucket: "Bad_Name" })))).code).toBe(
      "InvalidBucketName",
    );
    expect(await s3ErrorOf(s3.send(new HeadBucketCommand({ Bucket: "missing-bucket" })))).toEqual({
      code: "NotFound",
      status: 404,
    });
    expect(await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: "missing-bucket", Key: "k" })))).toEqual({
      code: "NoSuchBucket",
      status: 404,
    });
  });
});

describe("unmodelled S3 features", () => {
  it("answer NotImplemented instead of being mistaken for a listing", async () => {
    expect(await s3ErrorOf(s3.send(new GetBucketAclCommand({ Bucket: BUCKET })))).toEqual({
      code: "NotImplemented",
      status: 501,
    });
  });
});

describe("PutObject integrity", () => {
  const data = randomBytes(70_000);

  for (const alg of ALGORITHMS) {
    it(`${alg}: accepts the right value (header and aws-chunked trailer), stores it, rejects wrong and malformed ones`, async () => {
      const expected = await referenceChecksum(alg, data);
      const put = await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `sum-${alg}`, Body: data, ChecksumAlgorithm: alg }),
      );
      expect(put[checksumField(alg)]).toBe(expected);
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: `sum-${alg}`, ChecksumMode: "ENABLED" }),
      );
      expect(head[checksumField(alg)]).toBe(expected);
      expect(head.ChecksumType).toBe("FULL_OBJECT");

      // A stream of known length makes the SDK send aws-chunked with a trailing checksum.
      const chunked = await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `chunked-${alg}`,
          Body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
          ContentLength: data.length,
          ChecksumAlgorithm: alg,
        }),
      );
      expect(chunked[checksumField(alg)]).toBe(expected);
      const back = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `chunked-${alg}` }));
      expect(Buffer.from(await back.Body!.transformToByteArray()).equals(data)).toBe(true);

      const putErrorFor = (checksum: string) =>
        s3ErrorOf(
          s3.send(
            new PutObjectCommand({
              Bucket: BUCKET,
              Key: `bad-${alg}`,
              Body: data,
              [checksumField(alg)]: checksum,
            }),
          ),
        );
      const wrong = await referenceChecksum(alg, Buffer.from("other bytes"));
      expect(await putErrorFor(wrong)).toEqual({ code: "BadDigest", status: 400 });
      expect(await putErrorFor("abc")).toEqual({ code: "InvalidRequest", status: 400 });
      expect(await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `bad-${alg}` })))).toEqual({
        code: "NotFound",
        status: 404,
      });
    });
  }

  it("rejects a wrong checksum in an aws-chunked trailer", async () => {
    const client = s3ClientFor(emulator);
    const wrongTrailer = `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${await referenceChecksum("CRC32", Buffer.from("jello"))}\r\n\r\n`;
    swapBodyAfterSigning(client, wrongTrailer);
    const call = client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "trailer",
        Body: Readable.from([Buffer.from("hello")]),
        ContentLength: 5,
        ChecksumAlgorithm: "CRC32",
      }),
    );
    expect(await s3ErrorOf(call)).toEqual({ code: "BadDigest", status: 400 });
  });

  it("verifies Content-MD5: right accepted, wrong BadDigest, malformed InvalidDigest", async () => {
    const md5 = createHash("md5").update(data).digest("base64");
    const plain = s3ClientFor(emulator, { requestChecksumCalculation: "WHEN_REQUIRED" });
    const put = await plain.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "md5", Body: data, ContentMD5: md5 }),
    );
    expect(put.ETag).toBe(`"${Buffer.from(md5, "base64").toString("hex")}"`);
    const wrong = createHash("md5").update("x").digest("base64");
    expect(
      await s3ErrorOf(
        plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: "md5", Body: data, ContentMD5: wrong })),
      ),
    ).toEqual({
      code: "BadDigest",
      status: 400,
    });
    expect(
      await s3ErrorOf(
        plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: "md5", Body: data, ContentMD5: "nope" })),
      ),
    ).toEqual({
      code: "InvalidDigest",
      status: 400,
    });
  });

  it("computes CRC64NVME for objects sent without any checksum, as S3 does", async () => {
    const plain = s3ClientFor(emulator, { requestChecksumCalculation: "WHEN_REQUIRED" });
    await plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: "default-sum", Body: data }));
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "default-sum", ChecksumMode: "ENABLED" }),
    );
    expect(head.ChecksumCRC64NVME).toBe(await referenceChecksum("CRC64NVME", data));
  });

  it("honours If-None-Match: * on PutObject", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "once", Body: "1", IfNoneMatch: "*" }));
    expect(
      await s3ErrorOf(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "once", Body: "2", IfNoneMatch: "*" })),
      ),
    ).toEqual({
      code: "PreconditionFailed",
      status: 412,
    });
  });
});

describe("objects", () => {
  it("stores and echoes metadata, content headers, tagging count, storage class and SSE", async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "dir/meta file+ü.txt",
        Body: "hello",
        ContentType: "text/plain",
        CacheControl: "max-age=60",
        ContentDisposition: "attachment",
        Metadata: { build: "42" },
        Tagging: "team=ci&kind=artifact",
        StorageClass: "STANDARD_IA",
        ServerSideEncryption: "aws:kms",
        SSEKMSKeyId: "alias/test",
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "dir/meta file+ü.txt" }));
    expect(head).toMatchObject({
      ContentType: "text/plain",
      CacheControl: "max-age=60",
      ContentDisposition: "attachment",
      Metadata: { build: "42" },
      StorageClass: "STANDARD_IA",
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "alias/test",
      ContentLength: 5,
    });
    const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "dir/meta file+ü.txt" }));
    expect(get.TagCount).toBe(2);
    expect(await get.Body!.transformToString()).toBe("hello");
    expect(
      await s3ErrorOf(
        s3.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: "x", Body: "1", StorageClass: "CHEAP" as "STANDARD" }),
        ),
      ),
    ).toEqual({ code: "InvalidStorageClass", status: 400 });
  });

  it("serves byte ranges and answers InvalidRange past the end", async () => {
    const body = Buffer.from("0123456789");
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "range", Body: body }));
    const read = async (range: string) => {
      const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "range", Range: range }));
      return [await out.Body!.transformToString(), out.ContentRange];
    };
    expect(await read("bytes=2-4")).toEqual(["234", "bytes 2-4/10"]);
    expect(await read("bytes=7-")).toEqual(["789", "bytes 7-9/10"]);
    expect(await read("bytes=-3")).toEqual(["789", "bytes 7-9/10"]);
    expect(await read("bytes=8-100")).toEqual(["89", "bytes 8-9/10"]);
    expect(
      await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "range", Range: "bytes=10-" }))),
    ).toEqual({
      code: "InvalidRange",
      status: 416,
    });
  });

  it("lists with prefix, delimiter and continuation tokens", async () => {
    const keys = ["list/a", "list/b", "list/c/1", "list/c/2", "list/d", "lisz"];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "list/", MaxKeys: 2, ContinuationToken: token }),
      );
      seen.push(...(page.Contents ?? []).map((item) => item.Key!));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(seen).toEqual(["list/a", "list/b", "list/c/1", "list/c/2", "list/d"]);
    const folded = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "list/", Delimiter: "/" }),
    );
    expect(folded.Contents?.map((item) => item.Key)).toEqual(["list/a", "list/b", "list/d"]);
    expect(folded.CommonPrefixes?.map((item) => item.Prefix)).toEqual(["list/c/"]);
    expect(folded.KeyCount).toBe(4);
  });

  it("lists keys in UTF-8 byte order as S3 does, also past the BMP, and start-after follows that order", async () => {
    // UTF-16 order (JavaScript's) puts the emoji before U+FF5E; UTF-8 order (S3's) puts it after.
    const keys = ["utf8/\u{1F600}", "utf8/\uFF5E", "utf8/z"];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    const all = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "utf8/" }));
    expect(all.Contents?.map((item) => item.Key)).toEqual(["utf8/z", "utf8/\uFF5E", "utf8/\u{1F600}"]);
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "utf8/", StartAfter: "utf8/\uFF5E" }),
    );
    expect(after.Contents?.map((item) => item.Key)).toEqual(["utf8/\u{1F600}"]);
  });

  it("deletes objects; a deleted key answers NoSuchKey", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "doomed", Body: "x" }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "doomed" }));
    expect(await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "doomed" })))).toEqual({
      code: "NoSuchKey",
      status: 404,
    });
  });

  it("returns GetObjectAttributes for a single-part object", async () => {
    const body = Buffer.from("attributes!");
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "attrs", Body: body, ChecksumAlgorithm: "SHA256" }),
    );
    const attrs = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: "attrs",
        ObjectAttributes: ["ETag", "Checksum", "ObjectSize", "StorageClass"],
      }),
    );
    expect(attrs).toMatchObject({
      ETag: createHash("md5").update(body).digest("hex"),
      ObjectSize: body.length,
      StorageClass: "STANDARD",
      Checksum: { ChecksumSHA256: await referenceChecksum("SHA256", body), ChecksumType: "FULL_OBJECT" },
    });
  });
});

describe("versioning", () => {
  it("returns version ids when enabled, keeps old versions, and hides a key behind a delete marker", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "versioned-bucket" }));
    const before = await s3.send(new PutObjectCommand({ Bucket: "versioned-bucket", Key: "k", Body: "v0" }));
    expect(before.VersionId).toBeUndefined();
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: "versioned-bucket",
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const first = await s3.send(new PutObjectCommand({ Bucket: "versioned-bucket", Key: "k", Body: "v1" }));
    const second = await s3.send(new PutObjectCommand({ Bucket: "versioned-bucket", Key: "k", Body: "v2" }));
    expect(first.VersionId).toBeTruthy();
    expect(second.VersionId).not.toBe(first.VersionId);
    const old = await s3.send(
      new GetObjectCommand({ Bucket: "versioned-bucket", Key: "k", VersionId: first.VersionId }),
    );
    expect(await old.Body!.transformToString()).toBe("v1");
    expect(old.VersionId).toBe(first.VersionId);
    const removed = await s3.send(new DeleteObjectCommand({ Bucket: "versioned-bucket", Key: "k" }));
    expect(removed.DeleteMarker).toBe(true);
    expect(
      (await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: "versioned-bucket", Key: "k" })))).code,
    ).toBe("NoSuchKey");
    const latest = await s3.send(
      new GetObjectCommand({ Bucket: "versioned-bucket", Key: "k", VersionId: second.VersionId }),
    );
    expect(await latest.Body!.transformToString()).toBe("v2");
  });
});
