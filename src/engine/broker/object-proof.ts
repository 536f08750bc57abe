// The proof of a completed object, from the broker's final check (its HeadObject after Complete).
import { createHash } from "node:crypto";
import type { PartHasher } from "../checksum/index.js";
import { StepError } from "../errors.js";
import type { FileResult } from "../types.js";
import type { UploadPlan } from "../upload/plan.js";
import { DELETE_AND_RERUN, stripQuotes, type BrokerRun } from "./broker-run.js";
import type { SentPart } from "./part-upload.js";

/** The multipart ETag S3 computes from the parts' MD5s. */
function multipartEtag(parts: SentPart[]): string | undefined {
  if (parts.some((part) => part.md5 === undefined)) return undefined;
  const hash = createHash("md5");
  for (const part of parts) hash.update(part.md5!);
  return `${hash.digest("hex")}-${parts.length}`;
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
export function proofOf(
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
