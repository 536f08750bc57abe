// The CLI killed and cancelled mid-upload, on every Node runtime: SIGKILL at random points then a rerun that
// sends only the missing parts; SIGTERM aborting by default, keeping with on-failure keep, and the kept upload
// resumed. Each signal is sent the moment the emulator logs the chosen part, not after a poll or a sleep.
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type RequestLogEntry } from "../emulator/index.js";
import {
  ciEnv,
  exitReason,
  cliFromSourceArgs,
  nodeBinary,
  nodeRuntimes,
  readObject,
  s3For,
  startCommand,
  type Run,
} from "./helpers.js";
import { whenLogged } from "../helpers/request-log.js";

const MiB = 1024 * 1024;
// Big enough for a kill point between the first concurrency-wide wave and the end, small enough that a loaded
// 2-core machine runs every round on every Node: what is tested is which parts a rerun sends, not volume.
const PARTS = 16;
const SIZE = PARTS * 5 * MiB;
const BUCKET = "kill";
const KILL_ROUNDS = 2; // per Node runtime
// Several CLI runs of PARTS parts each, from source (tsx) on a machine that may be busy with other suites.
const MANY_RUNS_MS = 10 * 60_000;

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

function storedParts(key: string, from: number): number[] {
  return emulator.requestLog
    .slice(from)
    .filter((entry) => isStoredPart(entry, key))
    .map((entry) => entry.partNumber!);
}

function isStoredPart(entry: RequestLogEntry, key: string): boolean {
  return entry.operation === "UploadPart" && entry.key === key && entry.status === 200;
}

type Started = ReturnType<typeof startCommand>;

function whenPartsStored(run: Started, key: string, from: number, count: number, act: () => void) {
  return whenLogged(emulator, from, count, (entry) => isStoredPart(entry, key), act, exitReason(run));
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

describe.each(nodeRuntimes())("on $name", (node) => {
  // Keys are per runtime: the suites share one emulator and one file.
  const runtime = `node${node.name.split(" ")[1]!.split(".")[0]}`;

  function start(prefix: string, extra: string[] = [], file = "big.bin"): Started {
    const args = [
      ...cliFromSourceArgs(emulator, BUCKET),
      "--part-size",
      "5MiB",
      "--concurrency",
      "4",
      "--prefix",
      `${runtime}/${prefix}`,
      "--json",
      ...extra,
      file,
    ];
    return startCommand(nodeBinary(node), args, ciEnv(emulator, {}), dir);
  }

  describe("SIGKILL mid-upload, then rerun", () => {
    it(
      `completes byte-exact, sending only the parts missing from the store, at ${KILL_ROUNDS} random points`,
      async () => {
        const summary: string[] = [];
        for (let round = 1; round <= KILL_ROUNDS; round++) {
          const prefix = `round-${round}`;
          const key = `${runtime}/${prefix}/big.bin`;
          // From after the first concurrency-wide wave to 5 parts before the end (at most 4 are in flight),
          // so every round leaves a resumable upload.
          const killAfter = 6 + Math.floor(Math.random() * (PARTS - 10));
          const context = `round ${round}, killed after ${killAfter} stored parts`;
          const mark = emulator.requestLog.length;
          const first = start(prefix);
          await whenPartsStored(first, key, mark, killAfter, () => first.child.kill("SIGKILL"));
          const killed = await first.done;
          expect(killed.code, context).toBeNull();

          const [uploadId, ...others] = await pendingUploads(key);
          expect(others, context).toEqual([]);
          const before = await settledParts(key, uploadId!);
          looksAbandoned(key);
          // The last part goes first: it pins the file size, and resume needs it.
          expect(before, context).toContain(PARTS);
          const rerunMark = emulator.requestLog.length;
          const second = await start(prefix).done;
          expect(second.code, `${context}: ${second.stderr}`).toBe(0);
          const sent = [...new Set(storedParts(key, rerunMark))].sort((a, b) => a - b);
          const missing = Array.from({ length: PARTS }, (_, index) => index + 1).filter(
            (n) => !before.includes(n),
          );
          expect(sent, context).toEqual(missing);
          expect(notes(second)[0], context).toMatch(
            new RegExp(`^Resumed multipart upload ${uploadId} .*: kept ${before.length} of ${PARTS} parts`),
          );
          expect((await readObject(emulator, BUCKET, key)).equals(bytes), context).toBe(true);
          expect(await pendingUploads(key), context).toEqual([]);
          summary.push(`killed after ${killAfter} parts: ${before.length} stored, rerun sent ${sent.length}`);
        }
        console.info(`SIGKILL rounds on ${node.name}: ${summary.join("; ")}`);
      },
      MANY_RUNS_MS,
    );
  });

  describe("SIGTERM mid-upload", () => {
    it("aborts the upload by default and says so", async () => {
      const key = `${runtime}/term-abort/big.bin`;
      const mark = emulator.requestLog.length;
      const run = start("term-abort");
      await whenPartsStored(run, key, mark, 5, () => run.child.kill("SIGTERM"));
      const result = await run.done;
      // 128 + SIGTERM, as a shell reports a process a signal stopped.
      expect(result.code, result.stderr).toBe(143);
      expect(result.stderr).toContain(
        "Cancelled: stopping and aborting in-progress multipart uploads (on-failure: abort); nothing is left behind.",
      );
      expect(await pendingUploads(key)).toEqual([]);
      const objects = emulator.requestLog
        .slice(mark)
        .filter((entry) => entry.operation === "CompleteMultipartUpload");
      expect(objects).toEqual([]);
    });

    it(
      "keeps the upload with on-failure keep, and a rerun resumes it",
      async () => {
        const key = `${runtime}/term-keep/big.bin`;
        const mark = emulator.requestLog.length;
        const run = start("term-keep", ["--on-failure", "keep"]);
        await whenPartsStored(run, key, mark, 8, () => run.child.kill("SIGTERM"));
        const result = await run.done;
        expect(result.code, result.stderr).toBe(143);
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
      },
      MANY_RUNS_MS,
    );
  });

  describe("a file appended to during the upload", () => {
    it("is refused before Complete, the upload aborted, nothing stored", async () => {
      const file = `growing-${runtime}.bin`;
      await writeFile(path.join(dir, file), bytes.subarray(0, 30 * MiB));
      const key = `${runtime}/growing/${file}`;
      const mark = emulator.requestLog.length;
      const run = start("growing", [], file);
      // Appended the moment the second part is stored: four of six parts are still to come, so the change
      // lands mid-upload however fast or slow the machine is.
      await whenPartsStored(run, key, mark, 2, () => appendFileSync(path.join(dir, file), "more bytes"));
      const result = await run.done;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/the file changed during the upload \(size 31457280 → 31457290/);
      expect(result.stderr).toContain("The multipart upload was aborted; nothing is left behind.");
      const completes = emulator.requestLog
        .slice(mark)
        .filter((entry) => entry.operation === "CompleteMultipartUpload");
      expect(completes).toEqual([]);
      expect(await pendingUploads(key)).toEqual([]);
      const stored = await sdk.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${runtime}/growing/` }),
      );
      expect(stored.Contents ?? []).toEqual([]);
    });
  });
});
