import path from "node:path";
import { describe, expect, it } from "vitest";
import { joinPrefix, objectKey } from "../../src/frontend/keys.js";

const base = path.resolve("/work/repo");

describe("object keys", () => {
  it.each([
    ["", "a.txt", "a.txt"],
    ["releases", "a.txt", "releases/a.txt"],
    ["releases/", "a/b.txt", "releases/a/b.txt"],
    ["releases/v1-", "a.txt", "releases/v1-/a.txt"],
  ])("prefix %j + %j → %j", (prefix, relative, key) => {
    expect(joinPrefix(prefix, relative)).toBe(key);
  });

  it("makes keys relative to base-dir with forward slashes", () => {
    expect(objectKey(base, "builds/7", path.join(base, "dist", "app.js"))).toEqual({
      ok: true,
      key: "builds/7/dist/app.js",
      relativePath: "dist/app.js",
    });
    expect(objectKey(path.join(base, "dist"), "", path.join(base, "dist", "js", "app.js"))).toEqual({
      ok: true,
      key: "js/app.js",
      relativePath: "js/app.js",
    });
  });

  it("refuses files outside base-dir, naming both and the fix", () => {
    const outside = path.resolve("/etc/passwd");
    expect(objectKey(base, "", outside)).toEqual({
      ok: false,
      error: `File "${outside}" is not inside base-dir "${base}"; set "base-dir" to a directory that contains every matched file.`,
    });
  });
});
