// `npm run bench:startup`: how long each client takes from process start to its first request at the S3
// server (and to its exit), for --version, a one-file upload and a one-file download, beside `node -e 0`,
// the floor of a Node process that sends a request at once, aws-cli and rclone. Cases alternate run by run;
// medians go to bench/results/startup-<YYYY-MM-DD>.md.
//
//   npx tsx bench/startup.ts [--runs 11] [--quick] [--cli dist/cli/index.js] [--node PATH] [--out bench/results]
//                            [--no-compile-cache]

import { createHash } from "node:crypto";
import { access, constants, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describeEnvironment } from "./environment.js";
import { runToEnd } from "./measure.js";
import { startServer, type Server } from "./server.js";
import { startRelay, timeStartup, type Relay, type Timing } from "./startup-probe.js";
import {
  renderStartupMarkdown,
  summarizeStartup,
  type StartupCase,
  type StartupSample,
} from "./startup-report.js";

const BUCKET = "startup";
const AWS = "/usr/bin/aws";
const RCLONE = "/usr/bin/rclone";
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE =
  "usage: npx tsx bench/startup.ts [--runs 11] [--quick] [--cli dist/cli/index.js] [--node PATH] [--out bench/results] [--no-compile-cache]";

interface StartupOptions {
  runs: number;
  cli: string;
  node: string;
  outDir: string;
  compileCache: boolean;
}

function parseOptions(argv: string[]): StartupOptions | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        runs: { type: "string" },
        quick: { type: "boolean" },
        cli: { type: "string" },
        node: { type: "string" },
        out: { type: "string" },
        "no-compile-cache": { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  const runs = Number(values.runs ?? (values.quick ? "3" : "11"));
  if (!Number.isInteger(runs) || runs < 1) return `--runs ${values.runs} must be a whole number ≥ 1`;
  return {
    runs,
    cli: values.cli ?? "dist/cli/index.js",
    node: values.node ?? process.execPath,
    outDir: path.resolve(projectRoot, values.out ?? "bench/results"),
    compileCache: values["no-compile-cache"] !== true,
  };
}

const parsed = parseOptions(process.argv.slice(2));
if (typeof parsed === "string") {
  console.error(`bench:startup: ${parsed}\n${USAGE}`);
  process.exit(2);
}
const { runs, node, outDir, compileCache } = parsed;
const cliShown = parsed.cli;

const scratch = await mkdtemp(path.join(os.tmpdir(), "s3vu-startup-"));
let server: Server | null = null;
let relay: Relay | null = null;
const cleanUp = async () => {
  await relay?.close();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
};
process.once("SIGINT", () => void cleanUp().finally(() => process.exit(130)));
try {
  process.exitCode = await benchmark();
} finally {
  await cleanUp();
}

async function benchmark(): Promise<number> {
  const bundle = await snapshotBundle(path.resolve(projectRoot, cliShown));
  if (bundle === null) {
    console.error(`bench:startup: ${cliShown} does not exist: run "npm run build" first`);
    return 1;
  }
  const dataDir = path.join(scratch, "server-data");
  await mkdir(dataDir);
  // Not the sink mode: the download needs the stored bytes.
  server = await startServer({
    argv: [process.execPath, "--import", "tsx", "test/emulator/main.ts", "--port", "0"].concat([
      "--data-dir",
      dataDir,
      "--bucket",
      BUCKET,
    ]),
    cwd: projectRoot,
  });
  relay = await startRelay(new URL(server.endpoint));
  const home = path.join(scratch, "home");
  await mkdir(home);
  const file = path.join(scratch, "one.bin");
  await writeFile(file, createHash("sha256").update("startup").digest().toString("hex").repeat(16));
  const env = await clientEnv(server, relay.endpoint, home);
  const ours = [node, bundle.path];
  const oursS3 = ["--bucket", BUCKET, "--endpoint", relay.endpoint, "--force-path-style"];
  const seed = await runToEnd(
    [...ours, ...oursS3, "--prefix", "seed/", "--base-dir", scratch, file],
    env,
    scratch,
  );
  if (seed.code !== 0) {
    console.error(`bench:startup: seeding the download object failed:\n${seed.output}`);
    return 1;
  }
  const fresh = freshDirs(path.join(scratch, "downloads"));
  const aws = (await isExecutable(AWS)) ? AWS : null;
  const rclone = (await isExecutable(RCLONE)) ? RCLONE : null;
  const awsS3 = ["--endpoint-url", relay.endpoint, "--no-progress", "--only-show-errors"];
  const cases: StartupCase[] = [
    { id: "node-e0", label: "node -e 0", argv: () => [node, "-e", "0"] },
    {
      id: "node-request",
      label: "node: one http.get at once (floor)",
      request: "upload",
      argv: () => [
        node,
        "-e",
        "require('node:http').get(process.argv[1], (r) => r.resume())",
        relay!.endpoint,
      ],
    },
    { id: "ours-version", label: "ours --version", argv: () => [...ours, "--version"] },
    {
      id: "ours-upload",
      label: "ours: upload one file",
      request: "upload",
      argv: (run) => [...ours, ...oursS3, "--prefix", `ours/${run}/`, "--base-dir", scratch, file],
    },
    {
      id: "ours-download",
      label: "ours: download one file",
      request: "download",
      argv: () => [...ours, "download", ...oursS3, "--prefix", "seed/", "--base-dir", fresh()],
    },
  ];
  if (aws) {
    cases.push(
      { id: "aws-version", label: "aws --version", argv: () => [aws, "--version"] },
      {
        id: "aws-upload",
        label: "aws s3 cp: upload one file",
        request: "upload",
        argv: (run) => [aws, "s3", "cp", file, `s3://${BUCKET}/aws/${run}/one.bin`, ...awsS3],
      },
      {
        id: "aws-download",
        label: "aws s3 cp: download one file",
        request: "download",
        argv: () => [aws, "s3", "cp", `s3://${BUCKET}/seed/one.bin`, path.join(fresh(), "one.bin"), ...awsS3],
      },
    );
  }
  if (rclone) {
    cases.push(
      { id: "rclone-version", label: "rclone version", argv: () => [rclone, "version"] },
      {
        id: "rclone-upload",
        label: "rclone copyto: upload one file",
        request: "upload",
        argv: (run) => [rclone, "copyto", file, `startup:${BUCKET}/rclone/${run}/one.bin`],
      },
      {
        id: "rclone-download",
        label: "rclone copyto: download one file",
        request: "download",
        argv: () => [rclone, "copyto", `startup:${BUCKET}/seed/one.bin`, path.join(fresh(), "one.bin")],
      },
    );
  }
  const skipped = [
    ...(aws ? [] : [`aws-cli: ${AWS} not found (apt-get install -y awscli)`]),
    ...(rclone ? [] : [`rclone: ${RCLONE} not found (apt-get install -y rclone)`]),
  ];
  skipped.forEach((reason) => console.error(`bench:startup: skipping ${reason}`));

  const samples: StartupSample[] = [];
  // Round 0 warms the page cache (and, on Node ≥ 22, our compile cache) and is not counted.
  for (let run = 0; run <= runs; run++) {
    for (const startupCase of rotate(cases, run)) {
      const result = await timeStartup(startupCase.argv(`r${run}`), env, scratch, relay);
      if (!result.ok) {
        console.error(`bench:startup: ${startupCase.id}: ${result.error}`);
        return 1;
      }
      if (startupCase.request !== undefined && result.timing.firstRequestMs === null) {
        console.error(`bench:startup: ${startupCase.id} sent no request to ${relay.endpoint}`);
        return 1;
      }
      if (run > 0) samples.push({ caseId: startupCase.id, run, timing: result.timing });
      console.error(`bench:startup: run ${run}/${runs} ${startupCase.id} ${describeTiming(result.timing)}`);
    }
  }
  const markdown = renderStartupMarkdown({
    environment: [
      ...(await describeEnvironment(projectRoot)),
      `node measured: ${(await runToEnd([node, "--version"], env)).output.trim()} (${node})`,
      `ours: ${cliShown} (bundle files sha256 ${bundle.digest}), compile cache ${
        !compileCache ? "disabled" : "allowed (private NODE_COMPILE_CACHE dir, warm after round 0)"
      }`,
      `load average at the end: ${os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(", ")}`,
    ],
    runs,
    cases,
    summaries: summarizeStartup(cases, samples),
    skipped,
    date: new Date(),
  });
  console.log(markdown);
  await mkdir(outDir, { recursive: true });
  const out = path.join(outDir, `startup-${new Date().toISOString().slice(0, 10)}.md`);
  await writeFile(out, markdown);
  console.error(`bench:startup: wrote ${path.relative(process.cwd(), out)}`);
  return 0;
}

function describeTiming(timing: Timing): string {
  const first =
    timing.firstRequestMs === null ? "" : `first request ${timing.firstRequestMs.toFixed(0)} ms, `;
  return `${first}exit ${timing.exitMs.toFixed(0)} ms`;
}

/** Each round starts one case later, so no client always runs right after the same other one. */
function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function freshDirs(root: string): () => string {
  let count = 0;
  return () => path.join(root, String(count++));
}

/** A private copy of the bundle's directory (entry and chunks), so a rebuild mid-run cannot change it. */
async function snapshotBundle(bundle: string): Promise<{ path: string; digest: string } | null> {
  if (!(await isReadable(bundle))) return null;
  const copy = path.join(scratch, "ours");
  await cp(path.dirname(bundle), copy, { recursive: true });
  const hash = createHash("sha256");
  for (const name of (await readdir(copy)).filter((name) => name.endsWith(".js")).sort()) {
    hash.update(name).update(await readFile(path.join(copy, name)));
  }
  return { path: path.join(copy, path.basename(bundle)), digest: hash.digest("hex").slice(0, 12) };
}

async function clientEnv(server: Server, endpoint: string, home: string): Promise<NodeJS.ProcessEnv> {
  const awsConfig = path.join(home, "aws-config");
  await writeFile(awsConfig, `[default]\nregion = ${server.region}\ns3 =\n  addressing_style = path\n`);
  const rcloneConfig = path.join(home, "rclone.conf");
  await writeFile(
    rcloneConfig,
    [
      "[startup]",
      "type = s3",
      "provider = Other",
      `access_key_id = ${server.accessKeyId}`,
      `secret_access_key = ${server.secretAccessKey}`,
      `endpoint = ${endpoint}`,
      `region = ${server.region}`,
      "force_path_style = true",
      // rclone sends x-amz-acl: private by default, which an ACL-less bucket (the emulator, S3 since 2023) refuses.
      "acl = bucket-owner-full-control",
      // The bucket exists; rclone would otherwise try to create it first, with an ACL.
      "no_check_bucket = true",
      "",
    ].join("\n"),
  );
  return {
    PATH: process.env["PATH"],
    HOME: home,
    LANG: "C.UTF-8",
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_DEFAULT_REGION: server.region,
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    RCLONE_CONFIG: rcloneConfig,
    ...(!compileCache
      ? { NODE_DISABLE_COMPILE_CACHE: "1" }
      : { NODE_COMPILE_CACHE: path.join(scratch, "compile-cache") }),
  };
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function isReadable(file: string): Promise<boolean> {
  return access(file, constants.R_OK).then(
    () => true,
    () => false,
  );
}
