// Which commit each result came from, and bench/results/HISTORY.md: ours per workload over time, so the
// history shows which change paid. `npx tsx bench/history.ts [dir]` rebuilds the file from the .json results.

import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { runToEnd } from "./measure.js";
import { speed } from "./report-markdown.js";
import { summarize, type Sample, type Summary } from "./summarize.js";
import { widestCores } from "./targets.js";

export interface GitState {
  commit: string;
  /** Changes to anything but bench/results/ (the bench's own output): the figures may not be the commit's. */
  dirty: boolean;
  dirtyPaths: string[];
}

export async function gitState(projectRoot: string): Promise<GitState> {
  const head = await runToEnd(["git", "-C", projectRoot, "rev-parse", "--short", "HEAD"], process.env);
  const status = await runToEnd(
    ["git", "-C", projectRoot, "status", "--porcelain", "--", ".", ":(exclude)bench/results"],
    process.env,
  );
  const dirtyPaths = parsePorcelain(status.output);
  return {
    commit: head.code === 0 ? head.output.trim() : "unknown (not a git checkout)",
    dirty: status.code !== 0 || dirtyPaths.length > 0,
    dirtyPaths,
  };
}

export function parsePorcelain(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => line.length > 3)
    .map((line) => line.slice(3));
}

/** "<date>" unless a result of that name exists, then "<date>-2", "-3", …: a second run must not erase the first. */
export function freeBaseName(taken: string[], date: string, quick: boolean): string {
  const base = quick ? `${date}-quick` : date;
  // A smoke test is not a measurement: the latest one replaces the last.
  if (quick) return base;
  if (!taken.includes(`${base}.json`)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}.json`)) return `${base}-${n}`;
}

/** What a results .json holds; files from before the commit was recorded lack commit, dirty and cores. */
export interface ResultFile {
  date?: string;
  commit?: string;
  dirty?: boolean;
  quick?: boolean;
  environment?: string[];
  samples: (Omit<Sample, "cores"> & { cores?: string })[];
}

export interface HistoryRow {
  file: string;
  date: string;
  commit: string;
  dirty: boolean;
  workloadId: string;
  ours: Summary;
  /** ours × each peer at the same core setting (how many times faster ours was). */
  versus: Record<string, number | null>;
}

const HISTORY_PEERS = ["aws-cli", "lib-storage", "rclone"];

export function historyRows(file: string, result: ResultFile): HistoryRow[] {
  const commit =
    result.commit ??
    result.environment?.find((e) => e.startsWith("project commit: "))?.slice("project commit: ".length) ??
    "unknown";
  const date = result.date ?? /\d{4}-\d{2}-\d{2}/.exec(path.basename(file))?.[0] ?? "unknown";
  const summaries = summarize(result.samples.map((s) => ({ ...s, cores: s.cores ?? "all" })));
  const rows: HistoryRow[] = [];
  for (const workloadId of [...new Set(summaries.map((s) => s.workloadId))]) {
    const cores = widestCores(summaries, workloadId);
    const at = (clientId: string) =>
      summaries.find((s) => s.workloadId === workloadId && s.clientId === clientId && s.cores === cores);
    const ours = at("ours");
    if (!ours) continue;
    rows.push({
      file,
      date,
      commit,
      dirty: result.dirty ?? false,
      workloadId,
      ours,
      versus: Object.fromEntries(HISTORY_PEERS.map((p) => [p, at(p)?.oursSpeedup ?? null])),
    });
  }
  return rows;
}

export function renderHistory(rows: HistoryRow[]): string {
  const sorted = [...rows].sort(
    (a, b) =>
      a.workloadId.localeCompare(b.workloadId) ||
      a.date.localeCompare(b.date) ||
      a.file.localeCompare(b.file),
  );
  const lines = [
    "# Bench history",
    "",
    "Ours per workload and result, by commit (written by `npm run bench`; rebuild with `npx tsx bench/history.ts`).",
    "Figures at the most cores the run used; “× peer” is how many times faster ours was than that peer in the",
    "same runs. A commit marked “+dirty” was measured with uncommitted changes. Quick runs are left out.",
    "",
    `| workload | date | commit | cores | MB/s | files/s | CPU-s/GiB | peak RSS MiB | ${HISTORY_PEERS.map((p) => `× ${p}`).join(" | ")} | result |`,
    `|---|---|---|---:|---:|---:|---:|---:|${HISTORY_PEERS.map(() => "---:").join("|")}|---|`,
  ];
  for (const row of sorted) {
    const r = row.ours;
    lines.push(
      `| ${row.workloadId} | ${row.date} | ${row.commit}${row.dirty ? " +dirty" : ""} | ${r.cores} | ` +
        `${speed(r.megabytesPerSecond)} | ${r.fileCount > 1 ? r.filesPerSecond.toFixed(0) : "–"} | ` +
        `${r.cpuSecondsPerGiB.toFixed(2)} | ` +
        `${(r.peakRssBytes / 1024 / 1024).toFixed(0)} | ` +
        HISTORY_PEERS.map((p) => {
          const v = row.versus[p];
          return v === null || v === undefined ? "–" : `${v.toFixed(2)}×`;
        }).join(" | ") +
        ` | [${row.file.replace(/\.json$/, "")}](${row.file.replace(/\.json$/, ".md")}) |`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Every non-quick .json result in dir and one level below (results of a focused re-run live in subdirectories). */
export async function collectHistory(dir: string): Promise<HistoryRow[]> {
  const rows: HistoryRow[] = [];
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      const inner = await readdir(path.join(dir, entry.name));
      files.push(...inner.map((name) => `${entry.name}/${name}`));
    } else files.push(entry.name);
  }
  for (const file of files.filter((f) => f.endsWith(".json") && !f.includes("quick")).sort()) {
    const parsed = JSON.parse(await readFile(path.join(dir, file), "utf8")) as Partial<ResultFile>;
    // Other tools' .json (e.g. a download or start-up result) without upload samples have no row here.
    if (!Array.isArray(parsed.samples)) continue;
    rows.push(...historyRows(file, parsed as ResultFile));
  }
  return rows;
}

export async function writeHistory(dir: string): Promise<string> {
  const file = path.join(dir, "HISTORY.md");
  await writeFile(file, renderHistory(await collectHistory(dir)));
  return file;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = path.resolve(process.argv[2] ?? "bench/results");
  console.log(`wrote ${await writeHistory(dir)}`);
}
