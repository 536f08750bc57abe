// Download resume through the CLI (from source) on every Node runtime: a download SIGKILLed while one range is
// stalled keeps its temp file and resume record (on-failure: keep), and the rerun fetches only the ranges not on
// disk (the emulator's request log shows which); a byte flipped on disk in between is found by the re-hash and
// fetched again; an object replaced in between is fetched in full; without keep a failure leaves nothing.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, open, readdir, readFile, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DownloadResult } from "../../src/engine/download/types.js";
import { readResumeRecord, type ResumeRecord } from "../../src/engine/download/resume-record.js";
import { STALE_TEMP_AGE_MS } from "../../src/engine/download/stale-temps.js";
import { startEmulator, type Emulator, type RequestLogEntry } from "../emulator/index.js";
import { whenLogged } from "../helpers/request-log.js";
import {
  ciEnv,
  cliFromSourceArgs,
  exitReason,
  nodeBinary,
  nodeRuntimes,
  patternBytes,
  s3For,
  startCommand,
  waitUntil,
  type Run,
} from "./helpers.js";

const MiB = 1024 * 1024;
// The smallest part-size the CLI takes; ranges of it are what a download fetches of a FULL_OBJECT CRC object.
const RANGE = 5 * MiB;
const RANGES = 8;
const SIZE = RANGES * RANGE - 100; // the last range is short
const BUCKET = "resume";
/** The GET (counted from the start of the run) that stalls forever: one in the middle of the object. */
const STALLED_CALL = 5;
// Two or three CLI runs from source (tsx) per test on a machine that may be busy with other suites.
const TIMEOUT = 5 * 60_000;

interface DownloadJson {
  ok: boolean;
  files: DownloadResult[];
  staleTempFilesRemoved: string[];
}

const rangeOf = (index: number): string =>
  `bytes=${index * RANGE}-${Math.min(SIZE, (index + 1) * RANGE) - 1}`;

describe.each(nodeRuntimes())("download resume on $name", (node) => {
  let emulator: Emulator;
  let sdk: S3Client;
  let root: string;
  let caseNumber = 0;

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: [BUCKET] });
    sdk = s3For(emulator);
    root = await mkdtemp(path.join(tmpdir(), "svu-resume-"));
  });

  afterAll(async () => {
    sdk?.destroy();
    await emulator?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** A fresh key with content, uploaded by a single PUT (with the CRC32 the SDK sends by default). */
  async function fresh(): Promise<{ key: string; prefix: string; out: string; bytes: Buffer }> {
    const prefix = `case-${++caseNumber}`;
    const key = `${prefix}/big.bin`;
    const bytes = patternBytes(SIZE, caseNumber);
    await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
    const out = await mkdtemp(path.join(root, `${prefix}-`));
    return { key, prefix, out, bytes };
  }

  function start(prefix: string, out: string, extra: string[] = []) {
    const args = [
      ...cliFromSourceArgs(emulator, BUCKET),
      "--mode",
      "download",
      "--prefix",
      prefix,
      "--base-dir",
      out,
      "--part-size",
      `${RANGE}`,
      "--concurrency",
      "4",
      "--json",
      ...extra,
    ];
    return startCommand(nodeBinary(node), args, ciEnv(emulator, {}), out);
  }

  function result(run: Run): DownloadResult {
    return (JSON.parse(run.stdout) as DownloadJson).files[0]!;
  }

  const isServedGet = (key: string) => (entry: RequestLogEntry) =>
    entry.operation === "GetObject" && entry.key === key && entry.status === 206 && entry.code === undefined;

  function rangesFetched(key: string, from: number): string[] {
    return emulator.requestLog
      .slice(from)
      .filter(isServedGet(key))
      .map((entry) => entry.range!)
      .sort();
  }

  const recordPath = (out: string): string => path.join(out, ".big.bin.s3vu-resume");

  /** Range lines in the record so far (a sync read, for waitUntil). */
  function recordedLines(out: string): number {
    if (!existsSync(recordPath(out))) return 0;
    return readFileSync(recordPath(out), "utf8").split("\n").length - 2;
  }

  async function record(out: string): Promise<ResumeRecord> {
    const read = await readResumeRecord(recordPath(out));
    if (read === null || read === "unreadable") throw new Error(`no resume record in ${out}: ${read}`);
    return read;
  }

  /**
   * Starts a download with on-failure keep whose 5th GET stalls forever, waits until every other range is
   * recorded as written, and stops the process with `signal`.
   */
  async function killMidDownload(
    key: string,
    prefix: string,
    out: string,
    signal: NodeJS.Signals = "SIGKILL",
  ): Promise<Run> {
    emulator.faults.clear();
    emulator.faults.add({
      operation: "GetObject",
      action: "stall-body",
      key,
      calls: [STALLED_CALL],
      offset: 1000,
    });
    const mark = emulator.requestLog.length;
    const run = start(prefix, out, ["--on-failure", "keep"]);
    await whenLogged(emulator, mark, RANGES - 1, isServedGet(key), () => undefined, exitReason(run));
    // A range is served before the client has written it: wait until the record lists every served range.
    let exited: string | undefined;
    void run.done.then((ended) => (exited = `the download exited (${ended.code}): ${ended.stderr}`));
    await waitUntil(
      () => recordedLines(out) === RANGES - 1,
      () => exited,
    );
    run.child.kill(signal);
    const stopped = await run.done;
    emulator.faults.clear();
    return stopped;
  }

  it(
    "SIGKILLed with on-failure keep: temp file and record stay, the rerun fetches only the missing range",
    async () => {
      const { key, prefix, out, bytes } = await fresh();
      expect((await killMidDownload(key, prefix, out)).code).toBeNull();
      const kept = await record(out);
      const left = (await readdir(out)).sort();
      expect(left).toHaveLength(2);
      expect(left[0]).toMatch(/^\.big\.bin\.s3vu-[0-9a-f]{12}\.part$/);
      expect(left[1]).toBe(".big.bin.s3vu-resume");
      expect(kept.header.temp).toBe(left[0]);
      expect(kept.written.size).toBe(RANGES - 1);

      const mark = emulator.requestLog.length;
      const rerun = await start(prefix, out, ["--on-failure", "keep"]).done;
      expect(rerun.code, rerun.stderr).toBe(0);
      const missing = Array.from({ length: RANGES }, (_, index) => index).filter(
        (index) => !kept.written.has(index),
      );
      expect(rangesFetched(key, mark)).toEqual(missing.map(rangeOf).sort());
      expect((await readFile(path.join(out, "big.bin"))).equals(bytes)).toBe(true);
      expect(result(rerun)).toMatchObject({
        status: "downloaded",
        verified: true,
        verification: "checksum",
        checksumAlgorithm: "CRC32",
        checksumType: "FULL_OBJECT",
      });
      expect(result(rerun).notes[0]).toBe(
        `Resumed a kept download: ${RANGES - 1} of ${RANGES} ranges were on disk and re-hashed; 1 fetched.`,
      );
      expect(await readdir(out)).toEqual(["big.bin"]);
    },
    TIMEOUT,
  );

  it(
    "SIGTERM with on-failure keep: the cancelled download keeps its files, and the rerun resumes it",
    async () => {
      const { key, prefix, out, bytes } = await fresh();
      const cancelled = await killMidDownload(key, prefix, out, "SIGTERM");
      expect(cancelled.code, cancelled.stderr).toBe(143);
      expect(cancelled.stderr).toContain(
        "Cancelled: stopping; partial downloads keep their temp files beside their destinations (on-failure: keep), and a rerun resumes them.",
      );
      const kept = await record(out);
      expect(kept.written.size).toBe(RANGES - 1);
      expect(existsSync(path.join(out, "big.bin"))).toBe(false);

      const mark = emulator.requestLog.length;
      const rerun = await start(prefix, out, ["--on-failure", "keep"]).done;
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rangesFetched(key, mark)).toHaveLength(1);
      expect((await readFile(path.join(out, "big.bin"))).equals(bytes)).toBe(true);
      expect(result(rerun).notes[0]).toBe(
        `Resumed a kept download: ${RANGES - 1} of ${RANGES} ranges were on disk and re-hashed; 1 fetched.`,
      );
    },
    TIMEOUT,
  );

  it(
    "SIGKILLed the moment a range is served, with others in flight: the record claims no range not on disk",
    async () => {
      const { key, prefix, out, bytes } = await fresh();
      emulator.faults.clear();
      const mark = emulator.requestLog.length;
      const run = start(prefix, out, ["--on-failure", "keep"]);
      await whenLogged(emulator, mark, 2, isServedGet(key), () => run.child.kill("SIGKILL"), exitReason(run));
      expect((await run.done).code).toBeNull();
      expect(existsSync(path.join(out, "big.bin"))).toBe(false);
      const kept = await record(out);

      const rerunMark = emulator.requestLog.length;
      const rerun = await start(prefix, out, ["--on-failure", "keep"]).done;
      expect(rerun.code, rerun.stderr).toBe(0);
      // A recorded range whose bytes were not all written would fail its re-hash and be fetched again.
      const missing = Array.from({ length: RANGES }, (_, index) => index).filter(
        (index) => !kept.written.has(index),
      );
      expect(rangesFetched(key, rerunMark)).toEqual(missing.map(rangeOf).sort());
      expect((await readFile(path.join(out, "big.bin"))).equals(bytes)).toBe(true);
      expect(result(rerun)).toMatchObject({ status: "downloaded", verified: true, verification: "checksum" });
      expect(await readdir(out)).toEqual(["big.bin"]);
    },
    TIMEOUT,
  );

  it(
    "a byte flipped in the kept temp file is found by the re-hash and its range fetched again",
    async () => {
      const { key, prefix, out, bytes } = await fresh();
      expect((await killMidDownload(key, prefix, out)).code).toBeNull();
      const kept = await record(out);
      const damaged = [...kept.written.keys()].sort((a, b) => a - b)[1]!;
      const temp = await open(path.join(out, kept.header.temp), "r+");
      const offset = damaged * RANGE + 54321;
      const byte = Buffer.alloc(1);
      await temp.read(byte, 0, 1, offset);
      byte[0] = byte[0]! ^ 0x01;
      await temp.write(byte, 0, 1, offset);
      await temp.close();

      const mark = emulator.requestLog.length;
      const rerun = await start(prefix, out, ["--on-failure", "keep"]).done;
      expect(rerun.code, rerun.stderr).toBe(0);
      const refetched = Array.from({ length: RANGES }, (_, index) => index).filter(
        (index) => index === damaged || !kept.written.has(index),
      );
      expect(rangesFetched(key, mark)).toEqual(refetched.map(rangeOf).sort());
      expect((await readFile(path.join(out, "big.bin"))).equals(bytes)).toBe(true);
      expect(result(rerun)).toMatchObject({ status: "downloaded", verified: true, verification: "checksum" });
      expect(result(rerun).notes[0]).toBe(
        `Resumed a kept download: ${RANGES - 2} of ${RANGES} ranges were on disk and re-hashed; 2 fetched ` +
          "(1 of them was recorded as written, but the bytes on disk had changed).",
      );
      expect(await readdir(out)).toEqual(["big.bin"]);
    },
    TIMEOUT,
  );

  it(
    "an object replaced between the runs is fetched in full, and the stale temp file is removed",
    async () => {
      const { key, prefix, out } = await fresh();
      expect((await killMidDownload(key, prefix, out)).code).toBeNull();
      const kept = await record(out);
      const replacement = patternBytes(SIZE, 1000 + caseNumber);
      await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: replacement }));

      const mark = emulator.requestLog.length;
      const rerun = await start(prefix, out, ["--on-failure", "keep"]).done;
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rangesFetched(key, mark)).toEqual(
        Array.from({ length: RANGES }, (_, index) => rangeOf(index)).sort(),
      );
      expect((await readFile(path.join(out, "big.bin"))).equals(replacement)).toBe(true);
      expect(result(rerun)).toMatchObject({ status: "downloaded", verified: true, verification: "checksum" });
      expect(result(rerun).notes[0]).toMatch(
        new RegExp(
          `^A kept partial download was removed, as the object changed: ETag ${kept.header.etag.replace(/"/g, '\\"')} `,
        ),
      );
      expect(await readdir(out)).toEqual(["big.bin"]);
    },
    TIMEOUT,
  );

  it(
    "without on-failure keep a failed download leaves no temp file and no record",
    async () => {
      const { key, prefix, out } = await fresh();
      emulator.faults.clear();
      // Every GET's body is damaged in transit: the proof fails twice and the file fails.
      emulator.faults.add({ operation: "GetObject", action: "corrupt-body", key });
      const run = await start(prefix, out).done;
      emulator.faults.clear();
      expect(run.code, run.stderr).toBe(1);
      expect(result(run).status).toBe("failed");
      expect(await readdir(out)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "SIGKILLed without on-failure keep: the temp file stays with no record, and a later run removes it once stale",
    async () => {
      const { key, prefix, out, bytes } = await fresh();
      emulator.faults.clear();
      emulator.faults.add({
        operation: "GetObject",
        action: "stall-body",
        key,
        calls: [STALLED_CALL],
        offset: 1000,
      });
      const mark = emulator.requestLog.length;
      const run = start(prefix, out);
      await whenLogged(
        emulator,
        mark,
        RANGES - 1,
        isServedGet(key),
        () => run.child.kill("SIGKILL"),
        exitReason(run),
      );
      expect((await run.done).code).toBeNull();
      emulator.faults.clear();
      const left = await readdir(out);
      expect(left).toEqual([expect.stringMatching(/^\.big\.bin\.s3vu-[0-9a-f]{12}\.part$/)]);
      const temp = path.join(out, left[0]!);
      // As a later run finds it: untouched for longer than any live download leaves its temp file.
      const then = new Date(Date.now() - STALE_TEMP_AGE_MS - 60_000);
      await utimes(temp, then, then);

      const rerun = await start(prefix, out).done;
      expect(rerun.code, rerun.stderr).toBe(0);
      expect((JSON.parse(rerun.stdout) as DownloadJson).staleTempFilesRemoved).toEqual([temp]);
      expect(rerun.stderr).toContain(
        `Removed 1 stale temp file left by a download that was stopped before it finished (e.g. killed) without on-failure keep: ${temp}`,
      );
      expect((await readFile(path.join(out, "big.bin"))).equals(bytes)).toBe(true);
      expect(await readdir(out)).toEqual(["big.bin"]);
    },
    TIMEOUT,
  );

  it(
    "a kept failure whose ranges were damaged in transit: the rerun's proof fails on the resumed bytes and it downloads afresh",
    async () => {
      const { key, prefix, out, bytes } = await fresh();
      emulator.faults.clear();
      emulator.faults.add({ operation: "GetObject", action: "corrupt-body", key });
      const failed = await start(prefix, out, ["--on-failure", "keep"]).done;
      emulator.faults.clear();
      expect(failed.code, failed.stderr).toBe(1);
      expect(result(failed).notes.at(-1)).toMatch(
        /^The partial download is kept at .*\.big\.bin\.s3vu-[0-9a-f]{12}\.part \(on-failure: keep\); a rerun with the same inputs resumes it/,
      );
      expect((await readdir(out)).sort()).toEqual([
        expect.stringMatching(/^\.big\.bin\.s3vu-[0-9a-f]{12}\.part$/),
        ".big.bin.s3vu-resume",
      ]);

      const mark = emulator.requestLog.length;
      const rerun = await start(prefix, out, ["--on-failure", "keep"]).done;
      expect(rerun.code, rerun.stderr).toBe(0);
      // Nothing from the resumed temp file survives: every range is fetched in the fresh attempt.
      expect(rangesFetched(key, mark)).toEqual(
        Array.from({ length: RANGES }, (_, index) => rangeOf(index)).sort(),
      );
      expect((await readFile(path.join(out, "big.bin"))).equals(bytes)).toBe(true);
      expect(result(rerun)).toMatchObject({ status: "downloaded", verified: true, verification: "checksum" });
      expect(result(rerun).notes[0]).toMatch(/^The first download did not prove out/);
      expect(await readdir(out)).toEqual(["big.bin"]);
    },
    TIMEOUT,
  );
});
