import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFiles } from "../../src/frontend/files.js";
import { parseHeaderRules } from "../../src/frontend/header-rules.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "svu-files-"));
  for (const file of [
    "dist/app.js",
    "dist/app.js.map",
    "dist/js/a b.js",
    "dist/.env",
    "dist/.cache/x.js",
    "notes.txt",
  ]) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), file);
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function keys(
  patterns: string[],
  extra: { prefix?: string; baseDir?: string; includeHiddenFiles?: boolean } = {},
) {
  const result = await findFiles(
    {
      patterns,
      prefix: extra.prefix ?? "",
      baseDir: extra.baseDir ?? ".",
      includeHiddenFiles: extra.includeHiddenFiles ?? false,
    },
    root,
  );
  if (!result.ok) throw new Error(result.error);
  return result.files.map((file) => file.key);
}

describe("findFiles", () => {
  it("takes everything below a named directory, without hidden files", async () => {
    expect(await keys(["dist"])).toEqual(["dist/app.js", "dist/app.js.map", "dist/js/a b.js"]);
  });

  it("applies excludes wherever they stand", async () => {
    expect(await keys(["!**/*.map", "dist/**"])).toEqual(["dist/app.js", "dist/js/a b.js"]);
  });

  it("includes hidden files and directories when asked", async () => {
    expect(await keys(["dist/**"], { includeHiddenFiles: true })).toEqual([
      "dist/.cache/x.js",
      "dist/.env",
      "dist/app.js",
      "dist/app.js.map",
      "dist/js/a b.js",
    ]);
  });

  it("maps keys from base-dir and prefix", async () => {
    expect(await keys(["dist/*.js"], { baseDir: "dist", prefix: "p" })).toEqual(["p/app.js"]);
  });

  it("gives absolute paths", async () => {
    const result = await findFiles(
      { patterns: ["dist/js"], prefix: "", baseDir: ".", includeHiddenFiles: false },
      root,
    );
    expect(result).toEqual({
      ok: true,
      files: [{ path: path.join(root, "dist", "js", "a b.js"), key: "dist/js/a b.js" }],
      warnings: [],
    });
  });

  it("names each special file and broken link a directory or wildcard matched, and uploads the rest", async () => {
    const dir = path.join(root, "special");
    await mkdir(dir);
    await writeFile(path.join(dir, "ok.txt"), "ok");
    execFileSync("mkfifo", [path.join(dir, "fifo")]);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, "sock"), resolve));
    await symlink("fifo", path.join(dir, "to-fifo"));
    await symlink("gone.txt", path.join(dir, "dangling"));
    await symlink("ok.txt", path.join(dir, "to-ok"));
    try {
      const selection = { prefix: "", baseDir: ".", includeHiddenFiles: false };
      const byDirectory = await findFiles({ ...selection, patterns: ["special"] }, root);
      expect(byDirectory).toEqual({
        ok: true,
        files: [
          { path: path.join(dir, "ok.txt"), key: "special/ok.txt" },
          { path: path.join(dir, "to-ok"), key: "special/to-ok" },
        ],
        warnings: [
          `Skipped "${path.join(dir, "dangling")}": it is a symbolic link to "gone.txt", which does not exist; fix the link or exclude it with a "!" pattern.`,
          `Skipped "${path.join(dir, "fifo")}": it is a named pipe (FIFO), not a regular file; only regular files upload, so exclude it with a "!" pattern.`,
          `Skipped "${path.join(dir, "sock")}": it is a socket, not a regular file; only regular files upload, so exclude it with a "!" pattern.`,
          `Skipped "${path.join(dir, "to-fifo")}": it is a symbolic link to a named pipe (FIFO), not a regular file; only regular files upload, so exclude it with a "!" pattern.`,
        ],
      });
      const excluded = await findFiles(
        { ...selection, patterns: ["special/*", "!**/{fifo,sock,dangling}"] },
        root,
      );
      expect(excluded.ok && excluded.warnings.length).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("leaves out a download's kept temp files and resume records, even with hidden files, and says so", async () => {
    const dir = path.join(root, "restored");
    await mkdir(dir);
    for (const name of ["app.tar", ".app.tar.s3vu-0123456789ab.part", ".app.tar.s3vu-resume", ".env"]) {
      await writeFile(path.join(dir, name), name);
    }
    try {
      const result = await findFiles(
        { patterns: ["restored"], prefix: "", baseDir: ".", includeHiddenFiles: true },
        root,
      );
      expect(result.ok && result.files.map((file) => file.key)).toEqual([
        "restored/.env",
        "restored/app.tar",
      ]);
      expect(result.ok && result.warnings).toEqual([
        `Skipped 2 work files of an unfinished s3-verified-upload download (temp file or resume record, named ".<name>.s3vu-…"), e.g. "${path.join(dir, ".app.tar.s3vu-0123456789ab.part")}": they are not part of the folder's content; rerun that download to finish it, or delete them.`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("accepts one plain file and absolute patterns", async () => {
    expect(await keys(["notes.txt"])).toEqual(["notes.txt"]);
    expect(await keys([path.join(root, "dist", "js", "*.js")])).toEqual(["dist/js/a b.js"]);
  });

  it("fails when a file lies outside base-dir", async () => {
    const result = await findFiles(
      { patterns: ["notes.txt"], prefix: "", baseDir: "dist", includeHiddenFiles: false },
      root,
    );
    expect(result).toEqual({
      ok: false,
      error: `File "${path.join(root, "notes.txt")}" is not inside base-dir "${path.join(root, "dist")}"; set "base-dir" to a directory that contains every matched file.`,
    });
  });

  it("returns nothing for patterns that match nothing", async () => {
    expect(await keys(["missing/**"])).toEqual([]);
  });
});

describe("findFiles with header rules", () => {
  it("gives each file the headers of its rules, matched relative to base-dir", async () => {
    const rules = parseHeaderRules(
      "headers",
      "*.js | Cache-Control: no-cache\njs/* | Content-Language: en\ndist/*.map | Cache-Control: x",
    ).rules;
    const result = await findFiles(
      { patterns: ["dist"], prefix: "p", baseDir: "dist", includeHiddenFiles: false, headerRules: rules },
      root,
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.files.map(({ key, headers }) => ({ key, headers }))).toEqual([
      { key: "p/app.js", headers: { cacheControl: "no-cache" } },
      { key: "p/app.js.map", headers: undefined },
      { key: "p/js/a b.js", headers: { cacheControl: "no-cache", contentLanguage: "en" } },
    ]);
    expect(result.warnings).toEqual([
      'Input "headers": line 3 pattern "dist/*.map" matches none of the files to upload; patterns are relative to base-dir ("dist").',
    ]);
  });
});
