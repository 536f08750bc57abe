// The bundles with header rules: the CLI's repeated --headers flags and S3VU_HEADERS, the action's multi-line
// headers input, against the emulator and Ceph RGW, each object read back with HeadObject.
import { randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { deleteBucketAndClose, openRgwBucket, startRgw } from "../helpers/rgw.js";
import { ciEnv, makeTree, nodeRuntimes, patternBytes, repoRoot, runNode, s3For } from "./helpers.js";

const CLI = path.join(repoRoot, "dist", "cli", "index.js");
const ACTION = path.join(repoRoot, "dist", "index.js");
const MiB = 1024 * 1024;
const IMMUTABLE = "public, max-age=31536000, immutable";

const TREE = {
  "site/assets/app.js.gz": patternBytes(2000, 1),
  "site/assets/big.js.gz": patternBytes(6 * MiB, 2),
  "site/index.html": "<!doctype html>\n",
  "site/fonts/inter.woff2": patternBytes(300, 3),
};

async function served(sdk: S3Client, bucket: string, key: string) {
  const head = await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return {
    contentType: head.ContentType,
    contentEncoding: head.ContentEncoding,
    cacheControl: head.CacheControl,
  };
}

async function expectServed(sdk: S3Client, bucket: string, prefix: string): Promise<void> {
  const js = { contentType: "text/javascript", contentEncoding: "gzip", cacheControl: IMMUTABLE };
  expect(await served(sdk, bucket, `${prefix}/assets/app.js.gz`)).toEqual(js);
  expect(await served(sdk, bucket, `${prefix}/assets/big.js.gz`)).toEqual(js);
  expect(await served(sdk, bucket, `${prefix}/index.html`)).toEqual({
    contentType: "text/html; charset=utf-8",
    contentEncoding: undefined,
    cacheControl: "no-cache",
  });
  expect(await served(sdk, bucket, `${prefix}/fonts/inter.woff2`)).toEqual({
    contentType: "font/woff2",
    contentEncoding: undefined,
    cacheControl: "public, max-age=300",
  });
}

const FLAGS = [
  "--base-dir",
  "site",
  "--part-size",
  "5MiB",
  "--cache-control",
  "public, max-age=300",
  "--headers",
  "**/*.js.gz | Content-Type: text/javascript",
  "--headers",
  "**/*.js.gz | Content-Encoding: gzip",
  "--headers",
  `**/*.js.gz | Cache-Control: ${IMMUTABLE}`,
  "--headers",
  "*.html | Cache-Control: no-cache",
];

const ENV_RULES = [
  "**/*.js.gz | Content-Type: text/javascript",
  "**/*.js.gz | Content-Encoding: gzip",
  `**/*.js.gz | Cache-Control: ${IMMUTABLE}`,
  "*.html | Cache-Control: no-cache",
].join("\n");

let workspace = "";
beforeAll(async () => {
  workspace = await makeTree(TREE);
});
afterAll(async () => {
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

describe.each(nodeRuntimes())("the CLI bundle's header rules on $name", (node) => {
  let emulator: Emulator;
  let sdk: S3Client;

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: ["flags", "env", "action"] });
    sdk = s3For(emulator);
  });
  afterAll(async () => {
    sdk?.destroy();
    await emulator?.stop();
  });

  const store = () => ["--endpoint", emulator.endpoint, "--force-path-style"];

  it("stores the headers of repeated --headers flags over --cache-control", async () => {
    const run = await runNode(
      node,
      CLI,
      ["--bucket", "flags", ...store(), "--prefix", "web", ...FLAGS, "site/**"],
      ciEnv(emulator, {}),
      workspace,
    );
    expect(run.code, run.stderr).toBe(0);
    await expectServed(sdk, "flags", "web");
  });

  it("stores the headers of S3VU_HEADERS and S3VU_CACHE_CONTROL", async () => {
    const run = await runNode(
      node,
      CLI,
      ["site/**"],
      ciEnv(emulator, {
        S3VU_BUCKET: "env",
        S3VU_ENDPOINT: emulator.endpoint,
        S3VU_FORCE_PATH_STYLE: "true",
        S3VU_PREFIX: "web",
        S3VU_BASE_DIR: "site",
        S3VU_PART_SIZE: "5MiB",
        S3VU_CACHE_CONTROL: "public, max-age=300",
        S3VU_HEADERS: ENV_RULES,
      }),
      workspace,
    );
    expect(run.code, run.stderr).toBe(0);
    await expectServed(sdk, "env", "web");
  });

  it("stores the headers of the action's multi-line headers input", async () => {
    const outputs = path.join(workspace, `.out-${randomUUID()}`);
    await writeFile(outputs, "");
    const run = await runNode(
      node,
      ACTION,
      [],
      ciEnv(emulator, {
        GITHUB_OUTPUT: outputs,
        GITHUB_STEP_SUMMARY: outputs,
        RUNNER_TEMP: workspace,
        INPUT_BUCKET: "action",
        INPUT_ENDPOINT: emulator.endpoint,
        "INPUT_FORCE-PATH-STYLE": "true",
        INPUT_PATH: "site/**",
        INPUT_PREFIX: "web",
        "INPUT_BASE-DIR": "site",
        "INPUT_PART-SIZE": "5MiB",
        "INPUT_CACHE-CONTROL": "public, max-age=300",
        INPUT_HEADERS: `${ENV_RULES}\n`,
      }),
      workspace,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await expectServed(sdk, "action", "web");
  });

  it("exits 2 naming the input, the line and the fix for a bad rule", async () => {
    const run = await runNode(
      node,
      CLI,
      [
        "--bucket",
        "flags",
        ...store(),
        "--headers",
        "*.js | Cache-Control: x",
        "--headers",
        "*.js X: y",
        "site/**",
      ],
      ciEnv(emulator, {}),
      workspace,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'Input "headers": line 2 "*.js X: y" is not "pattern | Header: value"; write one header per line, e.g. **/*.js.gz | Content-Encoding: gzip.',
    );
  });
});

const rgw = startRgw();

describe.skipIf(rgw === null)("the CLI bundle's header rules against Ceph RGW", () => {
  const bucket = `svu-cli-headers-${randomUUID().slice(0, 8)}`;
  let sdk: S3Client;
  let dir = "";
  beforeAll(async () => {
    ({ sdk, dir } = await openRgwBucket(rgw!, bucket, "svu-rgw-cli-headers-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  it("stores the headers there too", async () => {
    const run = await runNode(
      nodeRuntimes()[0]!,
      CLI,
      [
        "--bucket",
        bucket,
        "--endpoint",
        rgw!.S3_ENDPOINT!,
        "--force-path-style",
        "--prefix",
        "web",
        ...FLAGS,
        "site/**",
      ],
      {
        PATH: process.env["PATH"],
        HOME: dir,
        AWS_ACCESS_KEY_ID: rgw!.AWS_ACCESS_KEY_ID!,
        AWS_SECRET_ACCESS_KEY: rgw!.AWS_SECRET_ACCESS_KEY!,
        AWS_REGION: "us-east-1",
        NODE_NO_WARNINGS: "1",
      },
      workspace,
    );
    expect(run.code, run.stderr).toBe(0);
    await expectServed(sdk, bucket, "web");
  });
});
