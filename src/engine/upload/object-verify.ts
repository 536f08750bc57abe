import { createHash } from "node:crypto";
import type { StoredObject } from "../s3/s3-client.js";
import type { ChecksumAlgorithm } from "../types.js";

/** What the stored object must look like, from local reads only. */
export interface ExpectedObject {
  size: number;
  algorithm: ChecksumAlgorithm | null;
  /** As S3 shows it ("b64" or "b64-N"); null when no algorithm. */
  checksum: string | null;
  /** Hex ETag S3 derives from MD5s; null when some part's MD5 was not computed. */
  etag: string | null;
}

/** S3's ETag: MD5 hex for a single PUT, MD5 of the concatenated part MD5s plus "-N" for multipart. */
export function expectedEtag(multipart: boolean, partMd5s: ReadonlyArray<Buffer | null>): string | null {
  if (partMd5s.some((md5) => md5 === null)) return null;
  const md5s = partMd5s as Buffer[];
  if (!multipart) return md5s[0]?.toString("hex") ?? null;
  const combined = createHash("md5").update(Buffer.concat(md5s)).digest("hex");
  return `${combined}-${md5s.length}`;
}

/** A store's ETag against the local MD5-derived one: hex in any case (OSS writes upper case). */
export function sameEtag(stored: string, local: string | null): boolean {
  return local !== null && stored.toLowerCase() === local.toLowerCase();
}

/**
 * Whether an answer's ETag can be an MD5 of the data: not under SSE-KMS, which the store names in the answer
 * (a bucket's default encryption applies without the request asking for it, so the request cannot tell).
 */
export function etagIsMd5(answer: { sse?: string }): boolean {
  return answer.sse !== "aws:kms" && answer.sse !== "aws:kms:dsse";
}

/** The fix when neither a checksum nor the ETag can prove an object. */
export const UNPROVABLE_FIX =
  "Choose a checksum algorithm the store records (e.g. CRC64NVME on Amazon S3), or upload without SSE-KMS.";

export type ObjectCheck =
  | { ok: true; method: "checksum" | "etag-md5"; remoteChecksum: string | null }
  /** unprovable: nothing could be compared (size alone is never proof); else the content differs. */
  | { ok: false; problem: string; unprovable: boolean };

/**
 * Compares the stored object with local values: size always, then the checksum when the store reports one,
 * else the MD5-derived ETag. When neither can be compared the object is not proven, whatever its size.
 */
export function checkStoredObject(expected: ExpectedObject, stored: StoredObject): ObjectCheck {
  if (stored.size !== expected.size) {
    return {
      ok: false,
      problem: `stored size is ${stored.size} bytes, local file is ${expected.size}`,
      unprovable: false,
    };
  }
  const remoteChecksum = expected.algorithm === null ? undefined : stored.checksums[expected.algorithm];
  if (remoteChecksum !== undefined && expected.checksum !== null) {
    if (remoteChecksum !== expected.checksum) {
      return {
        ok: false,
        problem: `stored ${expected.algorithm} is ${remoteChecksum}, local is ${expected.checksum}`,
        unprovable: false,
      };
    }
    return { ok: true, method: "checksum", remoteChecksum };
  }
  const noChecksum =
    expected.algorithm === null
      ? "no checksum algorithm is used"
      : `the store shows no ${expected.algorithm} checksum for it`;
  if (sameEtag(stored.etag, expected.etag)) {
    return { ok: true, method: "etag-md5", remoteChecksum: null };
  }
  if (!etagIsMd5(stored)) {
    return {
      ok: false,
      problem: `${noChecksum} and under SSE-KMS its ETag is not an MD5, so nothing can prove its content (size alone is no proof)`,
      unprovable: true,
    };
  }
  if (expected.etag === null) {
    return {
      ok: false,
      problem: `${noChecksum} and this upload has no MD5s to compare its ETag with (size alone is no proof)`,
      unprovable: true,
    };
  }
  return {
    ok: false,
    problem: `stored ETag is ${stored.etag}, local MD5-derived ETag is ${expected.etag}`,
    unprovable: false,
  };
}
