// Objects whose proof is one digest of all their bytes (a single PUT's SHA1/SHA256, a single part's MD5 ETag)
// are fetched in parallel ranges like any other and hashed in file order from the bytes written; and with
// sha256 on, every file's SHA-256 is computed from the bytes written (or, unchanged, from the local file).
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runUploads, type ChecksumAlgorithm } from "../../src/engine/index.js";
import { runDownloads, type DownloadOptions, type RemoteFile } from "../../src/engine/download/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "whole";
const RANGE = 16 * KiB;

let emulator: Emulator;
let sdk: S3Client;
let dir: string;
let caseNumber = 0;
let caseDir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-whole-"));
});

afterAll(async () => {
  await stopWorkspace({ emulator, sdk, dir });
});

beforeEach(async () => {
  emulator.faults.clear();
  caseDir = path.join(dir, `case-${++caseNumber}`);
  await mkdir(path.join(caseDir, "src"), { recursive: true });
  await mkdir(path.join(caseDir, "out"), { recursive: true });
});

function options(overrides: Partial<DownloadOptions> = {}): DownloadOptions {
  return {
    bucket: BUCKET,
    s3: emulatorEngineOptions(emulator, BUCKET).s3,
    concurrency: 4,
    partSize: RANGE,
    overwrite: false,
    verify: true,
    requireChecksums: false,
    dryRun: false,
    onFailure: "abort",
    tuning: { retryBaseDelayMs: 5 },
    ...overrides,
  };
}

async function uploaded(
  size: number,
  algorithm: ChecksumAlgorithm,
  multipartThreshold = PART,
): Promise<{ bytes: Buffer; remote: RemoteFile }> {
  const bytes = randomBytes(size);
  const source = path.join(caseDir, "src", "file.bin");
  await writeFile(source, bytes);
  const key = `case-${caseNumber}/file.bin`;
  const upload = await runUploads(
    [{ path: source, key }],
    emulatorEngineOptions(emulator, BUCKET, { checksumAlgorithm: algorithm, multipartThreshold }),
  );
  expect(upload.files[0]?.error).toBeUndefined();
  return { bytes, remote: { key, path: path.join(caseDir, "out", "file.bin") } };
}

function rangesServed(key: string, from: number): string[] {
  return emulator.requestLog
    .slice(from)
    .filter((entry) => entry.operation === "GetObject" && entry.key === key && entry.status === 206)
    .map((entry) => entry.range!)
    .sort();
}

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

describe("a single PUT's SHA checksum", () => {
  for (const algorithm of ["SHA1", "SHA256"] as const) {
    it(`${algorithm}: fetched in parallel ranges, proven by the digest of the bytes in file order`, async () => {
      const size = 4 * RANGE + 123;
      const { bytes, remote } = await uploaded(size, algorithm, 10 * PART);
      const mark = emulator.requestLog.length;
      const result = (await runDownloads([remote], options())).files[0]!;
      expect(result).toMatchObject({
        status: "downloaded",
        verification: "checksum",
        verified: true,
        checksumAlgorithm: algorithm,
        checksumType: "FULL_OBJECT",
      });
      expect(result.checksumLocal).toBe(result.checksumRemote);
      expect(rangesServed(remote.key, mark)).toEqual(
        [0, 1, 2, 3, 4]
          .map((index) => `bytes=${index * RANGE}-${Math.min(size, (index + 1) * RANGE) - 1}`)
          .sort(),
      );
      expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    });
  }

  it("a range damaged in transit fails the proof, and the one retry downloads it exact", async () => {
    const { bytes, remote } = await uploaded(3 * RANGE + 5, "SHA256", 10 * PART);
    emulator.faults.add({ operation: "GetObject", action: "corrupt-body", key: remote.key, calls: [2] });
    const result = (await runDownloads([remote], options())).files[0]!;
    expect(emulator.faults.fired).toEqual([1]);
    expect(result).toMatchObject({ status: "downloaded", verified: true, verification: "checksum" });
    expect(result.notes[0]).toMatch(
      /^The first download did not prove out \(verify .* failed: the bytes received give SHA256 FULL_OBJECT/,
    );
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
  });
});

describe("sha256: each file's SHA-256 from the bytes written", () => {
  it("a CRC64NVME multipart object, then unchanged from the local file; off, none", async () => {
    const { bytes, remote } = await uploaded(3 * PART + 777, "CRC64NVME");
    const first = (await runDownloads([remote], options({ sha256: true }))).files[0]!;
    expect(first).toMatchObject({ status: "downloaded", verified: true, sha256: sha256(bytes) });
    const again = (await runDownloads([remote], options({ sha256: true }))).files[0]!;
    expect(again).toMatchObject({ status: "unchanged", sha256: sha256(bytes) });
    const off = (await runDownloads([remote], options({ overwrite: true }))).files[0]!;
    expect(off).toMatchObject({ status: "unchanged", sha256: null });
  });

  it("a single PUT's SHA256: the proof's digest is the SHA-256", async () => {
    const { bytes, remote } = await uploaded(2 * RANGE + 9, "SHA256", 10 * PART);
    const result = (await runDownloads([remote], options({ sha256: true }))).files[0]!;
    expect(result.sha256).toBe(sha256(bytes));
    expect(Buffer.from(result.checksumRemote!, "base64").toString("hex")).toBe(result.sha256);
  });

  it("an empty object, and a dry run has none", async () => {
    const { remote } = await uploaded(0, "CRC32C");
    const dry = (await runDownloads([remote], options({ sha256: true, dryRun: true }))).files[0]!;
    expect(dry).toMatchObject({ status: "dry-run", sha256: null });
    const result = (await runDownloads([remote], options({ sha256: true }))).files[0]!;
    expect(result.sha256).toBe(sha256(Buffer.alloc(0)));
  });
});
