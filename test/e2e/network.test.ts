// The bundles (dist/cli/index.js and dist/index.js) where users run them: behind a forward proxy that alone
// knows the store's host name, and against a store whose certificate a private CA signed.
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent as HttpsAgent } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../emulator/index.js";
import type { Emulator } from "../emulator/index.js";
import { startForwardProxy, type ForwardProxy } from "../helpers/forward-proxy.js";
import { makePrivateCa, type PrivateCa } from "../helpers/private-ca.js";
import { ciEnv, makeTree, nodeRuntimes, patternBytes, repoRoot, runNode } from "./helpers.js";

const MiB = 1024 * 1024;
const CLI = path.join(repoRoot, "dist", "cli", "index.js");
const ACTION = path.join(repoRoot, "dist", "index.js");
// Names only the proxy resolves (.invalid never resolves in DNS): reaching the store proves the proxy was used.
const PLAIN_HOST = "s3.proxy-only.invalid";
const TLS_HOST = "tls.proxy-only.invalid";
const PROXY_PASSWORD = "pr0xy-s3cret";
const TIMEOUT = 180_000;

const SMALL_FILES = Object.fromEntries(
  Array.from({ length: 24 }, (_, index) => [`out/small-${index}.txt`, `small file ${index}\n`]),
);

describe.each(nodeRuntimes())("on $name", (node) => {
  let plain: Emulator;
  let secure: Emulator;
  let proxy: ForwardProxy;
  let ca: PrivateCa;
  let scratch: string;
  let workspace: string;
  const big = patternBytes(11 * MiB + 7, 11);

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), "svu-network-"));
    ca = makePrivateCa(scratch, ["IP:127.0.0.1", `DNS:${TLS_HOST}`]);
    plain = await startEmulator({ buckets: ["cli-proxy", "action-proxy", "no-proxy"] });
    secure = await startEmulator({
      tls: ca.server,
      buckets: ["cli-tunnel", "cli-ca", "cli-profile", "action-ca"],
    });
    proxy = await startForwardProxy({
      hosts: {
        [PLAIN_HOST]: new URL(plain.endpoint).host,
        [TLS_HOST]: new URL(secure.endpoint).host,
      },
      credentials: { user: "builder", password: PROXY_PASSWORD },
    });
    workspace = await makeTree({ "out/big.bin": big, ...SMALL_FILES });
    await writeFile(path.join(scratch, "github-output"), "");
  }, TIMEOUT);

  afterAll(async () => {
    await proxy?.stop();
    await plain?.stop();
    await secure?.stop();
    if (workspace) await rm(workspace, { recursive: true, force: true });
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const plainEndpoint = () => `http://${PLAIN_HOST}:${new URL(plain.endpoint).port}`;
  const tunnelEndpoint = () => `https://${TLS_HOST}:${new URL(secure.endpoint).port}`;

  function cli(emulator: Emulator, args: string[], env: Record<string, string> = {}) {
    return runNode(
      node,
      CLI,
      ["--force-path-style", "--part-size", "5MiB", "out/**", ...args],
      ciEnv(emulator, env),
      workspace,
    );
  }

  function action(emulator: Emulator, inputs: Record<string, string>, env: Record<string, string> = {}) {
    const runnerEnv = ciEnv(emulator, {
      RUNNER_TEMP: scratch,
      GITHUB_OUTPUT: path.join(scratch, "github-output"),
      INPUT_PATH: "out/**",
      "INPUT_FORCE-PATH-STYLE": "true",
      "INPUT_PART-SIZE": "5MiB",
      ...Object.fromEntries(
        Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
      ),
      ...env,
    });
    return runNode(node, ACTION, [], runnerEnv, workspace);
  }

  /** The test's own view of a store, trusting the private CA directly. */
  function storeClient(emulator: Emulator): S3Client {
    return new S3Client({
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: emulator.credentials,
      forcePathStyle: true,
      requestHandler: { httpsAgent: new HttpsAgent({ ca: readFileSync(ca.caFile, "utf8") }) },
    });
  }

  async function listKeys(emulator: Emulator, bucket: string): Promise<string[]> {
    const answer = await storeClient(emulator).send(new ListObjectsV2Command({ Bucket: bucket }));
    return (answer.Contents ?? []).map((object) => object.Key!).sort();
  }

  async function readObject(emulator: Emulator, bucket: string, key: string): Promise<Buffer> {
    const answer = await storeClient(emulator).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  }

  async function expectUploaded(emulator: Emulator, bucket: string): Promise<void> {
    expect(await listKeys(emulator, bucket)).toEqual(["out/big.bin", ...Object.keys(SMALL_FILES)].sort());
    expect((await readObject(emulator, bucket, "out/big.bin")).equals(big)).toBe(true);
    expect((await readObject(emulator, bucket, "out/small-7.txt")).toString()).toBe("small file 7\n");
  }

  describe("the CLI bundle", () => {
    it(
      "cannot reach a host only the proxy resolves without it, and the hint names HTTPS_PROXY",
      async () => {
        const run = await cli(plain, ["--bucket", "cli-proxy", "--endpoint", plainEndpoint()]);
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toContain("ENOTFOUND");
        expect(run.stderr).toContain("HTTPS_PROXY");
        expect(await listKeys(plain, "cli-proxy")).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      "uploads through HTTP_PROXY (absolute-form requests, credentials from the URL, never printed)",
      async () => {
        const before = proxy.forwarded;
        const run = await cli(plain, ["--bucket", "cli-proxy", "--endpoint", plainEndpoint()], {
          HTTP_PROXY: proxy.url,
        });
        expect(run.code, run.stderr).toBe(0);
        expect(proxy.forwarded).toBeGreaterThan(before);
        expect(`${run.stdout}${run.stderr}`).not.toContain(PROXY_PASSWORD);
        await expectUploaded(plain, "cli-proxy");
      },
      TIMEOUT,
    );

    it(
      "names a proxy that is not there (without its password) and HTTPS_PROXY/NO_PROXY",
      async () => {
        const run = await cli(secure, ["--bucket", "cli-tunnel", "--endpoint", tunnelEndpoint()], {
          HTTPS_PROXY: `http://builder:${PROXY_PASSWORD}@127.0.0.1:9`,
          AWS_CA_BUNDLE: ca.caFile,
        });
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toContain(
          "The proxy http://127.0.0.1:9 (from HTTPS_PROXY/HTTP_PROXY) cannot be reached",
        );
        expect(run.stderr).toContain("NO_PROXY");
        expect(run.stderr).not.toContain(PROXY_PASSWORD);
      },
      TIMEOUT,
    );

    it(
      "says the proxy wants credentials when they are wrong, for tunnels and forwarded requests alike",
      async () => {
        const wrong = new URL(proxy.url);
        wrong.password = "wrong-password";
        const tunnel = await cli(secure, ["--bucket", "cli-tunnel", "--endpoint", tunnelEndpoint()], {
          HTTPS_PROXY: wrong.href,
          AWS_CA_BUNDLE: ca.caFile,
        });
        expect(tunnel.code, tunnel.stderr).toBe(1);
        expect(tunnel.stderr).toContain(`The proxy http://${wrong.host} wants credentials`);
        const forwarded = await cli(plain, ["--bucket", "cli-proxy", "--endpoint", plainEndpoint()], {
          HTTP_PROXY: wrong.href,
        });
        expect(forwarded.code, forwarded.stderr).toBe(1);
        expect(forwarded.stderr).toContain("The proxy (HTTP_PROXY) wants credentials");
        expect(`${tunnel.stderr}${forwarded.stderr}`).not.toContain("wrong-password");
      },
      TIMEOUT,
    );

    it(
      "goes direct for a host in NO_PROXY, even with a proxy that answers nothing",
      async () => {
        const run = await cli(plain, ["--bucket", "no-proxy", "--endpoint", plain.endpoint], {
          HTTP_PROXY: "http://127.0.0.1:9",
          NO_PROXY: "example.com, 127.0.0.1",
        });
        expect(run.code, run.stderr).toBe(0);
        await expectUploaded(plain, "no-proxy");
      },
      TIMEOUT,
    );

    it(
      "tunnels https with CONNECT (lower-case https_proxy wins), trusts AWS_CA_BUNDLE, and reuses few tunnels",
      async () => {
        const connectsBefore = proxy.connects;
        const requestsBefore = secure.requestLog.length;
        const run = await cli(
          secure,
          ["--bucket", "cli-tunnel", "--endpoint", tunnelEndpoint(), "--concurrency", "2"],
          {
            HTTPS_PROXY: "http://127.0.0.1:9",
            https_proxy: proxy.url,
            AWS_CA_BUNDLE: ca.caFile,
          },
        );
        expect(run.code, run.stderr).toBe(0);
        await expectUploaded(secure, "cli-tunnel");
        const tunnels = proxy.connects - connectsBefore;
        const requests = secure.requestLog.length - requestsBefore;
        expect(tunnels).toBeGreaterThan(0);
        // Keep-alive: the tunnels are pooled like sockets, at most the pool's size (concurrency 2, 4 small
        // PutObjects per unit of it, 4 control sockets), for every file's PutObject plus the preflight and the
        // listings that prove them: fewer tunnels than requests.
        expect(requests).toBeGreaterThan(Object.keys(SMALL_FILES).length);
        expect(tunnels).toBeLessThanOrEqual(2 + 2 * 4 + 4 + 2);
      },
      TIMEOUT,
    );

    it(
      "fails against a private-CA endpoint without AWS_CA_BUNDLE, naming AWS_CA_BUNDLE, and succeeds with it",
      async () => {
        const untrusted = await cli(secure, ["--bucket", "cli-ca", "--endpoint", secure.endpoint]);
        expect(untrusted.code, untrusted.stderr).toBe(1);
        expect(untrusted.stderr).toContain("AWS_CA_BUNDLE");
        expect(await listKeys(secure, "cli-ca")).toEqual([]);

        const trusted = await cli(secure, ["--bucket", "cli-ca", "--endpoint", secure.endpoint], {
          AWS_CA_BUNDLE: ca.caFile,
        });
        expect(trusted.code, trusted.stderr).toBe(0);
        await expectUploaded(secure, "cli-ca");
      },
      TIMEOUT,
    );

    it(
      "names AWS_CA_BUNDLE and the path when the file is missing (a setting error, exit 2)",
      async () => {
        const missing = path.join(scratch, "no-such-ca.pem");
        const run = await cli(secure, ["--bucket", "cli-ca", "--endpoint", secure.endpoint], {
          AWS_CA_BUNDLE: missing,
        });
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr).toContain(`AWS_CA_BUNDLE: cannot read the CA bundle "${missing}"`);
      },
      TIMEOUT,
    );

    it(
      "takes credentials and ca_bundle from the profile named by --profile",
      async () => {
        const configFile = path.join(scratch, "aws-config");
        await writeFile(
          configFile,
          [
            "[default]",
            "region = us-east-1",
            "",
            "[profile corp]",
            `aws_access_key_id = ${secure.credentials.accessKeyId}`,
            `aws_secret_access_key = ${secure.credentials.secretAccessKey}`,
            `ca_bundle = ${ca.caFile}`,
            "",
          ].join("\n"),
        );
        const run = await cli(
          secure,
          ["--bucket", "cli-profile", "--endpoint", secure.endpoint, "--profile", "corp"],
          {
            AWS_CONFIG_FILE: configFile,
            AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, "no-credentials-file"),
            // The profile named on the command line wins over keys in the environment, as for the AWS CLI.
            AWS_ACCESS_KEY_ID: "AKIAWRONGWRONGWRONG0",
            AWS_SECRET_ACCESS_KEY: "wrong",
          },
        );
        expect(run.code, run.stderr).toBe(0);
        await expectUploaded(secure, "cli-profile");
      },
      TIMEOUT,
    );
  });

  describe("the action bundle", () => {
    it(
      "fails without the proxy and uploads through HTTP_PROXY",
      async () => {
        const direct = await action(plain, { bucket: "action-proxy", endpoint: plainEndpoint() });
        expect(direct.code, direct.stdout).not.toBe(0);
        expect(direct.stdout).toContain("HTTPS_PROXY");
        expect(await listKeys(plain, "action-proxy")).toEqual([]);

        const before = proxy.forwarded;
        const run = await action(
          plain,
          { bucket: "action-proxy", endpoint: plainEndpoint() },
          { http_proxy: proxy.url },
        );
        expect(run.code, run.stdout).toBe(0);
        expect(proxy.forwarded).toBeGreaterThan(before);
        expect(run.stdout).not.toContain(PROXY_PASSWORD);
        await expectUploaded(plain, "action-proxy");
      },
      TIMEOUT,
    );

    it(
      "fails against a private-CA endpoint without AWS_CA_BUNDLE and succeeds with it",
      async () => {
        const untrusted = await action(secure, { bucket: "action-ca", endpoint: secure.endpoint });
        expect(untrusted.code, untrusted.stdout).not.toBe(0);
        expect(untrusted.stdout).toContain("AWS_CA_BUNDLE");

        const trusted = await action(
          secure,
          { bucket: "action-ca", endpoint: secure.endpoint },
          { AWS_CA_BUNDLE: ca.caFile },
        );
        expect(trusted.code, trusted.stdout).toBe(0);
        await expectUploaded(secure, "action-ca");
      },
      TIMEOUT,
    );
  });
});
