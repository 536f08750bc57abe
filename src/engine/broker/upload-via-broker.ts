// Uploads through a presigned-part broker (src/broker/): no S3 credentials in this process. Every file, small
// ones too, is a multipart upload (one part below multipart-threshold), so each one gets the same proof:
// - each part goes to a URL that signs its checksum header (and Content-MD5 with content-md5), with exactly
//   those headers: the store refuses a body that does not match them, and its echo must be the local value;
// - ListParts through the broker must show every part sent with its size, ETag and checksum, and nothing else;
// - Complete carries the whole-object checksum (FULL_OBJECT) and the size, and its answer must show the local
//   whole-object checksum (or, on stores that keep none, the ETag made of the local parts' MD5s).
// A failure aborts the upload through the broker (parts of a failed run are not left behind).
import { open, type FileHandle } from "node:fs/promises";
import { createHash } from "node:crypto";
import {
  combineFullObject,
  compositeChecksum,
  createPartHasher,
  createSha256Hasher,
  defaultChecksumType,
  isFullObjectAlgorithm,
  md5,
  sdkChecksumField,
  type PartHasher,
} from "../checksum/index.js";
import { failureOf, Refusal, StepError } from "../errors.js";
import { Limiter, mapLimited } from "../pool.js";
import { DEFAULT_RETRY, DEFAULT_STALL_TIMEOUT_MS, type RetryPolicy } from "../retry.js";
import type {
  ChecksumAlgorithm,
  ChecksumType,
  EngineOptions,
  FileResult,
  LocalFile,
  RunResult,
} from "../types.js";
import { planUpload, resolveLimits, type PlannedPart, type UploadPlan } from "../upload/plan.js";
import { servedHeaders } from "../upload/served-headers.js";
import {
  brokerRefusal,
  callBroker,
  isTransientStatus,
  TransientFailure,
  withTransientRetry,
} from "./broker-calls.js";
import { cachedToken } from "./token-cache.js";
import type { BrokerSettings } from "../types.js";

interface BrokerRun {
  options: EngineOptions;
  broker: BrokerSettings;
  algorithm: ChecksumAlgorithm;
  checksumType: ChecksumType;
  /** At most `concurrency` part buffers in memory across the run. */
  transfers: Limiter;
  retry: RetryPolicy;
  stallTimeoutMs: number;
}

/** A call another attempt may finish (withTransientRetry), each retry reported as the engine's are. */
function retrying<T>(
  run: BrokerRun,
  file: LocalFile,
  operation: string,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
): Promise<T> {
  return withTransientRetry(
    run.retry,
    signal,
    (number, reason) => run.options.onEvent?.({ type: "retry", file, operation, attempt: number, reason }),
    attempt,
  );
}

interface SentPart {
  number: number;
  size: number;
  etag: string;
  checksum: string;
  digest: Buffer;
  md5: Buffer | undefined;
}

const RERUN = "rerun the upload";
/** The slowest transfer a part's deadline allows for (on top of the stall timeout). */
const SLOWEST_BYTES_PER_SECOND = 256 * 1024;
const DELETE_AND_RERUN =
  "the object was written but is not the file: ask the broker's operator to delete it, then rerun";

function stripQuotes(etag: string): string {
  return etag.replace(/^"+|"+$/g, "");
}

/** What cannot go through a broker, as an error naming the setting and the fix (the config checks these too). */
export function brokerOptionProblems(options: EngineOptions): string[] {
  const problems: string[] = [];
  if (options.checksumAlgorithm === null) {
    problems.push(
      'Input "checksum-algorithm" is none, but the broker signs every part with its checksum; use CRC64NVME (the default) or another algorithm.',
    );
  }
  if (options.onFailure === "keep") {
    problems.push(
      'Input "on-failure" is keep, but through "broker-url" an upload cannot be resumed (the broker lists no pending uploads); use on-failure: abort.',
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

async function readPart(handle: FileHandle, file: LocalFile, part: PlannedPart): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(part.size);
  const { bytesRead } = await handle.read(buffer, 0, part.size, part.offset);
  if (bytesRead !== part.size) {
    throw new StepError(
      `reading ${file.path}`,
      `part ${part.number} ended after ${bytesRead} of ${part.size} bytes`,
      "the file changed while it was uploaded; make sure nothing writes to it and rerun",
    );
  }
  return buffer;
}

async function sendPart(
  run: BrokerRun,
  where: { uploadId: string; key: string },
  part: PlannedPart,
  body: Buffer,
  signal: AbortSignal | undefined,
): Promise<SentPart> {
  const hasher: PartHasher = await createPartHasher(run.algorithm);
  hasher.update(body);
  const digest = hasher.digest();
  const checksum = digest.toString("base64");
  const partMd5 = run.options.contentMd5 ? md5(body) : undefined;
  const query = new URLSearchParams({
    key: where.key,
    bucket: run.options.bucket,
    size: String(part.size),
    checksumAlgorithm: run.algorithm,
    checksum,
  });
  if (partMd5) query.set("contentMd5", partMd5.toString("base64"));
  const step = `signing part ${part.number}`;
  const signed = await callBroker(
    run.broker,
    step,
    { method: "GET", path: `/s3/multipart/${encodeURIComponent(where.uploadId)}/${part.number}?${query}` },
    signal,
  );
  if (signed.status !== 200) {
    const refusal = brokerRefusal(step, signed);
    // The broker's own hint speaks of its query parameters; the user's fix is an input.
    if (signed.status === 400 && !run.options.contentMd5 && refusal.detail.includes("contentMd5")) {
      throw new StepError(
        step,
        refusal.detail,
        'the broker\'s store does not check x-amz-checksum-*, so each part must be signed with its MD5 too: set "content-md5: true"',
      );
    }
    throw refusal;
  }
  const { url, headers } = signed.body as { url?: unknown; headers?: unknown };
  if (typeof url !== "string" || typeof headers !== "object" || headers === null) {
    throw new StepError(
      step,
      "the broker's answer has no url and headers",
      "check that broker-url is this tool's broker",
    );
  }
  const upload = `UploadPart ${part.number}`;
  // fetch shows no progress of a body, so a stalled store is cut by a deadline that allows the part's bytes
  // at a slow rate on top of the stall timeout; the attempt is then retried.
  const deadlineMs = run.stallTimeoutMs + Math.ceil((part.size / SLOWEST_BYTES_PER_SECOND) * 1000);
  const deadline = AbortSignal.timeout(deadlineMs);
  let put: Response;
  let text: string;
  try {
    // Exactly the signed headers: an x-amz-* header the URL does not sign is refused by S3 (HeadersNotSigned).
    put = await fetch(url, {
      method: "PUT",
      headers: headers as Record<string, string>,
      body,
      signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
    });
    text = await put.text();
  } catch (error) {
    if (signal?.aborted) throw error;
    const why = deadline.aborted
      ? `no answer within ${Math.round(deadlineMs / 1000)} s`
      : String((error as { cause?: unknown }).cause ?? error);
    throw new TransientFailure(upload, `the store did not answer (${why})`, RERUN, error);
  }
  if (put.status !== 200) {
    const code = /<Code>([^<]+)/.exec(text)?.[1] ?? "";
    const Failure = isTransientStatus(put.status) ? TransientFailure : StepError;
    throw new Failure(
      upload,
      `the store answered ${put.status} ${code}`.trim(),
      code === "BadDigest" || code === "InvalidDigest"
        ? "the part's bytes did not match its signed checksum on the way to the store; rerun the upload"
        : code === "AccessDenied" || code === "SignatureDoesNotMatch" || code === "HeadersNotSigned"
          ? "the broker's presigned URL was refused: check the broker's clock and S3 credentials, then rerun"
          : RERUN,
    );
  }
  const echoed = put.headers.get(`x-amz-checksum-${run.algorithm.toLowerCase()}`);
  if (echoed !== null && echoed !== checksum) {
    throw new StepError(
      upload,
      `the store answered ${run.algorithm} ${echoed}, not the part's ${checksum}`,
      RERUN,
    );
  }
  return {
    number: part.number,
    size: part.size,
    etag: stripQuotes(put.headers.get("etag") ?? ""),
    checksum,
    digest,
    md5: partMd5,
  };
}

/** Why ListParts (through the broker) and the parts sent differ, or undefined when they agree exactly. */
export function listedMismatch(
  algorithm: ChecksumAlgorithm,
  sent: SentPart[],
  listed: unknown,
): string | undefined {
  if (!Array.isArray(listed)) return "the broker's ListParts answer is not a list";
  const field = sdkChecksumField(algorithm);
  const byNumber = new Map<number, Record<string, unknown>>();
  for (const entry of listed as Array<Record<string, unknown>>) byNumber.set(Number(entry.PartNumber), entry);
  for (const part of sent) {
    const entry = byNumber.get(part.number);
    if (!entry) return `part ${part.number} is not listed`;
    if (entry.Size !== part.size)
      return `part ${part.number} is listed with ${String(entry.Size)} bytes, ${part.size} were sent`;
    if (stripQuotes(String(entry.ETag)) !== part.etag)
      return `part ${part.number}'s listed ETag is not the one its upload answered`;
    const stored = entry[field];
    if (stored !== undefined && stored !== part.checksum) {
      return `part ${part.number} is listed with ${algorithm} ${String(stored)}, not ${part.checksum}`;
    }
    byNumber.delete(part.number);
  }
  const extra = [...byNumber.keys()];
  return extra.length > 0 ? `the upload holds part ${extra[0]}, which this run did not send` : undefined;
}

/** The multipart ETag S3 computes from the parts' MD5s. */
function multipartEtag(parts: SentPart[]): string | undefined {
  if (parts.some((part) => part.md5 === undefined)) return undefined;
  const hash = createHash("md5");
  for (const part of parts) hash.update(part.md5!);
  return `${hash.digest("hex")}-${parts.length}`;
}

function wholeChecksum(run: BrokerRun, parts: ReadonlyArray<{ digest: Buffer; size: number }>): string {
  if (run.checksumType === "FULL_OBJECT" && isFullObjectAlgorithm(run.algorithm)) {
    return combineFullObject(run.algorithm, parts).toString("base64");
  }
  return compositeChecksum(
    run.algorithm,
    parts.map((part) => part.digest),
  );
}

async function uploadParts(
  run: BrokerRun,
  file: LocalFile,
  handle: FileHandle,
  plan: UploadPlan,
  where: { uploadId: string; key: string },
  sha256: PartHasher | null,
): Promise<SentPart[]> {
  const signal = run.options.signal;
  let done = 0;
  // With sha256 the parts go in file order, one at a time, so the hash sees the bytes that were sent in order.
  const sent = await mapLimited(plan.parts, sha256 ? 1 : run.options.concurrency, (part) =>
    run.transfers.run(async () => {
      const body = await readPart(handle, file, part);
      sha256?.update(body);
      // Signed again on each attempt: a URL may have expired meanwhile.
      const answer = await retrying(run, file, `UploadPart ${part.number}`, signal, () =>
        sendPart(run, where, part, body, signal),
      );
      done += part.size;
      run.options.onEvent?.({ type: "progress", file, bytesDone: done, size: plan.size });
      return answer;
    }, signal),
  );
  return sent;
}

/**
 * A broker call that must answer 200, retried while it fails transiently; `repeatable` false retries only
 * failures that surely did nothing (a create repeated after its answer was lost would leave an upload behind).
 */
function brokerStep(
  run: BrokerRun,
  file: LocalFile,
  step: string,
  request: Parameters<typeof callBroker>[2],
  signal: AbortSignal | undefined,
  repeatable = true,
): Promise<unknown> {
  return retrying(run, file, step, signal, async () => {
    try {
      const answer = await callBroker(run.broker, step, request, signal);
      if (answer.status !== 200) throw brokerRefusal(step, answer);
      return answer.body;
    } catch (error) {
      if (error instanceof TransientFailure && !repeatable && !error.unacted) {
        throw new StepError(error.step, error.detail, error.hint, error.cause);
      }
      throw error;
    }
  });
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

// Reads for the local checksum of an existing object go through a buffer this big, not a part's.
const COMPARE_CHUNK = 4 * 1024 * 1024;

/** The file's whole-object checksum as the upload would compute it, its SHA-256 too when asked for. */
async function localChecksum(
  run: BrokerRun,
  file: LocalFile,
  handle: FileHandle,
  plan: UploadPlan,
): Promise<{ whole: string; sha256: string | null }> {
  const sha256 = run.options.sha256 ? createSha256Hasher() : null;
  const buffer = Buffer.allocUnsafe(Math.min(COMPARE_CHUNK, Math.max(plan.partSize, 1)));
  const digests: Array<{ digest: Buffer; size: number }> = [];
  for (const part of plan.parts) {
    const hasher = await createPartHasher(run.algorithm);
    for (let done = 0; done < part.size;) {
      const length = Math.min(buffer.length, part.size - done);
      const { bytesRead } = await handle.read(buffer, 0, length, part.offset + done);
      if (bytesRead !== length) {
        throw new StepError(
          `reading ${file.path}`,
          "the file ended early",
          "the file changed; rerun once it is complete",
        );
      }
      hasher.update(buffer.subarray(0, length));
      sha256?.update(buffer.subarray(0, length));
      done += length;
    }
    digests.push({ digest: hasher.digest(), size: part.size });
  }
  return { whole: wholeChecksum(run, digests), sha256: sha256 ? sha256.digest().toString("hex") : null };
}

/**
 * With overwrite false, an object already at the key: the file's result when it is proven the same
 * ("unchanged": the stored checksum is the file's), a Refusal when it differs, null when there is none or it
 * cannot be compared (no checksum stored, or a broker without GET /s3/object: Complete's If-None-Match then
 * refuses to replace it).
 */
async function existingObject(
  run: BrokerRun,
  file: LocalFile,
  handle: FileHandle,
  plan: UploadPlan,
): Promise<Partial<FileResult> | null> {
  if (run.options.overwrite) return null;
  const query = new URLSearchParams({ key: file.key, bucket: run.options.bucket });
  const answer = await retrying(run, file, "HeadObject", run.options.signal, async () => {
    const called = await callBroker(
      run.broker,
      "HeadObject",
      { method: "GET", path: `/s3/object?${query}` },
      run.options.signal,
    );
    const code = (called.body as { error?: { code?: string } } | null)?.error?.code;
    if (called.status === 200 || (called.status === 404 && code === "NotFound")) return called;
    throw brokerRefusal("HeadObject", called);
  });
  if (answer.status !== 200) return null;
  const stored = answer.body as {
    exists?: boolean;
    size?: number;
    etag?: string;
    checksums?: Record<string, string>;
  };
  const remote = stored.checksums?.[run.algorithm];
  if (stored.exists !== true || remote === undefined) return null;
  const local = await localChecksum(run, file, handle, plan);
  if (stored.size !== plan.size || remote !== local.whole) {
    throw new Refusal(
      "overwrite check",
      `an object with other content${run.checksumType === "COMPOSITE" ? " (or other part sizes)" : ""} is at this key (${String(stored.size)} bytes, ${run.algorithm} ${remote}; ` +
        `the file: ${plan.size} bytes, ${local.whole}); nothing was uploaded. Set "overwrite: true" to replace ` +
        "it (the broker's rule must allow overwrite too), or upload to another key.",
    );
  }
  return {
    etag: stripQuotes(stored.etag ?? ""),
    checksumLocal: local.whole,
    checksumRemote: remote,
    sha256: local.sha256,
    verification: "checksum",
    verified: true,
    notes: [
      "The object already exists with the same content (its stored checksum, read through the broker); it was not uploaded again.",
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
      result = { ...result, ...(await uploadOne(run, file, handle, plan)), status: "uploaded" };
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
): Promise<Partial<FileResult>> {
  const signal = run.options.signal;
  // Guessed from the name as for any upload when no setting gives it.
  const { contentType } = servedHeaders(run.options.object, file);
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
        ...(contentType ? { type: contentType } : {}),
      },
    },
    signal,
    false,
  );
  const uploadId = String((created as { uploadId?: unknown }).uploadId ?? "");
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
    const sent = await uploadParts(run, file, handle, plan, where, sha256);
    sent.sort((a, b) => a.number - b.number);
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
    const done = await callBroker(
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
    if (done.status !== 200) throw brokerRefusal("CompleteMultipartUpload", done);
    completed = { sent, whole, answer: done.body as Record<string, unknown>, sha256 };
  } catch (error) {
    const note = await abortUpload(run, file, where);
    if (error instanceof StepError) {
      throw new StepError(error.step, error.detail, `${error.hint}. ${note}`, error.cause);
    }
    throw error;
  }
  // Completed: there is no upload left to abort; a failed proof names the object to delete.
  return proofOf(run, plan, completed.sent, completed.whole, completed.answer, completed.sha256);
}

interface StoredAnswer {
  size: number;
  etag: string;
  checksum?: string;
}

function storedOf(answer: Record<string, unknown>): StoredAnswer | null {
  const stored = answer.stored as Partial<StoredAnswer> | null | undefined;
  if (typeof stored !== "object" || stored === null) return null;
  if (typeof stored.size !== "number" || typeof stored.etag !== "string") return null;
  return stored as StoredAnswer;
}

/**
 * The proof of the completed object from the broker's final check (its HeadObject after Complete): the local
 * size, and the local whole-object checksum, or where the store keeps none the multipart ETag made of the
 * local parts' MD5s. A StepError when it proves nothing or shows other bytes.
 */
function proofOf(
  run: BrokerRun,
  plan: UploadPlan,
  sent: SentPart[],
  whole: string,
  answer: Record<string, unknown>,
  sha256: PartHasher | null,
): Partial<FileResult> {
  const step = "verify object";
  const stored = storedOf(answer);
  if (stored === null) {
    throw new StepError(
      step,
      "the broker could not read the completed object back (its HeadObject found nothing or failed)",
      "the object may be written but is not verified: ask the broker's operator to check or delete it, then rerun",
    );
  }
  if (stored.size !== plan.size) {
    throw new StepError(step, `the object is ${stored.size} bytes, the file ${plan.size}`, DELETE_AND_RERUN);
  }
  const completed = typeof answer.checksum === "string" ? answer.checksum : undefined;
  const remote = stored.checksum ?? null;
  for (const value of [completed, remote]) {
    if (value !== undefined && value !== null && value !== whole) {
      throw new StepError(
        step,
        `the object's ${run.algorithm} is ${value}, the file's ${whole}`,
        DELETE_AND_RERUN,
      );
    }
  }
  const common = {
    etag: stripQuotes(stored.etag),
    ...(typeof answer.versionId === "string" ? { versionId: answer.versionId } : {}),
    checksumLocal: whole,
    checksumRemote: remote,
    sha256: sha256 ? sha256.digest().toString("hex") : null,
    notes: [
      `Uploaded through the broker: ${String(answer.proof ?? "")}; read back by the broker's HeadObject.`,
    ],
  };
  if (remote !== null) return { ...common, verification: "checksum", verified: true };
  const expectedEtag = multipartEtag(sent);
  if (expectedEtag !== undefined && expectedEtag === common.etag) {
    return { ...common, verification: "etag-md5", verified: true };
  }
  throw new StepError(
    step,
    `the store shows no ${run.algorithm} for the object` +
      (expectedEtag ? ` and its ETag ${common.etag} is not the local ${expectedEtag}` : ""),
    expectedEtag
      ? DELETE_AND_RERUN
      : 'the store keeps no checksums: set "content-md5: true" so the parts are proven by their signed MD5s and the object by its ETag',
  );
}

/**
 * The broker's counterpart of runUploads: same results and events, no S3 credentials, no preflight (the first
 * broker call is the check). Files already in the bucket are not compared (the broker serves no HeadObject
 * before an upload, so no "unchanged"): with overwrite false their Complete is refused (412).
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
