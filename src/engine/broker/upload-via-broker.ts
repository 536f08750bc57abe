// Uploads through a presigned-part broker (src/broker/): no S3 credentials in this process. Every file, small
// ones too, is a multipart upload (one part below multipart-threshold), so each one gets the same proof:
// - each part goes to a URL that signs its checksum header (and Content-MD5 with content-md5), with exactly
//   those headers: the store refuses a body that does not match them, and its echo must be the local value
//   (part-upload.ts);
// - ListParts through the broker must show every part sent with its size, ETag and checksum, and nothing else;
// - Complete carries the whole-object checksum (FULL_OBJECT) and the size; the broker then reads the object
//   back, and its checksum (or, on stores that keep none, the ETag of the local parts' MD5s) must be the
//   file's (object-proof.ts).
// With overwrite false an object already at the key is compared first (existing-object.ts). An interrupted
// upload of the key is resumed as with S3 credentials (resume-via-broker.ts): only the parts the store does not
// hold with the local bytes are sent. A failure aborts the upload through the broker (parts of a failed run are
// not left behind), unless on-failure is keep or the upload was resumed from an earlier run.
import { open, type FileHandle } from "node:fs/promises";
import {
  createSha256Hasher,
  defaultChecksumType,
  sdkChecksumField,
  type PartHasher,
} from "../checksum/index.js";
import { failureOf, Refusal, StepError } from "../errors.js";
import { Limiter, mapLimited } from "../pool.js";
import { DEFAULT_RETRY, DEFAULT_STALL_TIMEOUT_MS } from "../retry.js";
import type { BrokerSettings, EngineOptions, FileResult, LocalFile, RunResult } from "../types.js";
import { planUpload, resolveLimits, type UploadPlan } from "../upload/plan.js";
import { objectHeadersFor } from "../upload/served-headers.js";
import { settingsFingerprint } from "../upload/settings-fingerprint.js";
import { brokerRefusal, callBroker, isTransientStatus, TransientFailure } from "./broker-calls.js";
import { brokerStep, RERUN, stripQuotes, wholeChecksum, type BrokerRun } from "./broker-run.js";
import { existingObject, readStored } from "./existing-object.js";
import { findResumableViaBroker, type BrokerResumed } from "./resume-via-broker.js";
import { proofOf } from "./object-proof.js";
import { listedMismatch, uploadParts, type SentPart } from "./part-upload.js";
import { cachedToken } from "./token-cache.js";

/** What cannot go through a broker, as an error naming the setting and the fix (the config checks these too). */
export function brokerOptionProblems(options: EngineOptions): string[] {
  const problems: string[] = [];
  if (options.checksumAlgorithm === null) {
    problems.push(
      'Input "checksum-algorithm" is none, but the broker signs every part with its checksum; use CRC64NVME (the default) or another algorithm.',
    );
  }
  return problems;
}

function resultOf(run: BrokerRun, file: LocalFile, plan: UploadPlan | null): FileResult {
  return {
    path: file.path,
    key: file.key,
    bucket: run.options.bucket,
    size: plan?.size ?? 0,
    partSize: plan?.partSize ?? 0,
    parts: plan?.parts.length ?? 0,
    multipart: true,
    etag: "",
    checksumAlgorithm: run.algorithm,
    checksumType: run.checksumType,
    checksumLocal: null,
    checksumRemote: null,
    sha256: null,
    verification: "none",
    verified: false,
    notes: [],
    status: "failed",
    durationMs: 0,
    bytesPerSecond: 0,
  };
}

/** One part for a file below multipart-threshold: a multipart upload of one part, proven as the others are. */
function planOf(run: BrokerRun, size: number): UploadPlan {
  const planned = planUpload({
    size,
    partSize: run.options.partSize,
    multipartThreshold: run.options.multipartThreshold,
    limits: resolveLimits(run.options.limits),
  });
  if (!planned.ok) throw new StepError("plan", planned.error, "split the file before uploading");
  return planned.plan;
}

async function abortUpload(
  run: BrokerRun,
  file: LocalFile,
  where: { uploadId: string; key: string },
): Promise<string> {
  const query = new URLSearchParams({ key: where.key, bucket: run.options.bucket });
  try {
    // Not under the run's signal: an interrupted run must still abort what it started.
    await brokerStep(
      run,
      file,
      "AbortMultipartUpload",
      { method: "DELETE", path: `/s3/multipart/${encodeURIComponent(where.uploadId)}?${query}` },
      undefined,
    );
    return `The multipart upload ${where.uploadId} was aborted through the broker.`;
  } catch (error) {
    const why = error instanceof StepError ? error.detail : String(error);
    return (
      `Aborting the multipart upload ${where.uploadId} through the broker failed (${why}); the store's ` +
      "lifecycle rule, or the cleanup mode run with S3 credentials, removes it."
    );
  }
}

/** The file's result when the object at the key is this upload's (its size and checksum), else null. */
async function confirmedComplete(
  run: BrokerRun,
  file: LocalFile,
  plan: UploadPlan,
  whole: string,
  sha256: PartHasher | null,
): Promise<Partial<FileResult> | null> {
  let stored;
  try {
    stored = await readStored(run, file, "HeadObject after CompleteMultipartUpload");
  } catch {
    return null;
  }
  const remote = stored?.checksums?.[run.algorithm];
  if (stored?.exists !== true || stored.size !== plan.size || remote !== whole) return null;
  return {
    etag: stripQuotes(stored.etag ?? ""),
    ...(stored.versionId ? { versionId: stored.versionId } : {}),
    checksumLocal: whole,
    checksumRemote: remote,
    sha256: sha256 ? sha256.digest().toString("hex") : null,
    verification: "checksum",
    verified: true,
    notes: [
      "Complete's answer was lost on the way; the object was read back through the broker and has the file's size and checksum.",
    ],
  };
}

async function uploadFile(run: BrokerRun, file: LocalFile): Promise<FileResult> {
  const started = performance.now();
  let result = resultOf(run, file, null);
  let handle: FileHandle | undefined;
  try {
    handle = await open(file.path, "r");
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${file.path} is not a regular file; pass files only`);
    const plan = planOf(run, stat.size);
    result = resultOf(run, file, plan);
    run.options.onEvent?.({
      type: "file-start",
      file,
      size: plan.size,
      parts: plan.parts.length,
      partSize: plan.partSize,
    });
    const existing = await existingObject(run, file, handle, plan);
    if (existing !== null) {
      result = { ...result, ...existing, status: "unchanged" };
    } else if (run.options.dryRun) {
      result = {
        ...result,
        status: "dry-run",
        notes: [
          run.options.overwrite
            ? "Dry run through the broker: nothing was uploaded (overwrite: true replaces any object at this key without comparing)."
            : "Dry run through the broker: no object at this key; nothing was uploaded.",
        ],
      };
    } else {
      result = {
        ...result,
        ...(await uploadOne(run, file, handle, plan, stat.mtimeMs)),
        status: "uploaded",
      };
    }
  } catch (error) {
    result = {
      ...result,
      status: run.options.dryRun && error instanceof Refusal ? "refused" : "failed",
      verified: false,
      error: `${file.path} → s3://${run.options.bucket}/${file.key}: ${error instanceof Error ? error.message : String(error)}`,
      failure: failureOf(error),
    };
  } finally {
    await handle?.close();
  }
  result.durationMs = Math.round(performance.now() - started);
  result.bytesPerSecond =
    result.status === "uploaded" && result.durationMs > 0
      ? Math.round((result.size * 1000) / result.durationMs)
      : 0;
  run.options.onEvent?.({ type: "file-done", result });
  return result;
}

async function uploadOne(
  run: BrokerRun,
  file: LocalFile,
  handle: FileHandle,
  plan: UploadPlan,
  mtimeMs: number,
): Promise<Partial<FileResult>> {
  const signal = run.options.signal;
  const resumed = await findResumableViaBroker(run, file, handle, plan);
  const uploadId = resumed?.uploadId ?? (await createUpload(run, file, plan, mtimeMs));
  const where = { uploadId, key: file.key };
  const keyQuery = new URLSearchParams({ key: file.key, bucket: run.options.bucket });
  let completed: {
    sent: SentPart[];
    whole: string;
    answer: Record<string, unknown>;
    sha256: PartHasher | null;
  };
  try {
    const sha256 = run.options.sha256 ? createSha256Hasher() : null;
    const sent = await uploadParts(run, file, handle, plan, where, sha256, resumed?.kept ?? new Map());
    const listed = await brokerStep(
      run,
      file,
      "ListParts",
      { method: "GET", path: `/s3/multipart/${encodeURIComponent(uploadId)}?${keyQuery}` },
      signal,
    );
    const mismatch = listedMismatch(run.algorithm, sent, listed);
    if (mismatch) {
      throw new StepError("ListParts", `the store's parts differ from those sent: ${mismatch}`, RERUN);
    }
    const whole = wholeChecksum(run, sent);
    const field = sdkChecksumField(run.algorithm);
    let done: Awaited<ReturnType<typeof callBroker>> | undefined;
    let failure: StepError | undefined;
    try {
      done = await callBroker(
        run.broker,
        "CompleteMultipartUpload",
        {
          method: "POST",
          path: `/s3/multipart/${encodeURIComponent(uploadId)}/complete?${keyQuery}`,
          body: {
            parts: sent.map((part) => ({ PartNumber: part.number, ETag: part.etag, [field]: part.checksum })),
            size: plan.size,
            // A COMPOSITE checksum is not sent (S3 takes none at Complete); its answer is compared below.
            ...(run.checksumType === "FULL_OBJECT" ? { checksum: whole } : {}),
            // Never replace an object unless overwrite asks for it, whatever the broker's rule allows.
            ifNoneMatch: !run.options.overwrite,
          },
        },
        signal,
      );
      if (done.status !== 200) failure = brokerRefusal("CompleteMultipartUpload", done);
    } catch (error) {
      if (!(error instanceof TransientFailure)) throw error;
      failure = error;
    }
    if (failure) {
      // An answer lost on the way (a timeout, or a repeat meeting NoSuchUpload) may hide a Complete that
      // succeeded: the object then shows the file's size and checksum.
      const ambiguous = done === undefined || done.status === 404 || isTransientStatus(done.status);
      const confirmed = ambiguous ? await confirmedComplete(run, file, plan, whole, sha256) : null;
      if (confirmed === null) throw failure;
      // Had Complete failed after all (the object being an identical one of before), its parts go.
      await abortUpload(run, file, where);
      return withResumeNote(confirmed, resumed);
    }
    completed = { sent, whole, answer: done!.body as Record<string, unknown>, sha256 };
  } catch (error) {
    const note = await leaveOrAbort(run, file, where, resumed !== null);
    if (error instanceof StepError) {
      throw new StepError(error.step, error.detail, `${error.hint}. ${note}`, error.cause);
    }
    throw error;
  }
  // Completed: there is no upload left to abort; a failed proof names the object to delete.
  const proven = proofOf(run, plan, completed.sent, completed.whole, completed.answer, completed.sha256);
  if (resumed) ensureResumedSettings(run, file, uploadId, completed.answer);
  return withResumeNote(proven, resumed);
}

/**
 * S3 shows an in-progress upload's headers, metadata, tags and encryption to nobody, so a resumed upload may
 * have been started with other ones; the finished object shows the settings fingerprint its creator recorded.
 */
function ensureResumedSettings(
  run: BrokerRun,
  file: LocalFile,
  uploadId: string,
  answer: Record<string, unknown>,
): void {
  const stored = answer.stored as { planRecord?: unknown } | null | undefined;
  const recorded = typeof stored?.planRecord === "string" ? stored.planRecord.split(",")[4] : undefined;
  if (recorded === settingsFingerprint(objectHeadersFor(run.options.object, file))) return;
  throw new StepError(
    "verify settings",
    `The resumed multipart upload ${uploadId} had been started with ` +
      (recorded === undefined
        ? "settings this run cannot compare (it was started without a settings fingerprint)"
        : "other object settings") +
      " (headers such as Content-Type or Cache-Control, metadata, tags or encryption; S3 shows none of them " +
      "before Complete): the object holds the file's bytes, verified, but not this run's settings",
    "ask the broker's operator to delete it, then rerun",
  );
}

function withResumeNote(result: Partial<FileResult>, resumed: BrokerResumed | null): Partial<FileResult> {
  return resumed ? { ...result, notes: [resumed.note, ...(result.notes ?? [])] } : result;
}

/** The create body's object settings: the headers a new object of this file gets, tags as name/value pairs. */
function settingsBody(run: BrokerRun, file: LocalFile, plan: UploadPlan, mtimeMs: number) {
  const headers = objectHeadersFor(run.options.object, file);
  const { contentType, metadata, tagging, ...rest } = headers;
  // As on uploads with credentials: S3 shows no settings of an in-progress upload, so they are fingerprinted
  // here and a resumed upload's are read back from the finished object.
  const record = [plan.size, plan.partSize, run.algorithm, Math.floor(mtimeMs), settingsFingerprint(headers)];
  return {
    type: contentType,
    ...rest,
    metadata: { ...metadata, "svu-plan": record.join(",") },
    ...(tagging ? { tags: Object.fromEntries(new URLSearchParams(tagging)) } : {}),
  };
}

async function createUpload(
  run: BrokerRun,
  file: LocalFile,
  plan: UploadPlan,
  mtimeMs: number,
): Promise<string> {
  const created = await brokerStep(
    run,
    file,
    "CreateMultipartUpload",
    {
      method: "POST",
      path: "/s3/multipart",
      body: {
        key: file.key,
        bucket: run.options.bucket,
        size: plan.size,
        checksumAlgorithm: run.algorithm,
        checksumType: run.checksumType,
        ...settingsBody(run, file, plan, mtimeMs),
      },
    },
    run.options.signal,
    false,
  );
  return String((created as { uploadId?: unknown }).uploadId ?? "");
}

/**
 * After a failure: the upload is aborted through the broker, unless it is kept for a later run (on-failure:
 * keep) or was adopted from an earlier run (then it is not this run's to abort). Says which, for the error.
 */
async function leaveOrAbort(
  run: BrokerRun,
  file: LocalFile,
  where: { uploadId: string; key: string },
  adopted: boolean,
): Promise<string> {
  if (adopted) {
    return (
      `The resumed multipart upload ${where.uploadId} was not created by this run, so it was not aborted; ` +
      "a later run resumes it, or the cleanup mode removes it."
    );
  }
  if (run.options.onFailure === "keep") {
    return `The multipart upload ${where.uploadId} was kept (on-failure: keep); a rerun resumes it.`;
  }
  return abortUpload(run, file, where);
}

/**
 * The broker's counterpart of runUploads: same results and events, no S3 credentials, no preflight (the first
 * broker call is the check).
 */
export async function runBrokerUploads(
  files: LocalFile[],
  options: EngineOptions,
  broker: BrokerSettings,
): Promise<RunResult> {
  const problems = brokerOptionProblems(options);
  if (problems.length > 0) throw new Error(problems.join(" "));
  const algorithm = options.checksumAlgorithm!;
  const run: BrokerRun = {
    options,
    broker: { url: broker.url, token: cachedToken(broker.token) },
    algorithm,
    checksumType: options.checksumType ?? defaultChecksumType(algorithm),
    transfers: new Limiter(options.concurrency),
    stallTimeoutMs: options.tuning?.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
    retry: {
      ...DEFAULT_RETRY,
      ...(options.tuning?.maxAttempts !== undefined ? { maxAttempts: options.tuning.maxAttempts } : {}),
      ...(options.tuning?.retryBaseDelayMs !== undefined
        ? { baseDelayMs: options.tuning.retryBaseDelayMs }
        : {}),
    },
  };
  const results = await mapLimited(files, options.concurrency * 2, (file) => uploadFile(run, file));
  return {
    files: results,
    ok: results.every((result) => result.status !== "failed" && result.status !== "refused"),
  };
}
