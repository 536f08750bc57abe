// Small files (issue #12): a new file below the multipart threshold costs one PutObject; whether its key is
// free and whether the store holds what it answered are read from ListObjectsV2 pages shared by many files.
// Any doubt (a key listed, a listed ETag or size that is not the write's, no listing) falls back to the
// HeadObject of before, so every fault below still ends exact and proven, or failed and named.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";

const BUCKET = "small";
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-small-"));
});

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

let folders = 0;
/** `count` random files under a fresh key folder. */
async function smallFiles(count: number, size = 3000): Promise<Array<{ file: LocalFile; bytes: Buffer }>> {
  const folder = `run-${++folders}`;
  const files = [];
  for (let i = 0; i < count; i++) {
    const bytes = randomBytes(size);
    const name = `${folder}-${String(i).padStart(3, "0")}.bin`;
    await writeFile(path.join(dir, name), bytes);
    files.push({ file: { path: path.join(dir, name), key: `${folder}/${name}` }, bytes });
  }
  return files;
}

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return emulatorEngineOptions(emulator, BUCKET, { overwrite: false, ...overrides });
}

async function stored(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

/** The emulator's requests of one operation made since `from`, for keys under `folder`. */
function requests(from: number, operation: string, folder?: string): number {
  return emulator.requestLog
    .slice(from)
    .filter(
      (entry) => entry.operation === operation && (folder === undefined || entry.key?.startsWith(folder)),
    ).length;
}

async function expectExact(files: Array<{ file: LocalFile; bytes: Buffer }>): Promise<void> {
  for (const { file, bytes } of files) expect((await stored(file.key)).equals(bytes)).toBe(true);
}

describe("new small files", () => {
  it("cost one PutObject each and no HeadObject; proven by the echoed checksum and the listed ETag", async () => {
    const files = await smallFiles(24);
    const from = emulator.requestLog.length;
    const result = await runUploads(
      files.map(({ file }) => file),
      options(),
    );
    expect(result.ok).toBe(true);
    for (const file of result.files) {
      expect(file).toMatchObject({ status: "uploaded", verified: true, verification: "checksum" });
      expect(file.checksumRemote).toBe(file.checksumLocal);
    }
    expect(requests(from, "PutObject")).toBe(24);
    expect(requests(from, "HeadObject")).toBe(0);
    // Listings are shared: fewer than one per file (the preflight's among them).
    expect(requests(from, "ListObjectsV2")).toBeLessThan(24);
    await expectExact(files);
  });

  it("keys the listing must encode and order byte-wise (space, +, &, %, <, astral, fullwidth) are matched", async () => {
    const names = ["a b", "c+d", "e&f", "g%h", "i<j", "\u{1F600}", "\uFF5E", "z"];
    const files = (await smallFiles(names.length)).map(({ file, bytes }, index) => ({
      file: { ...file, key: `${file.key.split("/")[0]}/${names[index]}.bin` },
      bytes,
    }));
    const from = emulator.requestLog.length;
    const result = await runUploads(
      files.map(({ file }) => file),
      options(),
    );
    expect(result.ok).toBe(true);
    expect(requests(from, "HeadObject")).toBe(0);
    await expectExact(files);
    const again = await runUploads(
      files.map(({ file }) => file),
      options(),
    );
    expect(again.files.map((file) => file.status)).toEqual(names.map(() => "unchanged"));
  });

  it("a rerun finds them unchanged, compared by a HeadObject of each listed key", async () => {
    const files = await smallFiles(6);
    expect(
      (
        await runUploads(
          files.map(({ file }) => file),
          options(),
        )
      ).ok,
    ).toBe(true);
    const from = emulator.requestLog.length;
    const result = await runUploads(
      files.map(({ file }) => file),
      options(),
    );
    expect(result.files.map((file) => file.status)).toEqual(Array(6).fill("unchanged"));
    expect(requests(from, "PutObject")).toBe(0);
    expect(requests(from, "HeadObject")).toBe(6);
  });

  it("an object stored by another writer before the run is refused, never overwritten", async () => {
    const files = await smallFiles(3);
    const theirs = randomBytes(3000);
    await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: files[1]!.file.key, Body: theirs }));
    const result = await runUploads(
      files.map(({ file }) => file),
      options(),
    );
    expect(result.files.map((file) => file.status)).toEqual(["uploaded", "failed", "uploaded"]);
    expect(result.files[1]?.error).toMatch(/overwrite check failed.*already exists and differs/);
    expect((await stored(files[1]!.file.key)).equals(theirs)).toBe(true);
  });

  it("a dry run lists, and sends a HeadObject only for keys that exist", async () => {
    const files = await smallFiles(5);
    await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: files[0]!.file.key, Body: files[0]!.bytes }));
    const from = emulator.requestLog.length;
    const result = await runUploads(
      files.map(({ file }) => file),
      options({ dryRun: true }),
    );
    expect(result.files.map((file) => file.status)).toEqual(["unchanged", ...Array(4).fill("dry-run")]);
    expect(requests(from, "HeadObject")).toBe(1);
    expect(requests(from, "PutObject")).toBe(0);
  });
});

describe("the listing does not replace a check when it cannot answer for the write", () => {
  it("a PutObject the store answered but dropped is not listed: HeadObject, and the file fails", async () => {
    const files = await smallFiles(4);
    emulator.faults.add({ operation: "PutObject", action: "drop-stored", key: files[2]!.file.key, times: 1 });
    const result = await runUploads(
      files.map(({ file }) => file),
      options(),
    );
    expect(result.files.map((file) => file.status)).toEqual(["uploaded", "uploaded", "failed", "uploaded"]);
    expect(result.files[2]?.error).toMatch(/PutObject answered success but no object is stored/);
  });

  it("a PutObject stored corrupted is listed with another ETag: HeadObject, re-sent, exact", async () => {
    const files = await smallFiles(4);
    emulator.faults.add({
      operation: "PutObject",
      action: "corrupt-stored",
      key: files[1]!.file.key,
      times: 1,
    });
    const from = emulator.requestLog.length;
    const result = await runUploads(
      files.map(({ file }) => file),
      options(),
    );
    expect(result.ok).toBe(true);
    expect(result.files[1]?.notes.join(" ")).toMatch(/re-sent 1 time/);
    expect(requests(from, "HeadObject", files[1]!.file.key)).toBeGreaterThan(0);
    await expectExact(files);
  });

  it("a listing that fails transiently is retried like any request, not traded for a HeadObject per file", async () => {
    const files = await smallFiles(6);
    const from = emulator.requestLog.length;
    // Calls count from here. After the preflight's listing (call 1): the listing ahead of the writes answers
    // 503 once, then a confirming listing has its connection reset once.
    emulator.faults.clear();
    emulator.faults.add({ operation: "ListObjectsV2", action: "503", calls: [2] });
    emulator.faults.add({ operation: "ListObjectsV2", action: "reset", calls: [4] });
    const retried: string[] = [];
    const result = await runUploads(
      files.map(({ file }) => file),
      options({
        onEvent: (event) => {
          if (event.type === "retry") retried.push(event.operation);
        },
      }),
    );
    const fired = emulator.faults.fired;
    emulator.faults.clear();
    expect(result.ok).toBe(true);
    for (const file of result.files) {
      expect(file).toMatchObject({ status: "uploaded", verified: true, verification: "checksum" });
    }
    expect(fired).toEqual([1, 1]);
    expect(retried.filter((operation) => operation === "ListObjectsV2")).toHaveLength(2);
    expect(requests(from, "HeadObject")).toBe(0);
    await expectExact(files);
  });

  it("with every ListObjectsV2 failing after the preflight, each file is checked by HeadObject as before", async () => {
    const files = await smallFiles(4);
    const from = emulator.requestLog.length;
    // Calls count from here. The preflight is the run's first ListObjectsV2; every later one answers 500.
    emulator.faults.clear();
    emulator.faults.add({
      operation: "ListObjectsV2",
      action: "500",
      calls: Array.from({ length: 200 }, (_, i) => 2 + i),
    });
    const result = await runUploads(
      files.map(({ file }) => file),
      options(),
    );
    expect(result.ok).toBe(true);
    for (const file of result.files) expect(file).toMatchObject({ status: "uploaded", verified: true });
    expect(requests(from, "HeadObject")).toBe(8);
    emulator.faults.clear();
    await expectExact(files);
  });
});

describe("files in flight", () => {
  it("many small files are in progress at once, beyond the PutObject slots, so one listing confirms many", async () => {
    const files = await smallFiles(40);
    let open = 0;
    let peak = 0;
    const result = await runUploads(
      files.map(({ file }) => file),
      options({
        concurrency: 1,
        onEvent: (event) => {
          if (event.type === "file-start") peak = Math.max(peak, ++open);
          if (event.type === "file-done") open--;
        },
      }),
    );
    expect(result.ok).toBe(true);
    // 16 per unit of concurrency: four times the small-PutObject slots, so a listing finds many answered.
    expect(peak).toBe(16);
    await expectExact(files);
  });

  it("small files have four PutObjects in flight per pool slot, so round trips overlap", async () => {
    const files = await smallFiles(24);
    // The proxy holds each PutObject until four are held at once; one PutObject per slot would never get
    // there, so a deadline lets them all through (and the peak below says so) rather than hang the test.
    const held: Array<() => void> = [];
    let peak = 0;
    let inFlight = 0;
    let open = true;
    const releaseAll = (): void => {
      open = false;
      for (const release of held.splice(0)) release();
    };
    const deadline = setTimeout(releaseAll, 30_000);
    const proxy = await startFaultProxy(emulator.endpoint, (request) =>
      request.operation !== "PutObject"
        ? undefined
        : {
            before: async () => {
              peak = Math.max(peak, ++inFlight);
              if (!open) return;
              await new Promise<void>((resolve) => {
                held.push(resolve);
                if (held.length >= 4) releaseAll();
              });
            },
            after: async () => {
              inFlight--;
            },
          },
    );
    try {
      const base = options({ concurrency: 1 });
      const result = await runUploads(
        files.map(({ file }) => file),
        { ...base, s3: { ...base.s3, endpoint: proxy.endpoint } },
      );
      expect(result.ok).toBe(true);
      expect(peak).toBeGreaterThanOrEqual(4);
      await expectExact(files);
    } finally {
      clearTimeout(deadline);
      await proxy.stop();
    }
  });

  it("multipart files stay at twice the pool: no more uploads open on the store at once", async () => {
    const files = await smallFiles(6, 3 * KiB + 5);
    const from = emulator.requestLog.length;
    const result = await runUploads(
      files.map(({ file }) => file),
      options({ concurrency: 1, partSize: KiB, multipartThreshold: KiB }),
    );
    expect(result.ok).toBe(true);
    let open = 0;
    let peak = 0;
    for (const entry of emulator.requestLog.slice(from)) {
      if (entry.operation === "CreateMultipartUpload") peak = Math.max(peak, ++open);
      if (entry.operation === "CompleteMultipartUpload") open--;
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
    await expectExact(files);
  });
});
