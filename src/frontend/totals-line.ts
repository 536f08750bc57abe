// The one line that closes a run in the action log, the CLI's stderr and the job summary.
import type { FileResult } from "../engine/types.js";
import { formatBytes, formatDuration } from "./format.js";
import { totals } from "./outputs.js";

/** How a stored file was proven, in the words the totals line counts it under. */
function proofLabel(file: FileResult): string {
  if (file.verification === "etag-md5") return "ETag/MD5";
  return `${file.checksumAlgorithm ?? "unknown"} checksum`;
}

function verifiedPart(files: readonly FileResult[]): string {
  const counts = new Map<string, number>();
  let unverified = 0;
  for (const file of files) {
    if (file.status !== "uploaded" && file.status !== "unchanged") continue;
    if (!file.verified || file.verification === "none") {
      unverified++;
      continue;
    }
    const label = proofLabel(file);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const groups = [...counts].map(([label, count]) => `${count} by ${label}`);
  return `${groups.join(", ") || "none"}${unverified > 0 ? `, ${unverified} NOT verified` : ""}`;
}

/** Short runs are the common case; "0s" would say nothing about them. */
function runDuration(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms);
}

export function totalsLine(files: readonly FileResult[], durationMs: number): string {
  const sums = totals(files);
  const count = `${files.length} file${files.length === 1 ? "" : "s"}`;
  const outcome =
    sums.dryRun + sums.refused > 0
      ? `dry run, ${sums.dryRun} would upload, ${sums.skipped} unchanged, ${sums.refused} would be refused, ` +
        `${sums.failed} failed`
      : `${sums.uploaded} uploaded (${formatBytes(sums.bytes)}), ${sums.skipped} unchanged, ${sums.failed} failed`;
  return `Totals: ${count}, ${outcome}; verified: ${verifiedPart(files)}; ${runDuration(durationMs)}`;
}
