// The whole file's SHA-256 (hex, what `sha256sum` prints), from the reads the upload makes anyway.
//
// SHA-256 must see the bytes in file order, while parts are read concurrently and finish in any order: a
// part's feed waits until every earlier part is hashed, holding only the buffer it holds anyway (it is sent
// after). Parts this pass does not read — the last part, sent alone first because it pins the file size for
// resume, and parts an earlier run stored that resume keeps — are read once more in their turn, for the hash
// alone, through a small buffer. Every part's hashed bytes are then checked against the digests it is proven
// with (what was sent and verified, or what the store holds), so the digest is never of bytes other than
// those stored. A part re-read for a retry or a repair is not fed: its bytes were hashed on the first read.
import { createMd5Hasher, createPartHasher, createSha256Hasher } from "./index.js";
import { StepError } from "../errors.js";
import { readPart, type OpenFile, type PartDigest } from "../upload/part-reader.js";
import type { PlannedPart } from "../upload/plan.js";
import type { ChecksumAlgorithm } from "../types.js";

/** The digests a part is proven with; at least one of them is set. */
export type PartProof = Pick<PartDigest, "number" | "digest" | "md5">;

export interface OrderedSha256Options {
  /** The run's additional checksum; parts read for the hash alone are checked with it, or with MD5. */
  algorithm: ChecksumAlgorithm | null;
  /** Parts never fed in this pass: read again for the hash when their turn comes. */
  rereadParts: ReadonlySet<number>;
}

// Reads for the hash alone go through a buffer this big, not a part's: they hold no pool slot.
const REREAD_CHUNK = 4 * 1024 * 1024;

const CHANGED = "the file changed during the upload — make sure nothing writes to it and rerun";

export class OrderedSha256 {
  private readonly sha256 = createSha256Hasher();
  /** What each part's hashed bytes digest to, for the check against its proof. */
  private readonly hashed = new Map<number, PartProof>();
  /** Per part (by index): settles once it and every part before it are hashed, or the hash is abandoned. */
  private readonly turns: Array<Promise<void>> = [];
  /** Opens the turn of a part still to be fed; removed when the feed starts. */
  private readonly gates = new Map<number, () => void>();
  private failure: string | null = null;

  constructor(
    private readonly file: OpenFile,
    private readonly parts: readonly PlannedPart[],
    private readonly options: OrderedSha256Options,
  ) {
    let previous: Promise<void> = Promise.resolve();
    for (const part of parts) {
      if (options.rereadParts.has(part.number)) {
        previous = previous.then(() => this.rehash(part));
      } else {
        previous = new Promise<void>((resolve) => this.gates.set(part.number, resolve));
      }
      this.turns.push(previous);
    }
  }

  /**
   * Hashes a part's bytes from its first read once every earlier part is hashed; resolves then. The caller
   * must not change `bytes` before this resolves.
   */
  async feed(part: PlannedPart, bytes: Uint8Array, digest: PartDigest): Promise<void> {
    // Failed or abandoned: every turn is open, and nothing more is hashed.
    if (this.failure !== null) return;
    const open = this.gates.get(part.number);
    if (open === undefined) {
      throw new Error(`OrderedSha256: part ${part.number} is fed twice or is read for the hash alone`);
    }
    this.gates.delete(part.number);
    try {
      await this.turns[part.number - 2];
      if (this.failure === null) {
        this.sha256.update(bytes);
        this.hashed.set(part.number, digest);
      }
    } finally {
      open();
    }
  }

  /** The upload of this file failed: parts waiting for their turn go on, nothing more is hashed. */
  abandon(): void {
    this.fail("the SHA-256 was abandoned because the upload of this file failed");
  }

  /** No digest will come: opens every turn still closed, so no part waits for one that is never fed. */
  private fail(reason: string): void {
    this.failure ??= reason;
    for (const open of this.gates.values()) open();
    this.gates.clear();
  }

  /** Settles when no read for the hash is in flight any more (before the file is closed). */
  async settled(): Promise<void> {
    await this.turns.at(-1);
  }

  /**
   * The hex digest, once every part is hashed and each part's hashed bytes match `proofs` (the digests the
   * parts are finally proven with); throws, saying the file changed, when they do not.
   */
  async finish(proofs: readonly PartProof[]): Promise<string> {
    if (this.gates.size > 0) {
      throw new Error(`OrderedSha256: part(s) ${[...this.gates.keys()].join(", ")} were never fed`);
    }
    await this.settled();
    if (this.failure !== null) throw new Error(this.failure);
    const proven = new Map(proofs.map((proof) => [proof.number, proof]));
    for (const part of this.parts) {
      const hashed = this.hashed.get(part.number)!;
      const proof = proven.get(part.number);
      const same = proof === undefined ? null : sameBytes(hashed, proof);
      if (same === null) {
        throw new Error(`OrderedSha256: part ${part.number} has no digest in common with its proof`);
      }
      if (!same) {
        throw new Error(
          `part ${part.number} read for the SHA-256 differs from the bytes it is proven with; ${CHANGED}`,
        );
      }
    }
    return this.sha256.digest().toString("hex");
  }

  private async rehash(part: PlannedPart): Promise<void> {
    if (this.failure !== null) return;
    const { algorithm } = this.options;
    try {
      const checksum = algorithm === null ? null : await createPartHasher(algorithm);
      const md5 = algorithm === null ? createMd5Hasher() : null;
      const chunk = Buffer.allocUnsafe(Math.min(REREAD_CHUNK, part.size));
      let done = 0;
      while (done < part.size && this.failure === null) {
        const size = Math.min(chunk.length, part.size - done);
        const bytes = chunk.subarray(0, size);
        await readPart(this.file, { number: part.number, offset: part.offset + done, size }, bytes);
        this.sha256.update(bytes);
        checksum?.update(bytes);
        md5?.update(bytes);
        done += size;
      }
      // digest() also hands a pooled hasher back, so it runs even when abandoned.
      const digest = checksum?.digest() ?? null;
      if (this.failure === null) {
        this.hashed.set(part.number, { number: part.number, digest, md5: md5?.digest() ?? null });
      }
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }
}

/** The hex digest (null without a hasher), or a StepError naming the file when its bytes changed. */
export async function finishSha256(
  path: string,
  hasher: OrderedSha256 | null,
  proofs: readonly PartProof[],
): Promise<string | null> {
  if (hasher === null) return null;
  try {
    return await hasher.finish(proofs);
  } catch (error) {
    throw new StepError(
      `read ${path}`,
      error instanceof Error ? error.message : String(error),
      "Make sure nothing writes to it while it uploads, then rerun.",
    );
  }
}

/** Whether two digests of a part agree on every value both have; null when they share none. */
function sameBytes(a: PartProof, b: PartProof): boolean | null {
  const pairs = [
    [a.digest, b.digest],
    [a.md5, b.md5],
  ].filter((pair): pair is [Buffer, Buffer] => pair[0] !== null && pair[1] !== null);
  if (pairs.length === 0) return null;
  return pairs.every(([x, y]) => x.equals(y));
}
