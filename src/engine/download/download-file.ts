// One object, end to end: plan from one HEAD, check the destination, fetch every segment into a temp file,
// prove the bytes, then make the temp file the destination. Nothing reaches the destination unproven (when
// proof is required) or half-written; an object replaced mid-download is started over once.
import { lstat, unlink, type FileHandle } from "node:fs/promises";
import { failureOf, StepError } from "../errors.js";
import { mapLimited } from "../pool.js";
import type { StoredObject } from "../s3/s3-client.js";
import { call, type DownloadRunContext, type ObjectContext } from "./context.js";
import { formatSize } from "../size.js";
import { createEarlyWriteback } from "./early-writeback.js";
import { fetchSegment } from "./fetch-segment.js";
import { matchGuessedParts } from "./guessed-parts.js";
import { createSha256Hasher, type PartHasher } from "../checksum/index.js";
import { localProofValue, localSha256 } from "./local-proof.js";
import { OrderedFileHash } from "./ordered-file-hash.js";
import { isObjectChanged, ObjectChanged } from "./object-changed.js";
import { partLayout } from "./part-layout.js";
import {
  combineDigests,
  planProof,
  segmentHasher,
  unproven,
  type ProofAlgorithm,
  type ProofPlan,
} from "./proof-plan.js";
import { prepareTemp, rangeDigestAlgorithm, removeRecord, resumeNote, reuseRange } from "./resume.js";
import { commitTempFile, discardTempFile } from "./temp-file.js";
import type { DownloadResult, RemoteFile } from "./types.js";

const HEAD_HINT = "Check the key, and that the credentials may read it (s3:GetObject, s3:GetObjectVersion).";
const VERIFY_HINT =
  "The bytes received differ from what the store recorded for this object; rerun. If it repeats, the stored object is damaged: restore it from its source.";

function emptyResult(file: RemoteFile): DownloadResult {
  return {
    key: file.key,
    path: file.path,
    size: 0,
    etag: "",
    ...(file.versionId ? { versionId: file.versionId } : {}),
    checksumAlgorithm: null,
    checksumType: null,
    checksumRemote: null,
    checksumLocal: null,
    sha256: null,
    verification: "none",
    verified: false,
    status: "failed",
    notes: [],
    durationMs: 0,
  };
}

async function headFor(ctx: ObjectContext): Promise<StoredObject> {
  const { file } = ctx;
  const head = await call(ctx, `HeadObject ${file.key}`, HEAD_HINT, () =>
    ctx.run.store.headObject(
      {
        bucket: ctx.run.options.bucket,
        key: file.key,
        ...(file.versionId ? { versionId: file.versionId } : {}),
      },
      ctx.signal,
    ),
  );
  if (head === null) {
    throw new StepError(
      `HeadObject ${file.key}`,
      `no object ${file.key}${file.versionId ? ` version ${file.versionId}` : ""} in bucket ${ctx.run.options.bucket}`,
      "Check the key (and prefix) and the version id.",
    );
  }
  return head;
}

/**
 * `trustRecord`: take part sizes from this tool's upload record when it has one, sparing a HEAD per part; a
 * retry after a proof mismatch asks the store instead, in case the record did not match the parts.
 */
async function planFor(ctx: ObjectContext, head: StoredObject, trustRecord: boolean): Promise<ProofPlan> {
  const { partSize, verify } = ctx.run.options;
  if (!verify) return unproven(head, partSize, "verify is off: the download was not proven.");
  return planProof(head, partSize, (parts, algorithm) =>
    partLayout(ctx, head, parts, algorithm, { trustRecord }),
  );
}

type ExistingCheck = { action: "absent" } | { action: "unchanged"; value: string } | { action: "replace" };

/** The overwrite policy: an identical file (by the plan's proof) stays; a different one needs overwrite. */
async function checkExisting(
  ctx: ObjectContext,
  head: StoredObject,
  plan: ProofPlan,
): Promise<ExistingCheck> {
  const { path } = ctx.file;
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (stat === null) return { action: "absent" };
  if (!stat.isFile()) {
    throw new StepError(
      `check ${path}`,
      "the destination exists and is not a regular file",
      "Remove it or choose another base-dir.",
    );
  }
  const value = await localProofValue(path, head.size, plan);
  if (value !== null && value === plan.expected) return { action: "unchanged", value };
  if (ctx.run.options.overwrite) return { action: "replace" };
  throw new StepError(
    `check ${path}`,
    value === null && plan.algorithm === null
      ? "the file exists and nothing can prove it identical to the object"
      : "the file exists and differs from the object",
    "Set overwrite: true to replace it, or remove it.",
  );
}

/** A failed attempt's temp file (and resume record) kept for on-failure: keep; a restart deletes them. */
interface KeptTemp {
  path?: string;
  record?: string;
  /** Whether a rerun can resume it: its ranges were recorded as written. */
  resumable?: boolean;
}

/**
 * Fetches every segment into a temp file (or, when `resume`, only those a kept download lacks), proves it,
 * and moves it to the destination.
 */
async function transfer(
  ctx: ObjectContext,
  head: StoredObject,
  plan: ProofPlan,
  kept: KeptTemp,
  result: DownloadResult,
  resume: boolean,
): Promise<{ value: string | null; sha256: string | null }> {
  const { run, file } = ctx;
  const prepared = await prepareTemp(ctx, head, plan, resume);
  const { temp, log } = prepared;
  const writeback = createEarlyWriteback(temp.handle);
  let committed = false;
  let follower: OrderedFileHash | null = null;
  try {
    let bytesDone = 0;
    const onBytes = (bytes: number): void => {
      writeback.written(bytes);
      bytesDone += bytes;
      run.emit({ type: "progress", file, bytesDone, size: head.size });
    };
    // Ranges get digests of their own only for a resume record to check them by, now or on a rerun.
    const resumable = run.options.onFailure === "keep" || prepared.claimed.size > 0;
    const whole = await wholeFileHashes(plan, run.options.sha256 === true, resumable);
    follower =
      whole.hashers.length === 0 ? null : new OrderedFileHash(temp.handle, plan.segments, whole.hashers);
    const target = {
      ctx,
      head,
      handle: temp.handle,
      // The follower reads every range back as soon as it is written: from the page cache when the writes
      // went through it, from the disk when they went past it.
      direct: follower === null ? temp.direct : null,
      algorithm: whole.segmentAlgorithm,
      onBytes,
    };
    const digests = await mapLimited(plan.segments, run.options.concurrency, async (segment, index) => {
      const reused = await reuseRange(prepared, index, segment, whole.segmentAlgorithm);
      if (reused !== null) {
        onBytes(segment.size);
        follower?.rangeWritten(index);
        return reused;
      }
      const digest = await fetchSegment(target, segment);
      follower?.rangeWritten(index);
      // After the range's bytes are written, never before: the record must not claim bytes not on disk.
      if (digest !== null) await log?.written(index, digest);
      return digest;
    });
    const resumed = resumeNote(prepared, plan.segments.length);
    result.notes.unshift(...prepared.notes, ...(resumed === null ? [] : [resumed]));
    const fileDigests = follower === null ? [] : await follower.digests();
    const value =
      plan.guessedParts !== undefined
        ? await proveGuessedParts(ctx, temp.handle, head, plan, result)
        : plan.algorithm === null
          ? null
          : combineDigests(
              plan,
              whole.proofIndex === null ? (digests as Buffer[]) : [fileDigests[whole.proofIndex]!],
            );
    checkProof(ctx, plan, digests, value);
    const sha256 = whole.sha256Index === null ? null : fileDigests[whole.sha256Index]!.toString("hex");
    const commit = async () => {
      await writeback.settle();
      await commitTempFile(temp, file.path, run.options.overwrite);
    };
    await commit().catch((error: NodeJS.ErrnoException) => {
      throw new StepError(
        `write ${file.path}`,
        error.message,
        error.code === "EEXIST"
          ? "Something created the file during the download: set overwrite: true to replace it, or remove it."
          : "Check the free space and permissions of the destination folder, then rerun.",
        error,
      );
    });
    committed = true;
    await log?.close();
    // The file is in place: a record left behind only makes a rerun say it removed it.
    if (prepared.record !== null) await removeRecord(prepared.record).catch(() => undefined);
    return { value, sha256 };
  } finally {
    if (!committed) {
      await follower?.settled();
      await writeback.settle().catch(() => undefined);
      await log?.close();
      const keep = run.options.onFailure === "keep";
      await discardTempFile(temp, keep);
      if (keep) {
        kept.path = temp.path;
        kept.resumable = log !== null;
        if (prepared.record !== null) kept.record = prepared.record;
      } else if (prepared.record !== null) {
        await removeRecord(prepared.record).catch(() => undefined);
      }
    }
  }
}

/** What a transfer hashes of the file as a whole, from the bytes written (ordered-file-hash.ts). */
interface WholeFileHashes {
  hashers: PartHasher[];
  /** Index in `hashers` of the proof's digest ("whole" plans); null when segments are combined instead. */
  proofIndex: number | null;
  /** Index in `hashers` of the sha256 output's digest; null when not asked for. */
  sha256Index: number | null;
  /**
   * What each GET hashes on the way: the proof's digest per segment, or, when the proof is one digest of the
   * file, a range digest for the resume record only (none without one).
   */
  segmentAlgorithm: ProofAlgorithm | null;
}

async function wholeFileHashes(
  plan: ProofPlan,
  sha256: boolean,
  resumable: boolean,
): Promise<WholeFileHashes> {
  const hashers: PartHasher[] = [];
  let proofIndex: number | null = null;
  if (plan.combination === "whole" && plan.algorithm !== null) {
    proofIndex = hashers.push(await segmentHasher(plan.algorithm)) - 1;
  }
  // A single PUT's SHA256 proof is the file's SHA-256 already.
  let sha256Index: number | null = sha256 && plan.algorithm === "SHA256" ? proofIndex : null;
  if (sha256 && sha256Index === null) sha256Index = hashers.push(createSha256Hasher()) - 1;
  const segmentAlgorithm =
    proofIndex === null ? plan.algorithm : resumable ? rangeDigestAlgorithm(plan) : null;
  return { hashers, proofIndex, sha256Index, segmentAlgorithm };
}

/** The bytes received do not prove out: a body damaged on the way is fixed by fetching again. */
class ProofMismatch extends StepError {}

function checkProof(
  ctx: ObjectContext,
  plan: ProofPlan,
  digests: ReadonlyArray<Buffer | null>,
  value: string | null,
): void {
  const step = `verify ${ctx.file.key}`;
  plan.segments.forEach((segment, index) => {
    const digest = digests[index];
    if (segment.expected !== null && digest && !digest.equals(segment.expected)) {
      throw new ProofMismatch(
        step,
        `part ${index + 1} (bytes ${segment.offset}-${segment.offset + segment.size - 1}) has ${plan.algorithm} ${digest.toString("base64")}, the store recorded ${segment.expected.toString("base64")}`,
        VERIFY_HINT,
      );
    }
  });
  if (value !== null && value !== plan.expected) {
    const what =
      plan.verification === "etag-md5" ? "ETag (MD5)" : `${plan.checksumAlgorithm} ${plan.checksumType}`;
    throw new ProofMismatch(
      step,
      `the bytes received give ${what} ${value}, the store recorded ${plan.expected}`,
      VERIFY_HINT,
    );
  }
}

/**
 * The ETag of an object whose part sizes nobody told: proven when a common part size gives it, else the
 * download is unverified (a failure under require-checksums).
 */
async function proveGuessedParts(
  ctx: ObjectContext,
  handle: FileHandle,
  head: StoredObject,
  plan: ProofPlan,
  result: DownloadResult,
): Promise<string | null> {
  const match = await matchGuessedParts(handle, head.size, plan.guessedParts!, head.etag);
  if (match !== null) {
    result.notes.push(
      `The store does not tell the part sizes: parts of ${formatSize(match.partSize)} give the ETag, which proves the bytes.`,
    );
    return match.value;
  }
  const note = `The store does not tell the part sizes and no common part size gives the ETag ${head.etag}: nothing proves the bytes.`;
  // An expected-manifest promises that the bytes match the upload: unproven bytes cannot keep that promise.
  if (ctx.file.expected !== undefined) {
    throw new StepError(
      `verify ${ctx.file.key}`,
      note,
      "Nothing proves the file matches the expected-manifest: upload it with a checksum (e.g. checksum-algorithm: CRC64NVME), or download without expected-manifest.",
    );
  }
  if (ctx.run.options.requireChecksums) {
    throw new StepError(
      `verify ${ctx.file.key}`,
      note,
      "Upload it with a checksum (e.g. checksum-algorithm: CRC64NVME), or unset require-checksums to accept it unproven.",
    );
  }
  result.verification = "none";
  result.notes = [note];
  return null;
}

/** The SHA-256 of an identical local file: its proof when that is a single PUT's SHA256, else read from it. */
async function existingSha256(
  path: string,
  size: number,
  plan: ProofPlan,
  value: string,
): Promise<string | null> {
  if (plan.combination === "whole" && plan.algorithm === "SHA256")
    return Buffer.from(value, "base64").toString("hex");
  return localSha256(path, size);
}

function describePlan(result: DownloadResult, head: StoredObject, plan: ProofPlan): void {
  result.size = head.size;
  result.etag = head.etag;
  if (head.versionId) result.versionId = head.versionId;
  result.checksumAlgorithm = plan.checksumAlgorithm;
  result.checksumType = plan.checksumType;
  result.checksumRemote = plan.expected;
  result.verification = plan.verification;
  result.notes = [...plan.notes];
}

const unquoted = (etag: string): string => etag.replace(/^"|"$/g, "");

/**
 * With expected-manifest: the object must be the one the upload stored, by the same value the download then
 * proves the bytes against (the stored checksum, or the MD5 ETag). Size alone is never enough.
 */
function checkExpected(file: RemoteFile, head: StoredObject, plan: ProofPlan): void {
  const expected = file.expected;
  if (expected === undefined) return;
  const fail = (detail: string): never => {
    throw new StepError(
      `expected-manifest ${file.key}`,
      detail,
      "The object is not the one the manifest's upload stored: find out what replaced it, or download without expected-manifest.",
    );
  };
  if (head.size !== expected.size)
    fail(`the object has ${head.size} bytes; the manifest records ${expected.size}`);
  if (plan.verification === "none")
    fail("the object cannot be proven, so it cannot be matched with the manifest");
  if (plan.verification === "checksum") {
    if (expected.checksum === null || expected.checksumAlgorithm !== plan.checksumAlgorithm) {
      fail(
        `the object is stored with ${plan.checksumAlgorithm ?? "no"} checksum; the manifest records ` +
          `${expected.checksumAlgorithm ?? "none"}`,
      );
    }
    if (plan.expected !== expected.checksum) {
      fail(`its ${plan.checksumAlgorithm} is ${plan.expected}; the manifest records ${expected.checksum}`);
    }
    return;
  }
  if (expected.etag === undefined || unquoted(expected.etag) !== unquoted(head.etag)) {
    fail(`its ETag is ${head.etag}; the manifest records ${expected.etag ?? "none"}`);
  }
}

/**
 * `first`: the first attempt may resume a kept download and take part sizes from this tool's upload record;
 * the one retry starts from nothing the first attempt relied on.
 */
async function attempt(
  ctx: ObjectContext,
  result: DownloadResult,
  kept: KeptTemp,
  first: boolean,
): Promise<void> {
  const { options } = ctx.run;
  const head = await headFor(ctx);
  const plan = await planFor(ctx, head, first);
  describePlan(result, head, plan);
  checkExpected(ctx.file, head, plan);
  if (plan.verification === "none" && options.requireChecksums) {
    throw new StepError(
      `verify ${ctx.file.key}`,
      `nothing can prove the object: ${plan.notes.join(" ")}`,
      "Upload it with a checksum (e.g. checksum-algorithm: CRC64NVME), or unset require-checksums to accept it unproven.",
    );
  }
  const existing = await checkExisting(ctx, head, plan);
  if (existing.action === "unchanged") {
    result.status = "unchanged";
    result.checksumLocal = existing.value;
    result.verified = true;
    if (options.sha256) result.sha256 = await existingSha256(ctx.file.path, head.size, plan, existing.value);
    return;
  }
  if (options.dryRun) {
    result.status = "dry-run";
    return;
  }
  ctx.run.emit({ type: "file-start", file: ctx.file, size: head.size, ranges: plan.segments.length });
  const { value, sha256 } = await transfer(ctx, head, plan, kept, result, first);
  result.sha256 = sha256;
  result.checksumLocal = value;
  result.verified = value !== null;
  result.status = "downloaded";
}

export async function downloadFile(run: DownloadRunContext, file: RemoteFile): Promise<DownloadResult> {
  const started = Date.now();
  const ctx: ObjectContext = { run, file, signal: run.options.signal };
  const result = emptyResult(file);
  const kept: KeptTemp = {};
  try {
    try {
      await attempt(ctx, result, kept, true);
    } catch (error) {
      // Once, from a fresh HEAD: a changed object is fetched as its new version (pinned to a version it
      // cannot change), bytes damaged in transit are fetched again; damage stored in the object fails twice.
      const changed = isObjectChanged(error) && !file.versionId;
      if (!changed && !(error instanceof ProofMismatch)) throw error;
      const notes = [
        changed
          ? `The object changed during the download (${describeChange(error)}); started over once.`
          : `The first download did not prove out (${(error as Error).message}); downloaded again once.`,
      ];
      Object.assign(result, emptyResult(file));
      // From the first byte: nothing the first attempt wrote is reused.
      if (kept.path !== undefined) await unlink(kept.path).catch(() => undefined);
      if (kept.record !== undefined) await removeRecord(kept.record).catch(() => undefined);
      delete kept.path;
      delete kept.record;
      await attempt(ctx, result, kept, false);
      result.notes.unshift(...notes);
    }
  } catch (error) {
    const changed = isObjectChanged(error);
    const failure = changed
      ? {
          step: `GetObject ${file.key}`,
          code: "PreconditionFailed",
          detail: "the object changed again while it was downloaded (If-Match failed)",
          hint: "Something keeps replacing it: rerun when the writes to this key have stopped.",
        }
      : failureOf(error);
    result.status = "failed";
    result.verified = false;
    if (kept.path !== undefined) {
      result.notes.push(
        kept.resumable
          ? `The partial download is kept at ${kept.path} (on-failure: keep); a rerun with the same inputs resumes it, re-hashing the ranges on disk and fetching the others.`
          : `The partial download is kept at ${kept.path} (on-failure: keep); nothing would prove its bytes on a rerun (verify is off, or the store does not tell the object's part sizes), so a rerun starts over: delete it when done.`,
      );
    }
    result.failure = failure;
    result.error = changed
      ? `${failure.step} failed: ${failure.detail}. ${failure.hint}`
      : error instanceof Error
        ? error.message
        : String(error);
  }
  result.durationMs = Date.now() - started;
  run.emit({ type: "file-done", result });
  return result;
}

function describeChange(error: unknown): string {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ObjectChanged) return cause.message;
  }
  return "a GET's If-Match failed with 412";
}
