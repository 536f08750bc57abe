// Issue 13 (the broker's own S3 credentials): besides its environment's keys, a shared-config profile or a role
// it assumes with a token file (s3.credentials in its config), with no AWS key in its environment. The broker
// runs as `s3-verified-upload broker` from source; the client is the CLI with no AWS variable.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { AUDIENCE, startIssuer, type Issuer } from "../helpers/broker-fixture.js";
import { testIssuer } from "../helpers/oidc.js";
import { readObject, repoRoot, runCommand, startCommand } from "../e2e/helpers.js";

const TSX = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
const CLI = path.join(repoRoot, "src/cli.ts");
const ROLE = "arn:aws:iam::123456789012:role/broker";

let emulator: Emulator;
let issuer: Issuer;
const sts = testIssuer();
let dir = "";
const bytes = randomBytes(70 * 1024);

beforeAll(async () => {
  emulator = await startEmulator({
    buckets: ["artifacts"],
    sts: { issuer: sts.issuer, jwks: sts.jwks, roles: [ROLE], credentialSeconds: 900 },
  });
  issuer = await startIssuer();
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-creds-"));
  await writeFile(path.join(dir, "app.bin"), bytes);
  await writeFile(
    path.join(dir, "client-token"),
    await issuer.token({ sub: "repo:org/app", repository: "org/app", repository_owner: "org" }),
  );
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  await issuer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The broker from source with `credentials` in its config and `env` only; stopped after `use`. */
async function withBroker(credentials: unknown, env: NodeJS.ProcessEnv, use: (url: string) => Promise<void>) {
  const config = path.join(dir, `broker-${randomBytes(4).toString("hex")}.json`);
  await writeFile(
    config,
    JSON.stringify({
      listen: { host: "127.0.0.1", port: 0 },
      s3: { endpoint: emulator.endpoint, region: emulator.region, requireContentMd5: false, credentials },
      issuers: [{ issuer: issuer.url, audience: AUDIENCE }],
      rules: [
        {
          issuer: issuer.url,
          claims: { repository_owner: "org" },
          bucket: "artifacts",
          prefix: "${repository}/",
        },
      ],
    }),
  );
  const broker = startCommand(
    process.execPath,
    ["--import", TSX, CLI, "broker", "--config", config],
    { PATH: process.env["PATH"], HOME: dir, ...env },
    dir,
  );
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    broker.child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /broker listening on (\S+)/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    void broker.done.then((run) => reject(new Error(`the broker exited: ${run.stderr}`)));
  });
  try {
    await use(url);
  } finally {
    broker.child.kill("SIGTERM");
    await broker.done;
  }
}

async function upload(url: string, prefix: string) {
  const run = await runCommand(
    process.execPath,
    [
      ...["--import", TSX, CLI, "--bucket", "artifacts", "--json", "--prefix", prefix],
      ...["--broker-url", url, "--web-identity-token-file", path.join(dir, "client-token"), "app.bin"],
    ],
    { PATH: process.env["PATH"], HOME: dir },
    dir,
  );
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect((JSON.parse(run.stdout) as { files: Array<{ verified: boolean }> }).files[0]!.verified).toBe(true);
  expect((await readObject(emulator, "artifacts", `${prefix}/app.bin`)).equals(bytes)).toBe(true);
}

describe("the broker's own S3 credentials", () => {
  it("from a shared-config profile, with no AWS key in its environment", async () => {
    const credentialsFile = path.join(dir, "aws-credentials");
    await writeFile(
      credentialsFile,
      `[broker]\naws_access_key_id = ${emulator.credentials.accessKeyId}\naws_secret_access_key = ${emulator.credentials.secretAccessKey}\n`,
    );
    await withBroker(
      { profile: "broker" },
      { AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: path.join(dir, "none") },
      (url) => upload(url, "org/app/profile"),
    );
  }, 120_000);

  it("from a role it assumes with a token file, the session named in STS", async () => {
    const tokenFile = path.join(dir, "sts-token");
    await writeFile(tokenFile, sts.token({ sub: "system:serviceaccount:ci:broker" }));
    const before = emulator.stsSessions.length;
    await withBroker(
      {
        roleArn: ROLE,
        webIdentityTokenFile: tokenFile,
        sessionName: "broker-test",
        stsEndpoint: emulator.endpoint,
      },
      {},
      (url) => upload(url, "org/app/role"),
    );
    const sessions = emulator.stsSessions.slice(before);
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    expect(sessions.every((session) => session.sessionName === "broker-test")).toBe(true);
  }, 120_000);
});
