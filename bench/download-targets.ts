// Issue 10's download targets, checked against one run's medians so the results page says met or missed.

import type { Summary } from "./summarize.js";
import type { TargetCheck } from "./targets.js";

const MiB = 1024 * 1024;

export function checkDownloadTargets(summaries: Summary[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  // Also "1GiB download (tmpfs)" and the like: downloads into a folder chosen with --download-dir.
  const downloads = [...new Set(summaries.map((s) => s.workloadId))].filter((id) =>
    /^[14]GiB download( \(.+\))?$/.test(id),
  );
  for (const workloadId of downloads) {
    const row = (clientId: string) =>
      summaries.find((s) => s.workloadId === workloadId && s.clientId === clientId);
    const ours = row("ours");
    const aws = row("aws-cli");
    // No download in this run (e.g. --quick): leave the rows out rather than list them unmeasured.
    if (!ours) continue;
    checks.push(
      {
        target: `${workloadId}: ≥ 2× the throughput of aws s3 cp, verification on`,
        measured: aws
          ? `${(aws.oursSpeedup ?? 0).toFixed(2)}× (medians ${ours.megabytesPerSecond.toFixed(0)} vs ${aws.megabytesPerSecond.toFixed(0)} MB/s)`
          : "not measured",
        met: aws ? (aws.oursSpeedup ?? 0) >= 2 : null,
      },
      {
        target: `${workloadId}: peak RSS ≤ 150 MiB`,
        measured: `${(ours.peakRssBytes / MiB).toFixed(0)} MiB`,
        met: ours.peakRssBytes <= 150 * MiB,
      },
    );
  }
  return checks;
}
