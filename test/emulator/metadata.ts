// Which request headers S3 keeps with an object, and how it echoes them back.
import type { IncomingHttpHeaders } from "node:http";
import { S3Error } from "./errors.js";
import type { StoredHeaders } from "./storage.js";

const KEPT_HEADERS = [
  "cache-control",
  "content-disposition",
  "content-language",
  "expires",
  "x-amz-website-redirect-location",
  "x-amz-server-side-encryption-aws-kms-key-id",
  "x-amz-server-side-encryption-context",
  "x-amz-server-side-encryption-bucket-key-enabled",
];

const STORAGE_CLASSES = [
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "OUTPOSTS",
  "GLACIER_IR",
  "SNOW",
  "EXPRESS_ONEZONE",
];

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

export interface ObjectSettings {
  headers: StoredHeaders;
  tagCount: number;
}

function countTags(tagging: string | undefined): number {
  if (!tagging) return 0;
  const pairs = new URLSearchParams(tagging);
  const keys = [...pairs.keys()];
  if (keys.length > 10)
    throw new S3Error("InvalidArgument", "Object tags cannot be greater than 10", {
      ArgumentName: "x-amz-tagging",
    });
  if (new Set(keys).size !== keys.length) {
    throw new S3Error("InvalidArgument", "Cannot provide multiple Tags with the same key", {
      ArgumentName: "x-amz-tagging",
    });
  }
  return keys.length;
}

const MAX_KEY_BYTES = 1024;
const MAX_USER_METADATA_BYTES = 2048;

/** S3's limit on object key names, in UTF-8 bytes. */
export function checkKeyLength(key: string): void {
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) {
    throw new S3Error("KeyTooLongError", "Your key is too long", {
      MaxSizeAllowed: MAX_KEY_BYTES,
      Size: Buffer.byteLength(key, "utf8"),
    });
  }
}

/** S3 counts user metadata as the UTF-8 bytes of each name (without x-amz-meta-) and value; header strings hold bytes. */
function checkMetadataSize(stored: StoredHeaders): void {
  const size = Object.entries(stored)
    .filter(([name]) => name.startsWith("x-amz-meta-"))
    .reduce(
      (sum, [name, value]) => sum + name.length - "x-amz-meta-".length + Buffer.byteLength(value, "latin1"),
      0,
    );
  if (size > MAX_USER_METADATA_BYTES) {
    throw new S3Error("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size", {
      Size: size,
      MaxSizeAllowed: MAX_USER_METADATA_BYTES,
    });
  }
}

export function objectSettings(headers: IncomingHttpHeaders, defaultEncryption = "AES256"): ObjectSettings {
  const stored: StoredHeaders = {};
  for (const name of KEPT_HEADERS) {
    const value = single(headers, name);
    if (value !== undefined) stored[name] = value;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-amz-meta-") && value !== undefined)
      stored[name] = Array.isArray(value) ? value.join(",") : value;
  }
  checkMetadataSize(stored);
  stored["content-type"] = single(headers, "content-type") ?? "binary/octet-stream";
  // aws-chunked is a transfer detail of this request, not an encoding of the stored object.
  const encodings = (single(headers, "content-encoding") ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "" && item !== "aws-chunked");
  if (encodings.length > 0) stored["content-encoding"] = encodings.join(",");
  const storageClass = single(headers, "x-amz-storage-class") ?? "STANDARD";
  if (!STORAGE_CLASSES.includes(storageClass)) {
    throw new S3Error(
      "InvalidStorageClass",
      `The storage class you specified is not valid: ${storageClass}`,
      {
        ArgumentName: "x-amz-storage-class",
      },
    );
  }
  stored["x-amz-storage-class"] = storageClass;
  const sse = single(headers, "x-amz-server-side-encryption") ?? defaultEncryption;
  if (!SSE_ALGORITHMS.includes(sse)) {
    throw new S3Error("InvalidArgument", `The encryption method specified is not supported: ${sse}`, {
      ArgumentName: "x-amz-server-side-encryption",
    });
  }
  stored["x-amz-server-side-encryption"] = sse;
  return { headers: stored, tagCount: countTags(single(headers, "x-amz-tagging")) };
}

/** Under SSE-KMS, S3's ETag of an object or part is not the MD5 of its bytes. */
export function etagIsMd5(stored: StoredHeaders): boolean {
  const sse = stored["x-amz-server-side-encryption"];
  return sse !== "aws:kms" && sse !== "aws:kms:dsse";
}

/** Headers S3 echoes on PUT/POST answers: only the encryption ones. */
export function encryptionHeaders(stored: StoredHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"]) {
    const value = stored[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Headers S3 returns on GET/HEAD; STANDARD storage class is implied and not echoed. */
export function echoHeaders(stored: StoredHeaders, tagCount: number): Record<string, string | number> {
  const out: Record<string, string | number> = { ...stored };
  if (out["x-amz-storage-class"] === "STANDARD") delete out["x-amz-storage-class"];
  if (tagCount > 0) out["x-amz-tagging-count"] = tagCount;
  return out;
}
