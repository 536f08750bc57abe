// With overwrite false, what is already at the key is read first through the broker (GET /s3/object): the
// same content is "unchanged", other content is refused before anything is uploaded.
import type { FileHandle } from "node:fs/promises";
import { createPartHasher, createSha256Hasher } from "../checksum/index.js";
import { Refusal, StepError } from "../errors.js";
import type { FileResult, LocalFile } from "../types.js";
import type { UploadPlan } from "../upload/plan.js";
import { brokerRefusal, callBroker } from "./broker-calls.js";
import { retrying, stripQuotes, wholeChecksum, type BrokerRun } from "./broker-run.js";

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

export interface StoredAtKey {
  exists?: boolean;
  size?: number;
  etag?: string;
  versionId?: string;
  checksums?: Record<string, string>;
}

/** What is stored at the file's key (GET /s3/object); null from a broker without that route. */
export async function readStored(run: BrokerRun, file: LocalFile, step: string): Promise<StoredAtKey | null> {
  const query = new URLSearchParams({ key: file.key, bucket: run.options.bucket });
  const answer = await retrying(run, file, step, run.options.signal, async () => {
    const called = await callBroker(
      run.broker,
      step,
      { method: "GET", path: `/s3/object?${query}` },
      run.options.signal,
    );
    const code = (called.body as { error?: { code?: string } } | null)?.error?.code;
    if (called.status === 200 || (called.status === 404 && code === "NotFound")) return called;
    throw brokerRefusal(step, called);
  });
  return answer.status === 200 ? (answer.body as StoredAtKey) : null;
}

/**
 * With overwrite false, an object already at the key: the file's result when it is proven the same
 * ("unchanged": the stored checksum is the file's), a Refusal when it differs, null when there is none or it
 * cannot be compared (no checksum stored, or a broker without GET /s3/object: Complete's If-None-Match then
 * refuses to replace it).
 */
export async function existingObject(
  run: BrokerRun,
  file: LocalFile,
  handle: FileHandle,
  plan: UploadPlan,
): Promise<Partial<FileResult> | null> {
  if (run.options.overwrite) return null;
  const stored = await readStored(run, file, "HeadObject");
  if (stored === null) return null;
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
