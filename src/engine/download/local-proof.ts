// The overwrite policy's check: is the file already at the destination the stored object? Proven the same
// way a download is (the plan's digests, combined and compared with the store's value), never by size or mtime.
import { open, type FileHandle } from "node:fs/promises";
import { matchGuessedParts } from "./guessed-parts.js";
import {
  combineDigests,
  segmentHasher,
  type ProofAlgorithm,
  type ProofPlan,
  type Segment,
} from "./proof-plan.js";

const CHUNK = 1024 * 1024;

/** The plan's value computed from the local file, or null when the plan proves nothing or the size differs. */
export async function localProofValue(path: string, size: number, plan: ProofPlan): Promise<string | null> {
  if (plan.algorithm === null && plan.guessedParts === undefined) return null;
  const handle = await open(path, "r");
  try {
    if ((await handle.stat()).size !== size) return null;
    if (plan.algorithm === null) {
      const match = await matchGuessedParts(handle, size, plan.guessedParts!, plan.expected!);
      return match?.value ?? null;
    }
    if (plan.combination === "whole") {
      const digest = await hashRange(handle, { offset: 0, size, expected: null }, plan.algorithm);
      return digest === null ? null : combineDigests(plan, [digest]);
    }
    const digests: Buffer[] = [];
    for (const segment of plan.segments) {
      const digest = await hashRange(handle, segment, plan.algorithm);
      if (digest === null) return null;
      digests.push(digest);
    }
    return combineDigests(plan, digests);
  } finally {
    await handle.close();
  }
}

/** The digest of the segment's bytes as the file holds them; null when the file ends before the segment does. */
export async function hashRange(
  handle: FileHandle,
  segment: Segment,
  algorithm: ProofAlgorithm,
): Promise<Buffer | null> {
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(segment.size, 1)));
  const hasher = await segmentHasher(algorithm);
  for (let done = 0; done < segment.size;) {
    const { bytesRead } = await handle.read(
      buffer,
      0,
      Math.min(buffer.byteLength, segment.size - done),
      segment.offset + done,
    );
    if (bytesRead === 0) return null;
    hasher.update(buffer.subarray(0, bytesRead));
    done += bytesRead;
  }
  return hasher.digest();
}

/** The SHA-256 (hex) of the file's first `size` bytes; null when it is shorter. */
export async function localSha256(path: string, size: number): Promise<string | null> {
  const handle = await open(path, "r");
  try {
    const digest = await hashRange(handle, { offset: 0, size, expected: null }, "SHA256");
    return digest === null ? null : digest.toString("hex");
  } finally {
    await handle.close();
  }
}
