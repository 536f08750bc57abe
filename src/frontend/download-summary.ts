// The download job summary, shaped like the upload's (summary.ts): outcome and source first, then failed files
// (step, error, fix), downloaded files with their proof, and the unchanged ones folded away. HTML blocks with
// escaped names, so a key cannot break a table or inject markup.
import path from "node:path";
import type { DownloadResult } from "../engine/download/types.js";
import { downloadTotals, downloadTotalsLine, staleTempsText } from "./download-report.js";
import { formatBytes } from "./format.js";
import { keyFolder } from "./download-paths.js";
import { code, escapeHtml, SUMMARY_LIMITS } from "./summary.js";

export interface DownloadSummaryContext {
  bucket: string;
  prefix: string;
  endpoint: string | undefined;
  /** Paths are shown relative to it: the runner's absolute paths say nothing to a reader. */
  workspace: string;
  durationMs: number;
  /** Temp files of stopped downloads this run removed (DownloadRun.staleTempFilesRemoved). */
  staleTempFilesRemoved?: readonly string[];
}

type Status = DownloadResult["status"];

interface Column {
  title: string;
  right?: true;
  cell: (file: DownloadResult) => string;
}

interface Section {
  status: Status;
  heading: (count: number) => string;
  collapsed: boolean;
  columns: Column[];
}

function shownPath(context: DownloadSummaryContext, file: string): string {
  const relative = path.relative(context.workspace, file);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

function sections(context: DownloadSummaryContext, withSha256: boolean): Section[] {
  const relative = (text: string): string => text.replaceAll(context.workspace + path.sep, "");
  const file: Column = {
    title: "Object → file",
    cell: (result) => `${code(result.key)}<br>→ ${code(shownPath(context, result.path))}`,
  };
  const size: Column = {
    title: "Size",
    right: true,
    cell: (result) => escapeHtml(formatBytes(result.size)).replaceAll(" ", "&nbsp;"),
  };
  const checksum: Column = {
    title: "Checksum",
    cell: (result) =>
      code(result.checksumAlgorithm === null ? `ETag ${result.etag}` : (result.checksumRemote ?? "none")),
  };
  const verified: Column = {
    title: "Verified",
    cell: (result) =>
      result.verified && result.verification !== "none"
        ? `✅&nbsp;${result.verification === "etag-md5" ? "ETag/MD5" : escapeHtml(result.checksumAlgorithm ?? "")}`
        : "⚠️ NOT verified",
  };
  // Only when asked for (input sha256): an empty column would crowd the table for nothing.
  const sha256: Column[] = withSha256
    ? [{ title: "SHA-256", cell: (result) => (result.sha256 === null ? "" : code(result.sha256)) }]
    : [];
  const failure = (pick: "step" | "detail" | "hint"): Column => ({
    title: { step: "Step", detail: "What went wrong", hint: "Fix" }[pick],
    cell: (result) => {
      const text = result.failure ? result.failure[pick] : pick === "detail" ? (result.error ?? "") : "—";
      return escapeHtml(relative(text === "" ? "—" : text));
    },
  });
  return [
    {
      status: "failed",
      heading: (count) => `<h4>❌ Failed (${count})</h4>`,
      collapsed: false,
      columns: [file, failure("step"), failure("detail"), failure("hint")],
    },
    {
      status: "downloaded",
      heading: (count) => `<h4>⬇️ Downloaded (${count})</h4>`,
      collapsed: false,
      columns: [file, size, checksum, ...sha256, verified],
    },
    {
      status: "dry-run",
      heading: (count) => `<h4>Would download (dry run, nothing written) (${count})</h4>`,
      collapsed: false,
      columns: [file, size],
    },
    {
      status: "unchanged",
      heading: (count) =>
        `<summary>${count} unchanged: an identical file was already there, so ${count === 1 ? "it was" : "they were"} not downloaded again</summary>`,
      collapsed: true,
      columns: [file, size, checksum, ...sha256, verified],
    },
  ];
}

function title(files: readonly DownloadResult[]): string {
  const sums = downloadTotals(files);
  const plural = (count: number): string => `${count} file${count === 1 ? "" : "s"}`;
  const unchanged = sums.skipped > 0 ? `, ${sums.skipped} unchanged` : "";
  const name = "s3-verified-upload download";
  if (sums.failed > 0) return `❌ ${name}: ${sums.failed} of ${plural(files.length)} failed`;
  if (sums.dryRun > 0) return `🔍 ${name}: dry run, ${plural(sums.dryRun)} would download${unchanged}`;
  const unverified = files.filter((file) => file.status === "downloaded" && !file.verified).length;
  if (unverified > 0) {
    return `⚠️ ${name}: ${plural(sums.downloaded)} downloaded, ${unverified} NOT verified${unchanged}`;
  }
  return `✅ ${name}: ${plural(sums.downloaded)} downloaded and verified${unchanged}`;
}

function render(section: Section, rows: string[], total: number): string {
  const header = section.columns
    .map((column) => `<th${column.right ? ' align="right"' : ""}>${column.title}</th>`)
    .join("");
  const table = ["<table>", `<thead><tr>${header}</tr></thead>`, "<tbody>", ...rows, "</tbody>", "</table>"];
  if (section.collapsed) return ["<details>", section.heading(total), ...table, "</details>"].join("\n");
  return [section.heading(total), "", ...table].join("\n");
}

export function downloadSummaryMarkdown(
  context: DownloadSummaryContext,
  files: readonly DownloadResult[],
  limits = SUMMARY_LIMITS,
): string {
  const source = code(`s3://${context.bucket}/${keyFolder(context.prefix)}`);
  const head = [
    `<h3>${escapeHtml(title(files))}</h3>`,
    `<p>From ${source}${context.endpoint === undefined ? " in Amazon S3" : ` at ${code(context.endpoint)}`}</p>`,
  ];
  const stale = staleTempsText((context.staleTempFilesRemoved ?? []).map((file) => shownPath(context, file)));
  const tail = [
    ...(stale === null ? [] : [`<p>🧹 ${escapeHtml(stale)}</p>`]),
    `<p>${escapeHtml(downloadTotalsLine(files, context.durationMs))}</p>`,
  ].join("\n\n");
  let used = Buffer.byteLength(head.join("\n") + tail) + 512;
  let shown = 0;
  let omitted = 0;
  const blocks: string[] = [];
  // In display order, so failures get the room first.
  const withSha256 = files.some((file) => file.sha256 !== null);
  for (const section of sections(context, withSha256)) {
    const members = files.filter((file) => file.status === section.status);
    const rows: string[] = [];
    for (const file of members) {
      const cells = section.columns.map(
        (column) => `<td${column.right ? ' align="right"' : ""}>${column.cell(file)}</td>`,
      );
      const html = `<tr>${cells.join("")}</tr>`;
      if (shown >= limits.rows || used + Buffer.byteLength(html) > limits.bytes) {
        omitted++;
        continue;
      }
      rows.push(html);
      used += Buffer.byteLength(html);
      shown++;
    }
    if (rows.length > 0) blocks.push(render(section, rows, members.length));
  }
  if (omitted > 0) {
    blocks.push(
      `<p>⚠️ ${omitted.toLocaleString("en-US")} more files not shown to keep this summary under GitHub's 1 MiB ` +
        `limit; every file is in the manifest (the step's <code>manifest</code> output).</p>`,
    );
  }
  return [...head, ...blocks, tail].join("\n\n") + "\n";
}
