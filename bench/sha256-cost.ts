// `npx tsx bench/sha256-cost.ts`: what the per-file SHA-256 costs. Our CLI bundle uploads the same files to
// the sink emulator with --sha256 and without (the default), alternating run by run;
// user+sys CPU seconds per GiB of the CLI's process tree (GNU time) are compared, as medians.
// usage: npx tsx bench/sha256-cost.ts [--runs 5] [--sizes 1GiB,1000x64KiB] [--cli dist/cli/index.js] [--out FILE]

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ourUploadArgs } from "./clients.js";
import { measure, type Measurement } from "./measure.js";
import { parseWorkloadSpec } from "./options.js";
import { startEmulator } from "./server.js";
import { createWorkload, warmPageCache } from "./test-data.js";
import { flag } from "./tool-args.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const GiB = 1024 ** 3;

const runs = Number(flag("runs", "5"));
const sizes = flag("sizes", "1GiB,1000x64KiB").split(",");
const cli = path.resolve(projectRoot, flag("cli", "dist/cli/index.js"));
const out = flag("out", "");
const variants = [
  { name: "sha256 on", flags: ["--sha256"] },
  { name: "sha256 off (default)", flags: [] as string[] },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** node:crypto SHA-256, MB/s (10^6 bytes) of this process's CPU time over 256 MiB: not slowed by other load. */
function sha256Speed(): number {
  const data = Buffer.alloc(16 * 1024 * 1024, 7);
  const hash = createHash("sha256");
  const started = process.cpuUsage();
  for (let i = 0; i < 16; i++) hash.update(data);
  hash.digest();
  const used = process.cpuUsage(started);
  return (16 * data.length) / 1e6 / ((used.user + used.system) / 1e6);
}

const scratch = await mkdtemp(path.join(os.tmpdir(), "s3vu-sha256-cost-"));
const server = await startEmulator(projectRoot, "bench");
const lines: string[] = [];
const say = (line: string): void => {
  console.log(line);
  lines.push(line);
};
try {
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
    cwd: projectRoot,
    encoding: "utf8",
  }).trim();
  const shaNi = /\bsha_ni\b/.test(execFileSync("cat", ["/proc/cpuinfo"], { encoding: "utf8" }));
  say(`# SHA-256 cost: ${new Date().toISOString().slice(0, 10)}, commit ${commit} (+ working tree)`);
  say("");
  say(
    `${os.cpus()[0]?.model ?? "cpu"}, ${os.cpus().length} cores (shared with other work), sha_ni ${shaNi ? "yes" : "no"}; ` +
      `Node ${process.versions.node}; node:crypto SHA-256 ${sha256Speed().toFixed(0)} MB/s per CPU second. ` +
      `${path.relative(projectRoot, cli)} against test/emulator --sink; ${runs} runs per variant, alternated.`,
  );
  say("");
  say("| Workload | Variant | CPU s/GiB (median) | CPU s (runs) | Wall s (median) |");
  say("| --- | --- | ---: | --- | ---: |");
  for (const size of sizes) {
    const workload = await createWorkload(scratch, parseWorkloadSpec(size)!);
    const results = variants.map(() => [] as Measurement[]);
    for (let run = 0; run < runs; run++) {
      for (const [index, variant] of variants.entries()) {
        await warmPageCache(workload);
        const argv = [
          process.execPath,
          cli,
          ...ourUploadArgs(server, "bench", `cost-${run}-${index}-${Date.now()}/`, workload, variant.flags),
        ];
        const env = {
          PATH: process.env["PATH"],
          HOME: scratch,
          AWS_ACCESS_KEY_ID: server.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
          NODE_NO_WARNINGS: "1",
        };
        const outcome = await measure({ argv, env }, scratch);
        if (!outcome.ok) throw new Error(outcome.error);
        results[index]!.push(outcome.measurement);
      }
    }
    const cpuPerGiB = results.map((measured) =>
      measured.map((m) => ((m.userSeconds + m.sysSeconds) * GiB) / workload.totalBytes),
    );
    for (const [index, variant] of variants.entries()) {
      const measured = results[index]!;
      say(
        `| ${size} | ${variant.name} | ${median(cpuPerGiB[index]!).toFixed(2)} | ` +
          `${measured.map((m) => (m.userSeconds + m.sysSeconds).toFixed(2)).join(", ")} | ` +
          `${median(measured.map((m) => m.wallSeconds)).toFixed(2)} |`,
      );
    }
    const added = median(cpuPerGiB[0]!) - median(cpuPerGiB[1]!);
    lines.push(
      `<!-- ${size}: +${added.toFixed(2)} CPU s/GiB, ${((added / median(cpuPerGiB[1]!)) * 100).toFixed(1)}% -->`,
    );
    console.log(
      `${size}: sha256 adds ${added.toFixed(2)} CPU s/GiB (${((added / median(cpuPerGiB[1]!)) * 100).toFixed(1)}%)`,
    );
    await rm(workload.dir, { recursive: true, force: true });
  }
  if (out) await writeFile(out, lines.join("\n") + "\n");
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
