// No false proof (issue #9, defects 2, 3, 4 and the SSE-KMS / faked-Complete ones): the engine talks to the
// emulator through a proxy that flips bytes in transit, loses answers after the store acted, lets another
// writer act just before a request, or answers in the store's place. Every file must end exact and proven,
// or failed with a message that says what happened and nothing of this run left behind.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  runUploads,
  type ChecksumAlgorithm,
  type EngineEvent,
  type EngineOptions,
  type LocalFile,
} from "../../src/engine/index.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import {
  startFaultProxy,
  type FaultProxy,
  type ProxiedRequest,
  type ProxyAction,
} from "../helpers/fault-proxy.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "proof";
let emulator: Emulator;
let sdk: S3Client;
/** Another client writing to the same keys; it sends no additional checksum, as many tools do not. */
let otherWriter: S3Client;
let dir: string;
let proxy: FaultProxy;
let decide: (request: ProxiedRequest) => ProxyAction | undefined = () => undefined;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-proof-"));
  proxy = await startFaultProxy(emulator.endpoint, (request) => decide(request));
  otherWriter = new S3Client({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: emulator.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
});

afterEach(() => {
  decide = () => undefined;
});

afterAll(async () => {
  otherWriter?.destroy();
  await proxy?.stop();
  await stopWorkspace({ emulator, sdk, dir });
});

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  const base = emulatorEngineOptions(emulator, BUCKET, {
    concurrency: 3,
    // Short enough that a lost answer is retried soon, long enough for a loaded machine's slow answers.
    tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 15_000 },
    ...overrides,
  });
  return { ...base, s3: { ...base.s3, endpoint: proxy.endpoint } };
}

let fileCount = 0;
async function localFile(size: number): Promise<{ file: LocalFile; bytes: Buffer }> {
  const bytes = randomBytes(size);
  const name = `file-${++fileCount}.bin`;
  await writeFile(path.join(dir, name), bytes);
  return { file: { path: path.join(dir, name), key: `p/${name}` }, bytes };
}

async function stored(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

async function pendingUploads(): Promise<number> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
  return answer.Uploads?.length ?? 0;
}

async function putOther(key: string, body: Buffer): Promise<void> {
  await otherWriter.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

function retries(events: EngineEvent[]): Array<Extract<EngineEvent, { type: "retry" }>> {
  return events.filter((event): event is Extract<EngineEvent, { type: "retry" }> => event.type === "retry");
}

describe("defect 2: size alone is never proof after an ambiguous Complete", () => {
  for (const algorithm of ["CRC32", "CRC32C", "SHA1", "SHA256"] as ChecksumAlgorithm[]) {
    it(`${algorithm}: another writer's same-size object before our Complete (412) fails, naming it`, async () => {
      const { file } = await localFile(3 * PART + 5);
      const theirs = randomBytes(3 * PART + 5);
      decide = (request) =>
        request.operation === "CompleteMultipartUpload" && request.key === file.key
          ? { before: () => putOther(file.key, theirs) }
          : undefined;
      const result = await runUploads([file], options({ overwrite: false, checksumAlgorithm: algorithm }));
      expect(result.ok).toBe(false);
      expect(result.files[0]).toMatchObject({ status: "failed", verified: false });
      expect(result.files[0]?.error).toMatch(/another writer created/);
      expect((await stored(file.key)).equals(theirs)).toBe(true);
      expect(await pendingUploads()).toBe(0);
    });
  }

  it("after a Complete refused with 412, an abort that fails once is retried: no upload left behind", async () => {
    const { file } = await localFile(3 * PART + 9);
    const theirs = randomBytes(3 * PART + 9);
    let aborts = 0;
    decide = (request) => {
      if (request.key !== file.key) return undefined;
      if (request.operation === "CompleteMultipartUpload")
        return { before: () => putOther(file.key, theirs) };
      if (request.operation === "AbortMultipartUpload" && ++aborts === 1)
        return { answer: { status: 503, body: "<Error><Code>SlowDown</Code></Error>" } };
      return undefined;
    };
    const result = await runUploads([file], options({ overwrite: false }));
    expect(result.ok).toBe(false);
    expect(result.files[0]?.error).toMatch(/another writer created/);
    expect(aborts).toBeGreaterThanOrEqual(2);
    expect(await pendingUploads()).toBe(0);
  });

  it("another writer replacing our object before a retried Complete (NoSuchUpload) fails, naming it", async () => {
    const { file } = await localFile(2 * PART + 1);
    const theirs = randomBytes(2 * PART + 1);
    let calls = 0;
    decide = (request) =>
      request.operation === "CompleteMultipartUpload" && request.key === file.key && ++calls === 1
        ? { loseResponse: true, after: () => putOther(file.key, theirs) }
        : undefined;
    const result = await runUploads([file], options({ checksumAlgorithm: "SHA256" }));
    expect(result.ok).toBe(false);
    expect(result.files[0]).toMatchObject({ status: "failed", verified: false });
    expect(result.files[0]?.error).toMatch(/another writer/);
    expect(await pendingUploads()).toBe(0);
  });

  for (const algorithm of ["CRC64NVME", null] as const) {
    it(`a Complete whose answer was lost is proven on the retry's NoSuchUpload (${algorithm ?? "MD5"})`, async () => {
      const { file, bytes } = await localFile(2 * PART + 7);
      let calls = 0;
      decide = (request) =>
        request.operation === "CompleteMultipartUpload" && request.key === file.key && ++calls === 1
          ? { loseResponse: true }
          : undefined;
      const result = await runUploads([file], options({ checksumAlgorithm: algorithm }));
      expect(result.files[0]?.error).toBeUndefined();
      expect(result.files[0]).toMatchObject({
        status: "uploaded",
        verified: true,
        verification: algorithm === null ? "etag-md5" : "checksum",
      });
      expect(result.files[0]?.notes.join(" ")).toMatch(/matches the local file/);
      expect((await stored(file.key)).equals(bytes)).toBe(true);
      expect(await pendingUploads()).toBe(0);
    });
  }

  it("an SSE-KMS object the store keeps no checksum for is not reported verified by its size", async () => {
    const { file } = await localFile(1000);
    const result = await runUploads([file], options({ checksumAlgorithm: null, object: { sse: "aws:kms" } }));
    expect(result.ok).toBe(false);
    expect(result.files[0]).toMatchObject({ status: "failed", verified: false });
    expect(result.files[0]?.error).toMatch(/SSE-KMS.*checksum algorithm/s);
  });
});

describe("defect 3: a single PutObject whose answer was lost", () => {
  for (const algorithm of ["CRC64NVME", null] as const) {
    it(`is proven after the retry's 412 under If-None-Match (${algorithm ?? "MD5"})`, async () => {
      const { file, bytes } = await localFile(5000);
      let calls = 0;
      decide = (request) =>
        request.operation === "PutObject" && request.key === file.key && ++calls === 1
          ? { loseResponse: true }
          : undefined;
      const result = await runUploads([file], options({ overwrite: false, checksumAlgorithm: algorithm }));
      expect(result.files[0]?.error).toBeUndefined();
      expect(result.files[0]).toMatchObject({
        status: "uploaded",
        verified: true,
        verification: algorithm === null ? "etag-md5" : "checksum",
      });
      expect(result.files[0]?.notes.join(" ")).toMatch(/matches the local file/);
      expect((await stored(file.key)).equals(bytes)).toBe(true);
    });
  }

  it("fails naming another writer when the key was created by someone else just before our PUT", async () => {
    const { file } = await localFile(5000);
    const theirs = randomBytes(5000);
    decide = (request) =>
      request.operation === "PutObject" && request.key === file.key
        ? { before: () => putOther(file.key, theirs) }
        : undefined;
    const result = await runUploads([file], options({ overwrite: false, checksumAlgorithm: "SHA256" }));
    expect(result.ok).toBe(false);
    expect(result.files[0]).toMatchObject({ status: "failed", verified: false });
    expect(result.files[0]?.error).toMatch(/another writer created/);
    expect(result.files[0]?.error).not.toMatch(/was written/);
    expect((await stored(file.key)).equals(theirs)).toBe(true);
  });
});

describe("defect 4: bytes flipped in transit are retried like any transient fault", () => {
  it("two corrupted transmissions of one part: BadDigest twice, retried, object exact", async () => {
    const { file, bytes } = await localFile(4 * PART + 11);
    let flips = 0;
    decide = (request) =>
      request.operation === "UploadPart" && request.key === file.key && request.partNumber === 2 && flips < 2
        ? (flips++, { flipByte: true })
        : undefined;
    const events: EngineEvent[] = [];
    const result = await runUploads([file], options({ onEvent: (event) => events.push(event) }));
    expect(result.files[0]?.error).toBeUndefined();
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, verification: "checksum" });
    expect(retries(events).filter((event) => /BadDigest/.test(event.reason))).toHaveLength(2);
    expect((await stored(file.key)).equals(bytes)).toBe(true);
  });

  it("two corrupted transmissions of a single PutObject: retried, object exact", async () => {
    const { file, bytes } = await localFile(3000);
    let flips = 0;
    decide = (request) =>
      request.operation === "PutObject" && request.key === file.key && flips < 2
        ? (flips++, { flipByte: true })
        : undefined;
    const result = await runUploads([file], options());
    expect(result.files[0]?.error).toBeUndefined();
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true });
    expect((await stored(file.key)).equals(bytes)).toBe(true);
  });

  it("another file's answer arriving between a BadDigest and the re-read does not read as a file change", async () => {
    const first = await localFile(3 * PART);
    const second = await localFile(3 * PART);
    let secondAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (secondAnswered = resolve));
    let flipped = false;
    decide = (request) => {
      if (request.operation !== "UploadPart") return undefined;
      if (request.key === second.file.key) return { after: async () => secondAnswered() };
      if (request.key === first.file.key && !flipped) {
        flipped = true;
        return { flipByte: true, before: () => answered };
      }
      return undefined;
    };
    const result = await runUploads([first.file, second.file], options());
    expect(result.files.map((file) => file.error)).toEqual([undefined, undefined]);
    expect((await stored(first.file.key)).equals(first.bytes)).toBe(true);
  });

  it("a part that changed on disk between sends is still reported as a file change", async () => {
    const { file } = await localFile(3 * PART);
    decide = (request) =>
      request.operation === "UploadPart" && request.key === file.key && request.partNumber === 3
        ? { flipByte: true, before: () => writeFile(file.path, randomBytes(3 * PART)) }
        : undefined;
    const result = await runUploads([file], options({ concurrency: 1 }));
    expect(result.ok).toBe(false);
    expect(result.files[0]?.error).toMatch(/changed during the upload/);
    expect(await pendingUploads()).toBe(0);
  });
});

describe("a faked CompleteMultipartUpload success (200, no object stored)", () => {
  const fake = (key: string) => (request: ProxiedRequest) =>
    request.operation === "CompleteMultipartUpload" && request.key === key
      ? {
          answer: {
            status: 200,
            headers: { "content-type": "application/xml" },
            body: `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult><Bucket>${BUCKET}</Bucket><Key>${key}</Key></CompleteMultipartUploadResult>`,
          },
        }
      : undefined;

  for (const verify of [false, true]) {
    it(`fails with verify ${verify}, says no object is stored, never "was written", aborts the upload`, async () => {
      const { file } = await localFile(2 * PART + 3);
      decide = fake(file.key);
      const result = await runUploads([file], options({ verify }));
      expect(result.ok).toBe(false);
      expect(result.files[0]).toMatchObject({ status: "failed", verified: false });
      expect(result.files[0]?.error).toMatch(/answered success but no object is stored/);
      expect(result.files[0]?.error).not.toMatch(/was written/);
      expect(await pendingUploads()).toBe(0);
    });
  }
});

describe("a PutObject answered success but not stored", () => {
  for (const verify of [false, true]) {
    it(`fails with verify ${verify}, says no object is stored, never "was written"`, async () => {
      const { file } = await localFile(4000);
      decide = (request) =>
        request.operation === "PutObject" && request.key === file.key
          ? { answer: { status: 200, headers: {} } }
          : undefined;
      const result = await runUploads([file], options({ verify }));
      expect(result.ok).toBe(false);
      expect(result.files[0]).toMatchObject({ status: "failed", verified: false });
      expect(result.files[0]?.error).toMatch(/PutObject answered success but no object is stored/);
      expect(result.files[0]?.error).not.toMatch(/was written/);
    });
  }
});

describe("a bucket whose default encryption is SSE-KMS (ETags are not MD5s; answers say aws:kms)", () => {
  let kms: Emulator;
  const KMS_BUCKET = "kms";

  beforeAll(async () => {
    kms = await startEmulator({ minPartSize: KiB, buckets: [KMS_BUCKET], defaultEncryption: "aws:kms" });
  });

  afterAll(() => kms?.stop());

  function kmsOptions(overrides: Partial<EngineOptions> = {}): EngineOptions {
    return emulatorEngineOptions(kms, KMS_BUCKET, { tuning: { retryBaseDelayMs: 5 }, ...overrides });
  }

  it("with a checksum the store keeps: single and multipart verified by checksum", async () => {
    const small = await localFile(2000);
    const large = await localFile(3 * PART + 1);
    const result = await runUploads([small.file, large.file], kmsOptions());
    expect(result.files.map((file) => file.error)).toEqual([undefined, undefined]);
    expect(result.files.map((file) => [file.verified, file.verification])).toEqual([
      [true, "checksum"],
      [true, "checksum"],
    ]);
    const rerun = await runUploads([small.file, large.file], kmsOptions({ overwrite: false }));
    expect(rerun.files.map((file) => file.status)).toEqual(["unchanged", "unchanged"]);
  });

  for (const size of [2000, 3 * PART + 1]) {
    it(`without a checksum (${size} bytes): fails naming SSE-KMS and the fix, nothing left behind`, async () => {
      const { file } = await localFile(size);
      const result = await runUploads([file], kmsOptions({ checksumAlgorithm: null }));
      expect(result.ok).toBe(false);
      expect(result.files[0]).toMatchObject({ status: "failed", verified: false });
      expect(result.files[0]?.error).toMatch(/SSE-KMS.*checksum algorithm/s);
      const pending = await s3Pending(kms, KMS_BUCKET);
      expect(pending).toBe(0);
    });
  }
});

async function s3Pending(on: Emulator, bucket: string): Promise<number> {
  const client = new S3Client({
    endpoint: on.endpoint,
    region: on.region,
    credentials: on.credentials,
    forcePathStyle: true,
  });
  try {
    const answer = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return answer.Uploads?.length ?? 0;
  } finally {
    client.destroy();
  }
}
