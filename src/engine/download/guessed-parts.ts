// A multipart object without additional checksums on a store that does not tell its part sizes (Ceph RGW
// ignores partNumber) and was not uploaded by this tool: its ETag, MD5 of the part MD5s, can still be
// recomputed if the uploader used a common uniform part size. Each candidate size is tried in one read of the
// downloaded bytes; only a candidate whose MD5 of MD5s equals the ETag proves anything.
import type { FileHandle } from "node:fs/promises";
import { createMd5Hasher, md5, type PartHasher } from "../checksum/index.js";

const MiB = 1024 * 1024;
// aws-cli 8 MiB, rclone/SDK defaults 5 MiB, s5cmd 50 MiB, and the usual powers of two.
const COMMON_PART_SIZES = [5, 6, 8, 10, 15, 16, 25, 32, 50, 64, 100, 128, 256, 512, 1024].map((n) => n * MiB);
/** More candidates cost one more MD5 of the whole object each. */
const MAX_CANDIDATES = 8;
const CHUNK = MiB;

/** Uniform part sizes (whole MiB) that split `size` bytes into exactly `parts` parts, common ones first. */
export function candidatePartSizes(size: number, parts: number): number[] {
  if (parts < 2) return parts === 1 ? [size] : [];
  const fits = (partSize: number): boolean => partSize > 0 && Math.ceil(size / partSize) === parts;
  const lowest = Math.ceil(size / parts / MiB);
  const highest = Math.ceil(size / (parts - 1) / MiB) - 1;
  const range = Array.from(
    { length: Math.max(0, Math.min(highest - lowest + 1, 64)) },
    (_, i) => (lowest + i) * MiB,
  );
  const ordered = [...COMMON_PART_SIZES.filter(fits), ...range.filter(fits)];
  return [...new Set(ordered)].slice(0, MAX_CANDIDATES);
}

interface Candidate {
  partSize: number;
  digests: Buffer[];
  current: PartHasher;
  filled: number;
}

/** The part size whose MD5 of part MD5s ("…-N") equals `etag`, reading the file once; null when none does. */
export async function matchGuessedParts(
  handle: FileHandle,
  size: number,
  parts: number,
  etag: string,
): Promise<{ partSize: number; value: string } | null> {
  const candidates: Candidate[] = candidatePartSizes(size, parts).map((partSize) => ({
    partSize,
    digests: [],
    current: createMd5Hasher(),
    filled: 0,
  }));
  if (candidates.length === 0) return null;
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (let offset = 0; offset < size;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - offset), offset);
    if (bytesRead === 0) return null;
    for (const candidate of candidates) feed(candidate, buffer.subarray(0, bytesRead));
    offset += bytesRead;
  }
  for (const candidate of candidates) {
    if (candidate.filled > 0) candidate.digests.push(candidate.current.digest());
    const value = `${md5(Buffer.concat(candidate.digests)).toString("hex")}-${candidate.digests.length}`;
    if (value === etag) return { partSize: candidate.partSize, value };
  }
  return null;
}

function feed(candidate: Candidate, bytes: Buffer): void {
  let at = 0;
  while (at < bytes.byteLength) {
    const take = Math.min(candidate.partSize - candidate.filled, bytes.byteLength - at);
    candidate.current.update(bytes.subarray(at, at + take));
    candidate.filled += take;
    at += take;
    if (candidate.filled === candidate.partSize) {
      candidate.digests.push(candidate.current.digest());
      candidate.current = createMd5Hasher();
      candidate.filled = 0;
    }
  }
}
