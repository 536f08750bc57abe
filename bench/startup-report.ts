// Medians of the start-up runs and the results page; no I/O here, so the harness test can check it.

import { median } from "./summarize.js";
import type { Timing } from "./startup-probe.js";

export interface StartupCase {
  id: string;
  label: string;
  /** Set when the case must send a request; its first request is then what is timed. */
  request?: "upload" | "download";
  argv: (run: string) => string[];
}

export interface StartupSample {
  caseId: string;
  run: number;
  timing: Timing;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface StartupSummary {
  caseId: string;
  runs: number;
  firstRequestMs: Spread | null;
  exitMs: Spread;
}

/** The target of issue #12: a run's first request, and --version's exit, within this of process start. */
export const STARTUP_TARGET_MS = 200;

function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export function summarizeStartup(
  cases: readonly StartupCase[],
  samples: readonly StartupSample[],
): StartupSummary[] {
  return cases.flatMap((startupCase) => {
    const mine = samples.filter((sample) => sample.caseId === startupCase.id);
    if (mine.length === 0) return [];
    const requests = mine.flatMap((sample) =>
      sample.timing.firstRequestMs === null ? [] : [sample.timing.firstRequestMs],
    );
    return [
      {
        caseId: startupCase.id,
        runs: mine.length,
        firstRequestMs: requests.length === 0 ? null : spread(requests),
        exitMs: spread(mine.map((sample) => sample.timing.exitMs)),
      },
    ];
  });
}

function ms(value: Spread | null): string {
  if (value === null) return "–";
  return `${value.median.toFixed(0)} ms (${value.min.toFixed(0)}–${value.max.toFixed(0)})`;
}

export interface StartupPage {
  environment: string[];
  runs: number;
  cases: readonly StartupCase[];
  summaries: readonly StartupSummary[];
  skipped: string[];
  date: Date;
}

export function renderStartupMarkdown(page: StartupPage): string {
  const byId = new Map(page.summaries.map((summary) => [summary.caseId, summary]));
  const label = new Map(page.cases.map((startupCase) => [startupCase.id, startupCase.label]));
  const rows = page.summaries.map(
    (summary) =>
      `| ${label.get(summary.caseId) ?? summary.caseId} | ${ms(summary.firstRequestMs)} | ${ms(summary.exitMs)} |`,
  );
  const verdict = (what: string, value: number | undefined): string[] =>
    value === undefined
      ? []
      : [
          `- ${what}: ${value.toFixed(0)} ms, target ≤ ${STARTUP_TARGET_MS} ms: ${
            value <= STARTUP_TARGET_MS ? "met" : "missed"
          }`,
        ];
  const over = (what: string, value: number | undefined, floor: number | undefined): string[] =>
    value === undefined || floor === undefined ? [] : [`- ${what}: ${(value - floor).toFixed(0)} ms`];
  const firstRequest = (id: string) => byId.get(id)?.firstRequestMs?.median;
  const exit = (id: string) => byId.get(id)?.exitMs.median;
  return [
    `# Start-up: time to the first request (${page.date.toISOString().slice(0, 10)})`,
    "",
    "Milliseconds from just before the process is spawned to the first byte of its first request at the S3",
    "server (through a TCP relay that notes the arrival), and to its exit; medians of " +
      `${page.runs} runs (min–max), the cases alternating run by run after one uncounted warm-up round.`,
    "",
    ...page.environment.map((line) => `- ${line}`),
    ...page.skipped.map((reason) => `- skipped ${reason}`),
    "",
    "| case | first request | exit |",
    "| --- | ---: | ---: |",
    ...rows,
    "",
    "## Against the target",
    "",
    ...verdict("ours --version, exit", exit("ours-version")),
    ...verdict("ours upload, first request", firstRequest("ours-upload")),
    ...verdict("ours download, first request", firstRequest("ours-download")),
    ...over("ours --version over node -e 0", exit("ours-version"), exit("node-e0")),
    ...over(
      "ours upload's first request over a Node process that sends one at once",
      firstRequest("ours-upload"),
      firstRequest("node-request"),
    ),
    ...over(
      "ours download's first request over a Node process that sends one at once",
      firstRequest("ours-download"),
      firstRequest("node-request"),
    ),
    "",
  ].join("\n");
}
