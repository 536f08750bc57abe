// The results page: one table per workload, then how each client and the server were set up.

import type { Summary } from "./summarize.js";
import { checkDownloadTargets } from "./download-targets.js";
import { checkTargets, renderTargets } from "./targets.js";

export interface ReportInput {
  date: string;
  environment: string[];
  notes: string[];
  workloads: { id: string; title?: string; fileCount: number; fileSize: number; totalBytes: number }[];
  clients: { id: string; label: string; settings: string }[];
  skipped: { id: string; reason: string }[];
  failures: string[];
  summaries: Summary[];
  chartFile: string | null;
}

export function renderMarkdown(input: ReportInput): string {
  const lines = [`# Upload benchmark ${input.date}`, "", ...input.environment.map((e) => `- ${e}`), ""];
  for (const note of input.notes) lines.push(`> ${note}`, ">");
  if (input.notes.length > 0) lines.pop();
  lines.push("");
  for (const workload of input.workloads) {
    lines.push(`## ${describeWorkload(workload)}`, "", ...workloadTable(workload.id, input), "");
  }
  const targets = [...checkTargets(input.summaries), ...checkDownloadTargets(input.summaries)];
  if (targets.some((t) => t.met !== null)) lines.push("## Targets", "", ...renderTargets(targets), "");
  if (input.chartFile) lines.push(`![throughput and CPU per client](${input.chartFile})`, "");
  lines.push("## Clients", "");
  for (const client of input.clients) lines.push(`- **${client.label}**: ${client.settings}`);
  for (const skip of input.skipped) lines.push(`- skipped **${skip.id}**: ${skip.reason}`);
  if (input.failures.length > 0) {
    lines.push("", "## Failed runs (left out of the medians)", "");
    for (const failure of input.failures) lines.push("```", failure.trim(), "```");
  }
  lines.push(
    "",
    "MB/s is 10^6 bytes per wall-clock second (client start to exit, start-up included). CPU-s/GiB is the",
    "client process tree's user+sys CPU from GNU time per GiB uploaded; peak RSS is its largest resident set.",
    "“Server cores” is the server's CPU per wall second (1.0 = one core busy). Ratios against ours are taken",
    "within each run (all clients back to back) and then the median, so load drifting between runs cancels out:",
    "“ours ×” above 1 means ours was that many times faster; “CPU ÷ ours” above 1 means the client spent more.",
    "",
  );
  return lines.join("\n");
}

function workloadTable(workloadId: string, input: ReportInput): string[] {
  const many = (input.workloads.find((w) => w.id === workloadId)?.fileCount ?? 1) > 1;
  const rows = input.summaries.filter((s) => s.workloadId === workloadId);
  const header = [
    "client",
    "MB/s",
    "range",
    ...(many ? ["files/s"] : []),
    "wall s",
    "CPU-s/GiB",
    "peak RSS MiB",
    "server cores",
    "ours ×",
    "CPU ÷ ours",
    "runs",
  ];
  const table = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
  ];
  for (const row of rows) {
    const label = input.clients.find((c) => c.id === row.clientId)?.label ?? row.clientId;
    const cells = [
      row.clientId.startsWith("ours") ? `**${label}**` : label,
      fixed(row.megabytesPerSecond, 0),
      `${fixed(row.minMegabytesPerSecond, 0)}–${fixed(row.maxMegabytesPerSecond, 0)}`,
      ...(many ? [fixed(row.filesPerSecond, 0)] : []),
      fixed(row.wallSeconds, 2),
      fixed(row.cpuSecondsPerGiB, 2),
      fixed(row.peakRssBytes / 1024 / 1024, 0),
      row.serverCores === null ? "–" : fixed(row.serverCores, 2),
      row.oursSpeedup === null ? "–" : `${fixed(row.oursSpeedup, 2)}×`,
      row.cpuVersusOurs === null ? "–" : `${fixed(row.cpuVersusOurs, 2)}×`,
      String(row.runs),
    ];
    table.push(`| ${cells.join(" | ")} |`);
  }
  return table;
}

export function describeWorkload(w: {
  title?: string;
  fileCount: number;
  fileSize: number;
  totalBytes: number;
}): string {
  if (w.title !== undefined) return w.title;
  return w.fileCount === 1
    ? `one ${formatSize(w.fileSize)} file`
    : `${w.fileCount} files of ${formatSize(w.fileSize)} (${formatSize(w.totalBytes)} in all)`;
}

export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))} ${unit}`;
  }
  return `${bytes} B`;
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}
