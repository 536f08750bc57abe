// The real Dockerfile, built and run with podman (../shared/tools/oci-build-and-run.sh) against the emulator on
// the host. Locally it skips when the tool is absent; under CI=true that is a failure.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../emulator/index.js";
import type { Emulator } from "../emulator/index.js";
import { listKeys, makeTree, patternBytes, readObject, repoRoot, runCommand } from "./helpers.js";
import type { Run } from "./helpers.js";

const SCRIPT = path.resolve(repoRoot, "../shared/tools/oci-build-and-run.sh");
const available = existsSync(SCRIPT);
const inCi = process.env["CI"] === "true";
// First use on a machine installs podman and debootstraps the base image.
const FIRST_BUILD_MS = 15 * 60_000;

let emulator: Emulator;
let workspace: string;
const big = patternBytes(6 * 1024 * 1024 + 1, 11);

beforeAll(async () => {
  emulator = await startEmulator({ buckets: ["image-bucket"] });
  workspace = await makeTree({ "files/big.bin": big, "files/note.txt": "from the image\n" });
});

afterAll(async () => {
  await emulator?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

function runImage(runOptions: string[], args: string[]): Promise<Run> {
  const credentials = [
    `-e AWS_ACCESS_KEY_ID=${emulator.credentials.accessKeyId}`,
    `-e AWS_SECRET_ACCESS_KEY=${emulator.credentials.secretAccessKey}`,
    `-e AWS_REGION=${emulator.region}`,
    "-e NODE_NO_WARNINGS=1",
  ];
  const env = {
    ...process.env,
    RUN_OPTS: [`-v ${workspace}:/work`, ...credentials, ...runOptions].join(" "),
  };
  return runCommand("bash", [SCRIPT, repoRoot, "localhost/s3-verified-upload:e2e", ...args], env, repoRoot);
}

describe.skipIf(!available && !inCi)("the Docker image", () => {
  it("exists as a tool under CI", () => {
    expect(available, `${SCRIPT} is missing`).toBe(true);
  });

  it(
    "runs the CLI as its entrypoint: docker run … image --bucket b 'files/**'",
    async () => {
      const run = await runImage(
        [],
        [
          "--bucket",
          "image-bucket",
          "--endpoint",
          emulator.endpoint,
          "--force-path-style",
          "--part-size",
          "5MiB",
          "--json",
          "files/**",
        ],
      );
      expect(run.code, run.stderr).toBe(0);
      // podman build prints its steps on stdout first; the report is the JSON document that ends it.
      const report = JSON.parse(run.stdout.slice(run.stdout.lastIndexOf("\n{\n") + 1)) as {
        ok: boolean;
        keys: string[];
        files: { parts: number; verified: boolean }[];
      };
      expect(report.ok).toBe(true);
      expect(report.keys).toEqual(["files/big.bin", "files/note.txt"]);
      expect(report.files[0]).toMatchObject({ parts: 2, verified: true });
      expect((await readObject(emulator, "image-bucket", "files/big.bin")).equals(big)).toBe(true);
    },
    FIRST_BUILD_MS,
  );

  it(
    "works with the entrypoint overridden, as GitLab and Jenkins run it: non-root, CLI on PATH, no node_modules",
    async () => {
      const script = [
        "id -u",
        "ls /opt/s3-verified-upload",
        "s3-verified-upload --version",
        `S3VU_BUCKET=image-bucket S3VU_PREFIX=gitlab s3-verified-upload --endpoint ${emulator.endpoint} --force-path-style 'files/note.txt'`,
      ].join(" && ");
      const run = await runImage(["--entrypoint=sh"], ["-c", script]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/\n1000\nindex\.js\nlicenses\.txt\npackage\.json\n0\.1\.0\n/);
      expect(run.stderr).toContain("1 uploaded (15 B), 0 unchanged, 0 failed");
      expect(await listKeys(emulator, "image-bucket")).toContain("gitlab/files/note.txt");
    },
    FIRST_BUILD_MS,
  );
});
