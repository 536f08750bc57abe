// Writes one GET's body at its offset in the temp file. Chunks are gathered into batches written with one
// positional writev (no copy): one trip to the thread pool per batch instead of per socket chunk, and the next
// batch fills from the socket while the previous one is written. Memory per GET: at most two batches.
import type { FileHandle } from "node:fs/promises";
import { writeAt } from "./temp-file.js";

/** Big enough to make a thread-pool trip rare, small enough that concurrency × 2 batches stays small. */
export const WRITE_BATCH_BYTES = 1024 * 1024;

export interface RangeWriter {
  /** Queues `chunk` after the bytes before it; waits only when a full batch must wait for the one before. */
  push(chunk: Buffer): Promise<void> | undefined;
  /** Writes what is left and resolves once every byte pushed is written. */
  finish(): Promise<void>;
  /**
   * Resolves once no write is in flight (errors ignored): a retry rewrites the range from its first byte,
   * and a stale batch landing after it would overwrite the new bytes.
   */
  settle(): Promise<void>;
}

export function createRangeWriter(
  handle: FileHandle,
  offset: number,
  batchBytes: number = WRITE_BATCH_BYTES,
): RangeWriter {
  let position = offset;
  let batch: Buffer[] = [];
  let batchSize = 0;
  let inFlight: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    const buffers = batch;
    const at = position;
    position += batchSize;
    batch = [];
    batchSize = 0;
    inFlight = writeAllAt(handle, buffers, at);
    // Seen by finish() or settle(); this keeps an abandoned write's failure from being unhandled meanwhile.
    inFlight.catch(() => undefined);
    return inFlight;
  };

  return {
    push(chunk) {
      batch.push(chunk);
      batchSize += chunk.byteLength;
      if (batchSize < batchBytes) return undefined;
      return inFlight.then(() => {
        flush();
      });
    },
    async finish() {
      await inFlight;
      if (batchSize > 0) await flush();
    },
    async settle() {
      await inFlight.catch(() => undefined);
    },
  };
}

/** All of `buffers`, back to back from `position`; a short writev is finished piece by piece. */
async function writeAllAt(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  const { bytesWritten } = await handle.writev(buffers, position);
  let skip = bytesWritten;
  let at = position;
  for (const buffer of buffers) {
    if (skip >= buffer.byteLength) {
      skip -= buffer.byteLength;
      at += buffer.byteLength;
      continue;
    }
    await writeAt(handle, buffer.subarray(skip), at + skip);
    at += buffer.byteLength;
    skip = 0;
  }
}
