// The job summary: outcome and destination first, then failed files (step, error, fix), uploaded files, and the
// unchanged ones folded away, so one failure is never buried. It is written as HTML blocks, which Markdown
// passes through untouched: escaped file names then cannot break a table or inject markup.
import path from "node:path";
import type { FileResult } from "../engine/types.js";
import { formatBytes } from "./format.js";
import { joinPrefix } from "./keys.js";
import { totals } from "./outputs.js";
import { totalsLine } from "./totals-line.js";

export interface SummaryContext {
  bucket: string;
  prefix: string;
  /** The custom endpoint; undefined for Amazon S3, whose objects get console links. */
  endpoint: string | undefined;
  region: string;
  /** Paths are shown relative to it: the runner's absolute paths say nothing to a reader. */
  workspace: string;
  durationMs: number;
}

/** GitHub refuses a step summary over 1 MiB; past these, rows are left out and counted. */
export const SUMMARY_LIMITS = { bytes: 512 * 1024, rows: 500 };

type Status = FileResult["status"];

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  // A blank line would end the HTML block and let Markdown parse the rest of a file name.
  "\r": "&#13;",
  "\n": "&#10;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'\r\n]/g, (char) => ENTITIES[char]!);
}

export function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

function link(url: string, inner: string): string {
  return `<a href="${escapeHtml(url)}">${inner}</a>`;
}

/** The S3 console's host for the region's partition. */
function consoleOrigin(region: string): string {
  if (region.startsWith("cn-")) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith("us-gov-")) return "https://console.amazonaws-us-gov.com";
  return `https://${region}.console.aws.amazon.com`;
}

function consoleObjectUrl(context: SummaryContext, key: string): string {
  const query = `region=${context.region}&bucketType=general&prefix=${encodeURIComponent(key)}`;
  return `${consoleOrigin(context.region)}/s3/object/${encodeURIComponent(context.bucket)}?${query}`;
}

function consoleFolderUrl(context: SummaryContext, prefix: string): string {
  const query = `region=${context.region}&bucketType=general&prefix=${encodeURIComponent(prefix)}`;
  return `${consoleOrigin(context.region)}/s3/buckets/${encodeURIComponent(context.bucket)}?${query}`;
}

/** "12.0 MiB" on one line: GitHub strips the style attributes that would say so. */
function unbroken(text: string): string {
  return escapeHtml(text).replaceAll(" ", "&nbsp;");
}

/** The checksum algorithm that proved the object, or ETag/MD5. */
function proofName(file: FileResult): string {
  return file.verification === "etag-md5" ? "ETag/MD5" : (file.checksumAlgorithm ?? "none");
}

function objectCell(context: SummaryContext, file: FileResult): string {
  const uri = code(`s3://${file.bucket}/${file.key}`);
  return context.endpoint === undefined ? link(consoleObjectUrl(context, file.key), uri) : uri;
}

function shownPath(context: SummaryContext, file: string): string {
  const relative = path.relative(context.workspace, file);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/** Workspace paths inside a message, relative like the File column. */
function relativeText(context: SummaryContext, text: string): string {
  return text.replaceAll(context.workspace + path.sep, "");
}

interface Failure {
  step: string;
  detail: string;
  hint: string;
}

function failureOf(context: SummaryContext, file: FileResult): Failure {
  if (file.failure) {
    const { step, detail, hint } = file.failure;
    return { step, detail: relativeText(context, detail), hint: hint === "" ? "—" : hint };
  }
  // The File and Object columns already say what the engine's prefix says.
  const prefix = `${file.path} → s3://${file.bucket}/${file.key}: `;
  const error = file.error ?? "failed without an error message";
  const detail = error.startsWith(prefix) ? error.slice(prefix.length) : error;
  return { step: "—", detail: relativeText(context, detail), hint: "—" };
}

interface Column {
  title: string;
  right?: true;
  cell: (file: FileResult) => string;
}

interface Section {
  status: Status;
  heading: (count: number) => string;
  collapsed: boolean;
  columns: Column[];
  /** Notes the heading already says for every file are left out. */
  showNotes: boolean;
}

function sections(context: SummaryContext, withSha256: boolean): Section[] {
  // One column for both: a second one doubles the table's width for what the title's prefix mostly says.
  const file: Column = {
    title: "File → object",
    cell: (result) => `${code(shownPath(context, result.path))}<br>→ ${objectCell(context, result)}`,
  };
  const size: Column = { title: "Size", right: true, cell: (result) => unbroken(formatBytes(result.size)) };
  const parts: Column = { title: "Parts", right: true, cell: (result) => String(result.parts) };
  const checksum: Column = {
    title: "Checksum",
    cell: (result) => code(result.checksumRemote ?? result.checksumLocal ?? "none"),
  };
  // Only when asked for (input sha256): an empty column would crowd the table for nothing.
  const sha256: Column[] = withSha256
    ? [{ title: "SHA-256", cell: (result) => (result.sha256 === null ? "" : code(result.sha256)) }]
    : [];
  const verified: Column = {
    title: "Verified",
    cell: (result) => (result.verified ? `✅&nbsp;${proofName(result)}` : "⚠️ NOT verified"),
  };
  const failure = (pick: (failure: Failure) => string): ((result: FileResult) => string) => {
    return (result) => escapeHtml(pick(failureOf(context, result)));
  };
  return [
    {
      status: "failed",
      heading: (count) => `<h4>❌ Failed (${count})</h4>`,
      collapsed: false,
      columns: [
        file,
        { title: "Step", cell: failure((failed) => failed.step) },
        { title: "What went wrong", cell: failure((failed) => failed.detail) },
        { title: "Fix", cell: failure((failed) => failed.hint) },
      ],
      showNotes: true,
    },
    {
      status: "uploaded",
      heading: (count) => `<h4>⬆️ Uploaded (${count})</h4>`,
      collapsed: false,
      columns: [file, size, parts, checksum, ...sha256, verified],
      showNotes: true,
    },
    {
      status: "refused",
      heading: (count) => `<h4>⛔ Would be refused (dry run) (${count})</h4>`,
      collapsed: false,
      columns: [file, { title: "Why", cell: failure((refused) => refused.detail) }],
      showNotes: false,
    },
    {
      status: "dry-run",
      heading: (count) => `<h4>Would upload (dry run, nothing written) (${count})</h4>`,
      collapsed: false,
      columns: [file, size, parts],
      showNotes: false,
    },
    {
      status: "unchanged",
      heading: (count) =>
        `<summary>${count} unchanged: an identical object was already stored, so ${count === 1 ? "it was" : "they were"} not uploaded again</summary>`,
      collapsed: true,
      columns: [file, size, checksum, ...sha256, verified],
      showNotes: false,
    },
  ];
}

function row(section: Section, file: FileResult): string {
  const cells = section.columns.map(
    (column) => `<td${column.right ? ' align="right"' : ""}>${column.cell(file)}</td>`,
  );
  return `<tr>${cells.join("")}</tr>`;
}

function notes(context: SummaryContext, section: Section, file: FileResult): string[] {
  if (!section.showNotes) return [];
  return file.notes.map((note) => `<li>${code(file.key)}: ${escapeHtml(relativeText(context, note))}</li>`);
}

function renderSection(section: Section, rows: string[], noteItems: string[], total: number): string {
  const header = section.columns
    .map((column) => `<th${column.right ? ' align="right"' : ""}>${column.title}</th>`)
    .join("");
  const table = ["<table>", `<thead><tr>${header}</tr></thead>`, "<tbody>", ...rows, "</tbody>", "</table>"];
  const list = noteItems.length > 0 ? ["<ul>", ...noteItems, "</ul>"] : [];
  if (section.collapsed) {
    return ["<details>", section.heading(total), ...table, ...list, "</details>"].join("\n");
  }
  return [section.heading(total), "", ...table, ...list].join("\n");
}

function title(files: readonly FileResult[]): string {
  const sums = totals(files);
  const plural = (count: number): string => `${count} file${count === 1 ? "" : "s"}`;
  const unchanged = sums.skipped > 0 ? `, ${sums.skipped} unchanged` : "";
  if (sums.failed > 0) return `❌ s3-verified-upload: ${sums.failed} of ${plural(files.length)} failed`;
  if (sums.refused > 0) {
    return `⛔ s3-verified-upload: dry run, ${sums.refused} of ${plural(files.length)} would be refused`;
  }
  if (sums.dryRun > 0)
    return `🔍 s3-verified-upload: dry run, ${plural(sums.dryRun)} would upload${unchanged}`;
  const unverified = files.filter((file) => file.status === "uploaded" && !file.verified).length;
  if (unverified > 0) {
    return `⚠️ s3-verified-upload: ${plural(sums.uploaded)} uploaded, ${unverified} NOT verified${unchanged}`;
  }
  return `✅ s3-verified-upload: ${plural(sums.uploaded)} uploaded and verified${unchanged}`;
}

function destination(context: SummaryContext): string {
  const folder = joinPrefix(context.prefix, "");
  const where = code(`s3://${context.bucket}/${folder}`);
  if (context.endpoint !== undefined) return `<p>To ${where} at ${code(context.endpoint)}</p>`;
  return `<p>To ${link(consoleFolderUrl(context, folder), where)} in Amazon S3, region ${code(context.region)}</p>`;
}

function omittedNote(omitted: Map<Status, number>): string {
  const count = [...omitted.values()].reduce((sum, value) => sum + value, 0);
  const kinds = [...omitted]
    .map(([status, value]) => `${value.toLocaleString("en-US")} ${status}`)
    .join(", ");
  return (
    `<p>⚠️ ${count.toLocaleString("en-US")} more files not shown (${kinds}) to keep this summary under ` +
    `GitHub's 1 MiB limit; every file is in the manifest (the step's <code>manifest</code> output).</p>`
  );
}

export function summaryMarkdown(
  context: SummaryContext,
  files: readonly FileResult[],
  limits = SUMMARY_LIMITS,
): string {
  const head = [`<h3>${escapeHtml(title(files))}</h3>`, destination(context)];
  const tail = `<p>${escapeHtml(totalsLine(files, context.durationMs))}</p>`;
  // Room for the omitted-files note, whose numbers are not known yet.
  let used = Buffer.byteLength(head.join("\n") + tail) + 512;
  let shown = 0;
  let full = false;
  const omitted = new Map<Status, number>();
  const blocks: string[] = [];
  // In display order, so failures get the room first and the unchanged files are the first to be cut.
  for (const section of sections(
    context,
    files.some((file) => file.sha256 !== null),
  )) {
    const members = files.filter((file) => file.status === section.status);
    if (members.length === 0) continue;
    const rows: string[] = [];
    const noteItems: string[] = [];
    for (const file of members) {
      const html = row(section, file);
      const fileNotes = notes(context, section, file);
      const bytes =
        Buffer.byteLength(html) + fileNotes.reduce((sum, note) => sum + Buffer.byteLength(note), 0);
      full ||= shown >= limits.rows || used + bytes > limits.bytes;
      if (full) {
        omitted.set(section.status, (omitted.get(section.status) ?? 0) + 1);
        continue;
      }
      rows.push(html);
      noteItems.push(...fileNotes);
      used += bytes;
      shown++;
    }
    if (rows.length > 0) blocks.push(renderSection(section, rows, noteItems, members.length));
  }
  if (omitted.size > 0) blocks.push(omittedNote(omitted));
  return [...head, ...blocks, tail].join("\n\n") + "\n";
}
