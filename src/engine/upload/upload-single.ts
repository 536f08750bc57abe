import {
  confirmAmbiguousWrite,
  confirmByListing,
  confirmObject,
  deleteWrittenVersions,
  removeWrittenObject,
  requireChecksumsError,
  StoredMismatchError,
  type UploadOutcome,
} from "./confirm-object.js";
import { HINTS, isCreateRefused, StepError } from "../errors.js";
import { expectedEtag, type ExpectedObject } from "./object-verify.js";
import { finishSha256, OrderedSha256 } from "../checksum/ordered-sha256.js";
import type { OpenFile } from "./part-reader.js";
import { sendPart, type Sender, type SentPart } from "./part-transfer.js";
import type { UploadPlan } from "./plan.js";
import type { FileContext } from "../run-context.js";
import type { TransferPool } from "../pool.js";

/**
 * Files up to this size are sent in the run's small-PutObject slots (smallPutSlots): their time goes to round
 * trips (the request, the store's answer), so more in flight overlap them, at smallPutSlots × this of extra
 * memory at most (4 MiB at the default concurrency of 4).
 */
export const SMALL_PUT_BYTES = 256 * 1024;
const SMALL_PUTS_PER_SLOT = 4;
// Past this many, a store starts to throttle (503 SlowDown) rather than overlap more round trips.
const SMALL_PUTS_MAX = 64;

/** How many small PutObjects may be in flight at once, beside the `concurrency` transfers of the pool. */
export function smallPutSlots(concurrency: number): number {
  return Math.min(concurrency * SMALL_PUTS_PER_SLOT, SMALL_PUTS_MAX);
}

function poolFor(ctx: FileContext, plan: UploadPlan): TransferPool {
  return plan.size <= SMALL_PUT_BYTES ? ctx.run.smallPuts : ctx.run.pool;
}

/** Re-sends of a PutObject whose stored object does not match, as for parts (upload-multipart.ts). */
const REPAIR_ROUNDS = 2;

// A single PutObject cannot be taken back like a multipart upload can be aborted.
const WRITTEN = "The object was written but is not proven by a checksum; delete it if that matters.";

export interface SingleOutcome extends UploadOutcome {
  checksumLocal: string | null;
  sha256: string | null;
}

/**
 * Files below the multipart threshold: one PutObject carrying the same checksum a part would, and always
 * Content-MD5 (cheap at this size): every store then refuses a body damaged in transit, also those that keep
 * no additional checksums, and the MD5 is the proof there (ETag) when the object is checked.
 */
export async function uploadSingle(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  ifNoneMatch: boolean,
): Promise<SingleOutcome> {
  const { algorithm } = ctx.run;
  const sha256 =
    ctx.run.options.sha256 === true
      ? new OrderedSha256(handle, plan.parts, { algorithm, rereadParts: new Set() })
      : null;
  // The SHA-256 is of the bytes read for the first send; it is reported only for the bytes finally proven.
  const sha256Of = (proven: SentPart["digest"]): Promise<string | null> =>
    finishSha256(ctx.file.path, sha256, [proven]);
  let digest: SentPart["digest"] | undefined;
  let sent: SentPart;
  try {
    sent = await sendPart(ctx, handle, plan.parts[0]!, "PutObject", putSender(ctx, { ifNoneMatch }), true, {
      onRead: (read) => {
        digest = read;
      },
      ...(sha256 ? { sha256 } : {}),
      pool: poolFor(ctx, plan),
    });
  } catch (error) {
    // A 412 under If-None-Match: an earlier attempt whose answer was lost may have written the object.
    if (!ifNoneMatch || digest === undefined || !isCreateRefused(error)) throw error;
    const checksumLocal = digest.digest?.toString("base64") ?? null;
    const outcome = await confirmAmbiguousWrite(ctx, expectedOf(ctx, plan, digest), "PutObject", error);
    ctx.run.emit({ type: "progress", file: ctx.file, bytesDone: plan.size, size: plan.size });
    return { ...outcome, checksumLocal, sha256: await sha256Of(digest) };
  }
  ctx.run.emit({ type: "progress", file: ctx.file, bytesDone: plan.size, size: plan.size });
  // The store answered success; it must also hold what it answered. A stored object that differs is re-sent
  // (replacing exactly the object inspected), as a wrong part is; what stays wrong is removed, not left.
  const wrongVersions: string[] = [];
  for (let round = 0; ; round++) {
    const checksumLocal = checkEcho(ctx, sent);
    if (round === 0) {
      const listed = await confirmByListing(ctx, expectedOf(ctx, plan, sent.digest), sent.answer);
      if (listed !== null) return { ...listed, checksumLocal, sha256: await sha256Of(sent.digest) };
    }
    try {
      const outcome = await confirmObject(
        ctx,
        expectedOf(ctx, plan, sent.digest),
        sent.answer,
        algorithm !== null && sent.answer.checksums[algorithm] !== undefined ? "checksum" : "etag-md5",
        "PutObject",
      );
      if (round === 0) return { ...outcome, checksumLocal, sha256: await sha256Of(sent.digest) };
      const notes = [
        ...outcome.notes,
        `The stored object did not match at first and was re-sent ${round} time(s).`,
      ];
      const problem = await deleteWrittenVersions(ctx, wrongVersions);
      if (problem !== null) notes.push(`Earlier wrong versions of this run remain: ${problem}`);
      return { ...outcome, notes, checksumLocal, sha256: await sha256Of(sent.digest) };
    } catch (error) {
      if (!(error instanceof StoredMismatchError)) throw error;
      if (round >= REPAIR_ROUNDS) {
        throw await removeWrittenObject(ctx, error, {
          versions: wrongVersions,
          replacedInspected: round > 0,
        });
      }
      ctx.run.emit({
        type: "warning",
        file: ctx.file,
        message: `Re-sending: the object stored after PutObject does not match (${(error.cause as Error).message})`,
      });
      if (error.answer.versionId !== undefined) wrongVersions.push(error.answer.versionId);
      sent = await resend(ctx, handle, plan, error.stored.etag);
    }
  }
}

/** The checksum the store echoed must be the local one; returns the local value (base64) or null. */
function checkEcho(ctx: FileContext, sent: SentPart): string | null {
  const { algorithm, options } = ctx.run;
  const checksumLocal = sent.digest.digest?.toString("base64") ?? null;
  if (algorithm === null) return checksumLocal;
  const echoed = sent.answer.checksums[algorithm];
  if (echoed !== undefined && echoed !== checksumLocal) {
    throw new StepError(
      "PutObject",
      `S3 answered ${algorithm} ${echoed}, local value is ${checksumLocal}`,
      HINTS.verify,
    );
  }
  if (echoed === undefined && options.requireChecksums) throw requireChecksumsError("PutObject", WRITTEN);
  return checksumLocal;
}

/** PutObject of this file's body, with the write condition given. */
function putSender(ctx: FileContext, condition: { ifNoneMatch: boolean; ifMatch?: string }): Sender {
  const { store, options } = ctx.run;
  return (body, checksums, contentMd5) =>
    store.putObject(
      {
        bucket: options.bucket,
        key: ctx.file.key,
        body,
        headers: ctx.headers,
        checksums,
        ...(contentMd5 ? { contentMd5 } : {}),
        ...condition,
      },
      ctx.signal,
    );
}

/** PutObject again, replacing only the object whose ETag was inspected: never one written since. */
async function resend(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  inspectedEtag: string,
): Promise<SentPart> {
  try {
    const sender = putSender(ctx, { ifNoneMatch: false, ifMatch: inspectedEtag });
    return await sendPart(ctx, handle, plan.parts[0]!, "PutObject", sender, true, {
      pool: poolFor(ctx, plan),
    });
  } catch (error) {
    if (!isCreateRefused(error)) throw error;
    throw new StepError(
      "PutObject",
      `s3://${ctx.run.options.bucket}/${ctx.file.key} changed while this run was re-sending its own wrong write: another writer created the key`,
      "Find the other job or person writing this key; rerun once it is done, or upload to another key.",
      error,
    );
  }
}

function expectedOf(ctx: FileContext, plan: UploadPlan, digest: SentPart["digest"]): ExpectedObject {
  return {
    size: plan.size,
    algorithm: ctx.run.algorithm,
    checksum: digest.digest?.toString("base64") ?? null,
    etag: expectedEtag(false, [digest.md5]),
  };
}
