// Whole-process CPU per GiB of an upload with CRC64NVME (the default), for CLI bundles side by side: e.g. the
// committed dist/ (before) against a build of the working tree (after), and the after build pinned to one
// core (no spare core: hashing stays inline) or not (hashing on a worker thread). Runs alternate, so a
// loaded machine slows every variant alike; CPU time, unlike wall time, barely depends on that load.
//   npx tsx bench/crc64-cost.ts --sizes 256MiB,1GiB --runs 3 \
//     --variant before=dist/cli/index.js --variant after=/tmp/after/cli/index.js \
//     --variant "after, 1 core=/tmp/after/cli/index.js@0" [--server-cpus 1] [--out bench/results/crc64-<date>.md]
// Each run also reports its main thread's CPU (bench/thread-cpu.mjs): the event loop's share, which bounds one
// file's throughput once hashing runs on a worker.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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

function flags(name: string): string[] {
  return process.argv.flatMap((arg, index) => (arg === `--${name}` ? [process.argv[index + 1] ?? ""] : []));
}

/** `name=cli[@cpus]`: cpus (a taskset list) pins the run, which also sets what availableParallelism() says. */
function parseVariant(spec: string): { name: string; cli: string; cpus: string | null } {
  const [name, target] = spec.split("=", 2);
  if (!name || !target) throw new Error(`--variant ${spec}: expected name=path/to/cli.js[@cpus]`);
  const [cli, cpus] = target.split("@", 2);
  return { name, cli: path.resolve(projectRoot, cli!), cpus: cpus ?? null };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const runs = Number(flag("runs", "3"));
const sizes = flag("sizes", "256MiB").split(",");
const out = flag("out", "");
const variants = flags("variant").map(parseVariant);
// The bench pins the server to core 1 (bench/run.ts); the same here makes wall times comparable with it.
const serverCpus = flag("server-cpus", "");
if (variants.length === 0) throw new Error("give at least one --variant name=cli.js[@cpus]");

const scratch = await mkdtemp(path.join(os.tmpdir(), "s3vu-crc64-cost-"));
const server = await startEmulator(projectRoot, "bench");
if (serverCpus && server.pid !== null) {
  execFileSync("taskset", ["-a", "-p", "-c", serverCpus, String(server.pid)], { stdio: "ignore" });
}
const lines: string[] = [];
const say = (line: string): void => {
  console.log(line);
  lines.push(line);
};
try {
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
    cwd: projectRoot,
    encoding: "utf8",
  });
  say(
    `Upload cost, commit ${commit.trim()}: ${os.cpus()[0]?.model ?? "cpu"}, ${os.cpus().length} cores (shared`,
  );
  say(
    `with other work), Node ${process.versions.node}, test/emulator --sink, CRC64NVME; ${runs} alternated runs.`,
  );
  say("");
  say(
    "| Workload | Variant | CPU s/GiB (median) | CPU s (runs) | main thread CPU s/GiB (median) | Wall s (median) | Wall s (runs) | MB/s (median) | peak RSS MiB (max) |",
  );
  say("| --- | --- | ---: | --- | ---: | ---: | --- | ---: | ---: |");
  for (const size of sizes) {
    const workload = await createWorkload(scratch, parseWorkloadSpec(size)!);
    const results = variants.map(() => [] as Measurement[]);
    const mainThread = variants.map(() => [] as number[]);
    for (let run = 0; run < runs; run++) {
      for (const [index, variant] of variants.entries()) {
        await warmPageCache(workload);
        const pin = variant.cpus === null ? [] : ["taskset", "-c", variant.cpus];
        const argv = [
          ...pin,
          process.execPath,
          variant.cli,
          ...ourUploadArgs(server, "bench", `crc64-${run}-${index}-${Date.now()}/`, workload, []),
        ];
        const threadFile = path.join(scratch, `threads-${run}-${index}.json`);
        const env = {
          PATH: process.env["PATH"],
          NODE_OPTIONS: `--import ${path.join(projectRoot, "bench/thread-cpu.mjs")}`,
          S3VU_THREAD_CPU_FILE: threadFile,
          HOME: scratch,
          AWS_ACCESS_KEY_ID: server.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
          NODE_NO_WARNINGS: "1",
        };
        const outcome = await measure({ argv, env }, scratch);
        if (!outcome.ok) throw new Error(outcome.error);
        results[index]!.push(outcome.measurement);
        const threads = JSON.parse(await readFile(threadFile, "utf8")) as Array<{
          main: boolean;
          cpu: number;
        }>;
        mainThread[index]!.push(threads.find((thread) => thread.main)?.cpu ?? Number.NaN);
      }
    }
    for (const [index, variant] of variants.entries()) {
      const measured = results[index]!;
      const cpu = measured.map((m) => m.userSeconds + m.sysSeconds);
      say(
        `| ${size} | ${variant.name} | ${median(cpu.map((s) => (s * GiB) / workload.totalBytes)).toFixed(2)} | ` +
          `${cpu.map((s) => s.toFixed(2)).join(", ")} | ` +
          `${median(mainThread[index]!.map((s) => (s * GiB) / workload.totalBytes)).toFixed(2)} | ` +
          `${median(measured.map((m) => m.wallSeconds)).toFixed(2)} | ` +
          `${measured.map((m) => m.wallSeconds.toFixed(2)).join(", ")} | ` +
          `${(workload.totalBytes / 1e6 / median(measured.map((m) => m.wallSeconds))).toFixed(0)} | ` +
          `${(Math.max(...measured.map((m) => m.maxRssBytes)) / 1024 ** 2).toFixed(0)} |`,
      );
    }
    await rm(workload.dir, { recursive: true, force: true });
  }
  if (out) await writeFile(out, lines.join("\n") + "\n");
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
