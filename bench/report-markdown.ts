// The results page: one table per workload (a row per client and core setting), how each client scaled with
// cores, the targets, then how each client and the server were set up.

import { scaling, type Summary } from "./summarize.js";
import { checkDownloadTargets } from "./download-targets.js";
import { checkTargets, renderTargets } from "./targets.js";

export interface ReportWorkload {
  id: string;
  description: string;
  fileCount: number;
  totalBytes: number;
}

export interface ReportInput {
  date: string;
  environment: string[];
  notes: string[];
  workloads: ReportWorkload[];
  clients: { id: string; label: string; settings: string }[];
  /** Core settings in the order they ran ("1", "2", "all"). */
  cores: string[];
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
    lines.push(`## ${workload.description}`, "", ...workloadTable(workload, input), "");
  }
  if (input.cores.length > 1) lines.push(...scalingSection(input), "");
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
    "“Cores” is how many cores the client was pinned to (`taskset -c 0` for 1, `0-1` for 2; “all” = not",
    "pinned). “Server cores” is the server's CPU per wall second (1.0 = one core busy). Ratios against ours are",
    "taken within each run and core setting (all clients back to back) and then the median, so load drifting",
    "between runs cancels out: “ours ×” above 1 means ours was that many times faster; “CPU ÷ ours” above 1",
    "means the client spent more.",
    "",
  );
  return lines.join("\n");
}

/** Rows by core setting, then in the clients' order, so each setting reads as its own block. */
export function orderedRows(
  rows: Summary[],
  input: { clients: { id: string }[]; cores: string[] },
): Summary[] {
  const clientIndex = (id: string) => input.clients.findIndex((c) => c.id === id);
  return [...rows].sort(
    (a, b) =>
      input.cores.indexOf(a.cores) - input.cores.indexOf(b.cores) ||
      clientIndex(a.clientId) - clientIndex(b.clientId),
  );
}

function workloadTable(workload: ReportWorkload, input: ReportInput): string[] {
  const many = workload.fileCount > 1;
  const rows = orderedRows(
    input.summaries.filter((s) => s.workloadId === workload.id),
    input,
  );
  const header = [
    "client",
    "cores",
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
    const cells = [
      clientLabel(row.clientId, input),
      row.cores,
      speed(row.megabytesPerSecond),
      `${speed(row.minMegabytesPerSecond)}–${speed(row.maxMegabytesPerSecond)}`,
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

function scalingSection(input: ReportInput): string[] {
  const header = [
    "workload",
    "client",
    "figure",
    ...input.cores.map((c) => (c === "all" ? "not pinned" : `${c} core${c === "1" ? "" : "s"}`)),
    "gain",
  ];
  const lines = [
    "## Scaling with cores",
    "",
    "Each client's median at each core setting: MB/s for one file, files/s for many. “Gain” is the figure at",
    "the most pinned cores ÷ the figure at the fewest (1.00× = the extra core bought nothing, 2.00× = twice as",
    "fast).",
    "",
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i < 3 ? "---" : "---:")).join("|")}|`,
  ];
  for (const workload of input.workloads) {
    const many = workload.fileCount > 1;
    const clientIndex = (id: string) => input.clients.findIndex((c) => c.id === id);
    const rows = scaling(input.summaries.filter((s) => s.workloadId === workload.id)).sort(
      (a, b) => clientIndex(a.clientId) - clientIndex(b.clientId),
    );
    for (const row of rows) {
      const at = (cores: string) => row.megabytesPerSecond.find((m) => m.cores === cores)?.value;
      const cells = [
        workload.id,
        clientLabel(row.clientId, input),
        many ? "files/s" : "MB/s",
        ...input.cores.map((c) => {
          const value = at(c);
          if (value === undefined) return "–";
          // files/s and MB/s differ by a constant per workload, so the gain is the same in either.
          return many ? fixed((value * 1e6 * workload.fileCount) / workload.totalBytes, 0) : speed(value);
        }),
        row.gain === null ? "–" : `${fixed(row.gain, 2)}×`,
      ];
      lines.push(`| ${cells.join(" | ")} |`);
    }
  }
  return lines;
}

function clientLabel(clientId: string, input: Pick<ReportInput, "clients">): string {
  const label = input.clients.find((c) => c.id === clientId)?.label ?? clientId;
  return clientId.startsWith("ours") ? `**${label}**` : label;
}

/** Whole MB/s, but one decimal below 10 so a tiny-file workload's figures do not all read 0. */
export function speed(megabytesPerSecond: number): string {
  return fixed(megabytesPerSecond, megabytesPerSecond < 10 ? 1 : 0);
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}
