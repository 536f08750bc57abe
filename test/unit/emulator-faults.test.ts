import { createHash } from "node:crypto";
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Faults } from "../emulator/faults.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { s3ClientFor, s3ErrorOf } from "../emulator/sdk-client.js";
import { referenceDigest } from "../helpers/checksums.js";

const UPLOAD = (partNumber: number) => ({ operation: "UploadPart", key: "k", partNumber });

describe("fault injector", () => {
  it("fires on chosen call numbers of the operation only", () => {
    const faults = new Faults(1);
    faults.add({ operation: "UploadPart", action: "500", calls: [2, 4] });
    const fired = [1, 2, 3, 4, 5].map((n) => faults.next(UPLOAD(n))?.action);
    expect(fired).toEqual([undefined, "500", undefined, "500", undefined]);
    expect(faults.next({ operation: "PutObject", key: "k", partNumber: undefined })).toBeUndefined();
  });

  it("respects times, partNumber and key filters", () => {
    const faults = new Faults(1);
    faults.add({ operation: "*", action: "503", partNumber: 3, times: 1 });
    expect(faults.next(UPLOAD(1))).toBeUndefined();
    expect(faults.next(UPLOAD(3))?.action).toBe("503");
    expect(faults.next(UPLOAD(3))).toBeUndefined();
    faults.add({ operation: "UploadPart", action: "reset", key: "other" });
    expect(faults.next(UPLOAD(3))).toBeUndefined();
    expect(faults.fired).toEqual([1, 0]);
  });

  it("draws probabilities reproducibly from the seed", () => {
    const run = (seed: number) => {
      const faults = new Faults(seed);
      faults.add({ operation: "UploadPart", action: "500", probability: 0.3 });
      return Array.from({ length: 200 }, (_, i) => faults.next(UPLOAD(i + 1)) !== undefined);
    };
    const first = run(7);
    expect(run(7)).toEqual(first);
    expect(run(8)).not.toEqual(first);
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it("keeps body rules apart from request rules and draws or clamps their offset", () => {
    const faults = new Faults(1);
    const GET = { operation: "GetObject", key: "k", partNumber: undefined };
    faults.add({ operation: "GetObject", action: "corrupt-body", calls: [2] });
    faults.add({ operation: "GetObject", action: "cut-body", calls: [3], offset: 500 });
    expect(faults.next(GET)).toBeUndefined();
    expect(faults.forBody(GET, 1, 100)).toBeUndefined();
    const drawn = faults.forBody(GET, 2, 100)!;
    expect(drawn.action).toBe("corrupt-body");
    expect(drawn.offset).toBeGreaterThanOrEqual(0);
    expect(drawn.offset).toBeLessThan(100);
    expect(faults.forBody(GET, 3, 100)).toEqual({ action: "cut-body", offset: 99, stallMs: undefined });
    expect(faults.fired).toEqual([1, 1]);
  });

  it("refuses unknown actions and out-of-range probabilities with a message naming the fix", () => {
    const faults = new Faults(1);
    expect(() => faults.add({ operation: "*", action: "explode" as "500" })).toThrow(/use one of/);
    expect(() => faults.add({ operation: "*", action: "500", probability: 2 })).toThrow(/from 0 to 1/);
  });
});

describe("faults acting while a request is handled", () => {
  let emulator: Emulator;
  let sdk: S3Client;
  const BUCKET = "faults-unit";
  // Only what a test sets: no SDK-added checksum, so each case chooses what the emulator can check.
  const body = Buffer.from("0123456789abcdefghij");
  const flipped = Buffer.from(body);
  flipped[body.length / 2] = flipped[body.length / 2]! ^ 0xff;

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: [BUCKET], minPartSize: 1024 });
    sdk = s3ClientFor(emulator, {
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    // As the engine sends bodies: the payload is not signed, so only checksums and Content-MD5 can catch a flip.
    sdk.middlewareStack.add(
      (next, context) => (args) => {
        const request = args.request as { headers?: Record<string, string> };
        const payload =
          context.commandName === "PutObjectCommand" || context.commandName === "UploadPartCommand";
        if (payload && request.headers) request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
        return next(args);
      },
      { step: "build", name: "unsignedPayload" },
    );
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    sdk.destroy();
    await emulator.stop();
  });

  async function stored(key: string): Promise<Buffer | undefined> {
    try {
      const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return Buffer.from(await answer.Body!.transformToByteArray());
    } catch (error) {
      if ((error as { name?: string }).name === "NoSuchKey") return undefined;
      throw error;
    }
  }

  async function failure(call: Promise<unknown>): Promise<string> {
    try {
      await call;
    } catch (error) {
      return (error as { code?: string; name: string }).code ?? (error as { name: string }).name;
    }
    throw new Error("expected the call to fail, but it succeeded");
  }

  it("lose-response stores the object, then cuts the connection without an answer", async () => {
    emulator.faults.add({ operation: "PutObject", action: "lose-response", key: "lost" });
    const code = await failure(sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: "lost", Body: body })));
    expect(code).toMatch(/ECONNRESET|socket hang up|EPIPE/i);
    await emulator.idle();
    expect(await stored("lost")).toEqual(body);
    expect(emulator.faults.fired).toEqual([1]);
    // The entry is written when the server side of the cut connection closes, which may trail the client.
    await vi.waitFor(() =>
      expect(emulator.requestLog.filter((entry) => entry.key === "lost")).toContainEqual({
        operation: "PutObject",
        bucket: BUCKET,
        key: "lost",
        status: 0,
        code: "lose-response",
      }),
    );
  });

  it("lose-response on CreateMultipartUpload leaves the created upload in the store", async () => {
    emulator.faults.add({ operation: "CreateMultipartUpload", action: "lose-response", times: 1 });
    await failure(sdk.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "mpu" })));
    await emulator.idle();
    const listed = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "mpu" }));
    expect(listed.Uploads?.map((upload) => upload.Key)).toEqual(["mpu"]);
  });

  it("lose-response also swallows an error answer, after the store decided", async () => {
    await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: "taken", Body: body }));
    emulator.faults.add({ operation: "PutObject", action: "lose-response", key: "taken" });
    const write = sdk.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "taken", Body: Buffer.from("other"), IfNoneMatch: "*" }),
    );
    expect(await failure(write)).toMatch(/ECONNRESET|socket hang up|EPIPE/i);
    expect(await stored("taken")).toEqual(body);
  });

  it("flip-in-transit is caught by a checksum the client sent: BadDigest, nothing stored", async () => {
    emulator.faults.add({ operation: "PutObject", action: "flip-in-transit", key: "crc" });
    const crc = (await referenceDigest("CRC32", body)).toString("base64");
    const put = sdk.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "crc", Body: body, ChecksumCRC32: crc }),
    );
    expect(await s3ErrorOf(put)).toEqual({ code: "BadDigest", status: 400 });
    expect(await stored("crc")).toBeUndefined();
  });

  it("flip-in-transit is caught by Content-MD5 on an UploadPart", async () => {
    const { UploadId } = await sdk.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "md5" }));
    emulator.faults.add({ operation: "UploadPart", action: "flip-in-transit" });
    const md5 = createHash("md5").update(body).digest("base64");
    const part = sdk.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: "md5",
        UploadId,
        PartNumber: 1,
        Body: body,
        ContentMD5: md5,
      }),
    );
    expect(await s3ErrorOf(part)).toEqual({ code: "BadDigest", status: 400 });
    const parts = await sdk.send(new ListPartsCommand({ Bucket: BUCKET, Key: "md5", UploadId }));
    expect(parts.Parts ?? []).toEqual([]);
  });

  it("flip-in-transit is caught by a signed payload hash", async () => {
    const signing = s3ClientFor(emulator, { requestChecksumCalculation: "WHEN_REQUIRED" });
    emulator.faults.add({ operation: "PutObject", action: "flip-in-transit", key: "signed" });
    const put = signing.send(new PutObjectCommand({ Bucket: BUCKET, Key: "signed", Body: body }));
    expect(await s3ErrorOf(put)).toEqual({ code: "XAmzContentSHA256Mismatch", status: 400 });
    signing.destroy();
    expect(await stored("signed")).toBeUndefined();
  });

  it("flip-in-transit with nothing to check it stores the flipped byte", async () => {
    emulator.faults.add({ operation: "PutObject", action: "flip-in-transit", key: "bare" });
    const answer = await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: "bare", Body: body }));
    expect(answer.ETag).toBe(`"${createHash("md5").update(flipped).digest("hex")}"`);
    expect(await stored("bare")).toEqual(flipped);
  });
});

describe("drop-stored on a versioned bucket", () => {
  it("answers with a version id, as the write it claims, that then does not exist", async () => {
    const emulator = await startEmulator({ minPartSize: 1024 });
    const sdk = s3ClientFor(emulator, { requestChecksumCalculation: "WHEN_REQUIRED" });
    try {
      await emulator.createBucket("versioned", { versioning: true });
      emulator.faults.add({ operation: "PutObject", action: "drop-stored" });
      const put = await sdk.send(new PutObjectCommand({ Bucket: "versioned", Key: "k", Body: "lost" }));
      expect(put.VersionId).toMatch(/^[0-9a-f]{32}$/);
      const head = sdk.send(
        new HeadObjectCommand({ Bucket: "versioned", Key: "k", VersionId: put.VersionId }),
      );
      expect((await s3ErrorOf(head)).status).toBe(404);
    } finally {
      sdk.destroy();
      await emulator.stop();
    }
  });
});
