// A cause that fails every file mid-run (here: writes denied after the preflight passed) is printed once with a
// count on the CLI's stderr, not once per file and then again in the final list; --json keeps every file.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main, type CliIO } from "../../src/cli.js";
import type { FileResult } from "../../src/engine/types.js";
import type { Emulator } from "../emulator/index.js";
import { startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "shared-cause";
const FILES = 60;
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ buckets: [BUCKET] }, "svu-shared-cause-"));
  for (let index = 0; index < FILES; index++) await writeFile(path.join(dir, `f${index}.txt`), `${index}\n`);
  vi.stubEnv("AWS_ACCESS_KEY_ID", emulator.credentials.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", emulator.credentials.secretAccessKey);
  vi.stubEnv("AWS_REGION", emulator.region);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await stopWorkspace({ emulator, sdk, dir });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    env: {},
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await main(
    ["--bucket", BUCKET, "--endpoint", emulator.endpoint, "--force-path-style", ...args],
    io,
  );
  return { code, stdout, stderr };
}

describe("a cause shared by every file", () => {
  it("is printed once with a count; --json still has each file's error", async () => {
    emulator.faults.add({ operation: "PutObject", action: "403" });
    const cwd = process.cwd();
    process.chdir(dir);
    let run;
    try {
      run = await cli(["--json", "*.txt"]);
    } finally {
      process.chdir(cwd);
      emulator.faults.clear();
    }
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines.length, run.stderr).toBeLessThan(8);
    expect(run.stderr).toContain(`${FILES} of ${FILES} files failed:`);
    expect(run.stderr).toContain(`- ${FILES} files (same cause): PutObject failed: AccessDenied`);
    expect(run.stderr.match(/AccessDenied/g)).toHaveLength(2);
    const report = JSON.parse(run.stdout) as { files: FileResult[] };
    expect(report.files).toHaveLength(FILES);
    for (const file of report.files) expect(file.error).toMatch(/PutObject failed: AccessDenied/);
  });
});
