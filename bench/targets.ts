// Issue 12's performance targets, checked against one run's medians so the results page says met or missed.

import type { Summary } from "./summarize.js";

export interface TargetCheck {
  target: string;
  measured: string;
  /** null when the run did not include what the target needs. */
  met: boolean | null;
}

const MiB = 1024 * 1024;
/** curl is the raw-transport reference (no checksums, no proof), not a peer doing the same job. */
const PEERS = ["aws-cli", "lib-storage", "lib-storage-crc32c", "rclone"];

/**
 * The targets are about the whole machine, so each is judged on the rows with the most cores the run used
 * for that workload (unpinned "all" if it ran, else the largest count).
 */
export function widestCores(summaries: Summary[], workloadId: string): string | null {
  const settings = [...new Set(summaries.filter((s) => s.workloadId === workloadId).map((s) => s.cores))];
  if (settings.length === 0) return null;
  if (settings.includes("all")) return "all";
  return settings.sort((a, b) => Number(b) - Number(a))[0]!;
}

export function checkTargets(summaries: Summary[]): TargetCheck[] {
  const row = (workloadId: string, clientId: string) => {
    const cores = widestCores(summaries, workloadId);
    return summaries.find((s) => s.workloadId === workloadId && s.clientId === clientId && s.cores === cores);
  };
  const onCores = (r: Summary) => (r.cores === "all" ? "not pinned" : `${r.cores} cores`);
  const notMeasured = (target: string): TargetCheck => ({ target, measured: "not measured", met: null });
  const checks: TargetCheck[] = [];

  for (const [workloadId, name] of [
    ["1GiB", "1 GiB"],
    ["4GiB", "4 GiB"],
  ] as const) {
    const ours = row(workloadId, "ours");
    const aws = row(workloadId, "aws-cli");
    const speed = `${name}: ≥ 4× the throughput of aws s3 cp`;
    checks.push(
      ours && aws && aws.oursSpeedup !== null
        ? {
            target: speed,
            measured: `${aws.oursSpeedup.toFixed(2)}× (medians ${ours.megabytesPerSecond.toFixed(0)} vs ${aws.megabytesPerSecond.toFixed(0)} MB/s, ${onCores(ours)})`,
            met: aws.oursSpeedup >= 4,
          }
        : notMeasured(speed),
    );
    const cpu = `${name}: ≤ 1.0 client CPU-s/GiB (CRC64NVME, every verification on)`;
    checks.push(
      ours
        ? { target: cpu, measured: ours.cpuSecondsPerGiB.toFixed(2), met: ours.cpuSecondsPerGiB <= 1.0 }
        : notMeasured(cpu),
    );
    const rss = `${name}: peak RSS ≤ 150 MiB`;
    checks.push(
      ours
        ? {
            target: rss,
            measured: `${(ours.peakRssBytes / MiB).toFixed(0)} MiB`,
            met: ours.peakRssBytes <= 150 * MiB,
          }
        : notMeasured(rss),
    );
  }

  const small = row("1000x64KiB", "ours");
  const rclone = row("1000x64KiB", "rclone");
  const smallSpeed = "1,000 × 64 KiB: ≥ 1.5× rclone's files/s";
  const smallCpu = "1,000 × 64 KiB: less client CPU than rclone";
  if (small && rclone && rclone.oursSpeedup !== null && rclone.cpuVersusOurs !== null) {
    checks.push(
      {
        target: smallSpeed,
        measured: `${rclone.oursSpeedup.toFixed(2)}× (medians ${small.filesPerSecond.toFixed(0)} vs ${rclone.filesPerSecond.toFixed(0)} files/s, ${onCores(small)})`,
        met: rclone.oursSpeedup >= 1.5,
      },
      {
        target: smallCpu,
        measured: `rclone spent ${rclone.cpuVersusOurs.toFixed(2)}× ours (${rclone.cpuSecondsPerGiB.toFixed(1)} vs ${small.cpuSecondsPerGiB.toFixed(1)} CPU-s/GiB)`,
        met: rclone.cpuVersusOurs > 1,
      },
    );
  } else checks.push(notMeasured(smallSpeed), notMeasured(smallCpu));

  for (const [workloadId, name] of [
    ["10000x4KiB", "10,000 × 4 KiB"],
    ["mixed", "mixed tree"],
  ] as const) {
    checks.push(aheadOfEveryPeer(summaries, workloadId, name, row));
  }
  return checks;
}

function aheadOfEveryPeer(
  summaries: Summary[],
  workloadId: string,
  name: string,
  row: (workloadId: string, clientId: string) => Summary | undefined,
): TargetCheck {
  const target = `${name}: faster than every peer (${PEERS.filter((p) => p !== "lib-storage-crc32c").join(", ")})`;
  const ours = row(workloadId, "ours");
  const peers = PEERS.map((id) => row(workloadId, id)).filter(
    (r): r is Summary => r !== undefined && r.oursSpeedup !== null,
  );
  if (!ours || peers.length === 0) return { target, measured: "not measured", met: null };
  const byMargin = [...peers].sort((a, b) => a.oursSpeedup! - b.oursSpeedup!);
  return {
    target,
    measured: byMargin.map((p) => `${p.oursSpeedup!.toFixed(2)}× ${p.clientId}`).join(", "),
    met: byMargin[0]!.oursSpeedup! > 1,
  };
}

export function renderTargets(checks: TargetCheck[]): string[] {
  return [
    "| target (issue 12) | measured (median; ours × peer = how many times faster ours was) | |",
    "|---|---:|---|",
    ...checks.map(
      (c) => `| ${c.target} | ${c.measured} | ${c.met === null ? "–" : c.met ? "met" : "**missed**"} |`,
    ),
  ];
}
