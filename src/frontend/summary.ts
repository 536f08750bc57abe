// The job summary: one Markdown table row per file, then whatever a reader must know (notes, failures).
import type { FileResult } from "../engine/types.js";
import { formatBytes, formatChecksum, formatRate } from "./format.js";
import { totals } from "./outputs.js";

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function verifiedCell(file: FileResult): string {
  if (file.status === "failed") return "❌ failed";
  if (file.status === "dry-run") return "— dry run";
  if (file.status === "unchanged") return `✅ unchanged (${file.verification})`;
  return file.verified ? `✅ ${file.verification}` : `⚠️ not verified`;
}

export function summaryMarkdown(bucket: string, files: readonly FileResult[]): string {
  const sums = totals(files);
  // Only when asked for (input sha256): an empty column would crowd the table for nothing.
  const withSha256 = files.some((file) => file.sha256 !== null);
  const lines = [
    `### s3-verified-upload to \`${bucket}\``,
    "",
    `${sums.uploaded} uploaded (${formatBytes(sums.bytes)}), ${sums.skipped} unchanged, ${sums.failed} failed` +
      (sums.dryRun > 0 ? `, ${sums.dryRun} dry run` : ""),
    "",
    `| File | Key | Size | Parts | Checksum |${withSha256 ? " SHA-256 |" : ""} Verified | Throughput |`,
    `| --- | --- | ---: | ---: | --- |${withSha256 ? " --- |" : ""} --- | ---: |`,
  ];
  for (const file of files) {
    const throughput = file.status === "uploaded" ? formatRate(file.bytesPerSecond) : "";
    const sha256 = !withSha256 ? "" : file.sha256 === null ? "  |" : ` \`${file.sha256}\` |`;
    lines.push(
      `| ${cell(file.path)} | ${cell(file.key)} | ${formatBytes(file.size)} | ${file.parts} | ${cell(formatChecksum(file))} |${sha256} ${verifiedCell(file)} | ${throughput} |`,
    );
  }
  const remarks = files.flatMap((file) => [
    ...(file.error ? [`- **${cell(file.key)}**: ${file.error}`] : []),
    ...file.notes.map((note) => `- ${cell(file.key)}: ${note}`),
  ]);
  if (remarks.length > 0) lines.push("", ...remarks);
  return lines.join("\n") + "\n";
}
