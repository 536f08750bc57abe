// Multipart behaviour of the emulator through @aws-sdk/client-s3: checksum rules, ListParts pagination,
// completion rules, partNumber reads, attributes, faults and sink mode.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
  type ChecksumType,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { s3ClientFor, s3ErrorOf } from "../emulator/sdk-client.js";
import { referenceChecksum, referenceDigest } from "../helpers/checksums.js";

const BUCKET = "multipart-bucket";
const MIN_PART = 1024;

const field = (alg: ChecksumAlgorithm) => `Checksum${alg}` as const;

let emulator: Emulator;
let s3: S3Client;

beforeAll(async () => {
  emulator = await startEmulator({ buckets: [BUCKET], minPartSize: MIN_PART });
  s3 = s3ClientFor(emulator);
});

afterAll(async () => {
  s3.destroy();
  await emulator.stop();
});

async function create(key: string, alg?: ChecksumAlgorithm, type?: ChecksumType): Promise<string> {
  const out = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      ChecksumAlgorithm: alg,
      ChecksumType: type,
    }),
  );
  return out.UploadId!;
}

async function uploadParts(
  key: string,
  uploadId: string,
  parts: Buffer[],
  alg?: ChecksumAlgorithm,
): Promise<CompletedPart[]> {
  const done: CompletedPart[] = [];
  for (const [index, body] of parts.entries()) {
    const out = await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        PartNumber: index + 1,
        Body: body,
        ChecksumAlgorithm: alg,
      }),
    );
    done.push({ PartNumber: index + 1, ETag: out.ETag, ...(alg ? { [field(alg)]: out[field(alg)] } : {}) });
  }
  return done;
}

function complete(
  key: string,
  uploadId: string,
  parts: CompletedPart[],
  extra: Record<string, unknown> = {},
) {
  return s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
      ...extra,
    }),
  );
}

const CASES: [ChecksumAlgorithm, ChecksumType][] = [
  ["CRC64NVME", "FULL_OBJECT"],
  ["CRC32", "FULL_OBJECT"],
  ["CRC32C", "FULL_OBJECT"],
  ["CRC32", "COMPOSITE"],
  ["CRC32C", "COMPOSITE"],
  ["SHA1", "COMPOSITE"],
  ["SHA256", "COMPOSITE"],
];

describe("multipart checksums", () => {
  for (const [alg, type] of CASES) {
    it(`${alg} ${type}: part checksums in ListParts, object checksum and ETag as S3 computes them`, async () => {
      const parts = [randomBytes(MIN_PART + 5), randomBytes(MIN_PART), randomBytes(100)];
      const key = `mp-${alg}-${type}`;
      const uploadId = await create(key, alg, type);
      const done = await uploadParts(key, uploadId, parts, alg);
      const partSums = await Promise.all(parts.map((part) => referenceDigest(alg, part)));
      expect(done.map((part) => part[field(alg)])).toEqual(partSums.map((sum) => sum.toString("base64")));

      const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
      expect(listed.ChecksumAlgorithm).toBe(alg);
      expect(listed.ChecksumType).toBe(type);
      expect(listed.Parts?.map((part) => part[field(alg)])).toEqual(
        partSums.map((sum) => sum.toString("base64")),
      );
      expect(listed.Parts?.map((part) => part.Size)).toEqual(parts.map((part) => part.length));

      const whole = Buffer.concat(parts);
      const expected =
        type === "FULL_OBJECT"
          ? await referenceChecksum(alg, whole)
          : `${await referenceChecksum(alg, Buffer.concat(partSums))}-${parts.length}`;
      const result = await complete(key, uploadId, done);
      expect(result[field(alg)]).toBe(expected);
      expect(result.ChecksumType).toBe(type);
      const md5s = parts.map((part) => createHash("md5").update(part).digest());
      expect(result.ETag).toBe(`"${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-3"`);

      const head = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }),
      );
      expect(head[field(alg)]).toBe(expected);
      expect(head.ChecksumType).toBe(type);
      const back = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(Buffer.from(await back.Body!.transformToByteArray()).equals(whole)).toBe(true);
    });
  }

  it("refuses checksum types S3 does not allow for an algorithm", async () => {
    expect((await s3ErrorOf(create("bad", "CRC64NVME", "COMPOSITE"))).code).toBe("InvalidRequest");
    expect((await s3ErrorOf(create("bad", "SHA256", "FULL_OBJECT"))).code).toBe("InvalidRequest");
    expect((await s3ErrorOf(create("bad", "SHA1", "FULL_OBJECT"))).code).toBe("InvalidRequest");
  });

  it("rejects a wrong part checksum (BadDigest), a malformed one and a different algorithm (InvalidRequest)", async () => {
    const uploadId = await create("wrong-part", "SHA256");
    const body = randomBytes(MIN_PART);
    const send = (extra: Record<string, string>) =>
      s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: "wrong-part",
          UploadId: uploadId,
          PartNumber: 1,
          Body: body,
          ...extra,
        }),
      );
    const wrong = await referenceChecksum("SHA256", Buffer.from("x"));
    expect(await s3ErrorOf(send({ ChecksumSHA256: wrong }))).toEqual({ code: "BadDigest", status: 400 });
    expect(await s3ErrorOf(send({ ChecksumSHA256: "short" }))).toEqual({
      code: "InvalidRequest",
      status: 400,
    });
    const crc = await referenceChecksum("CRC32", body);
    expect(await s3ErrorOf(send({ ChecksumCRC32: crc }))).toEqual({ code: "InvalidRequest", status: 400 });
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: "wrong-part", UploadId: uploadId }),
    );
    expect(listed.Parts ?? []).toEqual([]);
  });
});

describe("multipart rules", () => {
  it("refuses part numbers outside 1..10000 and replaces a re-uploaded part", async () => {
    const uploadId = await create("numbers");
    for (const partNumber of [0, 10001]) {
      const call = s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: "numbers",
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: "x",
        }),
      );
      expect(await s3ErrorOf(call)).toEqual({ code: "InvalidArgument", status: 400 });
    }
    await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "numbers",
        UploadId: uploadId,
        PartNumber: 10000,
        Body: "first",
      }),
    );
    const second = await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "numbers",
        UploadId: uploadId,
        PartNumber: 10000,
        Body: "second!",
      }),
    );
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: "numbers", UploadId: uploadId }),
    );
    expect(listed.Parts?.map((part) => [part.PartNumber, part.Size, part.ETag])).toEqual([
      [10000, 7, second.ETag],
    ]);
  });

  it("paginates ListParts past 1,000 parts with max-parts, markers and IsTruncated", async () => {
    const uploadId = await create("many", "CRC32");
    const total = 1005;
    const ids = Array.from({ length: total }, (_, index) => index + 1);
    for (let start = 0; start < total; start += 25) {
      await Promise.all(
        ids.slice(start, start + 25).map((partNumber) =>
          s3.send(
            new UploadPartCommand({
              Bucket: BUCKET,
              Key: "many",
              UploadId: uploadId,
              PartNumber: partNumber,
              Body: `p${partNumber}`,
              ChecksumAlgorithm: "CRC32",
            }),
          ),
        ),
      );
    }
    const first = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: "many", UploadId: uploadId, MaxParts: 5000 }),
    );
    expect(first.MaxParts).toBe(1000);
    expect(first.Parts).toHaveLength(1000);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextPartNumberMarker).toBe("1000");
    const second = await s3.send(
      new ListPartsCommand({
        Bucket: BUCKET,
        Key: "many",
        UploadId: uploadId,
        PartNumberMarker: first.NextPartNumberMarker,
      }),
    );
    expect(second.Parts?.map((part) => part.PartNumber)).toEqual([1001, 1002, 1003, 1004, 1005]);
    expect(second.IsTruncated).toBe(false);
    const small = await s3.send(
      new ListPartsCommand({
        Bucket: BUCKET,
        Key: "many",
        UploadId: uploadId,
        MaxParts: 2,
        PartNumberMarker: "7",
      }),
    );
    expect(small.Parts?.map((part) => part.PartNumber)).toEqual([8, 9]);
    expect(small.Parts?.[0]?.ChecksumCRC32).toBe(await referenceChecksum("CRC32", Buffer.from("p8")));
    expect(small.NextPartNumberMarker).toBe("9");
    const bad = s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: "many", UploadId: uploadId, MaxParts: -1 }),
    );
    expect((await s3ErrorOf(bad)).code).toBe("InvalidArgument");
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "many", UploadId: uploadId }));
  });

  it("lists multipart uploads with prefix, key/upload-id markers and max-uploads", async () => {
    const ids = [
      await create("lmu/a"),
      await create("lmu/a"),
      await create("lmu/b"),
      await create("other/c"),
    ];
    const all = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "lmu/" }));
    expect(all.Uploads?.map((upload) => [upload.Key, upload.UploadId])).toEqual([
      ["lmu/a", ids[0]],
      ["lmu/a", ids[1]],
      ["lmu/b", ids[2]],
    ]);
    const page = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "lmu/", MaxUploads: 1 }),
    );
    expect(page.IsTruncated).toBe(true);
    const next = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: BUCKET,
        Prefix: "lmu/",
        KeyMarker: page.NextKeyMarker,
        UploadIdMarker: page.NextUploadIdMarker,
      }),
    );
    expect(next.Uploads?.map((upload) => upload.UploadId)).toEqual([ids[1], ids[2]]);
    const afterKey = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "lmu/", KeyMarker: "lmu/a" }),
    );
    expect(afterKey.Uploads?.map((upload) => upload.UploadId)).toEqual([ids[2]]);
    for (const [index, id] of ids.entries()) {
      const key = ["lmu/a", "lmu/a", "lmu/b", "other/c"][index]!;
      await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    }
  });

  it("enforces completion rules: order, unknown part, ETag, EntityTooSmall, part checksums, gaps, object size", async () => {
    const key = "rules";
    const uploadId = await create(key, "SHA256");
    const parts = await uploadParts(
      key,
      uploadId,
      [randomBytes(MIN_PART), randomBytes(10), randomBytes(MIN_PART), randomBytes(5)],
      "SHA256",
    );
    const [p1, p2, p3, p4] = parts as [CompletedPart, CompletedPart, CompletedPart, CompletedPart];
    const code = async (list: CompletedPart[], extra: Record<string, unknown> = {}) =>
      (await s3ErrorOf(complete(key, uploadId, list, extra))).code;
    expect(await code([p3, p1])).toBe("InvalidPartOrder");
    expect(await code([p1, { ...p2, PartNumber: 9 }])).toBe("InvalidPart");
    expect(await code([p1, { ...p2, ETag: '"00000000000000000000000000000000"' }])).toBe("InvalidPart");
    expect(await code([p1, p2, p3])).toBe("EntityTooSmall");
    expect(await code([p1, { ...p3, ChecksumSHA256: p1.ChecksumSHA256 }])).toBe("InvalidPart");
    expect(await code([p1, { PartNumber: 3, ETag: p3.ETag }])).toBe("InvalidRequest");
    expect(await code([p1, p3])).toBe("InvalidPartOrder");
    expect(await code([p1], { MpuObjectSize: MIN_PART + 1 })).toBe("InvalidRequest");
    expect(p4).toBeDefined();
    // Still completable after the refusals, with the right list.
    const done = await complete(key, uploadId, [p1], { MpuObjectSize: MIN_PART });
    expect(done.ETag).toMatch(/-1"$/);
    expect(
      (await s3ErrorOf(s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })))).code,
    ).toBe("NoSuchUpload");
  });

  it("allows gaps in part numbers without additional checksums", async () => {
    const uploadId = await create("gaps");
    const parts = [randomBytes(MIN_PART), randomBytes(MIN_PART), randomBytes(3)];
    const [p1, , p3] = await uploadParts("gaps", uploadId, parts);
    const done = await complete("gaps", uploadId, [p1!, p3!]);
    expect(done.ETag).toMatch(/-2"$/);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "gaps", ChecksumMode: "ENABLED" }),
    );
    expect(head.ContentLength).toBe(MIN_PART + 3);
    // Without a requested algorithm S3 adds its default full-object CRC64NVME.
    const whole = Buffer.concat([parts[0]!, parts[2]!]);
    expect([head.ChecksumCRC64NVME, head.ChecksumType]).toEqual([
      await referenceChecksum("CRC64NVME", whole),
      "FULL_OBJECT",
    ]);
  });

  it("checks a full-object checksum sent on completion", async () => {
    const parts = [randomBytes(MIN_PART), randomBytes(7)];
    const uploadId = await create("full-check", "CRC64NVME");
    const done = await uploadParts("full-check", uploadId, parts, "CRC64NVME");
    const wrong = await referenceChecksum("CRC64NVME", Buffer.from("nope"));
    expect(
      await s3ErrorOf(
        complete("full-check", uploadId, done, { ChecksumCRC64NVME: wrong, ChecksumType: "FULL_OBJECT" }),
      ),
    ).toEqual({
      code: "BadDigest",
      status: 400,
    });
    const right = await referenceChecksum("CRC64NVME", Buffer.concat(parts));
    const ok = await complete("full-check", uploadId, done, {
      ChecksumCRC64NVME: right,
      ChecksumType: "FULL_OBJECT",
    });
    expect(ok.ChecksumCRC64NVME).toBe(right);
  });

  it("honours If-None-Match: * and If-Match on completion", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "guarded", Body: "exists" }));
    const uploadId = await create("guarded");
    const done = await uploadParts("guarded", uploadId, [randomBytes(10)]);
    expect(await s3ErrorOf(complete("guarded", uploadId, done, { IfNoneMatch: "*" }))).toEqual({
      code: "PreconditionFailed",
      status: 412,
    });
    expect(await s3ErrorOf(complete("guarded", uploadId, done, { IfMatch: '"0123"' }))).toEqual({
      code: "PreconditionFailed",
      status: 412,
    });
    const current = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "guarded" }));
    await complete("guarded", uploadId, done, { IfMatch: current.ETag });
  });

  it("answers NoSuchUpload after an abort", async () => {
    const uploadId = await create("aborted");
    await uploadParts("aborted", uploadId, [randomBytes(10)]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "aborted", UploadId: uploadId }));
    const again = s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "aborted", UploadId: uploadId }),
    );
    expect(await s3ErrorOf(again)).toEqual({ code: "NoSuchUpload", status: 404 });
    const part = s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: "aborted", UploadId: uploadId, PartNumber: 1, Body: "x" }),
    );
    expect(await s3ErrorOf(part)).toEqual({ code: "NoSuchUpload", status: 404 });
  });
});

describe("reading multipart objects", () => {
  it("serves parts by partNumber and reports them in GetObjectAttributes", async () => {
    const parts = [randomBytes(MIN_PART + 1), randomBytes(MIN_PART + 2), randomBytes(9)];
    const uploadId = await create("parted", "CRC32C");
    await complete("parted", uploadId, await uploadParts("parted", uploadId, parts, "CRC32C"));
    for (const [index, part] of parts.entries()) {
      const out = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: "parted", PartNumber: index + 1 }),
      );
      expect(out.PartsCount).toBe(3);
      expect(Buffer.from(await out.Body!.transformToByteArray()).equals(part)).toBe(true);
    }
    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "parted", Range: `bytes=${MIN_PART - 1}-${MIN_PART + 2}` }),
    );
    expect(
      Buffer.from(await ranged.Body!.transformToByteArray()).equals(
        Buffer.concat(parts).subarray(MIN_PART - 1, MIN_PART + 3),
      ),
    ).toBe(true);
    expect(
      (await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "parted", PartNumber: 4 }))))
        .status,
    ).toBe(416);

    const attrs = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: "parted",
        ObjectAttributes: ["ETag", "Checksum", "ObjectParts", "ObjectSize"],
        MaxParts: 2,
      }),
    );
    expect(attrs.ObjectSize).toBe(Buffer.concat(parts).length);
    expect(attrs.ETag).toMatch(/^[0-9a-f]{32}-3$/);
    expect(attrs.Checksum?.ChecksumType).toBe("COMPOSITE");
    expect(attrs.ObjectParts?.TotalPartsCount).toBe(3);
    expect(attrs.ObjectParts?.IsTruncated).toBe(true);
    expect(
      attrs.ObjectParts?.Parts?.map((part) => [part.PartNumber, part.Size, part.ChecksumCRC32C]),
    ).toEqual(
      await Promise.all(
        parts
          .slice(0, 2)
          .map(async (part, index) => [index + 1, part.length, await referenceChecksum("CRC32C", part)]),
      ),
    );
  });
});

describe("fault injection", () => {
  it("500 and 503 on chosen calls are retried by the SDK and logged", async () => {
    const retrying = s3ClientFor(emulator, { maxAttempts: 3, retryStrategy: undefined });
    const uploadId = await create("faulty");
    emulator.faults.clear();
    emulator.faults.add({ operation: "UploadPart", action: "500", calls: [1] });
    emulator.faults.add({ operation: "UploadPart", action: "503", calls: [2] });
    const out = await retrying.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "faulty",
        UploadId: uploadId,
        PartNumber: 1,
        Body: "abc",
      }),
    );
    expect(out.ETag).toBeTruthy();
    const log = emulator.requestLog.filter(
      (entry) => entry.operation === "UploadPart" && entry.uploadId === uploadId,
    );
    expect(log.map((entry) => [entry.status, entry.code])).toEqual([
      [500, "InternalError"],
      [503, "SlowDown"],
      [200, undefined],
    ]);
    emulator.faults.clear();
    retrying.destroy();
  });

  it("reset drops the connection mid-body and stall outlasts a client timeout", async () => {
    const uploadId = await create("broken");
    emulator.faults.clear();
    emulator.faults.add({ operation: "UploadPart", action: "reset", times: 1 });
    const reset = s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "broken",
        UploadId: uploadId,
        PartNumber: 1,
        Body: randomBytes(200_000),
      }),
    );
    await expect(reset).rejects.toThrow();
    expect(emulator.requestLog.at(-1)).toMatchObject({ operation: "UploadPart", status: 0, code: "reset" });
    emulator.faults.add({ operation: "UploadPart", action: "stall", stallMs: 1500, times: 1 });
    const stalled = s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: "broken", UploadId: uploadId, PartNumber: 1, Body: "x" }),
      {
        abortSignal: AbortSignal.timeout(300),
      },
    );
    // Had the stall not held the answer back, the part would have been stored and the call resolved.
    await expect(stalled).rejects.toThrow(/aborted/i);
    emulator.faults.clear();
  });

  it("corrupt-stored answers normally but ListParts shows the corrupted part; drop-stored forgets it", async () => {
    const uploadId = await create("corrupt", "CRC64NVME");
    emulator.faults.clear();
    emulator.faults.add({ operation: "UploadPart", action: "corrupt-stored", partNumber: 2 });
    emulator.faults.add({ operation: "UploadPart", action: "drop-stored", partNumber: 3 });
    const parts = [randomBytes(MIN_PART), randomBytes(MIN_PART), randomBytes(MIN_PART)];
    const sent = await uploadParts("corrupt", uploadId, parts, "CRC64NVME");
    emulator.faults.clear();
    const expected = await Promise.all(parts.map((part) => referenceChecksum("CRC64NVME", part)));
    expect(sent.map((part) => part.ChecksumCRC64NVME)).toEqual(expected);
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: "corrupt", UploadId: uploadId }),
    );
    expect(listed.Parts?.map((part) => part.PartNumber)).toEqual([1, 2]);
    expect(listed.Parts?.[0]?.ChecksumCRC64NVME).toBe(expected[0]);
    expect(listed.Parts?.[1]?.ChecksumCRC64NVME).not.toBe(expected[1]);
    expect(listed.Parts?.[1]?.ETag).not.toBe(sent[1]?.ETag);
    expect((await s3ErrorOf(complete("corrupt", uploadId, sent))).code).toBe("InvalidPart");
  });
});

describe("sink mode", () => {
  it("discards payloads, records client checksums and ETags, and answers GetObject with 501", async () => {
    const sink = await startEmulator({ sink: true, buckets: ["sink-bucket"], minPartSize: 1 });
    const client = s3ClientFor(sink);
    try {
      const body = randomBytes(4096);
      const md5 = createHash("md5").update(body).digest();
      const put = await client.send(
        new PutObjectCommand({
          Bucket: "sink-bucket",
          Key: "o",
          Body: body,
          ContentMD5: md5.toString("base64"),
        }),
      );
      expect(put.ETag).toBe(`"${md5.toString("hex")}"`);
      expect(await s3ErrorOf(client.send(new GetObjectCommand({ Bucket: "sink-bucket", Key: "o" })))).toEqual(
        {
          code: "NotImplemented",
          status: 501,
        },
      );
      const created = await client.send(
        new CreateMultipartUploadCommand({ Bucket: "sink-bucket", Key: "m", ChecksumAlgorithm: "CRC32" }),
      );
      const claimed = await referenceChecksum("CRC32", Buffer.from("not the body"));
      await client.send(
        new UploadPartCommand({
          Bucket: "sink-bucket",
          Key: "m",
          UploadId: created.UploadId,
          PartNumber: 1,
          Body: body,
          ChecksumCRC32: claimed,
        }),
      );
      const listed = await client.send(
        new ListPartsCommand({ Bucket: "sink-bucket", Key: "m", UploadId: created.UploadId }),
      );
      expect(listed.Parts?.[0]).toMatchObject({ Size: body.length, ChecksumCRC32: claimed });
    } finally {
      client.destroy();
      await sink.stop();
    }
  });
});
