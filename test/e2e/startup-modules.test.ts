// Issue 12's start-up: what a CLI run loads before and during its work. A one-file upload and download whose
// requests all go through the lean path must not load the AWS SDK (~1.3 MB to parse, ~0.2 CPU-s), hash-wasm
// (~280 kB, CRC32C only), the proxy agents (no proxy set) or, at an http:// endpoint, node:https and node:tls.
// A module-loading hook in the CLI's process notes every module it loads.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { ciEnv, cliFromSourceArgs, type Run } from "./helpers.js";

const BUCKET = "startup-modules";
const LAZY_PACKAGES =
  /\/node_modules\/(@aws-sdk|@smithy|hash-wasm|http-proxy-agent|https-proxy-agent|agent-base)\//;
// An http:// endpoint needs no TLS: node:https and node:tls cost ~30–50 ms to load on Node 24.
const TLS_MODULES = /^(node:|builtin:)(https|tls|_tls_wrap)$/;

let emulator: Emulator;
let dir: string;
let register: string;

beforeAll(async () => {
  emulator = await startEmulator({ buckets: [BUCKET] });
  dir = await mkdtemp(path.join(tmpdir(), "svu-startup-modules-"));
  const hooks = path.join(dir, "hooks.mjs");
  await writeFile(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.S3VU_TEST_LOADED, url + "\\n");
  return next(url, context);
}
`,
  );
  register = path.join(dir, "register.mjs");
  await writeFile(
    register,
    `import { appendFileSync } from "node:fs";
import { register } from "node:module";
register(${JSON.stringify(pathToFileURL(hooks).href)});
// Node's own modules loaded by require() pass no hook: list them as the process ends.
process.on("exit", () => {
  const builtins = process.moduleLoadList.filter((name) => name.startsWith("NativeModule "));
  appendFileSync(process.env.S3VU_TEST_LOADED, builtins.map((name) => "builtin:" + name.slice(13) + "\\n").join(""));
});
`,
  );
  await writeFile(path.join(dir, "one.txt"), "one file\n");
});

afterAll(async () => {
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI from source with the hook; resolves to its result and the URLs of every module it loaded. */
async function runNoting(args: string[], name: string): Promise<Run & { loaded: string[] }> {
  const log = path.join(dir, `${name}.loaded`);
  await writeFile(log, "");
  const child = spawn(
    process.execPath,
    ["--import", register, ...cliFromSourceArgs(emulator, BUCKET), ...args],
    { env: ciEnv(emulator, { S3VU_TEST_LOADED: log }), cwd: dir },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const loaded = (await readFile(log, "utf8")).split("\n").filter(Boolean);
  return { code, stdout, stderr, loaded };
}

describe("a one-file run loads only what its requests need", () => {
  it("an upload: no AWS SDK, no hash-wasm, no proxy agents, no TLS", async () => {
    const run = await runNoting(["--prefix", "up/", "--base-dir", dir, path.join(dir, "one.txt")], "upload");
    expect(run.stderr).toContain("verified by checksum");
    expect(run.code).toBe(0);
    // The hook sees the engine's modules, so it would see the SDK's too.
    expect(run.loaded.some((url) => url.endsWith("/src/engine/s3/s3-client.ts"))).toBe(true);
    expect(run.loaded.filter((url) => LAZY_PACKAGES.test(url))).toEqual([]);
    expect(run.loaded).toContain("builtin:http");
    expect(run.loaded.filter((url) => TLS_MODULES.test(url))).toEqual([]);
  }, 60_000);

  it("a download of it: no AWS SDK, no hash-wasm, no proxy agents, no TLS", async () => {
    const target = path.join(dir, "restored");
    const run = await runNoting(["--mode", "download", "--prefix", "up/", "--base-dir", target], "download");
    expect(run.code).toBe(0);
    expect(await readFile(path.join(target, "one.txt"), "utf8")).toBe("one file\n");
    expect(run.loaded.filter((url) => LAZY_PACKAGES.test(url))).toEqual([]);
    expect(run.loaded.filter((url) => TLS_MODULES.test(url))).toEqual([]);
  }, 60_000);
});
