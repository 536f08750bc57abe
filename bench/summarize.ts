// Turns the per-run samples into medians per workload and client, and ratios against ours.

import type { Measurement } from "./measure.js";
import type { ClientId } from "./options.js";

export interface Sample {
  workloadId: string;
  clientId: ClientId;
  /** The client's core setting ("1", "2", … or "all" when not pinned); ratios pair ours at the same one. */
  cores: string;
  run: number;
  totalBytes: number;
  fileCount: number;
  measurement: Measurement;
  /** CPU the server used during this client's run, to show whether it was the bottleneck. */
  serverCpuSeconds: number | null;
}

export interface Summary {
  workloadId: string;
  clientId: ClientId;
  cores: string;
  fileCount: number;
  runs: number;
  wallSeconds: number;
  megabytesPerSecond: number;
  minMegabytesPerSecond: number;
  maxMegabytesPerSecond: number;
  filesPerSecond: number;
  cpuSecondsPerGiB: number;
  peakRssBytes: number;
  /** Server CPU seconds per wall second: 1.0 means one core fully busy. */
  serverCores: number | null;
  /** ours MB/s ÷ this client's MB/s, per run then median; null when ours did not run. */
  oursSpeedup: number | null;
  /** this client's CPU-s/GiB ÷ ours, per run then median. */
  cpuVersusOurs: number | null;
}

const GIB = 1024 ** 3;

export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(samples: Sample[]): Summary[] {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const key = `${sample.workloadId}\u0000${sample.clientId}\u0000${sample.cores}`;
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  const rows = [...groups.values()].map((group) => summarizeGroup(group));
  return rows.map((row) => ({
    ...row,
    oursSpeedup: perRunRatio(samples, row, (ours, other) => wallOf(other) / wallOf(ours)),
    cpuVersusOurs: perRunRatio(samples, row, (ours, other) => cpuPerGiB(other) / cpuPerGiB(ours)),
  }));
}

/**
 * The median of ratios taken within each run: a run measures all clients back to back, so load that drifts
 * between runs (other work on a shared machine) cancels out instead of pairing a quiet run with a busy one.
 */
function perRunRatio(
  samples: Sample[],
  row: { workloadId: string; clientId: ClientId; cores: string },
  ratio: (ours: Sample, other: Sample) => number,
): number | null {
  const ratios: number[] = [];
  for (const other of samples) {
    if (other.workloadId !== row.workloadId || other.clientId !== row.clientId || other.cores !== row.cores) {
      continue;
    }
    const ours = samples.find(
      (s) =>
        s.workloadId === row.workloadId &&
        s.clientId === "ours" &&
        s.cores === row.cores &&
        s.run === other.run,
    );
    if (ours) ratios.push(ratio(ours, other));
  }
  return ratios.length === 0 ? null : median(ratios);
}

const wallOf = (s: Sample) => s.measurement.wallSeconds;
const cpuPerGiB = (s: Sample) =>
  (s.measurement.userSeconds + s.measurement.sysSeconds) / (s.totalBytes / GIB);

function summarizeGroup(group: Sample[]): Omit<Summary, "oursSpeedup" | "cpuVersusOurs"> {
  const first = group[0]!;
  const speeds = group.map((s) => s.totalBytes / 1e6 / s.measurement.wallSeconds);
  const wall = median(group.map((s) => s.measurement.wallSeconds));
  return {
    workloadId: first.workloadId,
    clientId: first.clientId,
    cores: first.cores,
    fileCount: first.fileCount,
    runs: group.length,
    wallSeconds: wall,
    megabytesPerSecond: median(speeds),
    minMegabytesPerSecond: Math.min(...speeds),
    maxMegabytesPerSecond: Math.max(...speeds),
    filesPerSecond: median(group.map((s) => s.fileCount / s.measurement.wallSeconds)),
    cpuSecondsPerGiB: median(group.map(cpuPerGiB)),
    peakRssBytes: median(group.map((s) => s.measurement.maxRssBytes)),
    serverCores: group.every((s) => s.serverCpuSeconds !== null)
      ? median(group.map((s) => s.serverCpuSeconds! / s.measurement.wallSeconds))
      : null,
  };
}

export interface Scaling {
  workloadId: string;
  clientId: ClientId;
  /** Median MB/s per core setting, in the order the settings were run. */
  megabytesPerSecond: { cores: string; value: number }[];
  /** MB/s at the most cores ÷ MB/s at the fewest; null with fewer than two numeric settings. */
  gain: number | null;
}

/** How each client's throughput changed from its fewest to its most pinned cores, per workload. */
export function scaling(summaries: Summary[]): Scaling[] {
  const out: Scaling[] = [];
  for (const row of summaries) {
    if (out.some((s) => s.workloadId === row.workloadId && s.clientId === row.clientId)) continue;
    const rows = summaries.filter((s) => s.workloadId === row.workloadId && s.clientId === row.clientId);
    const pinned = rows.filter((r) => r.cores !== "all").sort((a, b) => Number(a.cores) - Number(b.cores));
    out.push({
      workloadId: row.workloadId,
      clientId: row.clientId,
      megabytesPerSecond: rows.map((r) => ({ cores: r.cores, value: r.megabytesPerSecond })),
      gain: pinned.length >= 2 ? pinned.at(-1)!.megabytesPerSecond / pinned[0]!.megabytesPerSecond : null,
    });
  }
  return out;
}
