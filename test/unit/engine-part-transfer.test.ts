// The BadDigest path of sendPart: a transient fault retried within the retry budget, re-reading and
// re-hashing each time; a file change is told by values that differ from the first read.
import { randomBytes } from "node:crypto";
import { mkdtemp, open, rm, writeFile, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sendPart, type Sender } from "../../src/engine/upload/part-transfer.js";
import { S3_LIMITS } from "../../src/engine/upload/plan.js";
import { Limiter, TransferPool } from "../../src/engine/pool.js";
import type { FileContext, RunContext } from "../../src/engine/run-context.js";
import type { Checksums, S3Store } from "../../src/engine/s3/s3-client.js";
import type { EngineEvent, EngineOptions } from "../../src/engine/types.js";
import { PROFILES } from "../../src/engine/s3/providers.js";

const PART = { number: 1, offset: 0, size: 4096 };
let dir: string;
let filePath: string;
let bytes: Buffer;
let handle: FileHandle;
let events: EngineEvent[];

function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from store`), { name, $metadata: { httpStatusCode: status } });
}

function context(): FileContext {
  const run: RunContext = {
    options: { contentMd5: false } as EngineOptions,
    store: {} as S3Store,
    pool: new TransferPool(1),
    smallPuts: new TransferPool(4),
    multipartFiles: new Limiter(2),
    limits: S3_LIMITS,
    provider: PROFILES.generic,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    algorithm: "CRC32",
    checksumType: "FULL_OBJECT",
    listing: noListing,
    emit: (event) => events.push(event),
  };
  return { run, file: { path: filePath, key: "k" }, headers: { contentType: "x" }, signal: undefined };
}

const noListing = {
  lookup: () => Promise.resolve(undefined),
  listAhead: () => undefined,
  listedBefore: () => Promise.resolve(undefined),
};

function expectedCrc(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString("base64");
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-part-"));
  filePath = path.join(dir, "part.bin");
});

beforeEach(async () => {
  events = [];
  bytes = randomBytes(PART.size);
  await writeFile(filePath, bytes);
  await handle?.close();
  handle = await open(filePath, "r");
});

afterAll(async () => {
  await handle?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("sendPart", () => {
  it("sends the bytes read with their checksum; a 503 is retried with the same bytes", async () => {
    const sent: Array<{ body: string; checksums: Checksums }> = [];
    const send: Sender = async (body, checksums) => {
      sent.push({ body: body.toString("hex"), checksums });
      if (sent.length === 1) throw s3Error("SlowDown", 503);
      return { etag: "e", checksums };
    };
    const result = await sendPart(context(), handle, PART, "UploadPart 1", send, false);
    expect(sent).toHaveLength(2);
    expect(sent.every((entry) => entry.body === bytes.toString("hex"))).toBe(true);
    expect(sent[1]!.checksums).toEqual({ CRC32: expectedCrc(bytes) });
    expect(result.digest.digest?.toString("base64")).toBe(expectedCrc(bytes));
    expect(events).toMatchObject([{ type: "retry", operation: "UploadPart 1", attempt: 1 }]);
  });

  it("on BadDigest re-reads and re-hashes, then sends again", async () => {
    let calls = 0;
    const send: Sender = async (_body, checksums) => {
      calls++;
      if (calls === 1) throw s3Error("BadDigest", 400);
      return { etag: "e", checksums };
    };
    await sendPart(context(), handle, PART, "UploadPart 1", send, false);
    expect(calls).toBe(2);
    expect(events).toMatchObject([
      { type: "retry", reason: expect.stringMatching(/^BadDigest: .*re-reading part 1/) },
    ]);
  });

  it("keeps the MD5 decision of a part for every re-read and sends Content-MD5 each time", async () => {
    const md5s: Array<string | undefined> = [];
    const send: Sender = async (_body, checksums, contentMd5) => {
      md5s.push(contentMd5);
      if (md5s.length < 3)
        throw s3Error(md5s.length === 1 ? "BadDigest" : "XAmzContentChecksumMismatch", 400);
      return { etag: "e", checksums };
    };
    const result = await sendPart(context(), handle, PART, "UploadPart 1", send, true);
    const md5 = result.digest.md5?.toString("base64");
    expect(md5).toBeDefined();
    expect(md5s).toEqual([md5, md5, md5]);
  });

  it("fails, saying the file changed, when the re-read differs", async () => {
    const send: Sender = async () => {
      await writeFile(filePath, randomBytes(PART.size));
      throw s3Error("BadDigest", 400);
    };
    await expect(sendPart(context(), handle, PART, "UploadPart 1", send, true)).rejects.toThrow(
      /part 1 read differently after the store answered BadDigest.*changed during the upload/,
    );
  });

  it("fails once the retry budget is spent when S3 keeps answering BadDigest", async () => {
    let calls = 0;
    const send: Sender = async () => {
      calls++;
      throw s3Error("BadDigest", 400);
    };
    await expect(sendPart(context(), handle, PART, "UploadPart 1", send, false)).rejects.toThrow(
      /UploadPart 1 failed: BadDigest \(HTTP 400\)/,
    );
    expect(calls).toBe(3);
  });

  it("fails clearly when the file is shorter than planned", async () => {
    await writeFile(filePath, bytes.subarray(0, 100));
    const send: Sender = async () => ({ etag: "e", checksums: {} });
    await expect(sendPart(context(), handle, PART, "UploadPart 1", send, false)).rejects.toThrow(
      /file ended at byte 100 while reading part 1/,
    );
  });
});
