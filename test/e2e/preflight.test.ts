// The bundled CLI (dist/cli/index.js) facing a setup that cannot work, and a dry run that asks the store.
import { rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/types.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { ciEnv, makeTree, nodeRuntimes, patternBytes, repoRoot, runNode } from "./helpers.js";

const CLI = path.join(repoRoot, "dist", "cli", "index.js");
const READS = new Set(["ListObjectsV2", "HeadObject", "GetObject"]);

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.each(nodeRuntimes())("on $name", (node) => {
  let emulator: Emulator;
  let workspace: string;

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: ["seeded"] });
    const tree: Record<string, string | Buffer> = {};
    for (let index = 0; index < 500; index++) tree[`many/f${index}.txt`] = `file ${index}\n`;
    tree["site/same-a.txt"] = "identical a\n";
    tree["site/same-b.bin"] = patternBytes(300_000, 5);
    tree["site/changed.txt"] = "version 1\n";
    workspace = await makeTree(tree);
  });

  afterAll(async () => {
    await emulator?.stop();
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  function cli(args: string[], env: Record<string, string> = {}) {
    return runNode(node, CLI, args, ciEnv(emulator, env), workspace);
  }

  const store = () => ["--endpoint", emulator.endpoint, "--force-path-style"];

  it("a wrong bucket with 500 files: one request, a short stderr naming the bucket, exit 1", async () => {
    const from = emulator.requestLog.length;
    const run = await cli(["--bucket", "no-such-bucket", ...store(), "many/**"]);
    expect(run.code).toBe(1);
    expect(emulator.requestLog.slice(from)).toEqual([
      expect.objectContaining({ operation: "ListObjectsV2", code: "NoSuchBucket" }),
    ]);
    expect(run.stderr.trimEnd().split("\n").length, run.stderr).toBeLessThan(10);
    expect(run.stderr).toContain('bucket "no-such-bucket" does not exist');
    expect(run.stderr.match(/no-such-bucket/g)?.length).toBeLessThan(4);
  });

  it("dry run against a seeded store: unchanged, refused and would-upload; only reads; exit 1 for the refusal", async () => {
    const seed = await cli(["--bucket", "seeded", ...store(), "site/**"]);
    expect(seed.code, seed.stderr).toBe(0);
    await writeFile(path.join(workspace, "site/changed.txt"), "version 2\n");
    await writeFile(path.join(workspace, "site/new.txt"), "new\n");

    const from = emulator.requestLog.length;
    const run = await cli(["--bucket", "seeded", ...store(), "--dry-run", "--json", "site/**"]);
    expect(emulator.requestLog.slice(from).filter((entry) => !READS.has(entry.operation))).toEqual([]);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; keys: string[]; files: FileResult[] };
    const status = Object.fromEntries(report.files.map((file) => [file.key, file.status]));
    expect(status).toEqual({
      "site/changed.txt": "refused",
      "site/new.txt": "dry-run",
      "site/same-a.txt": "unchanged",
      "site/same-b.bin": "unchanged",
    });
    expect(report.ok).toBe(false);
    expect(report.keys).toEqual(["site/new.txt", "site/same-a.txt", "site/same-b.bin"]);
    expect(run.stderr).toMatch(
      /unchanged s3:\/\/seeded\/site\/same-a\.txt \(12 B, identical: CRC64NVME \S+ matches\)/,
    );
    expect(run.stderr).toMatch(/would be refused .*site\/changed\.txt.*already exists and differs/);
    expect(run.stderr).toMatch(/would upload .*site\/new\.txt/);
    expect(run.stderr).toContain("1 would upload, 2 unchanged, 1 would be refused");

    const overwrite = await cli([
      "--bucket",
      "seeded",
      ...store(),
      "--dry-run",
      "--overwrite",
      "--json",
      "site/**",
    ]);
    expect(overwrite.code, overwrite.stderr).toBe(0);
    const statuses = (JSON.parse(overwrite.stdout) as { files: FileResult[] }).files.map(
      (file) => file.status,
    );
    expect(statuses).toEqual(["dry-run", "dry-run", "dry-run", "dry-run"]);
  });

  it("dry run with the endpoint down: exit 1, naming the endpoint", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const run = await cli([
      "--bucket",
      "seeded",
      "--endpoint",
      endpoint,
      "--force-path-style",
      "--dry-run",
      "site/**",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(endpoint);
    expect(run.stderr).toMatch(/preflight failed/);
    expect(run.stderr.trimEnd().split("\n").length, run.stderr).toBeLessThan(10);
  });
});
