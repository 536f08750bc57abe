// expected-manifest: an upload's manifest (manifest.ts) read back as, per key, what a download must reproduce.
// Only files the upload stored count; its failed or dry-run entries promise nothing.
import { readFile } from "node:fs/promises";
import type { ExpectedObject } from "../engine/download/types.js";
import type { ChecksumAlgorithm, ChecksumType } from "../engine/types.js";

export interface ExpectedManifest {
  /** The bucket the upload wrote to; a download from another one (a replica) is allowed. */
  bucket: string | null;
  files: Map<string, ExpectedObject>;
}

export type ExpectedManifestResult = { ok: true; manifest: ExpectedManifest } | { ok: false; error: string };

// CRC64ECMA: an upload to Aliyun OSS, proven by the store's own CRC-64.
const ALGORITHMS: readonly ChecksumAlgorithm[] = [
  "CRC64NVME",
  "CRC32",
  "CRC32C",
  "SHA1",
  "SHA256",
  "CRC64ECMA",
];
const TYPES: readonly ChecksumType[] = ["FULL_OBJECT", "COMPOSITE"];
const STORED = new Set(["uploaded", "unchanged"]);
const FIX = 'give the file an upload of s3-verified-upload wrote (the action\'s "manifest" output)';

type Entry = Record<string, unknown>;

const isRecord = (value: unknown): value is Entry =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const nullableString = (value: unknown): value is string | null =>
  value === null || typeof value === "string";

/** The field that makes an entry unusable, or undefined. */
function badField(entry: Entry): string | undefined {
  if (typeof entry["key"] !== "string" || entry["key"] === "") return "key";
  if (typeof entry["status"] !== "string") return "status";
  if (!Number.isSafeInteger(entry["size"]) || (entry["size"] as number) < 0) return "size";
  if (typeof entry["etag"] !== "string") return "etag";
  const algorithm = entry["checksumAlgorithm"];
  if (algorithm !== null && !ALGORITHMS.includes(algorithm as ChecksumAlgorithm)) return "checksumAlgorithm";
  const type = entry["checksumType"];
  if (type !== null && !TYPES.includes(type as ChecksumType)) return "checksumType";
  if (!nullableString(entry["checksumRemote"]) || !nullableString(entry["checksumLocal"]))
    return "checksumRemote";
  if (
    entry["sha256"] !== undefined &&
    entry["sha256"] !== null &&
    !/^[0-9a-f]{64}$/.test(String(entry["sha256"]))
  ) {
    return "sha256";
  }
  return undefined;
}

function expectation(entry: Entry): ExpectedObject {
  const sha256 = entry["sha256"];
  return {
    size: entry["size"] as number,
    checksumAlgorithm: entry["checksumAlgorithm"] as ChecksumAlgorithm | null,
    checksumType: entry["checksumType"] as ChecksumType | null,
    // What the store confirmed, else what the upload computed: equal for every verified file.
    checksum: (entry["checksumRemote"] ?? entry["checksumLocal"]) as string | null,
    etag: entry["etag"] as string,
    ...(typeof sha256 === "string" ? { sha256 } : {}),
  };
}

/** source: the input's value, to name it in errors. */
export function parseExpectedManifest(text: string, source: string): ExpectedManifestResult {
  const fail = (why: string): ExpectedManifestResult => ({
    ok: false,
    error: `Input "expected-manifest": ${source} ${why}; ${FIX}.`,
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail(`is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(data) || data["tool"] !== "s3-verified-upload" || !Array.isArray(data["files"])) {
    return fail("is not a manifest of s3-verified-upload");
  }
  if (data["kind"] === "download")
    return fail("is a download manifest, which proves a download, not what was uploaded");
  const files = new Map<string, ExpectedObject>();
  for (const [index, entry] of (data["files"] as unknown[]).entries()) {
    const field = isRecord(entry) ? badField(entry) : "key";
    if (field !== undefined) return fail(`is damaged: file ${index + 1} has no valid "${field}"`);
    const record = entry as Entry;
    if (!STORED.has(record["status"] as string)) continue;
    const key = record["key"] as string;
    if (files.has(key)) return fail(`lists key "${key}" twice`);
    files.set(key, expectation(record));
  }
  return {
    ok: true,
    manifest: { bucket: typeof data["bucket"] === "string" ? data["bucket"] : null, files },
  };
}

export async function readExpectedManifest(file: string): Promise<ExpectedManifestResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `Input "expected-manifest": cannot read ${file} (${why}); ${FIX}.` };
  }
  return parseExpectedManifest(text, file);
}
