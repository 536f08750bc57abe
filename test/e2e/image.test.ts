// The real Dockerfile, built and run with podman (../shared/tools/oci-build-and-run.sh) against the emulator on
// the host. Locally it skips when the tool is absent; under CI=true that is a failure.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../emulator/index.js";
import type { Emulator } from "../emulator/index.js";
import {
  listKeys,
  makeTree,
  nodeBinary,
  nodeRuntimes,
  patternBytes,
  readObject,
  repoRoot,
  runCommand,
} from "./helpers.js";
import type { Run } from "./helpers.js";

const SCRIPT = path.resolve(repoRoot, "../shared/tools/oci-build-and-run.sh");
const available = existsSync(SCRIPT);
const inCi = process.env["CI"] === "true";
// First use of a build state dir debootstraps the base image (minutes on a busy machine), and a run may first
// wait for another test run's build to release the lock.
const FIRST_BUILD_MS = 20 * 60_000;
// The Dockerfile says node:24-slim; the script's stand-in base carries whichever `node` is first on PATH.
const node = nodeRuntimes().find((runtime) => runtime.name.startsWith("Node 24")) ?? nodeRuntimes()[0]!;
// This run's own image name, so a concurrent run (another checkout) can never run the image we built.
const TAG = `localhost/s3-verified-upload:e2e-${process.pid}-${randomBytes(4).toString("hex")}`;

let emulator: Emulator;
let workspace: string;
/** OCI_WORK: this project's build state, not the machine-wide default (/tmp/oci/w) that other builds use. */
let ociWork: string;
const big = patternBytes(6 * 1024 * 1024 + 1, 11);

beforeAll(async () => {
  emulator = await startEmulator({ buckets: ["image-bucket"] });
  workspace = await makeTree({ "files/big.bin": big, "files/note.txt": "from the image\n" });
  // Kept across runs, one per Node version baked into the base: a fresh dir per run would debootstrap every
  // time. Runs take turns on it (see locked), so no two builds ever share it at once.
  const cache = process.env["XDG_CACHE_HOME"] || path.join(homedir(), ".cache");
  ociWork = path.join(cache, "s3vu-oci", `node-${node.name.split(" ")[1]}`);
  await mkdir(ociWork, { recursive: true });
});

afterAll(async () => {
  await emulator?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

/** Runs a command holding this project's OCI lock (flock -o: daemons it starts must not inherit the lock). */
function locked(command: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return runCommand("flock", ["-o", `${ociWork}.lock`, ...command], env, repoRoot);
}

async function runImage(runOptions: string[], args: string[]): Promise<Run> {
  const credentials = [
    `-e AWS_ACCESS_KEY_ID=${emulator.credentials.accessKeyId}`,
    `-e AWS_SECRET_ACCESS_KEY=${emulator.credentials.secretAccessKey}`,
    `-e AWS_REGION=${emulator.region}`,
    "-e NODE_NO_WARNINGS=1",
  ];
  const env = {
    ...process.env,
    PATH: `${path.dirname(nodeBinary(node))}:${process.env["PATH"]}`,
    OCI_WORK: ociWork,
    RUN_OPTS: [`-v ${workspace}:/work`, ...credentials, ...runOptions].join(" "),
  };
  const run = await locked(["bash", SCRIPT, repoRoot, TAG, ...args], env);
  // Each test builds its own image; removing it keeps the store from growing by one image per run.
  const storage = {
    ...process.env,
    CONTAINERS_STORAGE_CONF: path.join(ociWork, "storage.conf"),
    CONTAINERS_CONF: path.join(ociWork, "containers.conf"),
  };
  await locked(["podman", "rmi", "--force", TAG], storage);
  return run;
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
        "node -p process.versions.node",
        `S3VU_BUCKET=image-bucket S3VU_PREFIX=gitlab s3-verified-upload --endpoint ${emulator.endpoint} --force-path-style 'files/note.txt'`,
      ].join(" && ");
      const run = await runImage(["--entrypoint=sh"], ["-c", script]);
      expect(run.code, run.stderr).toBe(0);
      // The run's chunk files sit beside the entry: the CLI loads them when it runs.
      expect(run.stdout).toMatch(
        /\n1000\n(\d+\.index\.js\n)+index\.js\nlicenses\.txt\npackage\.json\n0\.1\.0\n/,
      );
      // The stand-in base has the Node the tests run the bundles with: 24, as the Dockerfile asks, wherever
      // it is installed (always under CI).
      expect(run.stdout).toContain(`\n${node.name.split(" ")[1]}\n`);
      expect(run.stderr).toContain("1 uploaded (15 B), 0 unchanged, 0 failed");
      expect(await listKeys(emulator, "image-bucket")).toContain("gitlab/files/note.txt");
    },
    FIRST_BUILD_MS,
  );
});
