// Temp files of a download stopped without on-failure keep (SIGKILL, power loss) have no resume record: a later
// run into the same folder removes those of its own destinations once they are old enough that no live
// download can be writing them, says which, and leaves everything else alone.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  runDownloads,
  type DownloadEvent,
  type DownloadOptions,
  type RemoteFile,
} from "../../src/engine/download/index.js";
import { STALE_TEMP_AGE_MS } from "../../src/engine/download/stale-temps.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "stale";

let emulator: Emulator;
let sdk: S3Client;
let dir: string;
let caseNumber = 0;
let out: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-stale-"));
});

afterAll(async () => {
  await stopWorkspace({ emulator, sdk, dir });
});

beforeEach(async () => {
  out = path.join(dir, `case-${++caseNumber}`);
  await mkdir(out, { recursive: true });
});

function options(events: DownloadEvent[], overrides: Partial<DownloadOptions> = {}): DownloadOptions {
  return {
    bucket: BUCKET,
    s3: emulatorEngineOptions(emulator, BUCKET).s3,
    concurrency: 2,
    partSize: 16 * KiB,
    overwrite: false,
    verify: true,
    requireChecksums: false,
    dryRun: false,
    onFailure: "abort",
    tuning: { retryBaseDelayMs: 5 },
    onEvent: (event) => events.push(event),
    ...overrides,
  };
}

async function stored(name: string): Promise<{ bytes: Buffer; remote: RemoteFile }> {
  const bytes = randomBytes(40 * KiB);
  const key = `case-${caseNumber}/${name}`;
  await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
  return { bytes, remote: { key, path: path.join(out, name) } };
}

/** A file `name` in `out` last modified `ageMs` ago. */
async function leftover(name: string, ageMs: number): Promise<string> {
  const file = path.join(out, name);
  await writeFile(file, "half-written");
  const when = new Date(Date.now() - ageMs);
  await utimes(file, when, when);
  return file;
}

describe("stale temp files of stopped downloads", () => {
  it("removes its destinations' old temp files without a record, keeps recent ones and others' with a word", async () => {
    const { bytes, remote } = await stored("a.bin");
    const old = await leftover(".a.bin.s3vu-0123456789ab.part", STALE_TEMP_AGE_MS + 60_000);
    const recent = await leftover(".a.bin.s3vu-aaaaaaaaaaaa.part", 1000);
    // Not a destination of this run: another download's business.
    await leftover(".other.bin.s3vu-bbbbbbbbbbbb.part", STALE_TEMP_AGE_MS + 60_000);
    const events: DownloadEvent[] = [];

    const run = await runDownloads([remote], options(events));

    expect(run.files[0]).toMatchObject({ status: "downloaded", verified: true });
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    expect(run.staleTempFilesRemoved).toEqual([old]);
    expect((await readdir(out)).sort()).toEqual([
      ".a.bin.s3vu-aaaaaaaaaaaa.part",
      ".other.bin.s3vu-bbbbbbbbbbbb.part",
      "a.bin",
    ]);
    expect(events.filter((event) => event.type === "warning")).toEqual([
      {
        type: "warning",
        file: remote,
        message: `${recent} looks like the temp file of a download still running or stopped less than 60 minutes ago, so it was left in place; a later run removes it once it is older, or delete it when no download is running.`,
      },
    ]);
  });

  it("leaves a temp file its resume record names to the resume, and a dry run removes nothing", async () => {
    const { remote } = await stored("b.bin");
    const old = await leftover(".b.bin.s3vu-0123456789ab.part", STALE_TEMP_AGE_MS + 60_000);
    const dry = await runDownloads([remote], options([], { dryRun: true }));
    expect(dry.staleTempFilesRemoved).toEqual([]);
    expect(await readdir(out)).toEqual([".b.bin.s3vu-0123456789ab.part"]);

    const record = await leftover(".b.bin.s3vu-resume", STALE_TEMP_AGE_MS + 60_000);
    await writeFile(
      record,
      `${JSON.stringify({ format: "s3vu-download-resume/1", key: "other", etag: "x", versionId: null, size: 1, algorithm: "MD5", ranges: 1, layout: "x", temp: path.basename(old) })}\n`,
    );
    const run = await runDownloads([remote], options([]));
    // The record's own handling removes both (it does not fit this object), not the stale-temp sweep.
    expect(run.staleTempFilesRemoved).toEqual([]);
    expect(run.files[0]!.notes[0]).toMatch(/^A kept partial download was removed, as it holds key other/);
    expect(await readdir(out)).toEqual(["b.bin"]);
  });
});
