import type { ListedPart, ObjectTarget, S3Store } from "../s3/s3-client.js";
import type { ChecksumAlgorithm } from "../types.js";

/** What the engine expects S3 to hold for one part, from reading it and from UploadPart's answer. */
export interface UploadedPart {
  number: number;
  size: number;
  etag: string;
  /** Base64 checksum we computed; null without an algorithm. */
  checksum: string | null;
  /** Raw digest behind `checksum`, kept for the whole-object value. */
  digest: Buffer | null;
  /** Hex MD5 we computed; null when we did not compute one. */
  md5Hex: string | null;
}

export type PartsVerification = "checksum" | "etag-md5";

export interface PartProblem {
  number: number;
  reason: string;
}

export async function listAllParts(
  store: S3Store,
  target: ObjectTarget & { uploadId: string },
  signal?: AbortSignal,
): Promise<ListedPart[]> {
  const parts: ListedPart[] = [];
  let marker: string | undefined;
  do {
    const page = await store.listPartsPage(marker === undefined ? target : { ...target, marker }, signal);
    parts.push(...page.parts);
    if (page.nextMarker !== undefined && page.nextMarker === marker) {
      throw new Error(`ListParts pagination did not advance past part-number-marker ${marker}`);
    }
    marker = page.nextMarker;
  } while (marker !== undefined);
  return parts;
}

/**
 * Which proof the listed parts allow: checksums when the store kept them, else ETag = MD5. A store that kept
 * checksums for some parts and not others is not a store that drops them; those parts are problems.
 */
export function verificationMethod(
  algorithm: ChecksumAlgorithm | null,
  listed: ListedPart[],
): PartsVerification {
  if (algorithm === null) return "etag-md5";
  return listed.some((part) => part.checksums[algorithm] !== undefined) ? "checksum" : "etag-md5";
}

/** Every planned part must be listed with the size, ETag and checksum (or MD5) we know locally. */
export function compareParts(
  expected: readonly UploadedPart[],
  listed: readonly ListedPart[],
  method: PartsVerification,
  algorithm: ChecksumAlgorithm | null,
): PartProblem[] {
  const byNumber = new Map(listed.map((part) => [part.number, part]));
  const problems: PartProblem[] = [];
  for (const part of expected) {
    const found = byNumber.get(part.number);
    const problem = found ? partMismatch(part, found, method, algorithm) : "missing from ListParts";
    if (problem) problems.push({ number: part.number, reason: problem });
  }
  return problems;
}

function partMismatch(
  part: UploadedPart,
  found: ListedPart,
  method: PartsVerification,
  algorithm: ChecksumAlgorithm | null,
): string | null {
  if (found.size !== part.size) return `size ${found.size} listed, ${part.size} uploaded`;
  const etagProblem =
    part.etag !== "" && found.etag !== part.etag
      ? `ETag ${found.etag} listed, UploadPart answered ${part.etag}`
      : null;
  if (method === "checksum" && algorithm !== null) {
    // The checksum is the proof, so it is named first; a stored part that changed shows both.
    const remote = found.checksums[algorithm];
    const checksumProblem =
      remote === undefined
        ? `no ${algorithm} checksum listed`
        : remote !== part.checksum
          ? `${algorithm} ${remote} listed, local ${part.checksum}`
          : null;
    const problems = [checksumProblem, etagProblem].filter((problem) => problem !== null);
    return problems.length === 0 ? null : problems.join("; ");
  }
  if (etagProblem !== null) return etagProblem;
  // Only here is the ETag the proof; with checksums, stores whose ETags are not MD5s must still pass.
  if (part.md5Hex === null) return "no local MD5 to compare the ETag with";
  // Hex is hex in either case: OSS writes its ETags upper-case.
  if (found.etag.toLowerCase() !== part.md5Hex)
    return `ETag ${found.etag} listed, local MD5 is ${part.md5Hex}`;
  return null;
}
