// A file rewritten while it uploads must never end up as a verified object that mixes two versions: the
// file's identity (device, inode, size, mtime, ctime) taken at open is compared again after reads and
// before Complete, so a rewrite in place that restores size and mtime (cp -p, rsync -t, touch -r) is caught.
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { renameSync, statSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "change";
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-change-"));
});

afterEach(() => emulator.faults.clear());

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return emulatorEngineOptions(emulator, BUCKET, {
    concurrency: 2,
    tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 10_000 },
    ...overrides,
  });
}

async function localFile(name: string, bytes: Buffer): Promise<LocalFile> {
  await writeFile(path.join(dir, name), bytes);
  return { path: path.join(dir, name), key: `c/${name}` };
}

/**
 * Rewrites the file in place with other bytes of the same size and puts its times back with `touch -r`,
 * to the nanosecond (Node's utimes cannot: it takes seconds as a double).
 */
function rewriteKeepingTimes(file: string): void {
  const before = statSync(file, { bigint: true });
  const reference = `${file}.times`;
  execFileSync("touch", ["-r", file, reference]);
  writeFileSync(file, randomBytes(Number(before.size)));
  execFileSync("touch", ["-r", reference, file]);
  const after = statSync(file, { bigint: true });
  expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
}

async function nothingLeft(prefix: string): Promise<void> {
  await emulator.idle();
  const uploads = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
  expect(uploads.Uploads ?? []).toEqual([]);
  const objects = await sdk.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  expect(objects.Contents ?? []).toEqual([]);
}

describe("a file rewritten in place with the same size and mtime during the upload", () => {
  it("multipart: fails naming the file, leaves no object and no upload", async () => {
    const file = await localFile("rewritten.bin", randomBytes(8 * PART));
    // Part 5 waits, so the rewrite lands between parts of one upload.
    emulator.faults.add({
      operation: "UploadPart",
      action: "stall",
      key: file.key,
      partNumber: 5,
      stallMs: 300,
    });
    let stored = 0;
    const result = await runUploads([file], {
      ...options(),
      onEvent: (event) => {
        if (event.type === "progress" && ++stored === 3) rewriteKeepingTimes(file.path);
      },
    });
    const failed = result.files[0]!;
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain(file.path);
    expect(failed.error).toMatch(/changed during the upload/);
    expect(failed.error).toContain("The multipart upload was aborted; nothing is left behind.");
    await nothingLeft("c/rewritten");
  });

  it("single PUT: a rewrite between open and read fails the file, nothing stored", async () => {
    const file = await localFile("small.bin", randomBytes(PART / 2));
    const result = await runUploads([file], {
      ...options(),
      onEvent: (event) => {
        if (event.type === "file-start") rewriteKeepingTimes(file.path);
      },
    });
    const failed = result.files[0]!;
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain(file.path);
    expect(failed.error).toMatch(/changed during the upload/);
    await nothingLeft("c/small");
  });

  it("a path replaced by rename during the upload fails the file: the opened version is no longer the file", async () => {
    const bytes = randomBytes(4 * PART);
    const file = await localFile("replaced.bin", bytes);
    const result = await runUploads([file], {
      ...options(),
      onEvent: (event) => {
        if (event.type === "progress") {
          const other = `${file.path}.new`;
          writeFileSync(other, randomBytes(bytes.length));
          renameSync(other, file.path);
        }
      },
    });
    const failed = result.files[0]!;
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain(file.path);
    expect(failed.error).toMatch(/changed during the upload \(it was deleted or replaced by another file\)/);
    await nothingLeft("c/replaced");
  });
});
