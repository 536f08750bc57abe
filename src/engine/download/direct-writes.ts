// Whole aligned slabs go to the temp file through a second descriptor opened with O_DIRECT, past the page
// cache. A buffered write copies every byte into fresh page-cache pages, and the fsync before the rename
// then writes them out anyway: on the bench VM that copy was the largest cost of a download (2 CPU-s per GiB
// of 3.6; bench/results/download-direct-2026-11-30-night.md). Linux only; where the platform or the file
// system refuses it, every write stays buffered. Proof is unaffected: digests are of the bytes received.
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/** Offset, length and memory address of a direct write must be multiples of the device's logical block. */
export const DIRECT_ALIGNMENT = 4096;

export interface DirectWrites {
  /**
   * Writes `bytes` at `position` past the page cache; answers how many bytes it wrote: 0 when the write is
   * not one it can take (unaligned, or `aligned` false: the memory is not known to be aligned), or once the
   * file system refused one. The caller writes the rest through its buffered descriptor.
   */
  write(bytes: Buffer, position: number, aligned: boolean): Promise<number>;
  close(): Promise<void>;
}

const isAligned = (value: number): boolean => value % DIRECT_ALIGNMENT === 0;

/** Direct writes through `handle` (opened with O_DIRECT); the first refusal turns them off for this file. */
export function directWritesOver(handle: FileHandle): DirectWrites {
  let refused = false;
  return {
    async write(bytes, position, aligned) {
      if (refused || !aligned || !isAligned(position) || !isAligned(bytes.byteLength)) return 0;
      let done = 0;
      try {
        while (done < bytes.byteLength) {
          const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
          done += bytesWritten;
          // A short write that ends off a block leaves a rest only a buffered write can take.
          if (bytesWritten === 0 || !isAligned(done)) break;
        }
      } catch (error) {
        // EINVAL: the file system or device takes no direct writes, or needs a coarser alignment.
        if ((error as NodeJS.ErrnoException).code !== "EINVAL") throw error;
        refused = true;
      }
      return done;
    },
    close: () => handle.close(),
  };
}

/**
 * A direct-write descriptor for the file `buffered` has open at `path`, or null where O_DIRECT is not
 * available. The path is opened again, so the new descriptor is checked to be the same file.
 */
export async function openDirectWrites(path: string, buffered: FileHandle): Promise<DirectWrites | null> {
  const direct = (constants as { O_DIRECT?: number }).O_DIRECT;
  if (direct === undefined) return null;
  const handle = await open(path, constants.O_WRONLY | direct | (constants.O_NOFOLLOW ?? 0)).catch(
    () => null,
  );
  if (handle === null) return null;
  try {
    const [mine, theirs] = await Promise.all([handle.stat(), buffered.stat()]);
    if (mine.dev === theirs.dev && mine.ino === theirs.ino) return directWritesOver(handle);
  } catch {
    // Checked or not at all: a failed stat leaves the writes buffered.
  }
  await handle.close().catch(() => undefined);
  return null;
}
