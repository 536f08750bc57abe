// Resume through the broker: the key's in-progress uploads (GET /s3/multipart?key=) and each one's parts
// (ListParts), judged by the same rules as uploads with S3 credentials (upload/resume-rules.ts): an upload is
// adopted only when every listed part fits this run's plan, it has been quiet long enough, and its last part
// holds the local bytes; a part is kept only when the local bytes of its range hash to its listed checksum (or,
// where the store lists none, to its MD5 ETag). Everything else is uploaded again.
import type { FileHandle } from "node:fs/promises";
import { AMZ_CHECKSUM_ALGORITHMS, createPartHasher, md5, sdkChecksumField } from "../checksum/index.js";
import { StepError } from "../errors.js";
import { mapLimited } from "../pool.js";
import type { Checksums, ListedPart, PendingUpload } from "../s3/s3-client.js";
import type { LocalFile } from "../types.js";
import type { UploadPlan } from "../upload/plan.js";
import {
  holdsLocalBytes,
  keptMisfit,
  needsMd5,
  newestOfKey,
  notResumedWarning,
  planMisfit,
  quietPeriodMs,
  resumeNote,
  stillActive,
  type ListedUpload,
} from "../upload/resume-rules.js";
import { brokerRefusal, callBroker } from "./broker-calls.js";
import { retrying, stripQuotes, type BrokerRun } from "./broker-run.js";
import { readPart, type SentPart } from "./part-upload.js";

export interface BrokerResumed {
  uploadId: string;
  /** Parts proven to hold the local bytes, by part number. */
  kept: Map<number, SentPart>;
  note: string;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function optionalText(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function dateOf(value: unknown): Date | undefined {
  const time = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isNaN(time) ? undefined : new Date(time);
}

function pendingOf(entry: Record<string, unknown>): PendingUpload[] {
  const key = optionalText(entry.key);
  const uploadId = optionalText(entry.uploadId);
  if (key === undefined || uploadId === undefined) return [];
  const storageClass = optionalText(entry.storageClass);
  const checksumAlgorithm = optionalText(entry.checksumAlgorithm);
  const checksumType = optionalText(entry.checksumType);
  return [
    {
      key,
      uploadId,
      initiated: dateOf(entry.initiated),
      ...(storageClass ? { storageClass } : {}),
      ...(checksumAlgorithm ? { checksumAlgorithm } : {}),
      ...(checksumType ? { checksumType } : {}),
    },
  ];
}

/** A part of the broker's ListParts answer (Uppy's shape) as the store listed it. */
function listedPartOf(entry: Record<string, unknown>): ListedPart {
  const checksums: Checksums = {};
  for (const algorithm of AMZ_CHECKSUM_ALGORITHMS) {
    const value = optionalText(entry[sdkChecksumField(algorithm)]);
    if (value !== undefined) checksums[algorithm] = value;
  }
  const lastModified = dateOf(entry.LastModified);
  return {
    number: Number(entry.PartNumber),
    size: Number(entry.Size),
    etag: stripQuotes(String(entry.ETag ?? "")),
    checksums,
    ...(lastModified ? { lastModified } : {}),
  };
}

/** The key's in-progress uploads, newest first; null from a broker without the list route (an older one). */
async function pendingUploads(run: BrokerRun, file: LocalFile): Promise<PendingUpload[] | null> {
  const step = "ListMultipartUploads";
  const query = new URLSearchParams({ key: file.key, bucket: run.options.bucket });
  const answer = await retrying(run, file, step, run.options.signal, async () => {
    const called = await callBroker(
      run.broker,
      step,
      { method: "GET", path: `/s3/multipart?${query}` },
      run.options.signal,
    );
    const code = record(record(called.body).error).code;
    if (called.status === 200 || (called.status === 404 && code === "NotFound")) return called;
    throw brokerRefusal(step, called);
  });
  if (answer.status !== 200) return null;
  const uploads = record(answer.body).uploads;
  if (!Array.isArray(uploads)) {
    throw new StepError(
      step,
      "the broker's answer lists no uploads",
      "check that broker-url is this tool's broker",
    );
  }
  return newestOfKey(
    uploads.flatMap((entry) => pendingOf(record(entry))),
    file.key,
  );
}

/** The upload's parts through the broker; null when it is gone (completed or aborted since it was listed). */
async function listedUpload(
  run: BrokerRun,
  file: LocalFile,
  candidate: PendingUpload,
): Promise<ListedUpload | null> {
  const step = "ListParts";
  const query = new URLSearchParams({ key: file.key, bucket: run.options.bucket });
  const path = `/s3/multipart/${encodeURIComponent(candidate.uploadId)}?${query}`;
  const answer = await retrying(run, file, step, run.options.signal, async () => {
    const called = await callBroker(run.broker, step, { method: "GET", path }, run.options.signal);
    if (called.status === 200 || called.status === 404) return called;
    throw brokerRefusal(step, called);
  });
  if (answer.status !== 200 || !Array.isArray(answer.body)) return null;
  return {
    parts: answer.body.map((entry) => listedPartOf(record(entry))),
    // The broker's ListParts answer is Uppy's list of parts; the upload's settings come from its listing.
    checksumAlgorithm: undefined,
    checksumType: undefined,
    storageClass: undefined,
  };
}

/** Reads and hashes each listed part's range once, and keeps those whose listed value is the local one. */
async function provenParts(
  run: BrokerRun,
  file: LocalFile,
  handle: FileHandle,
  plan: UploadPlan,
  listed: ListedPart[],
): Promise<Map<number, SentPart>> {
  const kept = new Map<number, SentPart>();
  await mapLimited(listed, run.options.concurrency, (part) =>
    run.transfers.run(async () => {
      const planned = plan.parts[part.number - 1]!;
      const body = await readPart(handle, file, planned);
      const hasher = await createPartHasher(run.algorithm);
      hasher.update(body);
      const digest = hasher.digest();
      const partMd5 = needsMd5(run.algorithm, part) ? md5(body) : undefined;
      if (!holdsLocalBytes(run.algorithm, part, { digest, md5: partMd5 ?? null })) return;
      kept.set(part.number, {
        number: part.number,
        size: part.size,
        etag: part.etag,
        checksum: digest.toString("base64"),
        digest,
        md5: partMd5,
      });
    }, run.options.signal),
  );
  return kept;
}

/**
 * The newest in-progress upload of the file's key that fits the plan, with its proven parts; null when there
 * is none. Uploads that do not fit are left in place (they may be another job's) and named in a warning.
 */
export async function findResumableViaBroker(
  run: BrokerRun,
  file: LocalFile,
  handle: FileHandle,
  plan: UploadPlan,
): Promise<BrokerResumed | null> {
  const candidates = await pendingUploads(run, file);
  if (candidates === null) {
    run.options.onEvent?.({
      type: "warning",
      file,
      message:
        "The broker lists no in-progress uploads (GET /s3/multipart is missing: an older broker), so none is resumed; upgrade the broker to resume interrupted uploads.",
    });
    return null;
  }
  const wanted = {
    algorithm: run.algorithm,
    checksumType: run.checksumType,
    storageClass: run.options.object.storageClass ?? "STANDARD",
  };
  const quietMs = quietPeriodMs(run.options.tuning, plan);
  const now = Date.now();
  for (const candidate of candidates) {
    const listed = await listedUpload(run, file, candidate);
    if (listed === null) continue;
    let misfit = planMisfit(wanted, plan, candidate, listed) ?? stillActive(quietMs, candidate, listed, now);
    if (misfit === null) {
      const kept = await provenParts(run, file, handle, plan, listed.parts);
      misfit = keptMisfit(plan, listed, kept);
      if (misfit === null) {
        return { uploadId: candidate.uploadId, kept, note: resumeNote(candidate, plan, listed, kept) };
      }
    }
    run.options.onEvent?.({ type: "warning", file, message: notResumedWarning(candidate.uploadId, misfit) });
  }
  return null;
}
