// Instructions the whole client process executes for one upload (valgrind callgrind), for CLI bundles side
// by side: unlike CPU time, an instruction count hardly moves with the load of a shared machine, so a
// change's effect shows in one run. What it cannot see: cache misses and kernel work inside system calls.
//   npx tsx bench/upload-instructions.ts --size 64MiB \
//     --variant before=/tmp/before/cli/index.js --variant after=/tmp/after/cli/index.js [--cpus 0]
// --cpus pins the client (taskset) so hashing stays inline, as on a 1- or 2-core runner.
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ourUploadArgs } from "./clients.js";
import { parseWorkloadSpec } from "./options.js";
import { startEmulator } from "./server.js";
import { createWorkload, warmPageCache } from "./test-data.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const variants = process.argv
  .flatMap((arg, index) => (arg === "--variant" ? [process.argv[index + 1] ?? ""] : []))
  .map((spec) => {
    const [name, cli] = spec.split("=", 2);
    if (!name || !cli) throw new Error(`--variant ${spec}: expected name=path/to/cli.js`);
    return { name, cli: path.resolve(projectRoot, cli) };
  });
if (variants.length === 0) throw new Error("give at least one --variant name=cli.js");
const size = flag("size", "64MiB");
const cpus = flag("cpus", "0");
const spec = parseWorkloadSpec(size);
if (spec === null) throw new Error(`--size ${size}: expected e.g. 64MiB`);

/** Runs argv to its end; resolves with its stderr, rejects when it fails. */
function run(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(stderr) : reject(new Error(`exit ${code}:\n${stderr.slice(-3000)}`)),
    );
  });
}

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
    const stderr = await run(
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
