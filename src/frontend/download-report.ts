// What a download run reports, for both front ends: outputs, the download manifest, one line per file, the
// totals line and the final error. Mirrors outputs.ts, manifest.ts and totals-line.ts for uploads.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { DownloadResult, DownloadRun } from "../engine/download/types.js";
import type { S3Settings } from "../engine/types.js";
import { formatBytes, formatDuration } from "./format.js";
import { cappedJsonArray, LIST_BUDGET } from "./outputs.js";
import { VERSION } from "./version.js";

export interface DownloadTotals {
  downloaded: number;
  skipped: number;
  failed: number;
  dryRun: number;
  bytes: number;
}

export function downloadTotals(files: readonly DownloadResult[]): DownloadTotals {
  const count = (status: DownloadResult["status"]): number =>
    files.filter((file) => file.status === status).length;
  return {
    downloaded: count("downloaded"),
    skipped: count("unchanged"),
    failed: count("failed"),
    dryRun: count("dry-run"),
    bytes: files.filter((file) => file.status === "downloaded").reduce((sum, file) => sum + file.size, 0),
  };
}

const failed = (file: DownloadResult): boolean => file.status === "failed";

export function downloadOutputs(
  run: Pick<DownloadRun, "ok" | "files">,
  manifestPath: string | undefined,
): Record<string, string> {
  const sums = downloadTotals(run.files);
  const outputs: Record<string, string> = {
    downloaded: String(sums.downloaded),
    skipped: String(sums.skipped),
    bytes: String(sums.bytes),
  };
  // Failed files first: they are what a later step acts on.
  const failedFirst = [...run.files.filter(failed), ...run.files.filter((file) => !failed(file))];
  const results = cappedJsonArray(failedFirst, LIST_BUDGET.results);
  outputs["results"] = results.kept === run.files.length ? JSON.stringify(run.files) : results.json;
  outputs["results-truncated"] = String(results.kept < run.files.length);
  if (manifestPath !== undefined) outputs["manifest"] = manifestPath;
  const only = run.files.length === 1 ? run.files[0] : undefined;
  if (only && (only.status === "downloaded" || only.status === "unchanged")) {
    outputs["path"] = only.path;
    outputs["key"] = only.key;
    outputs["etag"] = only.etag;
    outputs["version-id"] = only.versionId ?? "";
    outputs["checksum"] = only.checksumRemote ?? only.checksumLocal ?? "";
    outputs["sha256"] = only.sha256 ?? "";
  }
  return outputs;
}

export interface DownloadManifest {
  tool: "s3-verified-upload";
  /** Tells it from an upload manifest, which expected-manifest takes (this one proves a download). */
  kind: "download";
  version: string;
  createdAt: string;
  bucket: string;
  prefix: string;
  baseDir: string;
  endpoint: string | null;
  ok: boolean;
  totals: DownloadTotals;
  files: DownloadResult[];
  staleTempFilesRemoved: string[];
}

export function buildDownloadManifest(
  bucket: string,
  prefix: string,
  baseDir: string,
  s3: S3Settings,
  run: DownloadRun,
  createdAt: Date,
): DownloadManifest {
  return {
    tool: "s3-verified-upload",
    kind: "download",
    version: VERSION,
    createdAt: createdAt.toISOString(),
    bucket,
    prefix,
    baseDir,
    endpoint: s3.endpoint ?? null,
    ok: run.ok,
    totals: downloadTotals(run.files),
    files: run.files,
    staleTempFilesRemoved: run.staleTempFilesRemoved,
  };
}

/** Writes into dir under a fresh name (several steps of a job may download) and returns the path. */
export async function writeDownloadManifest(dir: string, manifest: DownloadManifest): Promise<string> {
  const file = path.join(dir, `s3-verified-download-${randomUUID()}.json`);
  await writeFile(file, JSON.stringify(manifest, null, 2) + "\n");
  return file;
}

function checksumText(result: DownloadResult): string {
  if (result.checksumAlgorithm === null) return `ETag ${result.etag}`;
  const value = result.checksumRemote ?? result.checksumLocal ?? "";
  return [result.checksumAlgorithm, result.checksumType, value].filter(Boolean).join(" ");
}

function proof(result: DownloadResult): string {
  return result.verified && result.verification !== "none"
    ? `verified by ${result.verification}`
    : "NOT verified";
}

/** The engine's error names the key and path already; an error that does not gets them added. */
export function downloadFailureDetail(result: DownloadResult): string {
  const error = result.error ?? "failed without an error message";
  return error.includes(result.key) ? error : `${result.key} → ${result.path}: ${error}`;
}

/** One line saying what happened to a file and how it was proven. */
export function describeDownload(bucket: string, result: DownloadResult): string {
  const where = `s3://${bucket}/${result.key}`;
  const size = formatBytes(result.size);
  switch (result.status) {
    case "failed":
      return `FAILED ${downloadFailureDetail(result)}`;
    case "unchanged":
      return `unchanged ${result.path} (${size}, identical to ${where}: ${proof(result)})`;
    case "dry-run":
      return `would download ${where} → ${result.path} (${size})`;
    case "downloaded":
      return `downloaded ${where} → ${result.path} (${size}, ${checksumText(result)}, ${proof(result)})`;
  }
}

function verifiedPart(files: readonly DownloadResult[]): string {
  const counts = new Map<string, number>();
  let unverified = 0;
  for (const file of files) {
    if (file.status !== "downloaded" && file.status !== "unchanged") continue;
    if (!file.verified || file.verification === "none") {
      unverified++;
      continue;
    }
    const label =
      file.verification === "etag-md5" ? "ETag/MD5" : `${file.checksumAlgorithm ?? "unknown"} checksum`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const groups = [...counts].map(([label, count]) => `${count} by ${label}`);
  return `${groups.join(", ") || "none"}${unverified > 0 ? `, ${unverified} NOT verified` : ""}`;
}

export function downloadTotalsLine(files: readonly DownloadResult[], durationMs: number): string {
  const sums = downloadTotals(files);
  const count = `${files.length} file${files.length === 1 ? "" : "s"}`;
  const outcome =
    sums.dryRun > 0
      ? `dry run, ${sums.dryRun} would download, ${sums.skipped} unchanged, ${sums.failed} failed`
      : `${sums.downloaded} downloaded (${formatBytes(sums.bytes)}), ${sums.skipped} unchanged, ${sums.failed} failed`;
  const seconds = durationMs < 10_000 ? `${(durationMs / 1000).toFixed(1)}s` : formatDuration(durationMs);
  return `Totals: ${count}, ${outcome}; verified: ${verifiedPart(files)}; ${seconds}`;
}

const MAX_FAILURE_LINES = 20;

/** The final error: one line per failed file, up to 20; `perFile` says where the rest are. */
export function downloadFailureText(files: readonly DownloadResult[], perFile: string): string {
  const failures = files.filter(failed);
  const lines = failures.slice(0, MAX_FAILURE_LINES).map((file) => `- ${downloadFailureDetail(file)}`);
  if (failures.length > MAX_FAILURE_LINES)
    lines.push(`…and ${failures.length - MAX_FAILURE_LINES} more; ${perFile}.`);
  return [`${failures.length} of ${files.length} files failed:`, ...lines].join("\n");
}

const MAX_STALE_SHOWN = 5;

/** What the run says about the stale temp files it removed; null when it removed none. */
export function staleTempsText(paths: readonly string[]): string | null {
  if (paths.length === 0) return null;
  const one = paths.length === 1;
  const shown = paths.slice(0, MAX_STALE_SHOWN).join(", ");
  const more = paths.length > MAX_STALE_SHOWN ? ` and ${paths.length - MAX_STALE_SHOWN} more` : "";
  return (
    `Removed ${paths.length} stale temp file${one ? "" : "s"} left by ${one ? "a download that was" : "downloads that were"} ` +
    `stopped before ${one ? "it" : "they"} finished (e.g. killed) without on-failure keep: ${shown}${more}`
  );
}
