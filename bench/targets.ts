// The performance targets, checked against one run's medians so the results page says pass or miss.

import type { Summary } from "./summarize.js";

export interface TargetCheck {
  target: string;
  measured: string;
  /** null when the run did not include what the target needs. */
  met: boolean | null;
}

const MiB = 1024 * 1024;

export function checkTargets(summaries: Summary[]): TargetCheck[] {
  const row = (workloadId: string, clientId: string) =>
    summaries.find((s) => s.workloadId === workloadId && s.clientId === clientId);
  const ours4 = row("4GiB", "ours");
  const ratio = (peer: string, wanted: number, target: string): TargetCheck => {
    const other = row("4GiB", peer);
    if (!ours4 || !other) return { target, measured: "not measured", met: null };
    const value = other.oursSpeedup ?? 0;
    return {
      target,
      measured: `${value.toFixed(2)}× (medians ${ours4.megabytesPerSecond.toFixed(0)} vs ${other.megabytesPerSecond.toFixed(0)} MB/s)`,
      met: value >= wanted,
    };
  };
  const checks = [
    ratio("aws-cli", 3, "4 GiB: ≥ 3× the throughput of aws s3 cp"),
    ratio("lib-storage-crc32c", 5, "4 GiB: ≥ 5× lib-storage with CRC32C"),
  ];
  for (const workloadId of ["1GiB", "4GiB"]) {
    const ours = row(workloadId, "ours");
    checks.push(
      ours
        ? {
            target: `${workloadId}: ≤ 1.3 client CPU-s/GiB with CRC64NVME`,
            measured: ours.cpuSecondsPerGiB.toFixed(2),
            met: ours.cpuSecondsPerGiB <= 1.3,
          }
        : {
            target: `${workloadId}: ≤ 1.3 client CPU-s/GiB with CRC64NVME`,
            measured: "not measured",
            met: null,
          },
      ours
        ? {
            target: `${workloadId}: peak RSS ≤ 150 MiB`,
            measured: `${(ours.peakRssBytes / MiB).toFixed(0)} MiB`,
            met: ours.peakRssBytes <= 150 * MiB,
          }
        : { target: `${workloadId}: peak RSS ≤ 150 MiB`, measured: "not measured", met: null },
    );
  }
  for (const workloadId of ["1GiB", "4GiB"]) {
    const md5 = row(workloadId, "ours-md5");
    const target = `${workloadId}: ≤ 2.5 client CPU-s/GiB with Content-MD5 added`;
    checks.push(
      md5
        ? { target, measured: md5.cpuSecondsPerGiB.toFixed(2), met: md5.cpuSecondsPerGiB <= 2.5 }
        : { target, measured: "not measured", met: null },
    );
  }
  const small = row("1000x64KiB", "ours");
  checks.push({
    target: "1,000 × 64 KiB: ≥ 1,200 files/s",
    measured: small ? `${small.filesPerSecond.toFixed(0)} files/s` : "not measured",
    met: small ? small.filesPerSecond >= 1200 : null,
  });
  return checks;
}

export function renderTargets(checks: TargetCheck[]): string[] {
  return [
    "| target (issue 6) | measured (median) | |",
    "|---|---:|---|",
    ...checks.map(
      (c) => `| ${c.target} | ${c.measured} | ${c.met === null ? "–" : c.met ? "met" : "**missed**"} |`,
    ),
  ];
}
