// Instructions the whole client process executes for one upload (valgrind callgrind), for CLI bundles side
// by side: unlike CPU time, an instruction count hardly moves with the load of a shared machine, so a
// change's effect shows in one run. What it cannot see: cache misses and kernel work inside system calls.
//   npx tsx bench/upload-instructions.ts --size 64MiB \
//     --variant before=/tmp/before/cli/index.js --variant after=/tmp/after/cli/index.js [--cpus 0]
// --cpus pins the client (taskset) so hashing stays inline, as on a 1- or 2-core runner.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ourUploadArgs } from "./clients.js";
import { parseWorkloadSpec } from "./options.js";
import { startEmulator } from "./server.js";
import { createWorkload, warmPageCache } from "./test-data.js";
import { cliVariants, flag, runToEnd } from "./tool-args.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const variants = cliVariants(projectRoot);
const size = flag("size", "64MiB");
const cpus = flag("cpus", "0");
const spec = parseWorkloadSpec(size);
if (spec === null) throw new Error(`--size ${size}: expected e.g. 64MiB`);

const scratch = await mkdtemp(path.join(os.tmpdir(), "s3vu-upload-instructions-"));
const server = await startEmulator(projectRoot, "bench");
try {
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
    cwd: projectRoot,
    encoding: "utf8",
  });
  const workload = await createWorkload(scratch, spec);
  console.log(
    `Upload of ${size}, commit ${commit.trim()}, Node ${process.versions.node}, taskset -c ${cpus}:`,
  );
  console.log("| Variant | instructions, whole client process | per byte |");
  console.log("| --- | ---: | ---: |");
  for (const [index, variant] of variants.entries()) {
    await warmPageCache(workload);
    const stderr = await runToEnd(
      [
        "taskset",
        "-c",
        cpus,
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        "--smc-check=all-non-file",
        process.execPath,
        variant.cli,
        ...ourUploadArgs(server, "bench", `instructions-${index}-${Date.now()}/`, workload, []),
      ],
      {
        PATH: process.env["PATH"],
        HOME: scratch,
        AWS_ACCESS_KEY_ID: server.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
        NODE_NO_WARNINGS: "1",
      },
    );
    const collected = /Collected : (\d+)/.exec(stderr)?.[1];
    if (collected === undefined)
      throw new Error(`no callgrind total for ${variant.name}:\n${stderr.slice(-2000)}`);
    const instructions = Number(collected);
    console.log(
      `| ${variant.name} | ${instructions.toLocaleString("en-US")} | ${(instructions / workload.totalBytes).toFixed(2)} |`,
    );
  }
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
