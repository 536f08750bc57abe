// Issue 12's start-up: parsing the AWS SDK cost ~0.2 CPU-s before the first request. A run whose requests
// the lean signed path can make (the preflight's listing, a small file's PutObject and its confirmation, a
// download's listing, HEAD and GETs) must never load it; a step only the SDK makes (a multipart upload's
// CreateMultipartUpload) loads it then, and works. The counter sees every import of the package by the engine.
// (hash-wasm, loaded by the emulator in this process too, is checked by test/e2e/startup-modules.test.ts.)
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { listRemoteFiles, runDownloads, runUploads, type EngineOptions } from "../../src/engine/index.js";
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

  it("a multipart upload loads the SDK for CreateMultipartUpload and is proven as before", async () => {
    const file = path.join(dir, "large.bin");
    await writeFile(file, Buffer.alloc(200 * KiB, 7));
    const run = await runUploads([{ path: file, key: "large/large.bin" }], uploadOptions());
    expect(run.files.map((result) => [result.status, result.verification])).toEqual([
      ["uploaded", "checksum"],
    ]);
    expect(sdkLoads.count).toBe(1);
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
