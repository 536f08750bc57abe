// Numbers for people: sizes, rates and durations in logs, summaries and progress.
import type { FileResult } from "../engine/types.js";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

export function formatChecksum(result: FileResult): string {
  if (result.checksumAlgorithm === null) return "none";
  const value = result.checksumRemote ?? result.checksumLocal ?? "";
  return `${result.checksumAlgorithm} ${value}`.trim();
}

/** One line saying what happened to a file and how it was checked. */
export function describeResult(result: FileResult): string {
  const where = `s3://${result.bucket}/${result.key}`;
  const size = formatBytes(result.size);
  switch (result.status) {
    case "failed":
      return `FAILED ${failureDetail(result)}`;
    case "unchanged":
      return `unchanged ${where} (${size}, identical: ${unchangedProof(result)})`;
    case "refused":
      return `would be refused ${failureDetail(result)}`;
    case "dry-run":
      return `would upload ${result.path} → ${where} (${size}, ${result.parts} part${result.parts === 1 ? "" : "s"})`;
    case "uploaded": {
      const check = result.verified ? `verified by ${result.verification}` : "NOT verified";
      const parts = !result.multipart
        ? "single PUT"
        : result.parts === 1
          ? "multipart, 1 part"
          : `${result.parts} parts of ${formatBytes(result.partSize)}`;
      return `uploaded ${where} (${size}, ${parts}, ${formatChecksum(result)}, ${check}, ${formatRate(result.bytesPerSecond)})`;
    }
  }
}

/** What proved a stored object identical to the file, as the unchanged check compared it. */
function unchangedProof(result: FileResult): string {
  return result.verification === "checksum"
    ? `${formatChecksum(result)} matches`
    : `ETag ${result.etag} matches the file's MD5`;
}

/** The engine's error names the file already; older or unexpected errors may not, so add it only then. */
export function failureDetail(result: FileResult): string {
  const error = result.error ?? "failed without an error message";
  return error.includes(result.path)
    ? error
    : `${result.path} → s3://${result.bucket}/${result.key}: ${error}`;
}
