import { HINTS, s3ErrorInfo, StepError } from "../errors.js";
import type { OrderedSha256 } from "../checksum/ordered-sha256.js";
import { hashPart, readPart, type OpenFile, type PartDigest } from "./part-reader.js";
import type { PlannedPart } from "./plan.js";
import type { TransferPool } from "../pool.js";
import { backoffDelay, sleep } from "../retry.js";
import { call, type FileContext } from "../run-context.js";
import type { Checksums, WriteAnswer } from "../s3/s3-client.js";

export interface SentPart {
  digest: PartDigest;
  answer: WriteAnswer;
}

/** Sends one body; `contentMd5` is set exactly when the part was hashed with MD5. */
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
 * Reads one part into a pooled buffer, hashes it from that buffer and sends that buffer. `withMd5` is decided
 * once per part by the caller and holds for every re-read. A digest error (the store received other bytes
 * than we hashed) is a transient fault like a reset: within the retry budget the part is read and hashed
 * again and sent again; only a re-read whose values differ from the first read means the file changed.
 * `onRead` gets the values read, so a caller can still judge a send that failed ambiguously. `sha256` is fed
 * the first read only, before it is sent: a re-read is checked to be the same bytes, so it is not hashed again.
 * `pool` is where the transfer waits for its turn and buffer: the run's part pool unless given.
 */
export async function sendPart(
  ctx: FileContext,
  handle: OpenFile,
  part: PlannedPart,
  step: string,
  send: Sender,
  withMd5: boolean,
  extras: { onRead?: (digest: PartDigest) => void; sha256?: OrderedSha256; pool?: TransferPool } = {},
): Promise<SentPart> {
  let fed = false;
  try {
    return await transferPart(ctx, handle, part, step, send, withMd5, {
      ...extras,
      onFed: () => {
        fed = true;
      },
    });
  } catch (error) {
    // Later parts wait in their pool slots for this one's turn in the hash: they must not wait for a part
    // that failed before its bytes were hashed.
    if (!fed) extras.sha256?.abandon();
    throw error;
  }
}

function transferPart(
  ctx: FileContext,
  handle: OpenFile,
  part: PlannedPart,
  step: string,
  send: Sender,
  withMd5: boolean,
  extras: {
    onRead?: (digest: PartDigest) => void;
    sha256?: OrderedSha256;
    pool?: TransferPool;
    onFed: () => void;
  },
): Promise<SentPart> {
  return (extras.pool ?? ctx.run.pool).run(
    part.size,
    async (buffer) => {
      const first = await readAndHash(ctx, handle, part, buffer, withMd5);
      extras.onRead?.(first);
      await extras.sha256?.feed(part, buffer, first);
      extras.onFed();
      let digest = first;
      for (let attempt = 1; ; attempt++) {
        try {
          const answer = await call(ctx, step, HINTS.retry, () =>
            send(buffer, checksumsOf(ctx, digest), digest.md5?.toString("base64")),
          );
          return { digest, answer };
        } catch (error) {
          const code = digestErrorCode(error);
          if (code === null || attempt >= ctx.run.retry.maxAttempts || ctx.signal?.aborted) throw error;
          ctx.run.emit({
            type: "retry",
            file: ctx.file,
            operation: step,
            attempt,
            reason: `${code}: the store received other bytes than were sent; re-reading part ${part.number}`,
          });
          await sleep(backoffDelay(attempt, ctx.run.retry), ctx.signal);
          digest = await readAndHash(ctx, handle, part, buffer, withMd5);
          if (!sameDigest(first, digest)) {
            throw new StepError(
              step,
              `part ${part.number} read differently after the store answered ${code}`,
              "The file changed during the upload; make sure nothing writes to it and rerun.",
            );
          }
        }
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
  withMd5: boolean,
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
  return hashPart(part, buffer, ctx.run.algorithm, withMd5);
}

const DIGEST_CODES = new Set(["BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch"]);

function digestErrorCode(error: unknown): string | null {
  const cause = error instanceof StepError ? (error.cause ?? error) : error;
  const code = s3ErrorInfo(cause).code;
  return DIGEST_CODES.has(code) ? code : null;
}

function sameDigest(a: PartDigest, b: PartDigest): boolean {
  const equal = (x: Buffer | null, y: Buffer | null): boolean =>
    x === null ? y === null : y !== null && x.equals(y);
  return equal(a.digest, b.digest) && equal(a.md5, b.md5);
}
