// Resume across runs at the engine level: an interrupted upload kept for later is continued with only its
// missing parts, parts whose bytes differ are uploaded again, and uploads that do not fit are never reused.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineEvent, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const PARTS = 8;
const BUCKET = "resume";
/** Longer than any quiet period resume waits for with these options. */
const QUIET = 10 * 60_000;
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-resume-"));
});

afterEach(() => emulator.faults.clear());

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return emulatorEngineOptions(emulator, BUCKET, {
    concurrency: 2,
    onFailure: "keep",
    tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 2000 },
    ...overrides,
  });
}

async function download(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

async function openUploads(key: string): Promise<string[]> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
  return (answer.Uploads ?? []).filter((upload) => upload.Key === key).map((upload) => upload.UploadId!);
}

/**
 * Uploads with on-failure keep and cancels once `parts` parts are stored: a job cancelled mid-way. The upload
 * is then made to look quiet for long enough that resume may adopt it, unless `recent`.
 */
async function interrupted(
  file: LocalFile,
  parts: number,
  overrides: Partial<EngineOptions> = {},
  recent = false,
): Promise<void> {
  const controller = new AbortController();
  let stored = 0;
  const result = await runUploads([file], {
    ...options(overrides),
    concurrency: 1,
    signal: controller.signal,
    onEvent: (event) => {
      if (event.type === "progress" && ++stored === parts) controller.abort();
    },
  });
  expect(result.files[0]?.error).toMatch(/was kept \(on-failure: keep\)/);
  expect(await openUploads(file.key)).toHaveLength(1);
  await emulator.idle();
  if (!recent) emulator.backdateUploads(BUCKET, QUIET, file.key);
}

async function localFile(name: string, bytes: Buffer): Promise<LocalFile> {
  await writeFile(path.join(dir, name), bytes);
  return { path: path.join(dir, name), key: `r/${name}` };
}

/** Part numbers the emulator received for the key since `from` in its log. */
function partsSent(key: string, from: number): number[] {
  return emulator.requestLog
    .slice(from)
    .filter((entry) => entry.operation === "UploadPart" && entry.key === key && entry.status === 200)
    .map((entry) => entry.partNumber!)
    .sort((a, b) => a - b);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

describe("resume", () => {
  it("continues a kept upload with only the missing parts", async () => {
    const bytes = randomBytes(PARTS * PART - 1000);
    const file = await localFile("kept.bin", bytes);
    await interrupted(file, 3);
    const uploadId = (await openUploads(file.key))[0];
    const mark = emulator.requestLog.length;
    const result = await runUploads([file], options());
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, verification: "checksum" });
    expect(result.files[0]?.notes[0]).toMatch(
      new RegExp(`^Resumed multipart upload ${uploadId} .*: kept 3 of 8 parts`),
    );
    // The last part goes first, so parts 8, 1 and 2 were stored.
    expect(partsSent(file.key, mark)).toEqual(range(3, PARTS - 1));
    expect(emulator.requestLog.slice(mark).some((entry) => entry.operation === "CreateMultipartUpload")).toBe(
      false,
    );
    expect((await download(file.key)).equals(bytes)).toBe(true);
    expect(await openUploads(file.key)).toEqual([]);
  });

  it("uploads again the stored parts whose bytes no longer match the local file", async () => {
    const bytes = randomBytes(PARTS * PART);
    const file = await localFile("edited.bin", bytes);
    await interrupted(file, 4);
    bytes.fill(7, PART + 10, PART + 20); // part 2 changes, same size
    await writeFile(file.path, bytes);
    const mark = emulator.requestLog.length;
    const result = await runUploads([file], options());
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true });
    expect(result.files[0]?.notes[0]).toMatch(/kept 3 of 8 parts .*; 1 stored part\(s\) did not match/);
    expect(partsSent(file.key, mark)).toEqual([2, ...range(4, PARTS - 1)]);
    expect((await download(file.key)).equals(bytes)).toBe(true);
  });

  for (const [name, change, reason, first] of [
    ["a larger file (appended to)", "append", /its part 8 is 65531 bytes, this run's part 8 is 65536/, {}],
    ["another part size", "part-size", /this run's part 1 is/, {}],
    [
      "another checksum algorithm",
      "algorithm",
      /started with checksum algorithm CRC64NVME, this run uses SHA256/,
      {},
    ],
    [
      "another checksum type",
      "type",
      /started with checksum type FULL_OBJECT, this run uses COMPOSITE/,
      { checksumAlgorithm: "CRC32", checksumType: "FULL_OBJECT" },
    ],
    [
      "another storage class",
      "storage-class",
      /started with storage class STANDARD_IA, this run uses STANDARD/,
      { object: { storageClass: "STANDARD_IA" } },
    ],
    ["other content of the same size", "content", /none of its parts holds the bytes of the local file/, {}],
    [
      "a job that was active a moment ago",
      "recent",
      /its last part was stored .* ago; another job may still be uploading it/,
      {},
    ],
  ] as const) {
    it(`never reuses an upload of ${name}; it is left in place and named`, async () => {
      let bytes = randomBytes(PARTS * PART - 5);
      const file = await localFile(`${change}.bin`, bytes);
      await interrupted(file, 3, first, change === "recent");
      const stale = await openUploads(file.key);
      let overrides: Partial<EngineOptions> = {};
      if (change === "append") bytes = Buffer.concat([bytes, randomBytes(PART)]);
      if (change === "content") bytes = randomBytes(bytes.length);
      if (change === "part-size") overrides = { partSize: PART * 2, multipartThreshold: PART * 2 };
      if (change === "algorithm") overrides = { checksumAlgorithm: "SHA256" };
      if (change === "type") overrides = { checksumAlgorithm: "CRC32", checksumType: "COMPOSITE" };
      await writeFile(file.path, bytes);
      const events: EngineEvent[] = [];
      const mark = emulator.requestLog.length;
      const result = await runUploads(
        [file],
        options({ ...overrides, onEvent: (event) => events.push(event) }),
      );
      expect(result.files[0], result.files[0]?.error).toMatchObject({ status: "uploaded", verified: true });
      const warning = events.find((event) => event.type === "warning");
      expect(warning?.type === "warning" && warning.message).toMatch(reason);
      expect(warning?.type === "warning" && warning.message).toContain(
        `upload ${stale[0]} of this key was not resumed`,
      );
      expect(
        emulator.requestLog.slice(mark).filter((entry) => entry.operation === "CreateMultipartUpload"),
      ).toHaveLength(1);
      expect((await download(file.key)).equals(bytes)).toBe(true);
      expect(await openUploads(file.key)).toEqual(stale);
    });
  }

  it("never aborts an adopted upload it did not create: a failure keeps it and says so", async () => {
    const bytes = randomBytes(PARTS * PART);
    const file = await localFile("adopted.bin", bytes);
    await interrupted(file, 3);
    const [uploadId] = await openUploads(file.key);
    emulator.faults.add({ operation: "UploadPart", action: "403", key: file.key });
    const result = await runUploads([file], options({ onFailure: "abort" }));
    expect(result.files[0]?.status).toBe("failed");
    expect(result.files[0]?.error).toContain(
      `The resumed multipart upload ${uploadId} was not created by this run, so it was not aborted`,
    );
    expect(await openUploads(file.key)).toEqual([uploadId]);
  });
});

describe("resume and the object settings S3 does not show on an in-progress upload", () => {
  it("fails, naming the upload, when the resumed upload was started with other settings", async () => {
    const bytes = randomBytes(PARTS * PART);
    const file = await localFile("settings.bin", bytes);
    await interrupted(file, 3, { object: { contentType: "text/plain", metadata: { build: "1" } } });
    const [uploadId] = await openUploads(file.key);
    const result = await runUploads(
      [file],
      options({ object: { contentType: "application/json", metadata: { build: "1" } } }),
    );
    expect(result.files[0]?.status).toBe("failed");
    expect(result.files[0]?.error).toMatch(
      new RegExp(`resumed multipart upload ${uploadId} had been started with other object settings`),
    );
    expect(result.files[0]?.error).toMatch(/delete the object and rerun/);
  });

  it("fails when the resumed upload was started with another header rule's value", async () => {
    const bytes = randomBytes(PARTS * PART);
    const started = await localFile("rule.js.gz", bytes);
    await interrupted({ ...started, headers: { contentEncoding: "gzip" } }, 3);
    const [uploadId] = await openUploads(started.key);
    const result = await runUploads([{ ...started, headers: { contentEncoding: "br" } }], options());
    expect(result.files[0]?.status).toBe("failed");
    expect(result.files[0]?.error).toMatch(
      new RegExp(`resumed multipart upload ${uploadId} had been started with other object settings`),
    );
  });

  it("resumes when the settings are the same", async () => {
    const bytes = randomBytes(PARTS * PART);
    const file = await localFile("same-settings.bin", bytes);
    const object = { contentType: "text/plain", metadata: { build: "1" }, tags: { team: "a" } };
    await interrupted(file, 3, { object });
    const result = await runUploads([file], options({ object }));
    expect(result.files[0], result.files[0]?.error).toMatchObject({ status: "uploaded", verified: true });
    expect(result.files[0]?.notes[0]).toMatch(/^Resumed multipart upload/);
  });
});
