import { createHash } from "node:crypto";
import type { StoredObject } from "./s3-client.js";
import type { ChecksumAlgorithm } from "./types.js";

/** What the stored object must look like, from local reads only. */
export interface ExpectedObject {
  size: number;
  algorithm: ChecksumAlgorithm | null;
  /** As S3 shows it ("b64" or "b64-N"); null when no algorithm. */
  checksum: string | null;
  /** Hex ETag S3 derives from MD5s; null when unknown (no MD5s, or SSE-KMS). */
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

export type ObjectCheck =
  | { ok: true; method: "checksum" | "etag-md5" | "size-only"; remoteChecksum: string | null }
  | { ok: false; problem: string };

/**
 * Compares the stored object with local values: size always, then the checksum when the store reports one,
 * else the MD5-derived ETag. "size-only" is returned only when neither can be checked; callers decide
 * whether that is acceptable.
 */
export function checkStoredObject(expected: ExpectedObject, stored: StoredObject): ObjectCheck {
  if (stored.size !== expected.size) {
    return { ok: false, problem: `stored size is ${stored.size} bytes, local file is ${expected.size}` };
  }
  const remoteChecksum = expected.algorithm === null ? undefined : stored.checksums[expected.algorithm];
  if (remoteChecksum !== undefined && expected.checksum !== null) {
    if (remoteChecksum !== expected.checksum) {
      return {
        ok: false,
        problem: `stored ${expected.algorithm} is ${remoteChecksum}, local is ${expected.checksum}`,
      };
    }
    return { ok: true, method: "checksum", remoteChecksum };
  }
  if (expected.etag !== null) {
    if (stored.etag !== expected.etag) {
      return {
        ok: false,
        problem: `stored ETag is ${stored.etag}, local MD5-derived ETag is ${expected.etag}`,
      };
    }
    return { ok: true, method: "etag-md5", remoteChecksum: null };
  }
  return { ok: true, method: "size-only", remoteChecksum: null };
}
