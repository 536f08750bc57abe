// Peak RSS and CPU of one upload to the sink-mode emulator, for CLI bundles side by side, in alternated
// rounds (a shared machine's load drifts, so only rounds run together compare). Peak RSS is GNU time's
// "Maximum resident set size" (VmHWM): anonymous memory plus the pages of node's own binary it touched.
//   npx tsx bench/upload-rss.ts --size 4GiB --rounds 3 \
//     --variant before=/tmp/before/cli/index.js --variant after=/tmp/after/cli/index.js
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ourUploadArgs } from "./clients.js";
import { parseWorkloadSpec } from "./options.js";
import { startEmulator } from "./server.js";
import { createWorkload, warmPageCache } from "./test-data.js";
import { median } from "./summarize.js";
import { cliVariants, flag, runToEnd } from "./tool-args.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const variants = cliVariants(projectRoot);
const size = flag("size", "4GiB");
const rounds = Number(flag("rounds", "3"));
const cpus = flag("cpus", "0,1");
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds ${flag("rounds", "")}: expected 1 or more`);
const spec = parseWorkloadSpec(size);
if (spec === null) throw new Error(`--size ${size}: expected e.g. 4GiB`);

interface Measured {
  rssMiB: number;
  cpuSeconds: number;
  wallSeconds: number;
}

/** GNU time's report of one run: peak RSS, user + system CPU, wall-clock seconds. */
function parseTimeReport(report: string): Measured {
  const field = (label: string): string => {
    const match = new RegExp(`${label}: (.+)`).exec(report);
    if (match === null) throw new Error(`GNU time gave no "${label}":\n${report}`);
    return match[1]!.trim();
  };
  const wall = field("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)")
    .split(":")
    .reduce((total, part) => total * 60 + Number(part), 0);
  return {
    rssMiB: Number(field("Maximum resident set size \\(kbytes\\)")) / 1024,
    cpuSeconds: Number(field("User time \\(seconds\\)")) + Number(field("System time \\(seconds\\)")),
    wallSeconds: wall,
  };
}

const scratch = await mkdtemp(path.join(os.tmpdir(), "s3vu-upload-rss-"));
const server = await startEmulator(projectRoot, "bench");
try {
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
    cwd: projectRoot,
    encoding: "utf8",
  });
  const workload = await createWorkload(scratch, spec);
  const results = new Map(variants.map((variant) => [variant.name, [] as Measured[]]));
  for (let round = 1; round <= rounds; round++) {
    for (const [index, variant] of variants.entries()) {
      await warmPageCache(workload);
      const report = path.join(scratch, "time.txt");
      const load = os.loadavg()[0]!.toFixed(1);
      await runToEnd(
        [
          "/usr/bin/time",
          "-v",
          "-o",
          report,
          "taskset",
          "-c",
          cpus,
          process.execPath,
          variant.cli,
          ...ourUploadArgs(server, "bench", `rss-${round}-${index}-${Date.now()}/`, workload, []),
        ],
        {
          PATH: process.env["PATH"],
          HOME: scratch,
          AWS_ACCESS_KEY_ID: server.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
          AWS_REGION: server.region,
          NODE_NO_WARNINGS: "1",
        },
      );
      const measured = parseTimeReport(await readFile(report, "utf8"));
      results.get(variant.name)!.push(measured);
      console.error(
        `round ${round} ${variant.name}: ${measured.rssMiB.toFixed(0)} MiB, ${measured.cpuSeconds.toFixed(2)} CPU-s, ` +
          `${measured.wallSeconds.toFixed(1)} s (load ${load})`,
      );
    }
  }
  console.log(
    `Upload of ${size} to the sink emulator, commit ${commit.trim()}, Node ${process.versions.node}, ` +
      `taskset -c ${cpus}, ${rounds} alternated rounds:`,
  );
  console.log("| variant | peak RSS MiB (runs) | median | CPU-s (runs) | median | wall s median |");
  console.log("| --- | --- | ---: | --- | ---: | ---: |");
  for (const [name, runs] of results) {
    const rss = runs.map((one) => one.rssMiB);
    const cpu = runs.map((one) => one.cpuSeconds);
    console.log(
      `| ${name} | ${rss.map((value) => value.toFixed(0)).join(" ")} | ${median(rss).toFixed(0)} | ` +
        `${cpu.map((value) => value.toFixed(2)).join(" ")} | ${median(cpu).toFixed(2)} | ` +
        `${median(runs.map((one) => one.wallSeconds)).toFixed(1)} |`,
    );
  }
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
