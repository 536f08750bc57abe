// Issue 12's start-up: parsing the AWS SDK cost ~0.2 CPU-s before the first request (~0.17 CPU-s of every
// multipart run). A run whose requests the lean signed path can make (the preflight's listing, a small file's
// PutObject and its confirmation, a download's listing, HEAD and GETs, a multipart upload's
// ListMultipartUploads, CreateMultipartUpload, UploadPart, ListParts and Complete, a resume, an abort after a
// failure, the cleanup command's listing and aborts) must never load it. The counter sees every import of the
// package by the engine (and by this file: it imports none).
// (hash-wasm, loaded by the emulator in this process too, is checked by test/e2e/startup-modules.test.ts.)
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  listRemoteFiles,
  runCleanup,
  runDownloads,
  runUploads,
  type EngineOptions,
} from "../../src/engine/index.js";
import { startEmulator, type Emulator } from "../emulator/index.js";

const sdkLoads = vi.hoisted(() => ({ count: 0 }));
vi.mock("@aws-sdk/client-s3", async (importOriginal) => {
  sdkLoads.count++;
  return importOriginal();
});

const BUCKET = "on-demand";
const KiB = 1024;
let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ buckets: [BUCKET], minPartSize: KiB });
  dir = await mkdtemp(path.join(tmpdir(), "svu-sdk-on-demand-"));
});

afterAll(async () => {
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function s3() {
  return {
    endpoint: emulator.endpoint,
    region: emulator.region,
    forcePathStyle: true,
    credentials: emulator.credentials,
  };
}

function uploadOptions(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return {
    bucket: BUCKET,
    s3: s3(),
    partSize: 64 * KiB,
    concurrency: 2,
    checksumAlgorithm: "CRC64NVME",
    contentMd5: false,
    multipartThreshold: 64 * KiB,
    overwrite: true,
    verify: true,
    onFailure: "abort",
    dryRun: false,
    object: {},
    limits: { minPartSize: KiB },
    tuning: { retryBaseDelayMs: 5 },
    ...overrides,
  };
}

describe("the AWS SDK is loaded only by a step that needs it", () => {
  it("uploading one small file (preflight, PutObject, confirmation) loads no SDK", async () => {
    const file = path.join(dir, "small.txt");
    await writeFile(file, "one small file\n");
    const run = await runUploads([{ path: file, key: "small/small.txt" }], uploadOptions());
    expect(run.files.map((result) => [result.status, result.verification])).toEqual([
      ["uploaded", "checksum"],
    ]);
    expect(emulator.requestLog.map((entry) => entry.operation)).toContain("ListObjectsV2");
    expect(sdkLoads.count).toBe(0);
  });

  it("downloading it again (listing, HEAD, ranged GET) loads no SDK", async () => {
    const settings = { bucket: BUCKET, prefix: "small/", s3: s3(), tuning: { retryBaseDelayMs: 5 } };
    const listed = await listRemoteFiles(settings);
    expect(listed.map((object) => object.key)).toEqual(["small/small.txt"]);
    const target = path.join(dir, "restored.txt");
    const run = await runDownloads([{ key: "small/small.txt", path: target }], {
      bucket: BUCKET,
      s3: s3(),
      concurrency: 2,
      partSize: 64 * KiB,
      overwrite: true,
      verify: true,
      requireChecksums: true,
      dryRun: false,
      onFailure: "abort",
      tuning: { retryBaseDelayMs: 5 },
    });
    expect(run.ok).toBe(true);
    expect(await readFile(target, "utf8")).toBe("one small file\n");
    expect(sdkLoads.count).toBe(0);
  });

  it("a multipart upload (Create, parts, ListParts, Complete) loads no SDK and is proven as before", async () => {
    const file = path.join(dir, "large.bin");
    await writeFile(file, Buffer.alloc(200 * KiB, 7));
    const mark = emulator.requestLog.length;
    const run = await runUploads([{ path: file, key: "large/large.bin" }], uploadOptions());
    expect(run.files.map((result) => [result.status, result.verification])).toEqual([
      ["uploaded", "checksum"],
    ]);
    const operations = new Set(emulator.requestLog.slice(mark).map((entry) => entry.operation));
    for (const operation of [
      "ListMultipartUploads",
      "CreateMultipartUpload",
      "UploadPart",
      "ListParts",
      "CompleteMultipartUpload",
    ]) {
      expect(operations).toContain(operation);
    }
    expect(sdkLoads.count).toBe(0);
  });

  it("an interrupted multipart upload is kept, then resumed, without the SDK", async () => {
    const bytes = Buffer.alloc(8 * 64 * KiB);
    for (let at = 0; at < bytes.byteLength; at++) bytes[at] = (at * 131) >>> 7;
    const file = path.join(dir, "resumed.bin");
    await writeFile(file, bytes);
    const local = { path: file, key: "resume/resumed.bin" };
    const controller = new AbortController();
    let stored = 0;
    const interrupted = await runUploads([local], {
      ...uploadOptions({ onFailure: "keep", concurrency: 1 }),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "progress" && ++stored === 3) controller.abort();
      },
    });
    expect(interrupted.files[0]?.error).toMatch(/was kept \(on-failure: keep\)/);
    await emulator.idle();
    emulator.backdateUploads(BUCKET, 10 * 60_000, local.key);
    const mark = emulator.requestLog.length;
    const resumed = await runUploads([local], uploadOptions({ onFailure: "keep" }));
    expect(resumed.files[0], resumed.files[0]?.error).toMatchObject({ status: "uploaded", verified: true });
    expect(resumed.files[0]?.notes[0]).toMatch(/^Resumed multipart upload/);
    const log = emulator.requestLog.slice(mark);
    expect(log.filter((entry) => entry.operation === "CreateMultipartUpload")).toEqual([]);
    expect(log.filter((entry) => entry.operation === "UploadPart").length).toBeLessThan(8);
    expect(sdkLoads.count).toBe(0);
  });

  it("a failed multipart upload is aborted without the SDK", async () => {
    const file = path.join(dir, "refused.bin");
    await writeFile(file, Buffer.alloc(256 * KiB, 3));
    emulator.faults.add({
      operation: "UploadPart",
      action: "403",
      key: "refused/refused.bin",
      partNumber: 2,
    });
    const mark = emulator.requestLog.length;
    const run = await runUploads([{ path: file, key: "refused/refused.bin" }], uploadOptions());
    emulator.faults.clear();
    expect(run.files[0]?.status).toBe("failed");
    const aborts = emulator.requestLog
      .slice(mark)
      .filter((entry) => entry.operation === "AbortMultipartUpload");
    expect(aborts.map((entry) => entry.status)).toEqual([204]);
    const left = await runCleanup({
      bucket: BUCKET,
      s3: s3(),
      prefix: "refused/",
      olderThanMs: 0,
      dryRun: true,
    });
    expect(left.uploads).toEqual([]);
    expect(sdkLoads.count).toBe(0);
  });

  it("cleanup lists pending uploads (a control-character key too) and aborts them without the SDK", async () => {
    const keys = ["sweep/a\u0001b.bin", "sweep/plain.bin"];
    for (const key of keys) {
      const file = path.join(dir, `sweep-${keys.indexOf(key)}.bin`);
      await writeFile(file, Buffer.alloc(256 * KiB, 5));
      const controller = new AbortController();
      const run = await runUploads([{ path: file, key }], {
        ...uploadOptions({ onFailure: "keep", concurrency: 1 }),
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === "progress") controller.abort();
        },
      });
      expect(run.files[0]?.error).toMatch(/was kept/);
    }
    await emulator.idle();
    const listed = await runCleanup({
      bucket: BUCKET,
      s3: s3(),
      prefix: "sweep/",
      olderThanMs: 0,
      dryRun: true,
    });
    expect(listed.uploads.map((upload) => upload.key).sort()).toEqual([...keys].sort());
    const swept = await runCleanup({
      bucket: BUCKET,
      s3: s3(),
      prefix: "sweep/",
      olderThanMs: 0,
      dryRun: false,
    });
    expect(swept.uploads.map((upload) => [upload.key, upload.action]).sort()).toEqual(
      keys.map((key) => [key, "aborted"]).sort(),
    );
    const after = await runCleanup({
      bucket: BUCKET,
      s3: s3(),
      prefix: "sweep/",
      olderThanMs: 0,
      dryRun: true,
    });
    expect(after.uploads).toEqual([]);
    expect(sdkLoads.count).toBe(0);
  });

  it("a CRC32C upload (hash-wasm, loaded on first use) is proven as before", async () => {
    const file = path.join(dir, "crc32c.txt");
    await writeFile(file, "checked with CRC32C\n");
    const run = await runUploads(
      [{ path: file, key: "crc32c/crc32c.txt" }],
      uploadOptions({ checksumAlgorithm: "CRC32C" }),
    );
    expect(run.files.map((result) => [result.status, result.verification])).toEqual([
      ["uploaded", "checksum"],
    ]);
  });
});
