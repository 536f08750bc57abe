// `s3-verified-upload download …`: the subcommand reaches the download config, and bad settings exit 2 with
// the input named, before any request. Downloads themselves: test/e2e/download.test.ts.
import { describe, expect, it } from "vitest";
import { EXIT_USAGE, main } from "../../src/cli.js";

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    env: {},
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe("the download subcommand", () => {
  it("refuses an upload-only flag, naming it", async () => {
    const run = await cli(["download", "--bucket", "b-1", "--content-type", "text/plain"]);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      'error: Input "content-type" does not apply to mode download (it is for uploads); remove it.',
    );
  });

  it("refuses --version-id with a glob, as JSON too", async () => {
    const run = await cli(["download", "--bucket", "b-1", "--version-id", "v1", "--json", "*.tgz"]);
    expect(run.code).toBe(EXIT_USAGE);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('"version-id"')],
    });
  });

  it("exits 2 on an unreadable expected-manifest, before any request", async () => {
    const run = await cli([
      "download",
      "--bucket",
      "b-1",
      "--endpoint",
      "http://127.0.0.1:9",
      "--expected-manifest",
      "/nonexistent/manifest.json",
      "--json",
    ]);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain('error: Input "expected-manifest": cannot read /nonexistent/manifest.json');
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, bucket: "b-1", files: [] });
  });

  it("refuses the download inputs in an upload, which says how to get a download", async () => {
    const run = await cli(["--bucket", "b-1", "--version-id", "v1", "dist/**"]);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      'Input "version-id" is for mode download; remove it, or set "mode" to download.',
    );
  });

  it("is in --help", async () => {
    const run = await cli(["download", "--help"]);
    expect(run.stdout).toContain("s3-verified-upload download --bucket <name>");
  });
});
