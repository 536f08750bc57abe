// `npx tsx bench/profile.ts`: one upload (a file, or many with --size 1000x64KiB) by our CLI under node --cpu-prof, then the top self-time functions.
// usage: npx tsx bench/profile.ts [--size 1GiB] [--top 25] [--from-source] [--keep DIR] [--endpoint URL]
//                                 [--cli dist/cli/index.js] [-- extra CLI flags, e.g. --checksum-algorithm CRC32C]

import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ourUploadArgs } from "./clients.js";
import { selfTimeByFile, selfTimeByFunction, type CpuProfile, type SelfTime } from "./cpu-profile.js";
import { runToEnd } from "./measure.js";
import { parseWorkloadSpec } from "./options.js";
import { externalServer, startEmulator, type Server } from "./server.js";
import { createWorkload, warmPageCache } from "./test-data.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const USAGE =
  "usage: npx tsx bench/profile.ts [--size 1GiB] [--top 25] [--from-source] [--keep DIR] [--endpoint URL] [--cli PATH] [-- CLI flags]";

interface ProfileOptions {
  size: string;
  top: number;
  fromSource: boolean;
  keep: string | null;
  endpoint: string | null;
  cli: string;
  cliFlags: string[];
}

function parse(argv: string[]): ProfileOptions | string {
  const options: ProfileOptions = {
    size: "1GiB",
    top: 25,
    fromSource: false,
    keep: null,
    endpoint: null,
    cli: "dist/cli/index.js",
    cliFlags: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? "";
    if (arg === "--") {
      options.cliFlags = argv.slice(i + 1);
      break;
    } else if (arg === "--from-source") options.fromSource = true;
    else if (arg === "--size") options.size = value();
    else if (arg === "--top") options.top = Number(value());
    else if (arg === "--keep") options.keep = path.resolve(value());
    else if (arg === "--endpoint") options.endpoint = value();
    else if (arg === "--cli") options.cli = value();
    else return `unknown option "${arg}"\n${USAGE}`;
  }
  const spec = parseWorkloadSpec(options.size);
  if (spec === null) return `--size "${options.size}" must be like 1GiB or 1000x64KiB\n${USAGE}`;
  if (!Number.isInteger(options.top) || options.top < 1) return `--top must be a whole number ≥ 1\n${USAGE}`;
  return options;
}

const options = parse(process.argv.slice(2));
if (typeof options === "string") {
  console.error(options);
  process.exit(2);
}

const scratch = await mkdtemp(path.join(os.tmpdir(), "s3vu-profile-"));
let server: Server | Error | null = null;
try {
  server = options.endpoint
    ? externalServer(options.endpoint, process.env)
    : await startEmulator(projectRoot, "bench");
  if (server instanceof Error) throw server;
  const workload = await createWorkload(scratch, parseWorkloadSpec(options.size)!);
  await warmPageCache(workload);
  const profileDir = options.keep ?? path.join(scratch, "profiles");
  await mkdir(profileDir, { recursive: true });
  const entry = options.fromSource
    ? ["--import", "tsx", path.join(projectRoot, "src/cli.ts")]
    : [path.resolve(projectRoot, options.cli)];
  const argv = [
    process.execPath,
    "--cpu-prof",
    `--cpu-prof-dir=${profileDir}`,
    ...entry,
    ...ourUploadArgs(server, "bench", `profile-${Date.now()}/`, workload, options.cliFlags),
  ];
  console.error(`profile: ${argv.slice(1).join(" ")}`);
  const started = Date.now();
  const outcome = await runToEnd(argv, {
    ...process.env,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
  });
  const seconds = (Date.now() - started) / 1000;
  if (outcome.code !== 0) throw new Error(`the CLI exited ${outcome.code}:\n${outcome.output}`);
  console.log(
    `${options.size} in ${seconds.toFixed(2)} s (${(workload.totalBytes / 1e6 / seconds).toFixed(0)} MB/s)\n`,
  );
  for (const file of (await readdir(profileDir)).filter((f) => f.endsWith(".cpuprofile")).sort()) {
    const profile = JSON.parse(await readFile(path.join(profileDir, file), "utf8")) as CpuProfile;
    printProfile(file, profile, options.top);
  }
  if (options.keep)
    console.log(`profiles kept in ${options.keep} (open them in Chrome DevTools → Performance)`);
} catch (error) {
  console.error(`profile: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  if (server && !(server instanceof Error)) await server.stop();
  await rm(scratch, { recursive: true, force: true });
}

function printProfile(file: string, profile: CpuProfile, top: number): void {
  const shorten = (url: string) =>
    url
      .replace(`file://${projectRoot}/`, "")
      .replace(/^file:\/\//, "")
      .replace(/^.*\/node_modules\//, "~/");
  const functions = selfTimeByFunction(profile, shorten);
  const total = functions.reduce((sum, f) => sum + f.microseconds, 0);
  const busy = functions.filter((f) => f.name !== "(idle)").reduce((sum, f) => sum + f.microseconds, 0);
  console.log(`## ${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s not idle`);
  console.log("\nself ms    %busy  function  (file:line)");
  functions
    .filter((f) => f.name !== "(idle)")
    .slice(0, top)
    .forEach((f) => console.log(row(f, busy)));
  console.log("\nself ms    %busy  file");
  selfTimeByFile(functions.filter((f) => f.name !== "(idle)"))
    .slice(0, 12)
    .forEach((f) => console.log(row(f, busy)));
  console.log("");
}

function row(entry: SelfTime, busy: number): string {
  const ms = (entry.microseconds / 1000).toFixed(0).padStart(7);
  const share = ((entry.microseconds / busy) * 100).toFixed(1).padStart(6);
  return `${ms}  ${share}  ${entry.name}${entry.where ? `  (${entry.where})` : ""}`;
}
