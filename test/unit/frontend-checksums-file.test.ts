// The checksums-file output: sha256sum's format, names relative to base-dir, so that `sha256sum -c` run in
// base-dir accepts it and actions/attest-build-provenance reads `<digest>  <name>` subjects from it.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { EOL, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/types.js";
import { checksumsText, writeChecksumsFile } from "../../src/frontend/checksums-file.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-checksums-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A result for `name` (relative to base-dir) stored under the prefix "builds/7". */
function result(name: string, content: string, overrides: Partial<FileResult> = {}): FileResult {
  return {
    path: path.join(dir, name),
    key: `builds/7/${name}`,
    status: "uploaded",
    sha256: createHash("sha256").update(content).digest("hex"),
    ...overrides,
  } as FileResult;
}

describe("checksumsText", () => {
  it("lists files uploaded or unchanged with a SHA-256, by key without the prefix (path relative to base-dir)", () => {
    const text = checksumsText(
      [
        result("a.txt", "a"),
        result("sub/b.txt", "b", { status: "unchanged" }),
        result("failed.txt", "f", { status: "failed" }),
        result("off.txt", "o", { sha256: null }),
        result("dry.txt", "d", { status: "dry-run", sha256: null }),
      ],
      "builds/7",
    );
    const hex = (content: string): string => createHash("sha256").update(content).digest("hex");
    expect(text).toBe(`${hex("a")}  a.txt${EOL}${hex("b")}  sub/b.txt${EOL}`);
  });

  it("lists files a download wrote or found unchanged, by key without the prefix (path relative to base-dir)", () => {
    const text = checksumsText(
      [
        result("a.txt", "a", { status: "downloaded" } as unknown as Partial<FileResult>),
        result("b.txt", "b", { status: "unchanged" }),
        result("dry.txt", "d", { status: "dry-run" }),
      ],
      "builds/7",
    );
    const hex = (content: string): string => createHash("sha256").update(content).digest("hex");
    expect(text).toBe(`${hex("a")}  a.txt${EOL}${hex("b")}  b.txt${EOL}`);
  });

  it("is null when no file has a SHA-256", () => {
    expect(checksumsText([result("x", "x", { sha256: null })], "builds/7")).toBeNull();
  });

  it("takes the prefix as keys.ts joins it: with or without a trailing /, or none", () => {
    const file = result("a.txt", "a");
    const line = `${file.sha256}  a.txt${EOL}`;
    expect(checksumsText([file], "builds/7/")).toBe(line);
    expect(checksumsText([{ ...file, key: "a.txt" }], "")).toBe(line);
  });

  it("is accepted by `sha256sum -c` run in base-dir, and fails it once a file is altered", async () => {
    const base = path.join(dir, "real");
    await mkdir(path.join(base, "nested dir"), { recursive: true });
    const files = { "one.bin": "1", "nested dir/two words.bin": "22", "back\\slash.bin": "333" };
    const results: FileResult[] = [];
    for (const [name, content] of Object.entries(files)) {
      await writeFile(path.join(base, ...name.split("/")), content);
      results.push(result(name, content));
    }
    const listPath = await writeChecksumsFile(dir, checksumsText(results, "builds/7")!);
    expect(path.dirname(listPath)).toBe(dir);
    expect(execFileSync("sha256sum", ["-c", listPath], { cwd: base, encoding: "utf8" })).toContain(
      "nested dir/two words.bin: OK",
    );
    await writeFile(path.join(base, "one.bin"), "changed");
    const altered = spawnSync("sha256sum", ["-c", listPath], { cwd: base, encoding: "utf8" });
    expect(altered.status).toBe(1);
    expect(altered.stdout).toContain("one.bin: FAILED");
    expect((await readFile(listPath, "utf8")).split(EOL).filter(Boolean)).toHaveLength(3);
  });
});
