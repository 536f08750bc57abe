// How one object is proven, decided from its HEAD: the strongest proof the store keeps, and the byte segments
// to hash for it. A segment is one GET and one digest; segments are combined in offset order at the end.
import {
  combineFullObject,
  compositeChecksum,
  createMd5Hasher,
  createPartHasher,
  isFullObjectAlgorithm,
  md5,
  type PartHasher,
} from "../checksum/index.js";
import type { StoredObject } from "../s3/s3-client.js";
import type { ChecksumAlgorithm, ChecksumType, VerificationMethod } from "../types.js";

/** The hash a segment is digested with: a stored checksum's algorithm, or MD5 for an ETag. */
export type ProofAlgorithm = ChecksumAlgorithm | "MD5";

/**
 * How segment digests make the value compared with the store's. "whole": one digest of every byte in file
 * order, which per-segment digests cannot make: segments are not hashed, the file is (ordered-file-hash.ts).
 */
export type Combination = "full-object" | "composite" | "whole" | "md5-of-md5s";

export interface Segment {
  offset: number;
  size: number;
  /** The digest the store keeps for this part (COMPOSITE parts, from HEAD with partNumber); null when none. */
  expected: Buffer | null;
}

export interface ProofPlan {
  verification: VerificationMethod;
  /** null: nothing is hashed ("none"). */
  algorithm: ProofAlgorithm | null;
  combination: Combination | null;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  /** The store's value, as S3 shows it: base64 checksum (with -N when COMPOSITE), or the ETag. */
  expected: string | null;
  segments: Segment[];
  notes: string[];
  /**
   * An MD5-of-MD5s ETag of this many parts whose sizes the store does not tell: common part sizes are tried
   * on the downloaded bytes (guessed-parts.ts); unproven when none gives the ETag.
   */
  guessedParts?: number;
}

/** The object's parts, in order: sizes, and each part's stored checksum when the store gave one. */
export interface PartLayout {
  sizes: number[];
  checksums: Array<string | undefined>;
}

/** Finds the parts of an object of `parts` parts, with their stored `algorithm` checksums; null when unknown. */
export type PartLayoutSource = (
  parts: number,
  algorithm: ChecksumAlgorithm | null,
) => Promise<PartLayout | null>;

const MULTIPART_SUFFIX = /-(\d+)$/;

/** The part count an ETag or a COMPOSITE checksum carries ("…-N"); null for a single-part value. */
export function partCountOf(value: string): number | null {
  const match = MULTIPART_SUFFIX.exec(value);
  return match ? Number(match[1]) : null;
}

/** The one additional checksum the object stores, if any. */
export function storedChecksum(head: StoredObject): { algorithm: ChecksumAlgorithm; value: string } | null {
  for (const [algorithm, value] of Object.entries(head.checksums)) {
    if (value) return { algorithm: algorithm as ChecksumAlgorithm, value };
  }
  return null;
}

/** Ranges of at most rangeSize bytes covering the object; one empty segment for an empty object. */
export function rangeSegments(size: number, rangeSize: number): Segment[] {
  if (size === 0) return [{ offset: 0, size: 0, expected: null }];
  const segments: Segment[] = [];
  for (let offset = 0; offset < size; offset += rangeSize) {
    segments.push({ offset, size: Math.min(rangeSize, size - offset), expected: null });
  }
  return segments;
}

function partSegments(layout: PartLayout, algorithm: ChecksumAlgorithm | null): Segment[] {
  let offset = 0;
  return layout.sizes.map((size, index) => {
    const stored = layout.checksums[index];
    const segment = { offset, size, expected: algorithm && stored ? Buffer.from(stored, "base64") : null };
    offset += size;
    return segment;
  });
}

/** Whether the ETag is an MD5 of the bytes: not under SSE-KMS or SSE-C, where it is an opaque value. */
function etagIsMd5(head: StoredObject): boolean {
  return !head.sseCustomer && !(head.sse ?? "").startsWith("aws:kms");
}

/** A download without proof: ranges of rangeSize, nothing hashed. */
export function unproven(head: StoredObject, rangeSize: number, note: string): ProofPlan {
  return {
    verification: "none",
    algorithm: null,
    combination: null,
    checksumAlgorithm: null,
    checksumType: null,
    expected: null,
    segments: rangeSegments(head.size, rangeSize),
    notes: [note],
  };
}

/**
 * The strongest proof of the object: a FULL_OBJECT CRC (ranges of rangeSize, combined), a COMPOSITE checksum
 * (part-aligned, each part checked), a whole-object checksum of a single PUT (one GET), the ETag as MD5
 * (single part), the ETag as MD5 of part MD5s (part-aligned); else none. `layout` is asked for only when a
 * proof needs the object's parts; it answers null when the store does not tell them.
 */
export async function planProof(
  head: StoredObject,
  rangeSize: number,
  layout: PartLayoutSource,
): Promise<ProofPlan> {
  const checksum = storedChecksum(head);
  if (checksum !== null) {
    const { algorithm, value } = checksum;
    const parts = partCountOf(value);
    const base = {
      verification: "checksum" as const,
      algorithm,
      checksumAlgorithm: algorithm,
      expected: value,
      notes: [],
    };
    if (parts === null && isFullObjectAlgorithm(algorithm)) {
      return {
        ...base,
        combination: "full-object",
        checksumType: "FULL_OBJECT",
        segments: rangeSegments(head.size, rangeSize),
      };
    }
    if (parts === null) {
      // A single PUT's SHA digest is of the whole stream: parallel ranges, hashed in file order from disk.
      return {
        ...base,
        combination: "whole",
        checksumType: "FULL_OBJECT",
        segments: rangeSegments(head.size, rangeSize),
      };
    }
    const found = await layout(parts, algorithm);
    if (found !== null && found.sizes.length === parts) {
      return {
        ...base,
        combination: "composite",
        checksumType: "COMPOSITE",
        segments: partSegments(found, algorithm),
      };
    }
    const fallback = await etagPlan(head, rangeSize, layout);
    fallback.notes.unshift(
      `The ${algorithm} COMPOSITE checksum needs the object's part sizes, which the store did not give.`,
    );
    return fallback;
  }
  return etagPlan(head, rangeSize, layout);
}

async function etagPlan(head: StoredObject, rangeSize: number, layout: PartLayoutSource): Promise<ProofPlan> {
  if (!etagIsMd5(head)) {
    return unproven(
      head,
      rangeSize,
      "The object has no additional checksum and is encrypted with SSE-KMS or SSE-C, so its ETag is not an MD5: nothing proves it.",
    );
  }
  // OSS writes its ETags in upper case; the digests they are compared with are lower-case hex.
  const etag = head.etag.toLowerCase();
  const base = {
    verification: "etag-md5" as const,
    algorithm: "MD5" as const,
    checksumAlgorithm: null,
    checksumType: null,
    expected: etag,
    notes: ["The object has no additional checksum: proven by its ETag (MD5)."],
  };
  const parts = partCountOf(etag);
  if (parts === null && /^[0-9a-f]{32}$/.test(etag)) {
    return { ...base, combination: "whole", segments: rangeSegments(head.size, rangeSize) };
  }
  const found = parts === null ? null : await layout(parts, null);
  if (found !== null && found.sizes.length === parts) {
    return { ...base, combination: "md5-of-md5s", segments: partSegments(found, null) };
  }
  if (parts !== null) {
    return {
      ...base,
      algorithm: null,
      combination: "md5-of-md5s",
      guessedParts: parts,
      segments: rangeSegments(head.size, rangeSize),
    };
  }
  return unproven(
    head,
    rangeSize,
    `The object has no additional checksum and its ETag ${head.etag} is not an MD5: nothing proves it.`,
  );
}

export async function segmentHasher(algorithm: ProofAlgorithm): Promise<PartHasher> {
  return algorithm === "MD5" ? createMd5Hasher() : createPartHasher(algorithm);
}

/** The value the segments' digests make (for "whole", the one digest of the file), in `expected`'s form. */
export function combineDigests(plan: ProofPlan, digests: readonly Buffer[]): string {
  const algorithm = plan.algorithm;
  if (algorithm === null || plan.combination === null) throw new Error("combineDigests: nothing to combine");
  switch (plan.combination) {
    case "full-object":
      if (algorithm === "MD5" || !isFullObjectAlgorithm(algorithm)) break;
      return combineFullObject(
        algorithm,
        plan.segments.map((segment, index) => ({ digest: digests[index]!, size: segment.size })),
      ).toString("base64");
    case "composite":
      if (algorithm === "MD5") break;
      return compositeChecksum(algorithm, digests);
    case "whole":
      return algorithm === "MD5" ? digests[0]!.toString("hex") : digests[0]!.toString("base64");
    case "md5-of-md5s":
      return `${md5(Buffer.concat(digests)).toString("hex")}-${digests.length}`;
  }
  throw new Error(`combineDigests: ${algorithm} cannot be combined as ${plan.combination}`);
}
