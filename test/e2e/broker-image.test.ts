// Issue 13: the broker runs from the Docker image with one command (`s3-verified-upload broker --config …`), and
// a client with no S3 credentials uploads through it. The real Dockerfile, built and run with podman
// (../shared/tools/oci-build-and-run.sh); the OIDC issuer and the emulator run on the host's loopback, which
// the container shares. Locally it skips when the tool is absent; under CI=true that is a failure.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIENCE, startIssuer, type Issuer } from "../helpers/broker-fixture.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import {
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
// A first build in a fresh state dir debootstraps the base image (minutes on a busy machine).
const FIRST_BUILD_MS = 25 * 60_000;
const node = nodeRuntimes().find((runtime) => runtime.name.startsWith("Node 24")) ?? nodeRuntimes()[0]!;
const TAG = `localhost/s3-verified-upload:broker-e2e-${process.pid}-${randomBytes(4).toString("hex")}`;

let emulator: Emulator;
let issuer: Issuer;
let workspace: string;
let ociWork: string;
const big = patternBytes(6 * 1024 * 1024 + 5, 13);

beforeAll(async () => {
  emulator = await startEmulator({ buckets: ["image-broker"] });
  issuer = await startIssuer();
  workspace = await makeTree({ "files/big.bin": big });
  const token = await issuer.token(
    { sub: "repo:org/app", repository: "org/app", repository_owner: "org" },
    { expiresIn: "60m" },
  );
  await writeFile(path.join(workspace, "token"), token);
  await writeFile(
    path.join(workspace, "broker.json"),
    JSON.stringify({
      listen: { host: "127.0.0.1", port: 0 },
      s3: { endpoint: emulator.endpoint, region: emulator.region, requireContentMd5: false },
      issuers: [{ issuer: issuer.url, audience: AUDIENCE }],
      rules: [
        {
          issuer: issuer.url,
          claims: { repository_owner: "org" },
          bucket: "image-broker",
          prefix: "${repository}/",
        },
      ],
    }),
  );
  // OCI_WORK when given (a run's own build state), else one kept per Node version as image.test.ts keeps it.
  const cache = process.env["XDG_CACHE_HOME"] || path.join(homedir(), ".cache");
  ociWork = process.env["OCI_WORK"] || path.join(cache, "s3vu-oci", `node-${node.name.split(" ")[1]}`);
  await mkdir(ociWork, { recursive: true });
});

afterAll(async () => {
  await emulator?.stop();
  await issuer?.close();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

function locked(command: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return runCommand("flock", ["-o", `${ociWork}.lock`, ...command], env, repoRoot);
}

describe.skipIf(!available && !inCi)("the broker in the Docker image", () => {
  it(
    "`s3-verified-upload broker --config` serves a client with no S3 credentials: the upload is byte-exact and verified",
    async () => {
      // One container: the broker (S3 credentials in its environment only) in the background on a free port,
      // then the CLI with every AWS variable removed, through the broker's URL.
      const script = [
        "s3-verified-upload broker --config /work/broker.json >/tmp/audit.log 2>/tmp/broker.log & broker=$!",
        "for i in $(seq 1 300); do grep -q 'broker listening on' /tmp/broker.log && break; sleep 0.2; done",
        "url=$(sed -n 's/^broker listening on //p' /tmp/broker.log)",
        "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_REGION s3-verified-upload --bucket image-broker " +
          '--broker-url "$url" --web-identity-token-file /work/token --prefix org/app --part-size 5MiB --json ' +
          "'files/big.bin'; rc=$?",
        'kill $broker; wait $broker; cat /tmp/broker.log >&2; grep -c \'"outcome":"ok"\' /tmp/audit.log >&2; exit $rc',
      ].join("\n");
      const env = {
        ...process.env,
        PATH: `${path.dirname(nodeBinary(node))}:${process.env["PATH"]}`,
        OCI_WORK: ociWork,
        RUN_OPTS: [
          `-v ${workspace}:/work`,
          `-e AWS_ACCESS_KEY_ID=${emulator.credentials.accessKeyId}`,
          `-e AWS_SECRET_ACCESS_KEY=${emulator.credentials.secretAccessKey}`,
          "-e NODE_NO_WARNINGS=1",
          "--entrypoint=sh",
        ].join(" "),
      };
      const run = await locked(["bash", SCRIPT, repoRoot, TAG, "-c", script], env);
      const storage = {
        ...process.env,
        CONTAINERS_STORAGE_CONF: path.join(ociWork, "storage.conf"),
        CONTAINERS_CONF: path.join(ociWork, "containers.conf"),
      };
      await locked(["podman", "rmi", "--force", TAG], storage);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain("broker listening on http://127.0.0.1:");
      expect(run.stderr).toContain("broker stopped");
      const report = JSON.parse(run.stdout.slice(run.stdout.lastIndexOf("\n{\n") + 1)) as {
        ok: boolean;
        files: Array<{ key: string; parts: number; verified: boolean; verification: string }>;
      };
      expect(report.ok).toBe(true);
      expect(report.files[0]).toMatchObject({
        key: "org/app/files/big.bin",
        parts: 2,
        verified: true,
        verification: "checksum",
      });
      expect((await readObject(emulator, "image-broker", "org/app/files/big.bin")).equals(big)).toBe(true);
    },
    FIRST_BUILD_MS,
  );
});
