import { HINTS, s3ErrorInfo, StepError } from "./errors.js";
import { hashPart, readPart, type OpenFile, type PartDigest } from "./part-reader.js";
import type { PlannedPart } from "./plan.js";
import { call, needsMd5, type FileContext } from "./run-context.js";
import type { Checksums, WriteAnswer } from "./s3-client.js";

export interface SentPart {
  digest: PartDigest;
  answer: WriteAnswer;
}

export type Sender = (
  body: Buffer,
  checksums: Checksums,
  contentMd5: string | undefined,
) => Promise<WriteAnswer>;

function checksumsOf(ctx: FileContext, digest: PartDigest): Checksums {
  const algorithm = ctx.run.algorithm;
  return algorithm !== null && digest.digest !== null
    ? { [algorithm]: digest.digest.toString("base64") }
    : {};
}

/**
 * Reads one part once into a pooled buffer, hashes it from that buffer and sends that buffer. A BadDigest
 * answer means the bytes S3 received differ from what we hashed: read and hash once more (the file may
 * have changed under us), then fail.
 */
export function sendPart(
  ctx: FileContext,
  handle: OpenFile,
  part: PlannedPart,
  step: string,
  send: Sender,
  forceMd5 = false,
): Promise<SentPart> {
  return ctx.run.pool.run(
    part.size,
    async (buffer) => {
      let digest = await readAndHash(ctx, handle, part, buffer, forceMd5);
      const attempt = (): Promise<WriteAnswer> =>
        call(ctx, step, HINTS.retry, () =>
          send(buffer, checksumsOf(ctx, digest), digest.md5?.toString("base64")),
        );
      try {
        return { digest, answer: await attempt() };
      } catch (error) {
        if (!isBadDigest(error)) throw error;
        const again = await readAndHash(ctx, handle, part, buffer, forceMd5);
        if (!sameDigest(digest, again)) {
          throw new StepError(
            step,
            `part ${part.number} read differently the second time`,
            "The file changed during the upload; make sure nothing writes to it and rerun.",
          );
        }
        digest = again;
        ctx.run.emit({
          type: "retry",
          file: ctx.file,
          operation: step,
          attempt: 1,
          reason: "BadDigest; re-read",
        });
        return { digest, answer: await attempt() };
      }
    },
    ctx.signal,
  );
}

async function readAndHash(
  ctx: FileContext,
  handle: OpenFile,
  part: PlannedPart,
  buffer: Buffer,
  forceMd5: boolean,
): Promise<PartDigest> {
  try {
    await readPart(handle, part, buffer);
  } catch (error) {
    throw new StepError(
      `read ${ctx.file.path}`,
      (error as Error).message,
      "Check the file is readable and stable.",
    );
  }
  return hashPart(part, buffer, ctx.run.algorithm, forceMd5 || needsMd5(ctx.run));
}

function isBadDigest(error: unknown): boolean {
  const cause = error instanceof StepError ? (error.cause ?? error) : error;
  const code = s3ErrorInfo(cause).code;
  return code === "BadDigest" || code === "InvalidDigest" || code === "XAmzContentChecksumMismatch";
}

function sameDigest(a: PartDigest, b: PartDigest): boolean {
  const equal = (x: Buffer | null, y: Buffer | null): boolean =>
    x === null ? y === null : y !== null && x.equals(y);
  return equal(a.digest, b.digest) && equal(a.md5, b.md5);
}
