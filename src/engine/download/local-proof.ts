// The overwrite policy's check: is the file already at the destination the stored object? Proven the same
// way a download is (the plan's digests, combined and compared with the store's value), never by size or mtime.
import { open } from "node:fs/promises";
import { matchGuessedParts } from "./guessed-parts.js";
import { combineDigests, segmentHasher, type ProofPlan } from "./proof-plan.js";

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
    const buffer = Buffer.allocUnsafe(CHUNK);
    const digests: Buffer[] = [];
    for (const segment of plan.segments) {
      const hasher = await segmentHasher(plan.algorithm);
      for (let done = 0; done < segment.size;) {
        const { bytesRead } = await handle.read(
          buffer,
          0,
          Math.min(CHUNK, segment.size - done),
          segment.offset + done,
        );
        if (bytesRead === 0) return null;
        hasher.update(buffer.subarray(0, bytesRead));
        done += bytesRead;
      }
      digests.push(hasher.digest());
    }
    return combineDigests(plan, digests);
  } finally {
    await handle.close();
  }
}
