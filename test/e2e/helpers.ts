// Shared by the end-to-end suites: a file tree on disk, the emulator's objects read back, bundle runs.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
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
    // The SDK warns on Node 20 (this machine); the action runs on node24.
    NODE_NO_WARNINGS: "1",
    ...extra,
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return runCommand(process.execPath, [script, ...args], env, cwd);
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
