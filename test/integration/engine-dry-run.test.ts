// Dry run asks the store: per file "would upload", "unchanged" (with the proof a real run gives) or "refused"
// (with why), through the real run's own decision code, and writes nothing at all.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions, type FileResult, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "dry-run";
const READS = new Set(["ListObjectsV2", "HeadObject", "GetObject"]);
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-dry-run-"));
});

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return emulatorEngineOptions(emulator, BUCKET, {
    tuning: { retryBaseDelayMs: 5, maxAttempts: 2, stallTimeoutMs: 15_000 },
    ...overrides,
  });
}

async function localFile(name: string, content: Buffer): Promise<LocalFile> {
  await writeFile(path.join(dir, name), content);
  return { path: path.join(dir, name), key: `seeded/${name}` };
}

function byName(results: FileResult[]): Record<string, FileResult> {
  return Object.fromEntries(results.map((result) => [path.basename(result.path), result]));
}

describe("dry run against a seeded store", () => {
  let files: LocalFile[];
  let seeded: Record<string, FileResult>;

  beforeAll(async () => {
    const seed = [
      await localFile("same.txt", randomBytes(100)),
      await localFile("same-multi.bin", randomBytes(3 * PART)),
      await localFile("changed.txt", randomBytes(200)),
      await localFile("resized.txt", randomBytes(300)),
    ];
    const result = await runUploads(seed, options());
    expect(result.ok).toBe(true);
    seeded = byName(result.files);
    files = [
      ...seed.slice(0, 2),
      await localFile("changed.txt", randomBytes(200)),
      await localFile("resized.txt", randomBytes(301)),
      await localFile("new.txt", randomBytes(50)),
      await localFile("huge.bin", randomBytes(5 * PART)),
    ];
  });

  it("overwrite false: unchanged with proof, refused with why, would upload; only reads", async () => {
    const from = emulator.requestLog.length;
    const run = await runUploads(
      files,
      // At most 4 parts of 64 KiB: huge.bin (5 parts) is over the object limit this run plans with.
      options({
        dryRun: true,
        overwrite: false,
        limits: { minPartSize: KiB, maxPartSize: PART, maxParts: 4 },
      }),
    );
    const results = byName(run.files);
    expect(results["same.txt"]).toMatchObject({
      status: "unchanged",
      verified: true,
      verification: "checksum",
      checksumRemote: seeded["same.txt"]!.checksumRemote,
      etag: seeded["same.txt"]!.etag,
    });
    expect(results["same-multi.bin"]).toMatchObject({
      status: "unchanged",
      verified: true,
      verification: "checksum",
      checksumRemote: seeded["same-multi.bin"]!.checksumRemote,
    });
    expect(results["changed.txt"]).toMatchObject({ status: "refused", verified: false });
    expect(results["changed.txt"]!.error).toMatch(/already exists and differs from the local file/);
    expect(results["resized.txt"]).toMatchObject({ status: "refused" });
    expect(results["resized.txt"]!.error).toMatch(/is 300 bytes while the local file is 301/);
    expect(results["new.txt"]).toMatchObject({ status: "dry-run", verified: false });
    expect(results["huge.bin"]).toMatchObject({ status: "refused" });
    expect(results["huge.bin"]!.error).toMatch(/above the object limit/);
    // A dry run predicts the real run: refusals would fail it.
    expect(run.ok).toBe(false);

    const requests = emulator.requestLog.slice(from);
    expect(requests.filter((entry) => !READS.has(entry.operation))).toEqual([]);
    expect(requests[0]).toMatchObject({ operation: "ListObjectsV2" });
  });

  it("overwrite true: every file would upload (the real run does not compare either); one request", async () => {
    const from = emulator.requestLog.length;
    const run = await runUploads(files.slice(0, 5), options({ dryRun: true, overwrite: true }));
    expect(run.files.map((file) => file.status)).toEqual(Array(5).fill("dry-run"));
    expect(run.ok).toBe(true);
    expect(emulator.requestLog.slice(from)).toEqual([
      expect.objectContaining({ operation: "ListObjectsV2" }),
    ]);
  });

  it("the store going away stops the dry run with the preflight's error", async () => {
    await expect(
      runUploads(files, options({ dryRun: true, s3: { ...options().s3, endpoint: "http://127.0.0.1:9" } })),
    ).rejects.toMatchObject({ step: "preflight" });
  });
});
