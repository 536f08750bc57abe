// The per-file SHA-256 against the emulator: parts read concurrently, retried after a digest error, repaired
// after ListParts, kept from an earlier run on resume, or compared as unchanged: the reported digest is always
// node:crypto's SHA-256 of the whole file, and null when it is turned off.
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "sha256";
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-sha256-"));
});

afterEach(() => emulator.faults.clear());

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return emulatorEngineOptions(emulator, BUCKET, {
    concurrency: 4,
    sha256: true,
    tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 15_000 },
    ...overrides,
  });
}

async function localFile(name: string, size: number): Promise<{ file: LocalFile; bytes: Buffer }> {
  const bytes = randomBytes(size);
  await writeFile(path.join(dir, name), bytes);
  return { file: { path: path.join(dir, name), key: `s/${name}` }, bytes };
}

function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function download(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

async function openUploads(key: string): Promise<number> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
  return (answer.Uploads ?? []).length;
}

function sentParts(key: string, partNumber: number): number {
  return emulator.requestLog.filter(
    (entry) => entry.operation === "UploadPart" && entry.key === key && entry.partNumber === partNumber,
  ).length;
}

describe("sha256 of each file", () => {
  it("multipart at concurrency 4, with a part retried after BadDigest and one repaired after ListParts", async () => {
    const { file, bytes } = await localFile("faults.bin", 11 * PART + 777);
    emulator.faults.add({
      operation: "UploadPart",
      action: "flip-in-transit",
      key: file.key,
      partNumber: 3,
      times: 1,
    });
    emulator.faults.add({ operation: "UploadPart", action: "503", key: file.key, partNumber: 6, times: 1 });
    emulator.faults.add({
      operation: "UploadPart",
      action: "corrupt-stored",
      key: file.key,
      partNumber: 9,
      times: 1,
    });
    const result = await runUploads([file], options());
    expect(result.files[0]?.error).toBeUndefined();
    expect(emulator.faults.fired).toEqual([1, 1, 1]);
    expect([sentParts(file.key, 3), sentParts(file.key, 6), sentParts(file.key, 9)]).toEqual([2, 2, 2]);
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, sha256: sha256Hex(bytes) });
    expect((await download(file.key)).equals(bytes)).toBe(true);
  });

  it("several multipart and single files at once through one pool", async () => {
    const made = await Promise.all([
      localFile("many-1.bin", 6 * PART),
      localFile("many-2.bin", 3 * PART + 1),
      localFile("many-3.bin", PART - 1),
      localFile("many-4.bin", 0),
      localFile("many-5.bin", 9 * PART + 5),
    ]);
    const result = await runUploads(
      made.map(({ file }) => file),
      options({ concurrency: 3 }),
    );
    expect(result.files.map((entry) => entry.sha256)).toEqual(made.map(({ bytes }) => sha256Hex(bytes)));
  });

  it("a single PutObject retried after its bytes were damaged in transit", async () => {
    const { file, bytes } = await localFile("single.bin", PART - 10);
    emulator.faults.add({ operation: "PutObject", action: "flip-in-transit", key: file.key, times: 1 });
    const result = await runUploads([file], options());
    expect(emulator.faults.fired).toEqual([1]);
    expect(result.files[0]).toMatchObject({ status: "uploaded", multipart: false, sha256: sha256Hex(bytes) });
  });

  it("an unchanged file has the digest of the read that compared it", async () => {
    const { file, bytes } = await localFile("unchanged.bin", 4 * PART + 3);
    await runUploads([file], options());
    const again = await runUploads([file], options({ overwrite: false }));
    expect(again.files[0]).toMatchObject({ status: "unchanged", sha256: sha256Hex(bytes) });
  });

  it("a resumed upload: parts stored by the earlier run are read for the hash alone", async () => {
    const { file, bytes } = await localFile("resumed.bin", 8 * PART - 100);
    const controller = new AbortController();
    let stored = 0;
    const first = await runUploads([file], {
      ...options({ onFailure: "keep", concurrency: 1 }),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "progress" && ++stored === 3) controller.abort();
      },
    });
    expect(first.files[0]?.error).toMatch(/was kept \(on-failure: keep\)/);
    await emulator.idle();
    emulator.backdateUploads(BUCKET, 10 * 60_000, file.key);
    const result = await runUploads([file], options({ onFailure: "keep" }));
    expect(result.files[0]?.notes[0]).toMatch(/^Resumed multipart upload .*: kept 3 of 8 parts/);
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, sha256: sha256Hex(bytes) });
  });

  it("is null when turned off, as by default", async () => {
    const { file } = await localFile("off.bin", 3 * PART);
    const off = await runUploads([file], options({ sha256: false }));
    expect(off.files[0]).toMatchObject({ status: "uploaded", verified: true, sha256: null });
    const byDefault = await runUploads([file], emulatorEngineOptions(emulator, BUCKET));
    expect(byDefault.files[0]).toMatchObject({ status: "uploaded", verified: true, sha256: null });
  });

  // Parts wait in their pool slots for their turn in the hash: a part that fails before it is hashed must
  // release them, or the file would never finish (and never abort its upload).
  it("a file that changes mid-upload fails, is aborted and leaves no part waiting for its turn", async () => {
    const { file } = await localFile("changing.bin", 12 * PART);
    let appended = false;
    const result = await runUploads(
      [file],
      options({
        onEvent: (event) => {
          if (event.type === "progress" && !appended) {
            appended = true;
            appendFileSync(file.path, "more");
          }
        },
      }),
    );
    expect(result.files[0]).toMatchObject({ status: "failed", sha256: null });
    expect(result.files[0]?.error).toMatch(/changed during the upload.*aborted/);
    expect(await openUploads(file.key)).toBe(0);
  });

  it("a cancelled run with parts queued for the pool ends, aborted, with no SHA-256", async () => {
    const { file } = await localFile("cancelled.bin", 12 * PART);
    emulator.faults.add({
      operation: "UploadPart",
      action: "stall",
      key: file.key,
      partNumber: 2,
      stallMs: 10_000,
    });
    const controller = new AbortController();
    let stored = 0;
    const result = await runUploads([file], {
      ...options({ concurrency: 2, tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 20_000 } }),
      signal: controller.signal,
      onEvent: (event) => {
        // The last part, then part 1: part 2 is stalled, part 3 waits for its turn, the rest for a slot.
        if (event.type === "progress" && ++stored === 2) controller.abort(new Error("cancelled by test"));
      },
    });
    expect(result.files[0]).toMatchObject({ status: "failed", sha256: null });
    expect(result.files[0]?.error).toMatch(/cancelled by test.*aborted/);
    expect(await openUploads(file.key)).toBe(0);
  });
});
