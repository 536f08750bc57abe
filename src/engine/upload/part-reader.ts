import { read, readSync } from "node:fs";
import { promisify } from "node:util";
import { digestWholePart } from "../checksum/index.js";
import { changeSinceOpen, type FileIdentity } from "./file-identity.js";
import type { PlannedPart } from "./plan.js";
import type { ChecksumAlgorithm } from "../types.js";

/** What we know locally about one part after reading it once. */
export interface PartDigest {
  number: number;
  size: number;
  /** Raw digest of the additional checksum; null when no algorithm is used. */
  digest: Buffer | null;
  /** Raw MD5, when Content-MD5 is sent or the store needs ETag verification. */
  md5: Buffer | null;
}

/** An open file by descriptor (a FileHandle fits too). */
export interface OpenFile {
  readonly fd: number;
  /** The version opened; when set, every read is checked to come from it. */
  readonly identity?: FileIdentity;
}

// Many small files are dominated by thread-pool round trips, not by reading: a read this small costs less
// on the main thread (from the page cache, tens of microseconds) than the hand-off; bigger ones stay off it.
const SYNC_READ_MAX = 1024 * 1024;
// fs.read refuses a length of 2 GiB or more and wraps one of 4 GiB to 0 (a false "file ended"), so parts
// above this are read in several calls.
const READ_MAX = 1024 * 1024 * 1024;

const readAsync = promisify(read);

async function readAt(
  file: OpenFile,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  if (length <= SYNC_READ_MAX) return readSync(file.fd, buffer, offset, length, position);
  return (await readAsync(file.fd, buffer, offset, length, position)).bytesRead;
}

/**
 * Fills `buffer` (exactly the part's length) from the file, at most `maxRead` bytes per read; a short read
 * means the file shrank.
 */
export async function readPart(
  file: OpenFile,
  part: PlannedPart,
  buffer: Buffer,
  maxRead: number = READ_MAX,
): Promise<void> {
  let filled = 0;
  while (filled < part.size) {
    const length = Math.min(part.size - filled, maxRead);
    const bytesRead = await readAt(file, buffer, filled, length, part.offset + filled);
    if (bytesRead === 0) {
      throw new Error(
        `the file ended at byte ${part.offset + filled} while reading part ${part.number}; ` +
          `it changed during the upload — make sure nothing writes to it and rerun`,
      );
    }
    filled += bytesRead;
  }
  // After the read, not before: a writer racing the read moves the ctime, so a torn buffer is caught here.
  const change = file.identity === undefined ? null : changeSinceOpen(file.fd, file.identity);
  if (change !== null) {
    throw new Error(
      `the file changed during the upload (${change}) while reading part ${part.number}; ` +
        "make sure nothing writes to it while it uploads, then rerun",
    );
  }
}

/** The part's digests; `bytes` must stay untouched until this settles (a worker may be reading them). */
export async function hashPart(
  part: PlannedPart,
  bytes: Buffer,
  algorithm: ChecksumAlgorithm | null,
  withMd5: boolean,
): Promise<PartDigest> {
  const { digest, md5 } = await digestWholePart(bytes, algorithm, withMd5);
  return { number: part.number, size: part.size, digest, md5 };
}
