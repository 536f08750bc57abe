// The fsync before the rename must wait for every written page to reach the disk; left to the end, that is
// seconds per GiB spent after the last byte arrived. Flushing what is written while the rest downloads (one
// fdatasync at a time, every few ranges) overlaps that wait with the transfer. The final fsync still runs and
// is what makes the file durable; this only leaves it less to do.
import type { FileHandle } from "node:fs/promises";

/** Written bytes between two early flushes: enough that the flushes are few. */
export const WRITEBACK_EVERY_BYTES = 64 * 1024 * 1024;

export interface EarlyWriteback {
  /** Counts bytes now written to the file; starts a flush when enough are and none is running. */
  written(bytes: number): void;
  /**
   * Waits for the flush under way. Throws its error: Linux reports a failed writeback to one fsync only, so
   * an error seen here may never reach the final fsync and must not be dropped.
   */
  settle(): Promise<void>;
}

export function createEarlyWriteback(
  handle: Pick<FileHandle, "datasync">,
  everyBytes: number = WRITEBACK_EVERY_BYTES,
): EarlyWriteback {
  let unflushed = 0;
  let running: Promise<void> | null = null;
  let failure: unknown = null;
  return {
    written(bytes) {
      unflushed += bytes;
      if (running !== null || failure !== null || unflushed < everyBytes) return;
      unflushed = 0;
      running = handle.datasync().then(
        () => {
          running = null;
        },
        (error: unknown) => {
          failure = error;
          running = null;
        },
      );
    },
    async settle() {
      await running;
      if (failure !== null) throw failure;
    },
  };
}
