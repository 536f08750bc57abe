// The CLI killed and cancelled mid-upload: SIGKILL at random points then a rerun that sends only the missing
// parts; SIGTERM aborting by default, keeping with on-failure keep, and the kept upload resumed.
import { randomBytes } from "node:crypto";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { ciEnv, cliFromSourceArgs, readObject, s3For, startCommand, type Run } from "./helpers.js";

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;
const PARTS = 40; // 200 MiB in 5 MiB parts
const BUCKET = "kill";

let emulator: Emulator;
let sdk: S3Client;
let dir: string;
let bytes: Buffer;

beforeAll(async () => {
  emulator = await startEmulator({ buckets: [BUCKET] });
  sdk = s3For(emulator);
  dir = await mkdtemp(path.join(tmpdir(), "svu-kill-"));
  bytes = randomBytes(SIZE);
  await writeFile(path.join(dir, "big.bin"), bytes);
});

afterAll(async () => {
  sdk?.destroy();
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function start(prefix: string, extra: string[] = [], file = "big.bin"): ReturnType<typeof startCommand> {
  const args = [
    ...cliFromSourceArgs(emulator, BUCKET),
    "--part-size",
    "5MiB",
    "--concurrency",
    "4",
    "--prefix",
    prefix,
    "--json",
    ...extra,
    file,
  ];
  return startCommand(process.execPath, args, ciEnv(emulator, {}), dir);
}

function storedParts(key: string, from: number): number[] {
  return emulator.requestLog
    .slice(from)
    .filter((entry) => entry.operation === "UploadPart" && entry.key === key && entry.status === 200)
    .map((entry) => entry.partNumber!);
}

/** Waits until `count` parts are stored; fails at once if the CLI ends first (it could not start, or finished). */
async function waitForParts(
  run: ReturnType<typeof startCommand>,
  key: string,
  from: number,
  count: number,
): Promise<void> {
  const state: { ended?: Run } = {};
  void run.done.then((result) => (state.ended = result));
  const deadline = Date.now() + 60_000;
  while (storedParts(key, from).length < count) {
    const ended = state.ended;
    if (ended) {
      throw new Error(`the CLI exited (${ended.code}) before ${count} parts were stored:\n${ended.stderr}`);
    }
    if (Date.now() > deadline) {
      run.child.kill("SIGKILL");
      throw new Error(`the CLI stored ${storedParts(key, from).length} of ${count} parts in 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function pendingUploads(key: string): Promise<string[]> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
  return (answer.Uploads ?? []).map((upload) => upload.UploadId!);
}

async function listedParts(key: string, uploadId: string): Promise<number[]> {
  const answer = await sdk.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  return (answer.Parts ?? []).map((part) => part.PartNumber!);
}

/**
 * A part whose body had fully arrived when the client died may still be being stored, or still be unread in
 * the server's socket buffer: wait until the emulator is idle and the listing stops changing.
 */
async function settledParts(key: string, uploadId: string): Promise<number[]> {
  for (let previous: number[] | null = null; ;) {
    await emulator.idle();
    const now = await listedParts(key, uploadId);
    if (previous !== null && now.length === previous.length) return now;
    previous = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Resume leaves alone an upload written to within its quiet period (another job may still be running it);
 * a CI rerun comes minutes later, these reruns at once, so the upload's times are moved back instead.
 */
function looksAbandoned(key: string): void {
  emulator.backdateUploads(BUCKET, 10 * 60_000, key);
}

function notes(run: Run): string[] {
  const report = JSON.parse(run.stdout) as { files: { notes: string[] }[] };
  return report.files[0]!.notes;
}

describe("SIGKILL mid-upload, then rerun", () => {
  it("completes byte-exact, sending only the parts missing from the store, at 5 random points", async () => {
    const summary: string[] = [];
    for (let round = 1; round <= 5; round++) {
      const prefix = `round-${round}`;
      const key = `${prefix}/big.bin`;
      // Between the first concurrency-wide wave and the end, so every round leaves a resumable upload.
      const killAfter = 6 + Math.floor(Math.random() * (PARTS - 10));
      const mark = emulator.requestLog.length;
      const first = start(prefix);
      await waitForParts(first, key, mark, killAfter);
      first.child.kill("SIGKILL");
      const killed = await first.done;
      expect(killed.code).toBeNull();

      const [uploadId, ...others] = await pendingUploads(key);
      expect(others).toEqual([]);
      const before = await settledParts(key, uploadId!);
      // The last part goes first: it pins the file size, and resume needs it.
      expect(before).toContain(PARTS);
      looksAbandoned(key);
      const rerunMark = emulator.requestLog.length;
      const second = await start(prefix).done;
      expect(second.code, second.stderr).toBe(0);
      const sent = [...new Set(storedParts(key, rerunMark))].sort((a, b) => a - b);
      const missing = Array.from({ length: PARTS }, (_, index) => index + 1).filter(
        (n) => !before.includes(n),
      );
      expect(sent).toEqual(missing);
      expect(notes(second)[0]).toMatch(
        new RegExp(`^Resumed multipart upload ${uploadId} .*: kept ${before.length} of ${PARTS} parts`),
      );
      expect((await readObject(emulator, BUCKET, key)).equals(bytes)).toBe(true);
      expect(await pendingUploads(key)).toEqual([]);
      summary.push(`killed after ${killAfter} parts: ${before.length} stored, rerun sent ${sent.length}`);
    }
    console.info(`SIGKILL rounds: ${summary.join("; ")}`);
  });
});

describe("SIGTERM mid-upload", () => {
  it("aborts the upload by default and says so", async () => {
    const key = "term-abort/big.bin";
    const mark = emulator.requestLog.length;
    const run = start("term-abort");
    await waitForParts(run, key, mark, 5);
    run.child.kill("SIGTERM");
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "Cancelled: stopping and aborting in-progress multipart uploads (on-failure: abort); nothing is left behind.",
    );
    expect(await pendingUploads(key)).toEqual([]);
    const objects = emulator.requestLog
      .slice(mark)
      .filter((entry) => entry.operation === "CompleteMultipartUpload");
    expect(objects).toEqual([]);
  });

  it("keeps the upload with on-failure keep, and a rerun resumes it", async () => {
    const key = "term-keep/big.bin";
    const mark = emulator.requestLog.length;
    const run = start("term-keep", ["--on-failure", "keep"]);
    await waitForParts(run, key, mark, 8);
    run.child.kill("SIGTERM");
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "Cancelled: stopping; in-progress multipart uploads are kept (on-failure: keep) and a rerun resumes them.",
    );
    const [uploadId] = await pendingUploads(key);
    expect(uploadId).toBeDefined();
    const before = await settledParts(key, uploadId!);
    looksAbandoned(key);

    const rerunMark = emulator.requestLog.length;
    const rerun = await start("term-keep").done;
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(notes(rerun)[0]).toMatch(
      new RegExp(`^Resumed multipart upload ${uploadId} .*: kept ${before.length} of`),
    );
    expect(storedParts(key, rerunMark).some((part) => before.includes(part))).toBe(false);
    expect((await readObject(emulator, BUCKET, key)).equals(bytes)).toBe(true);
    expect(await pendingUploads(key)).toEqual([]);
  });
});

describe("a file appended to during the upload", () => {
  it("is refused before Complete, the upload aborted, nothing stored", async () => {
    await writeFile(path.join(dir, "growing.bin"), bytes.subarray(0, 30 * MiB));
    const key = "growing/growing.bin";
    // Part 3 waits a second, so the append lands while parts are still going up.
    emulator.faults.add({ operation: "UploadPart", action: "stall", key, partNumber: 3, stallMs: 1000 });
    const mark = emulator.requestLog.length;
    const run = start("growing", [], "growing.bin");
    await waitForParts(run, key, mark, 2);
    await appendFile(path.join(dir, "growing.bin"), "more bytes");
    const result = await run.done;
    emulator.faults.clear();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the file changed during the upload \(size 31457280 → 31457290/);
    expect(result.stderr).toContain("The multipart upload was aborted; nothing is left behind.");
    const completes = emulator.requestLog
      .slice(mark)
      .filter((entry) => entry.operation === "CompleteMultipartUpload");
    expect(completes).toEqual([]);
    expect(await pendingUploads(key)).toEqual([]);
    const stored = await sdk.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "growing/" }));
    expect(stored.Contents ?? []).toEqual([]);
  });
});
