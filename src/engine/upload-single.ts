import { confirmObject, requireChecksumsError, type UploadOutcome } from "./confirm-object.js";
import { HINTS, StepError } from "./errors.js";
import { expectedEtag } from "./object-verify.js";
import type { OpenFile } from "./part-reader.js";
import { sendPart } from "./part-transfer.js";
import type { UploadPlan } from "./plan.js";
import type { FileContext } from "./run-context.js";

// A single PutObject cannot be taken back like a multipart upload can be aborted.
const WRITTEN = "The object was written but is not proven by a checksum; delete it if that matters.";

export interface SingleOutcome extends UploadOutcome {
  checksumLocal: string | null;
}

/** Files below the multipart threshold: one PutObject carrying the same checksums a part would. */
export async function uploadSingle(
  ctx: FileContext,
  handle: OpenFile,
  plan: UploadPlan,
  ifNoneMatch: boolean,
): Promise<SingleOutcome> {
  const { store, options, algorithm, traits } = ctx.run;
  const part = plan.parts[0]!;
  const sent = await sendPart(ctx, handle, part, "PutObject", (body, checksums, contentMd5) =>
    store.putObject(
      {
        bucket: options.bucket,
        key: ctx.file.key,
        body,
        headers: ctx.headers,
        checksums,
        ...(options.contentMd5 && contentMd5 ? { contentMd5 } : {}),
        ifNoneMatch,
      },
      ctx.signal,
    ),
  );
  ctx.run.emit({ type: "progress", file: ctx.file, bytesDone: plan.size, size: plan.size });
  const checksumLocal = sent.digest.digest?.toString("base64") ?? null;
  if (algorithm !== null) {
    const echoed = sent.answer.checksums[algorithm];
    if (echoed !== undefined && echoed !== checksumLocal) {
      throw new StepError(
        "PutObject",
        `S3 answered ${algorithm} ${echoed}, local value is ${checksumLocal}`,
        HINTS.verify,
      );
    }
    traits.keepsChecksums ??= echoed !== undefined;
    if (echoed === undefined && options.requireChecksums) throw requireChecksumsError("PutObject", WRITTEN);
  }
  const expected = {
    size: plan.size,
    algorithm,
    checksum: checksumLocal,
    etag: ctx.run.etagIsMd5 ? expectedEtag(false, [sent.digest.md5]) : null,
  };
  const method =
    algorithm !== null && sent.answer.checksums[algorithm] !== undefined ? "checksum" : "etag-md5";
  const outcome = await confirmObject(ctx, expected, sent.answer, method);
  return { ...outcome, checksumLocal };
}
