import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/frontend/cli-args.js";

function args(argv: string[]) {
  const result = parseArgs(argv);
  if (!result.ok) throw new Error(result.error);
  return result.args;
}

describe("parseArgs", () => {
  it("reads flags with separate and inline values, and globs anywhere", () => {
    const parsed = args(["--bucket", "b", "dist/**", "--part-size=8MiB", "!dist/*.map"]);
    expect(Object.fromEntries(parsed.values)).toEqual({ bucket: "b", "part-size": "8MiB" });
    expect(parsed.globs).toEqual(["dist/**", "!dist/*.map"]);
  });

  it("never lets a boolean flag swallow the next glob", () => {
    const parsed = args(["--overwrite", "dist/**", "--dry-run=false", "--no-verify"]);
    expect(Object.fromEntries(parsed.values)).toEqual({
      overwrite: "true",
      "dry-run": "false",
      verify: "false",
    });
    expect(parsed.globs).toEqual(["dist/**"]);
  });

  it("joins repeated multi-line settings with newlines", () => {
    const parsed = args(["--metadata", "a=1", "--metadata=b=2", "--path", "x"]);
    expect(parsed.values.get("metadata")).toBe("a=1\nb=2");
    expect(parsed.values.get("path")).toBe("x");
  });

  it("treats everything after -- as globs", () => {
    expect(args(["--", "--weird-name", "-"]).globs).toEqual(["--weird-name", "-"]);
  });

  it("reads --checksums-file, a CLI-only path, separate or inline, and refuses it without one", () => {
    expect(args(["--checksums-file", "sums.txt", "a.bin"])).toMatchObject({
      checksumsFile: "sums.txt",
      globs: ["a.bin"],
    });
    expect(args(["--checksums-file=/tmp/s"]).checksumsFile).toBe("/tmp/s");
    expect(args(["--checksums-file=/tmp/s"]).values.size).toBe(0);
    expect(parseArgs(["--checksums-file"])).toEqual({
      ok: false,
      error: 'Option "--checksums-file" needs a path; see --help.',
    });
  });

  it("reads the switches", () => {
    expect(args(["--json", "--help", "--version"])).toMatchObject({ json: true, help: true, version: true });
    expect(args(["-h"]).help).toBe(true);
  });

  it.each([
    [["--bucket"], 'Option "--bucket" needs a value; see --help.'],
    [["--bukket", "b"], 'Unknown option "--bukket"; see --help.'],
    [["-b"], 'Unknown option "-b"; see --help.'],
    [["--no-bucket"], 'Unknown option "--no-bucket"; see --help.'],
    [["--bucket", "a", "--bucket", "b"], 'Option "--bucket" is given more than once; give it once.'],
  ])("rejects %j", (argv, error) => {
    expect(parseArgs(argv)).toEqual({ ok: false, error });
  });
});
