import { objectChecksum, prepareWholePartHashing } from "../checksum/index.js";
import {
  confirmAmbiguousWrite,
  confirmObject,
  NoObjectStoredError,
  removeWrittenObject,
  requireChecksumsError,
  StoredMismatchError,
  type UploadOutcome,
} from "./confirm-object.js";
import {
  describeS3Error,
  GONE_UPLOAD,
  HINTS,
  isCreateRefused,
  isNoSuchUpload,
  s3ErrorInfo,
  StepError,
} from "../errors.js";
import { etagIsMd5, expectedEtag, UNPROVABLE_FIX, type ExpectedObject } from "./object-verify.js";
import { changeSinceOpen, type FileIdentity } from "./file-identity.js";
import { watchLostCreates, type CreatedUpload } from "./lost-creates.js";
import { finishSha256, OrderedSha256, type PartProof } from "../checksum/ordered-sha256.js";
import type { OpenFile } from "./part-reader.js";
import { sendPart, type SentPart } from "./part-transfer.js";
import type { PlannedPart, UploadPlan } from "./plan.js";
import { forEachLimited } from "../pool.js";
import { findResumable, type Resumed } from "./resume.js";
import { settingsFingerprint } from "./settings-fingerprint.js";
import { call, type FileContext } from "../run-context.js";
import type { Checksums, WriteAnswer } from "../s3/s3-client.js";
import { compareParts, listAllParts, verificationMethod, type UploadedPart } from "./verify-parts.js";

/** Rounds of re-uploading parts that ListParts shows missing or different, before giving up. */
const REPAIR_ROUNDS = 2;

export interface MultipartOutcome extends UploadOutcome {
  checksumLocal: string | null;
  sha256: string | null;
}

/**
 * Recorded on the upload for people and tools reading the finished object; S3 shows it only after Complete,
 * so resume (resume.ts) recognises an upload by its parts instead. The last field fingerprints the object
 * settings, so a reader can tell which settings the object was started with.
 */
function planMetadata(plan: UploadPlan, ctx: FileContext, identity: FileIdentity): string {
  return [
    plan.size,
    plan.partSize,
    ctx.run.algorithm ?? "none",
    identity.mtimeNs / 1_000_000n,
    settingsFingerprint(ctx.headers),
  ].join(",");
}

export async function uploadMultipart(
  ctx: FileContext,
  handle: OpenFile & { identity: FileIdentity },
  plan: UploadPlan,
  ifNoneMatch: boolean,
): Promise<MultipartOutcome> {
  // A worker started now is ready when the first part has been read.
  prepareWholePartHashing(ctx.run.algorithm, ctx.run.options.contentMd5 || ctx.run.algorithm === null);
  const { resumed, seen } = await findResumable(ctx, handle, plan);
  if (resumed !== null) return transferAndConfirm(ctx, handle, plan, ifNoneMatch, resumed.uploadId, resumed);
  const created = await createUpload(ctx, plan, handle.identity);
  // Only a Create that needed retries can have left an upload behind whose answer never arrived.
  const sweep = created.attempts > 1 ? await watchLostCreates(ctx, seen, created) : null;
  try {
    return await transferAndConfirm(ctx, handle, plan, ifNoneMatch, created.uploadId, null);
  } finally {
    // At the end: a job beside this one has stored a part by now, and a stalled attempt has landed.
    await sweep?.();
  }
}

async function createUpload(
  ctx: FileContext,
  plan: UploadPlan,
  identity: FileIdentity,
): Promise<CreatedUpload> {
  const { store, options, algorithm, checksumType } = ctx.run;
  const metadata = { ...ctx.headers.metadata, "svu-plan": planMetadata(plan, ctx, identity) };
  const started = performance.now();
  let attempts = 0;
  const uploadId = await call(ctx, "CreateMultipartUpload", HINTS.access, () => {
    attempts += 1;
    return store.createMultipartUpload(
      {
        bucket: options.bucket,
        key: ctx.file.key,
        headers: { ...ctx.headers, metadata },
        algorithm,
        checksumType,
      },
      ctx.signal,
    );
  });
  return { uploadId, attempts, durationMs: performance.now() - started };
}

async function transferAndConfirm(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  ifNoneMatch: boolean,
  uploadId: string,
  /** Set when the upload was adopted from an earlier run: then it is never aborted here. */
  resumed: Resumed | null,
): Promise<MultipartOutcome> {
  let completed: Completed;
  try {
    completed = await transferVerifyComplete(
      ctx,
      handle,
      plan,
      uploadId,
      ifNoneMatch,
      resumed?.kept ?? new Map(),
    );
  } catch (error) {
    throw await cleanUp(ctx, uploadId, error, resumed !== null);
  }
  const { expected, partsMethod, answer, sha256 } = completed;
  const resumeNotes = resumed ? [resumed.note] : [];
  if (answer !== null) {
    let outcome: UploadOutcome;
    try {
      outcome = await confirmObject(ctx, expected, answer, partsMethod, "CompleteMultipartUpload");
    } catch (error) {
      // Complete's success was not real, so the upload may still be there: it must not stay behind.
      if (error instanceof NoObjectStoredError) throw await cleanUp(ctx, uploadId, error, resumed !== null);
      // The completed object is not the file's: it must not stay as this run's result.
      if (error instanceof StoredMismatchError) throw await removeWrittenObject(ctx, error);
      throw error;
    }
    if (resumed) await ensureResumedSettings(ctx, uploadId, outcome.versionId);
    return {
      ...outcome,
      notes: [...resumeNotes, ...outcome.notes],
      checksumLocal: expected.checksum,
      sha256,
    };
  }
  try {
    const outcome = await confirmAmbiguousWrite(
      ctx,
      expected,
      "CompleteMultipartUpload",
      completed.completeError,
    );
    return {
      ...outcome,
      notes: [...resumeNotes, ...outcome.notes],
      checksumLocal: expected.checksum,
      sha256,
    };
  } finally {
    // After a 412 the upload still exists whatever the object holds; it must not stay billable, unless it
    // is not this run's to abort.
    if (resumed === null) await abortRefusedUpload(ctx, uploadId);
  }
}

/** Retried like any request; one that still fails fails the file rather than leave a billable upload unsaid. */
async function abortRefusedUpload(ctx: FileContext, uploadId: string): Promise<void> {
  const target = { bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId };
  try {
    // A fresh signal: the run may have been cancelled, and this is exactly the cleanup cancellation needs.
    await call({ ...ctx, signal: AbortSignal.timeout(60_000) }, "AbortMultipartUpload", HINTS.access, () =>
      ctx.run.store.abortMultipartUpload(target),
    );
  } catch (error) {
    if (!isNoSuchUpload(error)) throw error;
  }
}

/**
 * S3 shows an in-progress upload's headers (Content-Type, …), metadata, tags and encryption to nobody, so
 * a resumed upload may have been started with other ones; the finished object shows them, fingerprinted in
 * svu-plan. Fails when they differ: the bytes are right, but the object is not what this run was asked for.
 */
async function ensureResumedSettings(
  ctx: FileContext,
  uploadId: string,
  versionId: string | undefined,
): Promise<void> {
  const { store, options } = ctx.run;
  const target = { bucket: options.bucket, key: ctx.file.key, ...(versionId ? { versionId } : {}) };
  const stored = await call(ctx, "HeadObject", HINTS.access, () => store.headObject(target, ctx.signal));
  const recorded = stored?.planRecord?.split(",")[4];
  const wanted = settingsFingerprint(ctx.headers);
  if (recorded === wanted) return;
  const what =
    recorded === undefined
      ? "settings this run cannot compare (it was started without a settings fingerprint)"
      : "other object settings";
  throw new Error(
    `The resumed multipart upload ${uploadId} had been started with ${what} (headers such as Content-Type, ` +
      `Content-Encoding or Cache-Control, metadata, tags or encryption; S3 shows none of them before Complete). The object ` +
      `s3://${options.bucket}/${ctx.file.key} holds the file's bytes, verified, but not this run's settings: ` +
      "delete the object and rerun.",
  );
}

/** Parts verified and Complete sent: either S3's answer, or the error of a Complete that may have worked. */
interface Completed {
  expected: ExpectedObject;
  partsMethod: UploadOutcome["verification"];
  answer: WriteAnswer | null;
  completeError: unknown;
  /** Hex SHA-256 of the parts' bytes, null when off. */
  sha256: string | null;
}

/**
 * Aborts the upload (unless asked to keep it, or this run did not create it) and says in the error what was
 * left behind.
 */
async function cleanUp(ctx: FileContext, uploadId: string, error: unknown, adopted: boolean): Promise<Error> {
  const message = error instanceof Error ? error.message : String(error);
  if (isNoSuchUpload(error)) {
    return new Error(`${message} The multipart upload ${uploadId} no longer exists; nothing of it is left.`, {
      cause: error,
    });
  }
  if (adopted) {
    return new Error(
      `${message} The resumed multipart upload ${uploadId} was not created by this run, so it was not ` +
        "aborted; a later run resumes it, or the cleanup mode removes it.",
      { cause: error },
    );
  }
  if (ctx.run.options.onFailure === "keep") {
    return new Error(
      `${message} The multipart upload ${uploadId} was kept (on-failure: keep) for a later resume.`,
      {
        cause: error,
      },
    );
  }
  try {
    // A fresh signal: the run may have been cancelled, and this is exactly the cleanup cancellation needs.
    await call({ ...ctx, signal: AbortSignal.timeout(60_000) }, "AbortMultipartUpload", HINTS.access, () =>
      ctx.run.store.abortMultipartUpload({ bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId }),
    );
    return new Error(`${message} The multipart upload was aborted; nothing is left behind.`, {
      cause: error,
    });
  } catch (abortError) {
    if (isNoSuchUpload(abortError)) {
      return new Error(
        `${message} The multipart upload ${uploadId} was already gone when it was to be aborted ` +
          `(${GONE_UPLOAD}); nothing of it is left.`,
        { cause: error },
      );
    }
    return new Error(
      `${message} Aborting multipart upload ${uploadId} also failed (${describeS3Error(abortError)}); ` +
        `abort it with: aws s3api abort-multipart-upload --bucket ${ctx.run.options.bucket} ` +
        `--key '${ctx.file.key}' --upload-id '${uploadId}'`,
      { cause: error },
    );
  }
}

function recordPart(ctx: FileContext, part: PlannedPart, sent: SentPart): UploadedPart {
  const { algorithm } = ctx.run;
  const local = sent.digest.digest?.toString("base64") ?? null;
  if (algorithm !== null) {
    const echoed = sent.answer.checksums[algorithm];
    if (echoed !== undefined && echoed !== local) {
      throw new StepError(
        `UploadPart ${part.number}`,
        `S3 answered ${algorithm} ${echoed}, local value is ${local}`,
        HINTS.verify,
      );
    }
  }
  return {
    number: part.number,
    size: part.size,
    etag: sent.answer.etag,
    checksum: local,
    digest: sent.digest.digest,
    md5Hex: sent.digest.md5?.toString("hex") ?? null,
  };
}

function proofOf(part: UploadedPart): PartProof {
  return {
    number: part.number,
    digest: part.digest,
    md5: part.md5Hex === null ? null : Buffer.from(part.md5Hex, "hex"),
  };
}

/**
 * What this upload's own first part answer showed, held for this file only: other files may go to other
 * upload settings (or, behind a gateway, other stores), so no answer of theirs may decide anything here.
 */
interface UploadEvidence {
  /** UploadPart echoed our additional checksum, so the store keeps it and later parts need no MD5. */
  echoesChecksums: boolean;
  /** False under SSE-KMS (named in the answer), where a part's ETag is not its MD5. */
  etagIsMd5: boolean;
}

function evidenceOf(ctx: FileContext, answer: WriteAnswer): UploadEvidence {
  const { algorithm } = ctx.run;
  return {
    echoesChecksums: algorithm !== null && answer.checksums[algorithm] !== undefined,
    etagIsMd5: etagIsMd5(answer),
  };
}

async function transferVerifyComplete(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  uploadId: string,
  ifNoneMatch: boolean,
  resumedParts: ReadonlyMap<number, UploadedPart>,
): Promise<Completed> {
  const { options, algorithm } = ctx.run;
  const uploaded = new Map<number, UploadedPart>(resumedParts);
  // The last part goes first: once stored, its number and size pin the file size for a later resume.
  const missing = [plan.parts.at(-1)!, ...plan.parts.slice(0, -1)].filter(
    (part) => !uploaded.has(part.number),
  );
  // It goes alone: its answer shows whether this upload keeps checksums; if it does the other parts skip MD5
  // (a quarter of a GiB's hashing time at concurrency 4 otherwise), and if not they and it go with MD5.
  const [first, ...rest] = missing;
  // Parts not read in file order by this pass are read again for the SHA-256 in their turn: those kept from
  // an earlier run, and the part sent alone first when parts before it are still to come (it cannot wait).
  const rereadParts = new Set(resumedParts.keys());
  if (first !== undefined && rest.some((part) => part.number < first.number)) rereadParts.add(first.number);
  const sha256 =
    options.sha256 === true ? new OrderedSha256(handle, plan.parts, { algorithm, rereadParts }) : null;
  try {
    return await sendVerifyComplete(ctx, handle, plan, uploadId, ifNoneMatch, uploaded, sha256, {
      first,
      feedFirst: first !== undefined && !rereadParts.has(first.number),
      rest,
    });
  } catch (error) {
    // No read for the hash may outlive the file's descriptor, which is closed once this file has failed.
    sha256?.abandon();
    await sha256?.settled();
    throw error;
  }
}

async function sendVerifyComplete(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  uploadId: string,
  ifNoneMatch: boolean,
  uploaded: Map<number, UploadedPart>,
  sha256: OrderedSha256 | null,
  order: { first: PlannedPart | undefined; feedFirst: boolean; rest: readonly PlannedPart[] },
): Promise<Completed> {
  const { first, rest } = order;
  const { store, options, algorithm, checksumType } = ctx.run;
  const target = { bucket: options.bucket, key: ctx.file.key };
  let bytesDone = [...uploaded.values()].reduce((sum, part) => sum + part.size, 0);

  const upload = async (
    part: PlannedPart,
    withMd5: boolean,
    repair: boolean,
    feed = !repair,
  ): Promise<SentPart> => {
    const sent = await sendPart(
      ctx,
      handle,
      part,
      `UploadPart ${part.number}`,
      (body, checksums, contentMd5) =>
        store.uploadPart(
          {
            ...target,
            uploadId,
            partNumber: part.number,
            body,
            checksums,
            ...(contentMd5 ? { contentMd5 } : {}),
          },
          ctx.signal,
        ),
      withMd5,
      feed && sha256 !== null ? { sha256 } : {},
    );
    uploaded.set(part.number, recordPart(ctx, part, sent));
    if (!repair) {
      bytesDone += part.size;
      ctx.run.emit({ type: "progress", file: ctx.file, bytesDone, size: plan.size });
    }
    return sent;
  };

  let evidence: UploadEvidence = { echoesChecksums: false, etagIsMd5: true };
  // Without an additional checksum only the ETag can prove a part; with one, the first part goes as every
  // later part goes where the store keeps checksums, sparing MD5 over it (a 16 MiB part: ~50 ms of CPU).
  const firstWithMd5 = options.contentMd5 || algorithm === null;
  if (first !== undefined) {
    const sent = await upload(first, firstWithMd5, false, order.feedFirst);
    evidence = evidenceOf(ctx, sent.answer);
    if (!evidence.echoesChecksums && !evidence.etagIsMd5)
      throw unprovablePartsError(`UploadPart ${first.number}`);
    // The store kept no checksum of it: sent again with Content-MD5, so its ETag proves it as it does the rest.
    if (!evidence.echoesChecksums && sent.digest.md5 === null) await upload(first, true, true, false);
  }
  const restNeedMd5 = options.contentMd5 || !evidence.echoesChecksums;
  await forEachLimited(rest, options.concurrency, (part) => upload(part, restNeedMd5, false));
  // A repair sends a part again; its bytes were hashed on the first read, and finish() checks they match.
  const partsMethod = await verifyParts(ctx, plan, uploadId, uploaded, evidence, (part) =>
    upload(part, true, true),
  );
  ensureUnchanged(ctx, handle);

  const parts = plan.parts.map((part) => uploaded.get(part.number)!);
  const sha256Hex = await finishSha256(ctx.file.path, sha256, parts.map(proofOf));
  const checksumLocal =
    algorithm !== null && checksumType !== null
      ? objectChecksum(
          algorithm,
          checksumType,
          parts.map((part) => ({ digest: part.digest!, size: part.size })),
        )
      : null;
  const expected: ExpectedObject = {
    size: plan.size,
    algorithm,
    checksum: checksumLocal,
    etag: expectedEtag(
      true,
      parts.map((part) => (part.md5Hex === null ? null : Buffer.from(part.md5Hex, "hex"))),
    ),
  };
  // S3 takes a whole-object value on Complete only for FULL_OBJECT; COMPOSITE is checked after, by HeadObject.
  const objectChecksums: Checksums =
    algorithm !== null && checksumType === "FULL_OBJECT" && checksumLocal !== null
      ? { [algorithm]: checksumLocal }
      : {};
  let answer: WriteAnswer;
  try {
    answer = await call(ctx, "CompleteMultipartUpload", HINTS.retry, () =>
      store.completeMultipartUpload(
        {
          ...target,
          uploadId,
          parts: parts.map((part) => ({
            number: part.number,
            etag: part.etag,
            checksums: algorithm !== null && part.checksum !== null ? { [algorithm]: part.checksum } : {},
          })),
          objectChecksums,
          checksumType,
          objectSize: plan.size,
          ifNoneMatch,
        },
        ctx.signal,
      ),
    );
  } catch (error) {
    const code = s3ErrorInfo(error instanceof StepError ? (error.cause ?? error) : error).code;
    if (code !== "NoSuchUpload" && !isCreateRefused(error)) throw error;
    return { expected, partsMethod, answer: null, completeError: error, sha256: sha256Hex };
  }
  if (algorithm !== null && checksumType === "FULL_OBJECT") {
    const echoed = answer.checksums[algorithm];
    if (echoed !== undefined && echoed !== checksumLocal) {
      throw new StepError(
        "CompleteMultipartUpload",
        `S3 answered ${algorithm} ${echoed}, local value is ${checksumLocal}`,
        HINTS.verify,
      );
    }
  }
  return { expected, partsMethod, answer, completeError: null, sha256: sha256Hex };
}

/**
 * Parts read at different times must come from one version of the file, or the object would mix two. Each
 * read is checked as it happens (part-reader.ts); this covers the whole span once more right before Complete.
 */
function ensureUnchanged(ctx: FileContext, handle: OpenFile): void {
  const change = handle.identity === undefined ? null : changeSinceOpen(handle.fd, handle.identity);
  if (change !== null) {
    throw new StepError(
      `read ${ctx.file.path}`,
      `the file changed during the upload (${change})`,
      "Make sure nothing writes to it while it uploads, then rerun.",
    );
  }
}

async function verifyParts(
  ctx: FileContext,
  plan: UploadPlan,
  uploadId: string,
  uploaded: Map<number, UploadedPart>,
  evidence: UploadEvidence,
  reupload: (part: PlannedPart) => Promise<unknown>,
): Promise<UploadOutcome["verification"]> {
  const { store, options, algorithm } = ctx.run;
  for (let round = 0; ; round++) {
    const listed = await call(ctx, "ListParts", HINTS.retry, () =>
      listAllParts(store, { bucket: options.bucket, key: ctx.file.key, uploadId }, ctx.signal),
    );
    const method = verificationMethod(algorithm, listed);
    if (method === "etag-md5" && algorithm !== null && options.requireChecksums) {
      throw requireChecksumsError("ListParts");
    }
    if (method === "etag-md5" && !evidence.etagIsMd5) throw unprovablePartsError("ListParts");
    const expected = plan.parts.map((part) => uploaded.get(part.number)!);
    const problems = compareParts(expected, listed, method, algorithm);
    if (problems.length === 0) return method;
    const described = problems
      .slice(0, 5)
      .map((problem) => `part ${problem.number}: ${problem.reason}`)
      .join("; ");
    if (round >= REPAIR_ROUNDS) {
      throw new StepError("verify parts", `after ${round} re-uploads, ${described}`, HINTS.verify);
    }
    ctx.run.emit({
      type: "warning",
      file: ctx.file,
      message: `Re-uploading ${problems.length} part(s) that ListParts showed wrong: ${described}`,
    });
    await forEachLimited(problems, options.concurrency, (problem) =>
      reupload(plan.parts[problem.number - 1]!),
    );
  }
}

function unprovablePartsError(step: string): StepError {
  return new StepError(
    step,
    "the store keeps no checksums for this upload and under SSE-KMS its ETags are not MD5s, so its parts " +
      "cannot be verified",
    UNPROVABLE_FIX,
  );
}
