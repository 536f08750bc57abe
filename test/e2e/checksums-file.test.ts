// The published digests end to end: the CLI bundle's --checksums-file and the action bundle's checksums-file
// output of a 3-file upload are accepted by `sha256sum -c` run in base-dir, and refused once a file changes.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/types.js";
import { startEmulator } from "../emulator/index.js";
import type { Emulator } from "../emulator/index.js";
import { ciEnv, makeTree, nodeRuntimes, patternBytes, repoRoot, runNode } from "./helpers.js";

const MiB = 1024 * 1024;
const CLI = path.join(repoRoot, "dist", "cli", "index.js");
const ACTION = path.join(repoRoot, "dist", "index.js");

function sha256Hex(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function sha256sumCheck(listPath: string, cwd: string) {
  return spawnSync("sha256sum", ["-c", listPath], { cwd, encoding: "utf8" });
}

describe.each(nodeRuntimes())("on $name", (node) => {
  let emulator: Emulator;
  let workspace: string;
  let scratch: string;
  const files = {
    "out/big.bin": patternBytes(11 * MiB + 5, 9),
    "out/notes.txt": "release notes\n",
    "out/docs/read me.md": "# hi\n",
  };

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: ["cli-sums", "action-sums"] });
    workspace = await makeTree(files);
    scratch = await mkdtemp(path.join(tmpdir(), "svu-sums-"));
  });

  afterAll(async () => {
    await emulator?.stop();
    if (workspace) await rm(workspace, { recursive: true, force: true });
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const expectedLines = (): string[] =>
    [
      `${sha256Hex(files["out/big.bin"])}  big.bin`,
      `${sha256Hex(files["out/docs/read me.md"])}  docs/read me.md`,
      `${sha256Hex(files["out/notes.txt"])}  notes.txt`,
    ].sort();

  it("CLI: --checksums-file of a 3-file multipart and single upload passes `sha256sum -c` in base-dir", async () => {
    const list = path.join(scratch, `cli-${node.name.replace(/\W/g, "")}.sha256`);
    const run = await runNode(
      node,
      CLI,
      [
        "--bucket",
        "cli-sums",
        "--endpoint",
        emulator.endpoint,
        "--force-path-style",
        "--part-size=5MiB",
        "--base-dir",
        "out",
        "--prefix",
        "releases/1.0",
        "--sha256",
        "--checksums-file",
        list,
        "--json",
        "out/**",
      ],
      ciEnv(emulator, {}),
      workspace,
    );
    expect(run.stderr).toContain("3 uploaded");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { files: FileResult[] };
    expect(Object.fromEntries(report.files.map((file) => [file.key, file.sha256]))).toEqual({
      "releases/1.0/big.bin": sha256Hex(files["out/big.bin"]),
      "releases/1.0/notes.txt": sha256Hex(files["out/notes.txt"]),
      "releases/1.0/docs/read me.md": sha256Hex(files["out/docs/read me.md"]),
    });
    expect((await readFile(list, "utf8")).trimEnd().split("\n").sort()).toEqual(expectedLines());
    const checked = sha256sumCheck(list, path.join(workspace, "out"));
    expect(checked.stderr).toBe("");
    expect(checked.status).toBe(0);
    expect(checked.stdout.trimEnd().split("\n").sort()).toEqual(
      ["big.bin: OK", "docs/read me.md: OK", "notes.txt: OK"].sort(),
    );
  });

  it("action: the checksums-file output (in RUNNER_TEMP) passes `sha256sum -c` in base-dir; sha256 for one file", async () => {
    const runnerTemp = await mkdtemp(path.join(scratch, "runner-temp-"));
    const outputFile = path.join(runnerTemp, "github-output");
    const summaryFile = path.join(runnerTemp, "summary.md");
    await writeFile(outputFile, "");
    await writeFile(summaryFile, "");
    const env = ciEnv(emulator, {
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: runnerTemp,
      INPUT_BUCKET: "action-sums",
      INPUT_ENDPOINT: emulator.endpoint,
      "INPUT_FORCE-PATH-STYLE": "true",
      "INPUT_PART-SIZE": "5MiB",
      "INPUT_BASE-DIR": "out",
      INPUT_PATH: "out/**",
      INPUT_SHA256: "true",
    });
    const run = await runNode(node, ACTION, [], env, workspace);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const outputs = await readFile(outputFile, "utf8");
    const listPath = /^checksums-file<<(.+)\n(.*)\n\1$/m.exec(outputs)?.[2];
    expect(listPath && path.dirname(listPath)).toBe(runnerTemp);
    expect((await readFile(listPath!, "utf8")).trimEnd().split("\n").sort()).toEqual(expectedLines());
    expect(sha256sumCheck(listPath!, path.join(workspace, "out")).status).toBe(0);
    const summary = await readFile(summaryFile, "utf8");
    expect(summary).toContain("<th>SHA-256</th>");
    expect(summary).toContain(`<code>${sha256Hex(files["out/notes.txt"])}</code>`);

    await writeFile(outputFile, "");
    const single = await runNode(
      node,
      ACTION,
      [],
      { ...env, INPUT_PATH: "out/notes.txt", INPUT_OVERWRITE: "true" },
      workspace,
    );
    expect(single.code).toBe(0);
    expect(await readFile(outputFile, "utf8")).toMatch(
      new RegExp(`^sha256<<(.+)\\n${sha256Hex(files["out/notes.txt"])}\\n\\1$`, "m"),
    );
  });

  it("`sha256sum -c` refuses the list once a file is altered after the upload", async () => {
    const list = path.join(scratch, `altered-${node.name.replace(/\W/g, "")}.sha256`);
    const tree = await makeTree({ "out/a.bin": "a", "out/b.bin": "b", "out/c.bin": "c" });
    try {
      const run = await runNode(
        node,
        CLI,
        [
          "--bucket",
          "cli-sums",
          "--endpoint",
          emulator.endpoint,
          "--force-path-style",
          "--base-dir",
          "out",
          "--prefix",
          `altered-${Date.now()}`,
          "--sha256",
          "--checksums-file",
          list,
          "out/*.bin",
        ],
        ciEnv(emulator, {}),
        tree,
      );
      expect(run.code).toBe(0);
      expect(sha256sumCheck(list, path.join(tree, "out")).status).toBe(0);
      await writeFile(path.join(tree, "out", "b.bin"), "B");
      const altered = sha256sumCheck(list, path.join(tree, "out"));
      expect(altered.status).toBe(1);
      expect(altered.stdout).toContain("b.bin: FAILED");
    } finally {
      await rm(tree, { recursive: true, force: true });
    }
  });
});
