// Key → local path: every hostile key is refused by name before anything is written, and no accepted key
// maps outside base-dir.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { keyFolder, linkedFolderErrors, mapKeys, selectKeys } from "../../src/frontend/download-paths.js";

const base = path.resolve("/restore/here");
const object = (key: string, size = 1): { key: string; size: number } => ({ key, size });

describe("keyFolder", () => {
  it('adds the "/" the upload put between prefix and path', () => {
    expect(keyFolder("")).toBe("");
    expect(keyFolder("releases/v1")).toBe("releases/v1/");
    expect(keyFolder("releases/v1/")).toBe("releases/v1/");
  });
});

describe("mapKeys", () => {
  it("maps a key to base-dir + the key without the prefix", () => {
    const mapped = mapKeys([object("rel/v1/a.txt"), object("rel/v1/sub/b.bin")], "rel/v1", base, "linux");
    expect(mapped).toEqual({
      ok: true,
      files: [
        { key: "rel/v1/a.txt", path: path.join(base, "a.txt"), size: 1 },
        { key: "rel/v1/sub/b.bin", path: path.join(base, "sub", "b.bin"), size: 1 },
      ],
      skipped: [],
    });
  });

  it("skips zero-byte directory markers, the prefix's own included", () => {
    const mapped = mapKeys([object("p/", 0), object("p/dir/", 0), object("p/dir/x", 3)], "p", base, "linux");
    expect(mapped.ok && mapped.files.map((file) => file.key)).toEqual(["p/dir/x"]);
    expect(mapped.ok && mapped.skipped).toEqual(["p/", "p/dir/"]);
  });

  it.each([
    ["p/../escape", '".." segment'],
    ["p/a/../../escape", '".." segment'],
    ["p/./a", '"." segment'],
    ["p//etc/passwd", "empty segment"],
    ["p/a//b", "empty segment"],
    ["p/a\\..\\..\\b", "backslash"],
    ["p/a\u0000b", "control character U+0000"],
    ["p/a\nb", "control character U+000A"],
    ["p/dir/", "ends in"],
  ])("refuses %j, naming the key, why and the fix", (key, why) => {
    const size = key.endsWith("/") ? 5 : 1;
    const mapped = mapKeys([object("p/ok"), object(key, size)], "p", base, "linux");
    expect(mapped.ok).toBe(false);
    if (mapped.ok) return;
    expect(mapped.errors).toHaveLength(1);
    expect(mapped.errors[0]).toContain(JSON.stringify(key));
    expect(mapped.errors[0]).toContain(why);
    expect(mapped.errors[0]).toMatch(/exclude it with a "!" pattern|rename/);
  });

  it("refuses Windows drive and reserved names on Windows only", () => {
    expect(mapKeys([object("p/C:x")], "p", base, "win32").ok).toBe(false);
    expect(mapKeys([object("p/sub/NUL.txt")], "p", base, "win32").ok).toBe(false);
    expect(mapKeys([object("p/a:b")], "p", base, "linux").ok).toBe(true);
  });

  it("refuses a key that is a file where another key needs a directory", () => {
    const mapped = mapKeys([object("p/a"), object("p/a/b")], "p", base, "linux");
    expect(mapped.ok).toBe(false);
    if (mapped.ok) return;
    expect(mapped.errors[0]).toContain('"p/a"');
    expect(mapped.errors[0]).toContain('"p/a/b"');
    expect(mapped.errors[0]).toContain("directory");
  });

  it("refuses a key named like another key's download temp file or resume record, which that download would remove", () => {
    const keys = [
      object("p/sub/a.bin"),
      object("p/sub/.a.bin.s3vu-resume"),
      object("p/sub/.a.bin.s3vu-0123456789ab.part"),
      object("p/.a.bin.s3vu-resume"), // another folder: no a.bin beside it
      object("p/sub/.b.bin.s3vu-resume"), // no b.bin
    ];
    const mapped = mapKeys(keys, "p", base, "linux");
    expect(mapped.ok).toBe(false);
    if (mapped.ok) return;
    expect(mapped.errors).toEqual([
      'Key "p/sub/.a.bin.s3vu-resume" is named like the resume record of key "p/sub/a.bin"\'s download, which that download would replace or remove; exclude it with a "!" pattern in "path", or rename the object.',
      'Key "p/sub/.a.bin.s3vu-0123456789ab.part" is named like a temp file of key "p/sub/a.bin"\'s download, which that download would replace or remove; exclude it with a "!" pattern in "path", or rename the object.',
    ]);
    expect(mapKeys(keys.slice(3), "p", base, "linux").ok).toBe(true);
  });

  it("refuses keys differing only in case or Unicode normalization on case-insensitive systems", () => {
    const keys = [object("p/Readme.md"), object("p/README.md")];
    expect(mapKeys(keys, "p", base, "linux").ok).toBe(true);
    for (const platform of ["darwin", "win32"] as const) {
      const mapped = mapKeys(keys, "p", base, platform);
      expect(mapped.ok).toBe(false);
      if (!mapped.ok)
        expect(mapped.errors[0]).toMatch(/"p\/Readme.md".*"p\/README.md"|"p\/README.md".*"p\/Readme.md"/);
    }
    const nfc = "p/caf\u00e9";
    const nfd = "p/cafe\u0301";
    expect(mapKeys([object(nfc), object(nfd)], "p", base, "darwin").ok).toBe(false);
  });

  it("refuses a file-versus-directory conflict that only case folding reveals", () => {
    const mapped = mapKeys([object("p/A"), object("p/a/b")], "p", base, "darwin");
    expect(mapped.ok).toBe(false);
  });

  it("never maps outside base-dir, whatever the key", () => {
    const hostile = ["..", "../x", "p/..", "/abs", "p/../../x", "p/\u0000", "p/.", "p/a/..", "p/x/../.."];
    for (const key of hostile) {
      const mapped = mapKeys([object(key)], "p", base, "linux");
      if (mapped.ok) {
        for (const file of mapped.files) expect(path.relative(base, file.path).startsWith("..")).toBe(false);
      }
    }
  });

  it("says how many more keys were refused past the first 20", () => {
    const keys = Array.from({ length: 25 }, (_, index) => object(`p/${index}/../x`));
    const mapped = mapKeys(keys, "p", base, "linux");
    expect(mapped.ok).toBe(false);
    if (!mapped.ok) expect(mapped.errors.at(-1)).toContain("5 more");
  });
});

describe("selectKeys", () => {
  const keys = ["p/a.txt", "p/.hidden", "p/dist/app.js", "p/dist/app.js.map", "p/docs/x.md"].map((key) =>
    object(key),
  );
  const pick = (patterns: string[]): string[] => selectKeys(keys, "p", patterns).map((file) => file.key);

  it("takes everything under the prefix, dot files included, by default", () => {
    expect(pick([])).toEqual(keys.map((file) => file.key));
  });

  it('matches globs relative to the prefix, "!" excluding whatever its position', () => {
    expect(pick(["dist/**", "!**/*.map"])).toEqual(["p/dist/app.js"]);
    expect(pick(["!**/*.map", "dist/**"])).toEqual(["p/dist/app.js"]);
    expect(pick(["*.txt"])).toEqual(["p/a.txt"]);
  });

  it("takes everything below a pattern naming a folder", () => {
    expect(pick(["docs"])).toEqual(["p/docs/x.md"]);
  });

  it("takes everything but the excluded when every pattern excludes", () => {
    expect(pick(["!dist/**", "!docs/**"])).toEqual(["p/a.txt", "p/.hidden"]);
  });
});

describe("linkedFolderErrors", () => {
  it("refuses a key whose folder under base-dir is a symbolic link, which would write outside it", async () => {
    const { mkdtemp, mkdir, symlink } = await import("node:fs/promises");
    const os = await import("node:os");
    const root = await mkdtemp(path.join(os.tmpdir(), "s3vu-links-"));
    const baseDir = path.join(root, "base");
    const outside = path.join(root, "outside");
    await mkdir(path.join(baseDir, "real"), { recursive: true });
    await mkdir(outside);
    await symlink(outside, path.join(baseDir, "linked"));
    const files = [
      { key: "p/real/a", size: 1, path: path.join(baseDir, "real", "a") },
      { key: "p/new/b", size: 1, path: path.join(baseDir, "new", "b") },
      { key: "p/linked/c", size: 1, path: path.join(baseDir, "linked", "c") },
    ];
    const errors = await linkedFolderErrors(files, baseDir);
    expect(errors).toEqual([
      `Key "p/linked/c" would be written through ${path.join(baseDir, "linked")}, a symbolic link, possibly outside base-dir; remove the link, exclude the key with a "!" pattern in "path", or choose another base-dir.`,
    ]);
  });
});
