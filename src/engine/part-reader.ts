import type { FileHandle } from "node:fs/promises";
import { createPartHasher, md5 } from "./checksum/index.js";
import type { PlannedPart } from "./plan.js";
import type { ChecksumAlgorithm } from "./types.js";

/** What we know locally about one part after reading it once. */
export interface PartDigest {
  number: number;
  size: number;
  /** Raw digest of the additional checksum; null when no algorithm is used. */
  digest: Buffer | null;
  /** Raw MD5, when Content-MD5 is sent or the store needs ETag verification. */
  md5: Buffer | null;
}

/** Fills `buffer` (exactly the part's length) from the file; a short read means the file shrank. */
export async function readPart(handle: FileHandle, part: PlannedPart, buffer: Buffer): Promise<void> {
  let filled = 0;
  while (filled < part.size) {
    const { bytesRead } = await handle.read(buffer, filled, part.size - filled, part.offset + filled);
    if (bytesRead === 0) {
      throw new Error(
        `the file ended at byte ${part.offset + filled} while reading part ${part.number}; ` +
          `it changed during the upload — make sure nothing writes to it and rerun`,
      );
    }
    filled += bytesRead;
  }
}

export async function hashPart(
  part: PlannedPart,
  bytes: Buffer,
  algorithm: ChecksumAlgorithm | null,
  withMd5: boolean,
): Promise<PartDigest> {
  let digest: Buffer | null = null;
  if (algorithm !== null) {
    const hasher = await createPartHasher(algorithm);
    hasher.update(bytes);
    digest = hasher.digest();
  }
  return { number: part.number, size: part.size, digest, md5: withMd5 ? md5(bytes) : null };
}
