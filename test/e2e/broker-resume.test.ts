// Issue 13 (resume through the broker): the CLI with broker-url, no AWS variable, killed with SIGKILL mid-upload,
// then rerun: the rerun finds the upload through the broker's list route, keeps the parts ListParts shows with
// the local bytes' checksums, sends only the missing ones and completes byte-exact, proven. With on-failure keep
// a cancelled run leaves its upload for the rerun instead of aborting it. Each signal is sent the moment the
// emulator logs the chosen part.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../emulator/index.js";
import { s3ClientFor } from "../emulator/sdk-client.js";
import { referenceChecksum } from "../helpers/checksums.js";
import { startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";
import { whenLogged } from "../helpers/request-log.js";
import { exitReason, readObject, repoRoot, startCommand, type Run } from "./helpers.js";

const MiB = 1024 * 1024;
// The CLI's smallest part is 5 MiB; 8 parts leave room for a kill with parts still to send.
const PARTS = 8;
const SIZE = PARTS * 5 * MiB - 4321;
const TSX = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
const CLI = path.join(repoRoot, "src/cli.ts");
// A few CLI runs from source (tsx) on a machine that may be busy with other suites.
const RUNS_MS = 5 * 60_000;

let fx: BrokerFixture;
let sdk: S3Client;
let dir: string;
let bytes: Buffer;
let tokenFile: string;

beforeAll(async () => {
  fx = await startBrokerFixture({ maxPartBytes: 5 * MiB, maxParts: 16, maxObjectBytes: 64 * MiB });
  sdk = s3ClientFor(fx.emulator!);
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-resume-"));
  bytes = randomBytes(SIZE);
  await writeFile(path.join(dir, "big.bin"), bytes);
  tokenFile = path.join(dir, "token");
  // Long enough for every run of the suite.
  await writeFile(
    tokenFile,
    await fx.issuer.token(
      { sub: "repo:org/app", repository: "org/app", repository_owner: "org" },
      { expiresIn: "30m" },
    ),
  );
}, 60_000);

afterAll(async () => {
  sdk?.destroy();
  await fx?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Started = ReturnType<typeof startCommand>;

/** The CLI from source through the broker, in a process with no AWS variable at all. */
function start(prefix: string, extra: string[] = [], cwd = dir): Started {
  return startCommand(
    process.execPath,
    [
      ...["--import", TSX, CLI, "--bucket", "artifacts", "--json"],
      ...["--broker-url", fx.broker.url, "--web-identity-token-file", tokenFile],
      ...["--part-size", "5MiB", "--concurrency", "2", "--prefix", `org/app/${prefix}`],
      ...extra,
      "big.bin",
    ],
    { PATH: process.env["PATH"], HOME: dir },
    cwd,
  );
}

function isStoredPart(entry: RequestLogEntry, key: string): boolean {
  return entry.operation === "UploadPart" && entry.key === key && entry.status === 200;
}

function storedParts(key: string, from: number): number[] {
  return [
    ...new Set(
      fx
        .emulator!.requestLog.slice(from)
        .filter((entry) => isStoredPart(entry, key))
        .map((entry) => entry.partNumber!),
    ),
  ].sort((a, b) => a - b);
}

function operations(key: string, from: number, operation: string): number {
  return fx
    .emulator!.requestLog.slice(from)
    .filter((entry) => entry.operation === operation && entry.key === key).length;
}

async function pendingUploads(key: string): Promise<string[]> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: "artifacts", Prefix: key }));
  return (answer.Uploads ?? []).map((upload) => upload.UploadId!);
}

/** A part whose body had fully arrived when the client died may still be being stored: wait until it settles. */
async function settledParts(key: string, uploadId: string): Promise<number[]> {
  for (let previous: number[] | null = null; ;) {
    await fx.emulator!.idle();
    const answer = await sdk.send(
      new ListPartsCommand({ Bucket: "artifacts", Key: key, UploadId: uploadId }),
    );
    const now = (answer.Parts ?? []).map((part) => part.PartNumber!);
    if (previous !== null && now.length === previous.length) return now;
    previous = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface JsonFile {
  status: string;
  verification: string;
  verified: boolean;
  checksumLocal: string | null;
  checksumRemote: string | null;
  notes: string[];
}

function fileOf(run: Run): JsonFile {
  return (JSON.parse(run.stdout) as { files: JsonFile[] }).files[0]!;
}

/** The rerun: only the parts missing from the store are sent, into the same upload, and the object is proven. */
async function expectResumed(key: string, uploadId: string, before: number[], rerun: Run, from: number) {
  expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
  const missing = Array.from({ length: PARTS }, (_, index) => index + 1).filter((n) => !before.includes(n));
  expect(storedParts(key, from)).toEqual(missing);
  expect(operations(key, from, "CreateMultipartUpload")).toBe(0);
  const file = fileOf(rerun);
  expect(file.notes[0]).toMatch(
    new RegExp(`^Resumed multipart upload ${uploadId} .*: kept ${before.length} of ${PARTS} parts`),
  );
  const expected = await referenceChecksum("CRC64NVME", bytes);
  expect(file).toMatchObject({
    status: "uploaded",
    verification: "checksum",
    verified: true,
    checksumLocal: expected,
    checksumRemote: expected,
  });
  expect((await readObject(fx.emulator!, "artifacts", key)).equals(bytes)).toBe(true);
  expect(await pendingUploads(key)).toEqual([]);
}

describe("CLI with broker-url, killed mid-upload", () => {
  it(
    "SIGKILL, then a rerun sends only the parts missing from the store, byte-exact and verified",
    async () => {
      const key = "org/app/kill/big.bin";
      const mark = fx.emulator!.requestLog.length;
      const first = start("kill");
      await whenLogged(
        fx.emulator!,
        mark,
        4,
        (entry) => isStoredPart(entry, key),
        () => first.child.kill("SIGKILL"),
        exitReason(first),
      );
      expect((await first.done).code).toBeNull();
      const [uploadId, ...others] = await pendingUploads(key);
      expect(others).toEqual([]);
      const before = await settledParts(key, uploadId!);
      // The last part goes first: it pins the file size, and resume needs it.
      expect(before).toContain(PARTS);
      expect(before.length).toBeLessThan(PARTS);
      // A CI rerun comes minutes later; resume leaves alone an upload written to a moment ago.
      fx.emulator!.backdateUploads("artifacts", 10 * 60_000, key);
      const rerunMark = fx.emulator!.requestLog.length;
      const rerun = await start("kill").done;
      await expectResumed(key, uploadId!, before, rerun, rerunMark);
    },
    RUNS_MS,
  );

  it(
    "SIGTERM with on-failure keep keeps the upload through the broker, and a rerun resumes it",
    async () => {
      const key = "org/app/keep/big.bin";
      const mark = fx.emulator!.requestLog.length;
      const run = start("keep", ["--on-failure", "keep"]);
      await whenLogged(
        fx.emulator!,
        mark,
        3,
        (entry) => isStoredPart(entry, key),
        () => run.child.kill("SIGTERM"),
        exitReason(run),
      );
      const result = await run.done;
      expect(result.code, result.stderr).toBe(143);
      expect(result.stderr).toContain("in-progress multipart uploads are kept (on-failure: keep)");
      expect(operations(key, mark, "AbortMultipartUpload")).toBe(0);
      const [uploadId] = await pendingUploads(key);
      expect(uploadId).toBeDefined();
      const before = await settledParts(key, uploadId!);
      fx.emulator!.backdateUploads("artifacts", 10 * 60_000, key);
      const rerunMark = fx.emulator!.requestLog.length;
      const rerun = await start("keep").done;
      await expectResumed(key, uploadId!, before, rerun, rerunMark);
    },
    RUNS_MS,
  );

  it(
    "a stored part that no longer holds the local bytes is sent again; an upload written a moment ago is left alone",
    async () => {
      const key = "org/app/changed/big.bin";
      const mark = fx.emulator!.requestLog.length;
      const first = start("changed");
      await whenLogged(
        fx.emulator!,
        mark,
        3,
        (entry) => isStoredPart(entry, key),
        () => first.child.kill("SIGKILL"),
        exitReason(first),
      );
      await first.done;
      const [uploadId] = await pendingUploads(key);
      const before = await settledParts(key, uploadId!);
      // The file's first byte changes: part 1, if stored, no longer holds it.
      const changed = Buffer.from(bytes);
      changed[0] = changed[0]! ^ 0xff;
      const work = await mkdtemp(path.join(dir, "changed-"));
      await writeFile(path.join(work, "big.bin"), changed);
      fx.emulator!.backdateUploads("artifacts", 10 * 60_000, key);
      const rerunMark = fx.emulator!.requestLog.length;
      const rerun = await start("changed", [], work).done;
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      const missing = Array.from({ length: PARTS }, (_, index) => index + 1).filter(
        (n) => !before.includes(n) || n === 1,
      );
      expect(storedParts(key, rerunMark)).toEqual(missing);
      expect(fileOf(rerun).notes[0]).toContain(`Resumed multipart upload ${uploadId}`);
      expect((await readObject(fx.emulator!, "artifacts", key)).equals(changed)).toBe(true);
      expect(await pendingUploads(key)).toEqual([]);

      // Killed again, rerun at once: that upload may still be another job's, so a new one is made beside it.
      const againMark = fx.emulator!.requestLog.length;
      const again = start("again");
      await whenLogged(
        fx.emulator!,
        againMark,
        2,
        (entry) => isStoredPart(entry, "org/app/again/big.bin"),
        () => again.child.kill("SIGKILL"),
        exitReason(again),
      );
      await again.done;
      await fx.emulator!.idle();
      const [left] = await pendingUploads("org/app/again/big.bin");
      const quickMark = fx.emulator!.requestLog.length;
      const quick = await start("again").done;
      expect(quick.code, quick.stdout + quick.stderr).toBe(0);
      expect(operations("org/app/again/big.bin", quickMark, "CreateMultipartUpload")).toBe(1);
      expect(quick.stdout + quick.stderr).toContain(`In-progress upload ${left} of this key was not resumed`);
      expect(await pendingUploads("org/app/again/big.bin")).toEqual([left]);
      expect((await readObject(fx.emulator!, "artifacts", "org/app/again/big.bin")).equals(bytes)).toBe(true);
    },
    RUNS_MS,
  );
});
