// Download resume in the engine against the emulator: part-aligned (COMPOSITE) ranges resumed with each part
// checked against its stored checksum, another part-size or verify off starting over, and a record that names a
// file other than a temp file of its destination never making the run touch that file.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runUploads } from "../../src/engine/index.js";
import { runDownloads, type DownloadOptions, type RemoteFile } from "../../src/engine/download/index.js";
import { readResumeRecord } from "../../src/engine/download/resume-record.js";
import type { Emulator, RequestLogEntry } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "resume";

let emulator: Emulator;
let sdk: S3Client;
let dir: string;
let caseNumber = 0;
let out: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-resume-"));
});

afterAll(async () => {
  await stopWorkspace({ emulator, sdk, dir });
});

beforeEach(async () => {
  emulator.faults.clear();
  out = path.join(dir, `case-${++caseNumber}`);
  await mkdir(out, { recursive: true });
});

function options(overrides: Partial<DownloadOptions> = {}): DownloadOptions {
  return {
    bucket: BUCKET,
    s3: emulatorEngineOptions(emulator, BUCKET).s3,
    concurrency: 1,
    partSize: 16 * KiB,
    overwrite: false,
    verify: true,
    requireChecksums: false,
    dryRun: false,
    onFailure: "keep",
    tuning: { retryBaseDelayMs: 5, maxAttempts: 1 },
    ...overrides,
  };
}

/** Uploads `size` random bytes with this tool (parts of PART bytes) and returns them and their destination. */
async function uploaded(
  size: number,
  upload: Parameters<typeof emulatorEngineOptions>[2] = {},
): Promise<{ bytes: Buffer; remote: RemoteFile }> {
  const bytes = randomBytes(size);
  const source = await mkdtemp(path.join(tmpdir(), "svu-resume-src-"));
  try {
    await writeFile(path.join(source, "a.bin"), bytes);
    const key = `case-${caseNumber}/a.bin`;
    const run = await runUploads(
      [{ path: path.join(source, "a.bin"), key }],
      emulatorEngineOptions(emulator, BUCKET, upload),
    );
    expect(run.files[0]?.error).toBeUndefined();
    return { bytes, remote: { key, path: path.join(out, "a.bin") } };
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}

/** The ranges GET since log index `from`, in the order served. */
function served(key: string, from: number): string[] {
  return emulator.requestLog
    .slice(from)
    .filter(
      (entry: RequestLogEntry) =>
        entry.operation === "GetObject" && entry.key === key && entry.status === 206,
    )
    .map((entry) => entry.range!);
}

/** A first run whose `failingCall`-th GET answers 500 (no retries): it fails there, keeping what it wrote. */
async function failAt(remote: RemoteFile, failingCall: number, overrides: Partial<DownloadOptions> = {}) {
  emulator.faults.clear();
  emulator.faults.add({ operation: "GetObject", action: "500", key: remote.key, calls: [failingCall] });
  const run = await runDownloads([remote], options(overrides));
  emulator.faults.clear();
  expect(run.files[0]!.status).toBe("failed");
  return run.files[0]!;
}

describe("resuming a kept download", () => {
  it("part-aligned SHA256 COMPOSITE ranges: only the parts not on disk are fetched, each checked", async () => {
    const { bytes, remote } = await uploaded(4 * PART + 100, {
      checksumAlgorithm: "SHA256",
      checksumType: "COMPOSITE",
    });
    const failed = await failAt(remote, 3);
    expect(failed.notes.at(-1)).toMatch(/a rerun with the same inputs resumes it/);
    const record = await readResumeRecord(path.join(out, ".a.bin.s3vu-resume"));
    expect(record).not.toBe("unreadable");
    expect([...(record as { written: Map<number, Buffer> }).written.keys()]).toEqual([0, 1]);

    const mark = emulator.requestLog.length;
    const run = await runDownloads([remote], options({ concurrency: 4 }));
    expect(run.files[0]).toMatchObject({
      status: "downloaded",
      verified: true,
      verification: "checksum",
      checksumType: "COMPOSITE",
    });
    expect(run.files[0]!.notes[0]).toBe(
      "Resumed a kept download: 2 of 5 ranges were on disk and re-hashed; 3 fetched.",
    );
    expect(served(remote.key, mark).sort()).toEqual(
      [
        `bytes=${2 * PART}-${3 * PART - 1}`,
        `bytes=${3 * PART}-${4 * PART - 1}`,
        `bytes=${4 * PART}-${4 * PART + 99}`,
      ].sort(),
    );
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    expect(await readdir(out)).toEqual(["a.bin"]);
  });

  it("a single PUT's SHA256 (one digest of the whole object): ranges checked by CRC32C, only the missing fetched", async () => {
    const { bytes, remote } = await uploaded(3 * 16 * KiB + 50, {
      checksumAlgorithm: "SHA256",
      multipartThreshold: 10 * PART,
    });
    const failed = await failAt(remote, 3);
    expect(failed.notes.at(-1)).toMatch(/a rerun with the same inputs resumes it/);
    const record = await readResumeRecord(path.join(out, ".a.bin.s3vu-resume"));
    expect(record).toMatchObject({ header: { algorithm: "CRC32C", ranges: 4 } });
    expect([...(record as { written: Map<number, Buffer> }).written.keys()]).toEqual([0, 1]);

    const mark = emulator.requestLog.length;
    const run = await runDownloads([remote], options({ concurrency: 4 }));
    expect(run.files[0]).toMatchObject({
      status: "downloaded",
      verified: true,
      verification: "checksum",
      checksumAlgorithm: "SHA256",
      checksumType: "FULL_OBJECT",
    });
    expect(run.files[0]!.notes[0]).toBe(
      "Resumed a kept download: 2 of 4 ranges were on disk and re-hashed; 2 fetched.",
    );
    expect(served(remote.key, mark).sort()).toEqual(
      [`bytes=${32 * KiB}-${48 * KiB - 1}`, `bytes=${48 * KiB}-${48 * KiB + 49}`].sort(),
    );
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    expect(await readdir(out)).toEqual(["a.bin"]);
  });

  it("another part-size: the kept download is removed and the object fetched from the start", async () => {
    const { bytes, remote } = await uploaded(100 * KiB);
    await failAt(remote, 3);
    const mark = emulator.requestLog.length;
    const run = await runDownloads([remote], options({ partSize: 32 * KiB }));
    expect(run.files[0]!.status).toBe("downloaded");
    expect(run.files[0]!.notes[0]).toBe(
      "A kept partial download was removed, as its ranges differ from this run's (another part-size, or another proof); downloaded from the start.",
    );
    expect(served(remote.key, mark)).toHaveLength(4);
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    expect(await readdir(out)).toEqual(["a.bin"]);
  });

  it("verify off: nothing is recorded, the kept temp file says a rerun starts over", async () => {
    const { remote } = await uploaded(100 * KiB);
    const failed = await failAt(remote, 3, { verify: false });
    expect(failed.notes.at(-1)).toMatch(/nothing would prove its bytes on a rerun .*so a rerun starts over/);
    const left = await readdir(out);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.a\.bin\.s3vu-[0-9a-f]{12}\.part$/);
  });

  it("without keep, a resumed download that fails again leaves neither temp file nor record", async () => {
    const { remote } = await uploaded(100 * KiB);
    await failAt(remote, 3);
    expect(await readdir(out)).toHaveLength(2);
    // The rerun resumes at range 3 and fails on its first GET.
    await failAt(remote, 1, { onFailure: "abort" });
    expect(await readdir(out)).toEqual([]);
  });

  it("a record naming a file that is no temp file of its destination: that file is left alone", async () => {
    const { bytes, remote } = await uploaded(100 * KiB);
    await failAt(remote, 3);
    const recordPath = path.join(out, ".a.bin.s3vu-resume");
    const text = await readFile(recordPath, "utf8");
    const header = JSON.parse(text.split("\n")[0]!) as { temp: string };
    const precious = path.join(out, "precious.txt");
    await writeFile(precious, "keep me");
    await writeFile(recordPath, text.replace(JSON.stringify(header.temp), JSON.stringify("precious.txt")));

    const run = await runDownloads([remote], options());
    expect(run.files[0]!.status).toBe("downloaded");
    expect(run.files[0]!.notes[0]).toBe(
      "A kept partial download was removed, as its record names no temp file of this destination; downloaded from the start.",
    );
    expect(await readFile(precious, "utf8")).toBe("keep me");
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    // The record is gone; the temp file it no longer names is left (nothing says it is this run's to remove).
    expect((await readdir(out)).sort()).toEqual([header.temp, "a.bin", "precious.txt"].sort());
  });
});
