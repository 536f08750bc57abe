// One part through the broker: signed with its checksum (and MD5 with content-md5), PUT with exactly the signed
// headers, the store's echo checked; then ListParts compared with every part sent.
import type { FileHandle } from "node:fs/promises";
import { createPartHasher, md5, sdkChecksumField, type PartHasher } from "../checksum/index.js";
import { StepError } from "../errors.js";
import { mapLimited } from "../pool.js";
import type { ChecksumAlgorithm, LocalFile } from "../types.js";
import type { PlannedPart, UploadPlan } from "../upload/plan.js";
import { brokerRefusal, callBroker, isTransientStatus, TransientFailure } from "./broker-calls.js";
import { RERUN, retrying, stripQuotes, type BrokerRun } from "./broker-run.js";

export interface SentPart {
  number: number;
  size: number;
  etag: string;
  checksum: string;
  digest: Buffer;
  md5: Buffer | undefined;
}

/** The slowest transfer a part's deadline allows for (on top of the stall timeout). */
const SLOWEST_BYTES_PER_SECOND = 256 * 1024;

export async function readPart(handle: FileHandle, file: LocalFile, part: PlannedPart): Promise<Buffer> {
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

/**
 * Sends the parts not in `kept` and returns every part of the plan, in part order. The last part goes first and
 * alone: once stored, its number and size pin the file size, which a later run needs to resume the upload.
 */
export async function uploadParts(
  run: BrokerRun,
  file: LocalFile,
  handle: FileHandle,
  plan: UploadPlan,
  where: { uploadId: string; key: string },
  sha256: PartHasher | null,
  kept: ReadonlyMap<number, SentPart>,
): Promise<SentPart[]> {
  const signal = run.options.signal;
  const parts = new Map(kept);
  let done = [...kept.values()].reduce((total, part) => total + part.size, 0);
  const send = (part: PlannedPart, body: Buffer) =>
    // Signed again on each attempt: a URL may have expired meanwhile.
    retrying(run, file, `UploadPart ${part.number}`, signal, () =>
      sendPart(run, where, part, body, signal),
    ).then((answer) => {
      parts.set(part.number, answer);
      done += part.size;
      run.options.onEvent?.({ type: "progress", file, bytesDone: done, size: plan.size });
    });
  const readAndSend = (part: PlannedPart) =>
    run.transfers.run(async () => send(part, await readPart(handle, file, part)), signal);
  const last = plan.parts.at(-1)!;
  if (plan.parts.length > 1 && !parts.has(last.number)) await readAndSend(last);
  if (sha256 === null) {
    await mapLimited(
      plan.parts.filter((part) => !parts.has(part.number)),
      run.options.concurrency,
      readAndSend,
    );
  } else {
    // The hash sees the file's bytes in order, one part at a time: each part sent is hashed as it is read, and
    // a part this pass did not send (kept, or the last sent first) is read again and must hash as it did.
    for (const part of plan.parts) {
      await run.transfers.run(async () => {
        const body = await readPart(handle, file, part);
        const earlier = parts.get(part.number);
        if (earlier !== undefined) await ensureSameBytes(run, file, part, body, earlier);
        sha256.update(body);
        if (earlier === undefined) await send(part, body);
      }, signal);
    }
  }
  return plan.parts.map((part) => parts.get(part.number)!);
}

async function ensureSameBytes(
  run: BrokerRun,
  file: LocalFile,
  part: PlannedPart,
  body: Buffer,
  earlier: SentPart,
): Promise<void> {
  const hasher = await createPartHasher(run.algorithm);
  hasher.update(body);
  if (hasher.digest().equals(earlier.digest)) return;
  throw new StepError(
    `reading ${file.path}`,
    `part ${part.number} changed since it was read for the upload`,
    "the file changed while it was uploaded; make sure nothing writes to it and rerun",
  );
}
