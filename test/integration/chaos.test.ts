// Chaos property test: many seeded schedules, each a random set of files, engine settings and fault plan over
// every S3 operation the engine uses. After each run the product's invariant is checked against the emulator:
// every file is either stored byte-exact and proven (checksum or ETag/MD5), or failed naming the file and the
// step with nothing of this run left behind (no changed object, no multipart upload unless kept on request).
//
// Each violation starts with its class: FALSE SUCCESS, WEAK PROOF (size-only or none), OVERWRITE (overwrite=false
// not honoured), FALSE FAILURE, WRONG OBJECT LEFT, PREVIOUS OBJECT LOST, ORPHAN (multipart upload left behind),
// VERSION ID MISSING, FIELDS (result fields disagree with the store or the file), MESSAGE, HANG, THREW.
//
// CHAOS_SCHEDULES=n runs n schedules (default 300); CHAOS_SEED=s runs only schedule s, e.g. one printed by a
// failure. Faults whose rules count calls depend on the engine's request order, which concurrency > 1 makes
// vary, so a re-run of a seed replays the same files, settings and rules but not always the same firings.
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ChecksumAlgorithm as SdkChecksumAlgorithm,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  runUploads,
  type ChecksumAlgorithm,
  type ChecksumType,
  type EngineOptions,
  type FileResult,
  type LocalFile,
  type RunResult,
} from "../../src/engine/index.js";
import { startEmulator, type Emulator, type FaultAction, type FaultRule } from "../emulator/index.js";
import { seededRandom } from "../emulator/faults.js";
import { referenceDigest } from "../helpers/checksums.js";
import { KiB, emulatorEngineOptions } from "../helpers/engine.js";

function wholeFromEnv(name: string, fallback: number | undefined): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name}=${text} is not a whole number from 1 up; set e.g. ${name}=300 or unset it.`);
  return value;
}

const SCHEDULES = wholeFromEnv("CHAOS_SCHEDULES", 300)!;
const ONLY_SEED = wholeFromEnv("CHAOS_SEED", undefined);
/** Schedules per `it`, so progress shows and one block's timeout never hides the others' results. */
const BLOCK = 50;
/** Schedules run side by side: most of a schedule's time is spent waiting out stalls, not computing. */
const LANES = wholeFromEnv("CHAOS_LANES", 3)!;
/** A run that has not settled by then is a hang, itself a violation. */
const RUN_DEADLINE_MS = 90_000;

class Dice {
  constructor(readonly random: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
  bytes(size: number): Buffer {
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) {
      const word = (this.random() * 4294967296) >>> 0;
      for (let j = 0; j < 4 && i + j < size; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Schedules

type Existing = "none" | "identical" | "conflicting";

interface PlannedFile {
  name: string;
  key: string;
  bytes: Buffer;
  existing: Existing;
  /** What the key holds before the run (the file's bytes or others), if anything. */
  before: Buffer | undefined;
}

interface Schedule {
  seed: number;
  bucket: string;
  versioned: boolean;
  files: PlannedFile[];
  partSize: number;
  threshold: number;
  algorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | undefined;
  contentMd5: boolean;
  overwrite: boolean;
  onFailure: "abort" | "keep";
  concurrency: number;
  stallTimeoutMs: number;
  retryBaseDelayMs: number;
  /** Every other schedule: from the seed, not the dice, so the other draws of a seed stay as they were. */
  sha256: boolean;
  faults: FaultRule[];
}

const OPERATIONS = [
  "CreateMultipartUpload",
  "UploadPart",
  "PutObject",
  "ListParts",
  "CompleteMultipartUpload",
  "HeadObject",
  "AbortMultipartUpload",
] as const;

/** Actions that make sense per operation: stored-bytes and in-transit faults need a payload. */
function actionsFor(operation: string): FaultAction[] {
  const always: FaultAction[] = ["500", "503", "reset", "lose-response", "stall"];
  if (operation === "UploadPart" || operation === "PutObject")
    return [...always, "flip-in-transit", "corrupt-stored", "drop-stored"];
  // A Create answered after the client gave up leaves an upload no client could learn of (S3's lifecycle
  // rule is the only cure), so Create gets its lost answers from lose-response, not from long stalls.
  if (operation === "CreateMultipartUpload") return always.filter((action) => action !== "stall");
  return always;
}

/** Faults that end in an answer quickly; only these may fire without a bound on how often. */
const QUICK: readonly FaultAction[] = ["500", "503", "flip-in-transit", "corrupt-stored", "drop-stored"];

function planFaults(
  dice: Dice,
  files: PlannedFile[],
  threshold: number,
  stallTimeoutMs: number,
): FaultRule[] {
  if (dice.chance(0.05)) return [];
  const rules: FaultRule[] = [];
  const count = dice.int(1, 5);
  for (let i = 0; i < count; i++) {
    const operation = dice.pick(OPERATIONS);
    const action = dice.pick(actionsFor(operation));
    const rule: FaultRule = { operation, action, seed: dice.int(1, 2 ** 31) };
    if (dice.chance(0.4)) rule.key = dice.pick(files).key;
    if (operation === "UploadPart" && dice.chance(0.3)) rule.partNumber = dice.int(1, 3);
    const trigger = dice.int(0, 2);
    if (trigger === 0) rule.calls = [dice.int(1, 4)];
    else if (trigger === 1) {
      rule.probability = dice.int(10, 50) / 100;
      rule.times = dice.int(1, 3);
    } else if (QUICK.includes(action)) {
      rule.probability = dice.pick([0.3, 0.6, 1]);
    } else {
      rule.calls = [dice.int(1, 3), dice.int(4, 8)];
    }
    // Longer than the client waits, so the answer is lost; bounded, so the store acts soon after.
    if (action === "stall") rule.stallMs = stallTimeoutMs + dice.int(100, 600);
    rules.push(rule);
  }
  // Abort is only called once a multipart file fails: make one fail so the Abort faults meet their calls.
  const multipart = files.filter((file) => file.bytes.length > 0 && file.bytes.length >= threshold);
  if (
    rules.some((rule) => rule.operation === "AbortMultipartUpload") &&
    multipart.length > 0 &&
    dice.chance(0.7)
  ) {
    const operation = dice.pick(["UploadPart", "ListParts", "CompleteMultipartUpload"]);
    rules.push({ operation, action: "500", probability: 1, key: dice.pick(multipart).key });
  }
  return rules;
}

function planSchedule(seed: number): Schedule {
  const dice = new Dice(seededRandom(seed));
  const partSize = dice.int(4, 8) * KiB;
  const threshold = dice.pick([partSize, partSize + dice.int(1, 2 * partSize), 3 * partSize]);
  const algorithm = dice.pick<ChecksumAlgorithm | null>([
    "CRC64NVME",
    "CRC32",
    "CRC32C",
    "SHA1",
    "SHA256",
    null,
  ]);
  const checksumType =
    algorithm === "CRC32" || algorithm === "CRC32C"
      ? dice.pick<ChecksumType | undefined>(["FULL_OBJECT", "COMPOSITE", undefined])
      : undefined;
  const overwrite = dice.chance(0.5);
  const files: PlannedFile[] = [];
  const fileCount = dice.int(1, 6);
  for (let i = 0; i < fileCount; i++) {
    const shape = dice.int(0, 5);
    const size =
      shape === 0
        ? 0
        : shape === 1
          ? dice.int(1, partSize - 1)
          : shape === 2
            ? dice.pick([partSize, threshold - 1, threshold, 2 * partSize])
            : dice.int(partSize, 4 * partSize);
    const bytes = dice.bytes(size);
    const existing: Existing = dice.chance(0.3) ? dice.pick(["identical", "conflicting"] as const) : "none";
    let before: Buffer | undefined;
    if (existing === "conflicting") {
      // Same size and different bytes is the case that size alone would wrongly accept.
      before = dice.chance(0.5) && size > 0 ? dice.bytes(size) : dice.bytes(dice.int(1, 2 * partSize));
      if (before.equals(bytes)) before = Buffer.concat([before, Buffer.from("x")]);
    } else if (existing === "identical") {
      before = bytes;
    }
    const name = `f${i}-${size}.bin`;
    files.push({ name, key: `chaos/${seed}/${name}`, bytes, existing, before });
  }
  // Not much lower: a starved event loop on a loaded machine must rarely look like a stall.
  const stallTimeoutMs = dice.int(750, 1250);
  return {
    seed,
    bucket: `chaos-${seed}`,
    versioned: dice.chance(0.3),
    files,
    partSize,
    threshold,
    algorithm,
    checksumType,
    contentMd5: dice.chance(0.4),
    overwrite,
    onFailure: dice.chance(0.3) ? "keep" : "abort",
    concurrency: dice.int(1, 4),
    stallTimeoutMs,
    retryBaseDelayMs: dice.int(1, 5),
    sha256: seed % 2 === 0,
    faults: planFaults(dice, files, threshold, stallTimeoutMs),
  };
}

function describeSchedule(s: Schedule): string {
  const files = s.files
    .map(
      (f) =>
        `${f.name}${f.existing === "none" ? "" : `(pre:${f.existing}${f.before ? `/${f.before.length}B` : ""})`}`,
    )
    .join(" ");
  const faults = s.faults
    .map((rule) => {
      const filters = [
        rule.key ? `key=${path.posix.basename(rule.key)}` : "",
        rule.partNumber ? `part=${rule.partNumber}` : "",
        rule.calls ? `calls=${rule.calls.join(",")}` : "",
        rule.probability !== undefined ? `p=${rule.probability}` : "",
        rule.times !== undefined ? `times=${rule.times}` : "",
        rule.stallMs !== undefined ? `stall=${rule.stallMs}ms` : "",
      ].filter(Boolean);
      return `${rule.operation}:${rule.action}[${filters.join(" ")}]`;
    })
    .join("; ");
  return (
    `seed=${s.seed} ${s.versioned ? "versioned " : ""}part=${s.partSize} threshold=${s.threshold} ` +
    `alg=${s.algorithm ?? "none"}${s.checksumType ? `/${s.checksumType}` : ""} md5=${s.contentMd5} ` +
    `overwrite=${s.overwrite} on-failure=${s.onFailure} concurrency=${s.concurrency} ` +
    `stall-timeout=${s.stallTimeoutMs}ms\n  files: ${files}\n  faults: ${faults || "none"}`
  );
}

// ---------------------------------------------------------------------------------------------------------
// What the store holds, read with an independent client

interface StoredState {
  bytes: Buffer | undefined;
  etag: string | undefined;
  versionId: string | undefined;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

function isMissing(error: unknown): boolean {
  const shape = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return shape.name === "NoSuchKey" || shape.name === "NotFound" || shape.$metadata?.httpStatusCode === 404;
}

async function readStored(sdk: S3Client, bucket: string, key: string): Promise<StoredState> {
  try {
    const head = await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
    const body = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    if (head.ChecksumCRC64NVME) checksums.CRC64NVME = head.ChecksumCRC64NVME;
    if (head.ChecksumCRC32) checksums.CRC32 = head.ChecksumCRC32;
    if (head.ChecksumCRC32C) checksums.CRC32C = head.ChecksumCRC32C;
    if (head.ChecksumSHA1) checksums.SHA1 = head.ChecksumSHA1;
    if (head.ChecksumSHA256) checksums.SHA256 = head.ChecksumSHA256;
    return {
      bytes: Buffer.from(await body.Body!.transformToByteArray()),
      etag: head.ETag?.replace(/"/g, ""),
      versionId: head.VersionId,
      checksums,
    };
  } catch (error) {
    if (isMissing(error)) return { bytes: undefined, etag: undefined, versionId: undefined, checksums: {} };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The invariant

interface Plan {
  multipart: boolean;
  parts: Buffer[];
}

function planOf(s: Schedule, bytes: Buffer): Plan {
  const multipart = bytes.length > 0 && bytes.length >= s.threshold;
  if (!multipart) return { multipart, parts: [bytes] };
  const parts: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += s.partSize)
    parts.push(bytes.subarray(offset, offset + s.partSize));
  return { multipart, parts };
}

function effectiveType(s: Schedule): ChecksumType | null {
  if (s.algorithm === null) return null;
  if (s.checksumType) return s.checksumType;
  return s.algorithm === "SHA1" || s.algorithm === "SHA256" ? "COMPOSITE" : "FULL_OBJECT";
}

/** The checksum S3 shows for the object this run should have written, computed without the engine's code. */
async function expectedChecksum(s: Schedule, plan: Plan, bytes: Buffer): Promise<string | null> {
  const alg = s.algorithm as SdkChecksumAlgorithm | null;
  if (alg === null) return null;
  if (!plan.multipart || effectiveType(s) === "FULL_OBJECT")
    return (await referenceDigest(alg, bytes)).toString("base64");
  const digests = await Promise.all(plan.parts.map((part) => referenceDigest(alg, part)));
  return `${(await referenceDigest(alg, Buffer.concat(digests))).toString("base64")}-${plan.parts.length}`;
}

function expectedMd5Etag(plan: Plan, bytes: Buffer): string {
  const md5 = (data: Buffer) => createHash("md5").update(data).digest();
  if (!plan.multipart) return md5(bytes).toString("hex");
  return `${md5(Buffer.concat(plan.parts.map(md5))).toString("hex")}-${plan.parts.length}`;
}

type Violations = string[];

async function checkSucceeded(
  s: Schedule,
  file: PlannedFile,
  result: FileResult,
  stored: StoredState,
  out: Violations,
): Promise<void> {
  const say = (what: string) => out.push(`${file.name}: ${result.status}: ${what}`);
  const plan = planOf(s, file.bytes);
  if (stored.bytes === undefined) say("FALSE SUCCESS: no object is stored at the key");
  else if (!stored.bytes.equals(file.bytes))
    say(`FALSE SUCCESS: stored ${stored.bytes.length} B differ from the local ${file.bytes.length} B`);
  if (!s.overwrite && file.existing === "conflicting")
    say("OVERWRITE: overwrite=false, yet a differing object was replaced or accepted");
  if (!result.verified) say("FIELDS: not verified");
  if (result.verification !== "checksum" && result.verification !== "etag-md5")
    say(`WEAK PROOF: verification is "${result.verification}"`);
  if (result.error !== undefined) say(`FIELDS: carries an error: ${result.error}`);
  const sha256 = s.sha256 ? createHash("sha256").update(file.bytes).digest("hex") : null;
  if (result.sha256 !== sha256) say(`SHA-256: reported ${result.sha256}, the file's is ${sha256}`);
  if (result.size !== file.bytes.length) say(`FIELDS: size ${result.size}, file is ${file.bytes.length} B`);
  if (result.checksumAlgorithm !== s.algorithm) say(`FIELDS: checksumAlgorithm ${result.checksumAlgorithm}`);
  if (result.multipart !== plan.multipart)
    say(`FIELDS: multipart ${result.multipart}, expected ${plan.multipart}`);
  if (result.parts !== plan.parts.length) say(`FIELDS: parts ${result.parts}, expected ${plan.parts.length}`);
  if (stored.etag !== undefined && result.etag !== stored.etag)
    say(`FIELDS: etag ${result.etag}, the store's is ${stored.etag}`);
  if (s.versioned && result.versionId === undefined)
    say(`VERSION ID MISSING: the store's current version is ${stored.versionId}`);
  else if (s.versioned && result.versionId !== stored.versionId)
    say(`FIELDS: versionId ${result.versionId}, the store's current is ${stored.versionId}`);
  if (result.verification === "checksum") {
    if (result.checksumLocal === null || result.checksumLocal !== result.checksumRemote)
      say(`FIELDS: checksum proof with local ${result.checksumLocal} and remote ${result.checksumRemote}`);
    const storedChecksum = s.algorithm === null ? undefined : stored.checksums[s.algorithm];
    if (result.checksumRemote !== storedChecksum)
      say(`FIELDS: checksumRemote ${result.checksumRemote}, the store shows ${storedChecksum}`);
    if (result.status === "uploaded") {
      const expected = await expectedChecksum(s, plan, file.bytes);
      if (result.checksumLocal !== expected)
        say(`FIELDS: checksumLocal ${result.checksumLocal}, reference ${expected}`);
    }
  }
  if (result.verification === "etag-md5" && result.status === "uploaded") {
    const expected = expectedMd5Etag(plan, file.bytes);
    if (result.etag !== expected)
      say(`FIELDS: ETag proof with etag ${result.etag}, MD5 reference ${expected}`);
  }
  if (result.status === "unchanged" && file.existing === "none")
    say("FIELDS: unchanged, but no object existed before the run");
}

/**
 * How many times the plan's faults can fire at most on one file's requests, or Infinity when a rule fires
 * without bound. Below the engine's attempt bound no call can run out of attempts, so every failure of that
 * file is one the engine chose.
 */
function faultBudget(s: Schedule, file: PlannedFile): number {
  const single = !planOf(s, file.bytes).multipart;
  let total = 0;
  for (const rule of s.faults) {
    if (rule.key !== undefined && rule.key !== file.key) continue;
    // A store that acknowledged a PutObject and then lost or corrupted it makes failing honest: unlike a part,
    // a written object cannot be checked before it is the object (whether to re-send is the engine's choice).
    const storeLostPut =
      rule.operation === "PutObject" && (rule.action === "drop-stored" || rule.action === "corrupt-stored");
    if (single && storeLostPut) return Infinity;
    if (rule.times !== undefined) total += rule.times;
    else if (rule.calls !== undefined) total += rule.calls.length;
    else return Infinity;
  }
  return total;
}
const ENGINE_ATTEMPTS = 6;

/** What is wrong with the key after a failed file, if anything: only absent or untouched is right. */
async function leftAfterFailure(
  s: Schedule,
  file: PlannedFile,
  stored: StoredState,
): Promise<string | undefined> {
  if (stored.bytes === undefined)
    return file.before === undefined
      ? undefined
      : "PREVIOUS OBJECT LOST: the object that existed before the run is gone";
  if (file.before !== undefined && stored.bytes.equals(file.before)) return undefined;
  if (!stored.bytes.equals(file.bytes))
    return `WRONG OBJECT LEFT: the key holds ${stored.bytes.length} B that are neither the file nor what was there`;
  // The bytes are the file's, written by this run: the store's ETag and checksum must say so too.
  const plan = planOf(s, file.bytes);
  const checksum = s.algorithm === null ? undefined : stored.checksums[s.algorithm];
  const expected = await expectedChecksum(s, plan, file.bytes);
  if (stored.etag !== expectedMd5Etag(plan, file.bytes) || (checksum !== undefined && checksum !== expected))
    return `WRONG OBJECT LEFT: the bytes are the file's but the store records ETag ${stored.etag}, ${s.algorithm} ${checksum}`;
  // An exact object is no harm; whether failing was right is judged by the fault budget below.
  return undefined;
}

async function checkFailed(
  s: Schedule,
  file: PlannedFile,
  result: FileResult,
  stored: StoredState,
  out: Violations,
): Promise<void> {
  const error = result.error ?? "";
  const say = (what: string) => out.push(`${file.name}: failed: ${what}: ${error}`);
  if (result.verified) say("FIELDS: verified is true");
  if (result.sha256 !== null) say("FIELDS: a failed file reports a SHA-256");
  if (!/ failed: /.test(error)) say("MESSAGE: the error names no step");
  const left = await leftAfterFailure(s, file, stored);
  if (left) say(left);
  // Failing is right when a fault without bound kept the upload or its proof out of reach (e.g. every
  // HeadObject answering 500), or when overwrite=false meets a different object. Otherwise every fault was
  // one the engine's retries and checks can outlast, and the failure is false.
  const budget = faultBudget(s, file);
  const refused = !s.overwrite && file.existing === "conflicting";
  if (budget < ENGINE_ATTEMPTS && !refused) {
    const exact = stored.bytes?.equals(file.bytes) ? "the stored object is exact, " : "";
    say(
      `FALSE FAILURE: ${exact}at most ${budget} faults could fire, fewer than the engine's ${ENGINE_ATTEMPTS} attempts`,
    );
  }
}

async function checkRun(
  s: Schedule,
  dir: string,
  run: RunResult,
  warnings: string[],
  sdk: S3Client,
): Promise<Violations> {
  const out: Violations = [];
  if (run.files.length !== s.files.length)
    out.push(`${run.files.length} results for ${s.files.length} files`);
  if (run.ok !== run.files.every((result) => result.status !== "failed")) out.push(`ok is ${run.ok}`);
  const failedKeys = new Set<string>();
  for (const file of s.files) {
    const result = run.files.find((candidate) => candidate.key === file.key);
    if (!result) {
      out.push(`${file.name}: no result`);
      continue;
    }
    if (result.path !== path.join(dir, file.name) || result.bucket !== s.bucket)
      out.push(`${file.name}: result names ${result.path} in ${result.bucket}`);
    const stored = await readStored(sdk, s.bucket, file.key);
    if (result.status === "uploaded" || result.status === "unchanged") {
      await checkSucceeded(s, file, result, stored, out);
    } else if (result.status === "failed") {
      failedKeys.add(file.key);
      if (!result.error?.includes(path.join(dir, file.name)))
        out.push(`${file.name}: failed: MESSAGE: the error does not name the file: ${result.error}`);
      await checkFailed(s, file, result, stored, out);
    } else {
      out.push(`${file.name}: status ${result.status}`);
    }
  }
  // When every Abort fails an upload must stay; then the run has to name it and the command that removes it.
  const reports = [...run.files.map((result) => result.error ?? ""), ...warnings].filter((text) =>
    text.includes("abort-multipart-upload"),
  );
  const uploads = await sdk.send(new ListMultipartUploadsCommand({ Bucket: s.bucket }));
  const unreported = new Map<string, number>();
  for (const upload of uploads.Uploads ?? []) {
    if (reports.some((text) => text.includes(upload.UploadId!))) continue;
    unreported.set(upload.Key!, (unreported.get(upload.Key!) ?? 0) + 1);
  }
  for (const [key, count] of unreported) {
    const kept = s.onFailure === "keep" && failedKeys.has(key);
    if (!kept || count > 1)
      out.push(
        `ORPHAN: ${count} multipart upload(s) left for ${path.posix.basename(key)}${kept ? " (1 kept)" : ""}` +
          " and not named with the command that aborts it",
      );
  }
  const listed = await sdk.send(new ListObjectsV2Command({ Bucket: s.bucket }));
  for (const object of listed.Contents ?? []) {
    if (!s.files.some((file) => file.key === object.Key))
      out.push(`object at an unexpected key ${object.Key}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Running schedules

interface Tally {
  schedules: number;
  fired: number;
  /** "Operation:action" → firings, to show every kind of fault was exercised. */
  firedByKind: Map<string, number>;
  succeeded: number;
  failed: number;
  violating: Array<{ seed: number; report: string }>;
}

/** One emulator per lane: fault rules are per emulator, so lanes run schedules side by side. */
interface Lane {
  emulator: Emulator;
  sdk: S3Client;
}

let lanes: Lane[] = [];
let root: string;
const tally: Tally = {
  schedules: 0,
  fired: 0,
  firedByKind: new Map(),
  succeeded: 0,
  failed: 0,
  violating: [],
};

async function withDeadline<T>(work: Promise<T>, abort: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`HANG: runUploads did not settle within ${RUN_DEADLINE_MS} ms`));
    }, RUN_DEADLINE_MS);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function runSchedule({ emulator, sdk }: Lane, seed: number): Promise<void> {
  const s = planSchedule(seed);
  const dir = await mkdtemp(path.join(root, `s${seed}-`));
  try {
    await emulator.createBucket(s.bucket, { versioning: s.versioned });
    const local: LocalFile[] = [];
    for (const file of s.files) {
      await writeFile(path.join(dir, file.name), file.bytes);
      local.push({ path: path.join(dir, file.name), key: file.key });
      if (file.before !== undefined) {
        await sdk.send(new PutObjectCommand({ Bucket: s.bucket, Key: file.key, Body: file.before }));
      }
    }
    const options: EngineOptions = emulatorEngineOptions(emulator, s.bucket, {
      partSize: s.partSize,
      multipartThreshold: s.threshold,
      concurrency: s.concurrency,
      checksumAlgorithm: s.algorithm,
      ...(s.checksumType ? { checksumType: s.checksumType } : {}),
      contentMd5: s.contentMd5,
      overwrite: s.overwrite,
      onFailure: s.onFailure,
      tuning: { stallTimeoutMs: s.stallTimeoutMs, retryBaseDelayMs: s.retryBaseDelayMs },
      sha256: s.sha256,
    });
    emulator.faults.clear();
    for (const rule of s.faults) emulator.faults.add(rule);
    const abort = new AbortController();
    const warnings: string[] = [];
    const onEvent: EngineOptions["onEvent"] = (event) => {
      if (event.type === "warning") warnings.push(event.message);
    };
    let violations: Violations;
    try {
      const run = await withDeadline(runUploads(local, { ...options, signal: abort.signal, onEvent }), abort);
      emulator.faults.fired.forEach((count, index) => {
        const kind = `${s.faults[index]!.operation}:${s.faults[index]!.action}`;
        tally.fired += count;
        tally.firedByKind.set(kind, (tally.firedByKind.get(kind) ?? 0) + count);
      });
      emulator.faults.clear();
      await emulator.idle();
      violations = await checkRun(s, dir, run, warnings, sdk);
      for (const result of run.files) {
        if (result.status === "failed") tally.failed += 1;
        else tally.succeeded += 1;
      }
    } catch (error) {
      emulator.faults.clear();
      await emulator.idle();
      const message = error instanceof Error ? error.message : String(error);
      violations = [message.startsWith("HANG:") ? message : `THREW: runUploads threw: ${message}`];
    }
    tally.schedules += 1;
    if (violations.length > 0) {
      const report = `${describeSchedule(s)}\n  violations:\n${violations.map((v) => `    - ${v}`).join("\n")}`;
      tally.violating.push({ seed, report });
      console.log(`chaos: VIOLATION (re-run with CHAOS_SEED=${seed})\n  ${report}`);
    }
  } finally {
    emulator.faults.clear();
    await rm(dir, { recursive: true, force: true });
  }
}

const seeds = ONLY_SEED !== undefined ? [ONLY_SEED] : Array.from({ length: SCHEDULES }, (_, i) => i + 1);
const blocks: number[][] = [];
for (let i = 0; i < seeds.length; i += BLOCK) blocks.push(seeds.slice(i, i + BLOCK));

describe("chaos: random files, settings and faults keep the invariant", () => {
  beforeAll(async () => {
    lanes = await Promise.all(
      Array.from({ length: LANES }, async () => {
        const emulator = await startEmulator({ minPartSize: KiB });
        const sdk = new S3Client({
          endpoint: emulator.endpoint,
          region: emulator.region,
          credentials: emulator.credentials,
          forcePathStyle: true,
          // The checks compare bytes and checksums themselves; a corrupted object must be readable to compare.
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        });
        return { emulator, sdk };
      }),
    );
    root = await mkdtemp(path.join(tmpdir(), "svu-chaos-"));
  });

  afterAll(async () => {
    for (const lane of lanes) lane.sdk.destroy();
    await Promise.all(lanes.map((lane) => lane.emulator.stop()));
    if (root) await rm(root, { recursive: true, force: true });
  });

  for (const block of blocks) {
    it(
      `schedules ${block[0]}–${block.at(-1)}`,
      async () => {
        const before = tally.violating.length;
        const queue = [...block];
        await Promise.all(
          lanes.map(async (lane) => {
            for (let seed = queue.shift(); seed !== undefined; seed = queue.shift())
              await runSchedule(lane, seed);
          }),
        );
        const found = tally.violating.slice(before).sort((a, b) => a.seed - b.seed);
        expect(
          found.map((entry) => entry.seed),
          `invariant violated; re-run one with CHAOS_SEED=<seed>:\n${found.map((entry) => entry.report).join("\n")}`,
        ).toEqual([]);
      },
      // Generous: a schedule's stalls and retries take seconds on a loaded machine.
      block.length * 30_000,
    );
  }

  it("exercised faults, successes and failures (the run was not vacuous)", () => {
    console.log(
      `chaos: ${tally.schedules} schedules, ${tally.fired} faults fired, ${tally.succeeded} files ` +
        `succeeded, ${tally.failed} failed, ${tally.violating.length} schedules violated the invariant` +
        (tally.violating.length ? ` (seeds ${tally.violating.map((entry) => entry.seed).join(", ")})` : ""),
    );
    console.log(
      `chaos: faults fired by kind: ${[...tally.firedByKind]
        .sort()
        .map(([kind, count]) => `${kind}=${count}`)
        .join(" ")}`,
    );
    expect(tally.schedules).toBe(seeds.length);
    if (ONLY_SEED !== undefined) return;
    expect(tally.fired).toBeGreaterThan(seeds.length / 2);
    if (seeds.length >= 200) {
      // Enough schedules that every operation and every action must have fired somewhere.
      const kinds = [...tally.firedByKind].filter(([, count]) => count > 0).map(([kind]) => kind);
      for (const operation of OPERATIONS)
        expect(
          kinds.some((kind) => kind.startsWith(`${operation}:`)),
          operation,
        ).toBe(true);
      for (const action of actionsFor("PutObject"))
        expect(
          kinds.some((kind) => kind.endsWith(`:${action}`)),
          action,
        ).toBe(true);
    }
    expect(tally.succeeded).toBeGreaterThan(0);
    expect(tally.failed).toBeGreaterThan(0);
  });
});
