// Bad input of every kind through the CLI entry (in process, against the emulator): each row must fail (or
// warn) with a message that names the thing and the fix, and leave no object and no upload behind.
// Config errors of single settings are in test/unit/config-errors.test.ts; these rows add the other kinds.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../../src/cli.js";
import { checkDuplicateKeys } from "../../src/frontend/file-checks.js";
import { startEmulator, type Emulator, type FaultRule } from "../emulator/index.js";
import { s3For } from "./helpers.js";

const MiB = 1024 * 1024;
const BUCKET = "bad";
let emulator: Emulator;
let sdk: S3Client;
let workspace: string;
let closedPort: number;
const startingDir = process.cwd();
const savedEnv = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator({ buckets: [BUCKET] });
  sdk = s3For(emulator);
  workspace = await mkdtemp(path.join(tmpdir(), "svu-bad-"));
  const files: Record<string, string | Buffer> = {
    "dist/app.txt": "app",
    "dist/big.bin": Buffer.alloc(6 * MiB, 1),
    "outside.txt": "outside",
    "plain.txt": "plain",
    "ctrl/a\u0001b.txt": "x",
    "newline/a\nb.txt": "x",
    "del/a\u007fb.txt": "x",
    [`long/${"n".repeat(200)}.txt`]: "x",
    [`utf8/${"é".repeat(120)}.txt`]: "x",
    "same/app.txt": "same content",
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(workspace, name)), { recursive: true });
    await writeFile(path.join(workspace, name), content);
  }
  await mkdir(path.join(workspace, "empty"));
  await symlink("nowhere.txt", path.join(workspace, "broken.txt"));
  await symlink("loop-b", path.join(workspace, "loop-a"));
  await symlink("loop-a", path.join(workspace, "loop-b"));
  // Unreadable even for root, which ignores file modes: the kernel refuses reads of this write-only sysctl.
  await symlink("/proc/sys/vm/drop_caches", path.join(workspace, "unreadable.txt"));
  execFileSync("mkfifo", [path.join(workspace, "pipe")]);
  await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: "taken/app.txt", Body: "other content" }));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  process.chdir(workspace);
});

afterAll(async () => {
  process.chdir(startingDir);
  process.env = savedEnv;
  sdk?.destroy();
  await emulator?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

interface Row {
  name: string;
  args: string[];
  /** Replaces the emulator's credentials in the environment (the SDK default chain reads it). */
  env?: Record<string, string | undefined>;
  faults?: FaultRule[];
  code: number;
  message: string;
  /** Text that must not appear on stderr. */
  absent?: string;
}

/** Where to upload: the emulator's bucket unless a row names another bucket or endpoint. */
function store(bucket = BUCKET, endpoint = emulator.endpoint): string[] {
  return ["--bucket", bucket, "--endpoint", endpoint, "--force-path-style"];
}
const upload = (...args: string[]): string[] => [...store(), ...args];

// Row functions run after beforeAll, when the emulator's endpoint and the closed port are known.
const ROWS: (() => Row)[] = [
  // Command line and settings the config table does not cover.
  () => ({
    name: "unknown flag",
    args: ["--bukket", "b"],
    code: 2,
    message: 'Unknown option "--bukket"; see --help.',
  }),
  () => ({
    name: "unknown flag with a value holding a password",
    args: ["--Endpoint=https://user:hunter2@127.0.0.1:9000", "dist/app.txt"],
    code: 2,
    message: 'Unknown option "--Endpoint"; see --help.',
    absent: "hunter2",
  }),
  () => ({ name: "unknown short flag", args: ["-x"], code: 2, message: 'Unknown option "-x"; see --help.' }),
  () => ({
    name: "--no- on a setting that is not a switch",
    args: ["--no-bucket"],
    code: 2,
    message: 'Unknown option "--no-bucket"; see --help.',
  }),
  () => ({
    name: "flag without its value",
    args: ["dist/app.txt", "--bucket"],
    code: 2,
    message: 'Option "--bucket" needs a value; see --help.',
  }),
  () => ({
    name: "flag given twice",
    args: ["--bucket", "a-b", "--bucket", "c-d", "x"],
    code: 2,
    message: 'Option "--bucket" is given more than once; give it once.',
  }),
  () => ({
    name: "bad setting from the environment",
    args: upload("dist/app.txt"),
    env: { S3VU_CONCURRENCY: "0" },
    code: 2,
    message: 'Input "concurrency": "0" is not a whole number from 1 to 64.',
  }),
  () => ({
    name: "unknown mode",
    args: upload("--mode", "sync", "dist/app.txt"),
    code: 2,
    message: 'Input "mode": "sync" is not supported; use one of upload, download, cleanup.',
  }),
  () => ({
    name: "cleanup age in weeks",
    args: ["cleanup", ...store(), "--older-than", "1w"],
    code: 2,
    message:
      'Input "older-than": "1w" is not a duration; use a whole number with s, m, h or d, e.g. 7d, 12h, 30m.',
  }),
  () => ({
    name: "cleanup age negative",
    args: ["cleanup", ...store(), "--older-than", "-1d"],
    code: 2,
    message: 'Input "older-than": "-1d" is not a duration',
  }),
  () => ({
    name: "lifecycle days zero",
    args: ["cleanup", ...store(), "--lifecycle-abort-days", "0"],
    code: 2,
    message: 'Input "lifecycle-abort-days": "0" is not a whole number from 1 to 36500.',
  }),
  () => ({
    name: "lifecycle days not a number",
    args: ["cleanup", ...store(), "--lifecycle-abort-days", "weekly"],
    code: 2,
    message: 'Input "lifecycle-abort-days": "weekly" is not a whole number from 1 to 36500.',
  }),
  () => ({
    name: "endpoint without scheme, with a password",
    args: ["--bucket", BUCKET, "--endpoint", "user:hunter2@127.0.0.1:9000", "--json", "dist/app.txt"],
    code: 2,
    message:
      'Input "endpoint": the URL contains credentials; remove them and use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. It also has no http:// or https:// scheme; add one, e.g. https://127.0.0.1:9000.',
    absent: "hunter2",
  }),
  () => ({
    name: "bucket name Amazon S3 refuses",
    args: ["--bucket", "my..bucket", "dist/app.txt"],
    code: 2,
    message:
      'Input "bucket": "my..bucket" breaks S3\'s bucket naming rules: it has two adjacent dots "..". Use the bucket\'s exact name.',
  }),
  () => ({
    name: "cleanup without bucket",
    args: ["cleanup", "--older-than", "1d"],
    code: 2,
    message: 'Input "bucket" is required: the name of the S3 bucket to upload to.',
  }),

  // The file system.
  () => ({
    name: "unreadable file",
    args: upload("unreadable.txt"),
    code: 1,
    message: `File "${path.join(workspace, "unreadable.txt")}" cannot be read (EACCES); give the job read permission or exclude it with a "!" pattern.`,
  }),
  () => ({
    name: "broken symbolic link",
    args: upload("broken.txt"),
    code: 1,
    message:
      '"broken.txt" is a symbolic link to "nowhere.txt", which does not exist; fix the link or remove it from "path".',
  }),
  () => ({
    name: "symbolic link loop",
    args: upload("loop-a"),
    code: 1,
    message: '"loop-a" is a symbolic link that loops (via "loop-b"); fix the link or remove it from "path".',
  }),
  () => ({
    name: "named pipe",
    args: upload("pipe"),
    code: 1,
    message:
      '"pipe" is a named pipe (FIFO), not a regular file; only regular files upload, so remove it from "path".',
  }),
  () => ({
    name: "named pipe matched by a wildcard",
    args: upload("--prefix", "special", "[bp]*"),
    code: 0,
    message: `warning: Skipped "${path.join(workspace, "pipe")}": it is a named pipe (FIFO), not a regular file; only regular files upload, so exclude it with a "!" pattern.`,
  }),
  () => ({
    name: "broken symbolic link matched by a wildcard",
    args: upload("--prefix", "special", "[bp]*"),
    code: 0,
    message: `warning: Skipped "${path.join(workspace, "broken.txt")}": it is a symbolic link to "nowhere.txt", which does not exist; fix the link or exclude it with a "!" pattern.`,
  }),
  () => ({
    name: "symbolic link loop matched by a wildcard",
    args: upload("--if-no-files-found", "ignore", "loop-*"),
    code: 0,
    message: `warning: Skipped "${path.join(workspace, "loop-a")}": it is a symbolic link that loops (via "loop-b"); fix the link or exclude it with a "!" pattern.`,
  }),
  () => ({
    name: "special files excluded by a pattern are not mentioned",
    args: upload("--prefix", "special", "[bp]*", "!pipe", "!broken.txt"),
    code: 0,
    message: "0 uploaded (0 B), 1 unchanged, 0 failed",
    absent: "Skipped",
  }),
  () => ({
    name: "empty directory",
    args: upload("empty"),
    code: 1,
    message: `No files matched "path" (empty) from ${workspace}; check the patterns, or set "if-no-files-found" to warn or ignore.`,
  }),
  () => ({
    name: "no match, warn",
    args: upload("--if-no-files-found", "warn", "nothing/**"),
    code: 0,
    message: `warn: No files matched "path" (nothing/**)`,
  }),
  () => ({
    name: "no match, error",
    args: upload("*.zip", "missing.txt"),
    code: 1,
    message: `No files matched "path" (*.zip, missing.txt) from ${workspace}`,
  }),
  () => ({
    name: "file outside base-dir",
    args: upload("--base-dir", "dist", "outside.txt"),
    code: 1,
    message: `File "${path.join(workspace, "outside.txt")}" is not inside base-dir "${path.join(workspace, "dist")}"; set "base-dir" to a directory that contains every matched file.`,
  }),
  () => ({
    name: "pattern escaping upwards",
    args: upload("--base-dir", "dist", "dist/../plain.txt"),
    code: 1,
    message: `File "${path.join(workspace, "plain.txt")}" is not inside base-dir`,
  }),
  () => ({
    name: "base-dir missing",
    args: upload("--base-dir", "build", "dist/app.txt"),
    code: 2,
    message: `Input "base-dir": "build" cannot be used (ENOENT for ${path.join(workspace, "build")}); set it to an existing directory that contains the files.`,
  }),
  () => ({
    name: "base-dir is a file",
    args: upload("--base-dir", "plain.txt", "plain.txt"),
    code: 2,
    message:
      'Input "base-dir": "plain.txt" is not a directory; set it to the directory the keys are relative to.',
  }),
  () => ({
    name: "key with a control character",
    args: upload("ctrl/*"),
    code: 1,
    message: `File "${path.join(workspace, "ctrl/a\u0001b.txt")}" gives a key with control character U+0001, which S3 lists only URL-encoded and many tools mishandle; rename the file or exclude it with a "!" pattern.`,
  }),
  () => ({
    name: "key with a newline",
    args: upload("newline/*"),
    code: 1,
    message: "gives a key with control character U+000A",
  }),
  () => ({
    name: "key with DEL",
    args: upload("del/*"),
    code: 1,
    message: "gives a key with control character U+007F",
  }),
  () => ({
    name: "key over 1024 bytes",
    args: upload("--prefix", "p".repeat(900), "long/*"),
    code: 1,
    message:
      'gives a key of 1110 bytes; S3 keys are at most 1024 bytes (UTF-8), so shorten "prefix" or the path.',
  }),
  () => ({
    name: "key over 1024 bytes in UTF-8, under 1024 characters",
    args: upload("--prefix", "p".repeat(780), "utf8/*"),
    code: 1,
    message: "gives a key of 1030 bytes; S3 keys are at most 1024 bytes (UTF-8)",
  }),
  () => ({
    name: "object exists with other content",
    args: upload("--prefix", "taken", "--base-dir", "same", "same/app.txt"),
    code: 1,
    message: "taken/app.txt",
  }),

  // The store.
  () => ({
    name: "bucket missing",
    args: [...store("no-such-bucket"), "dist/app.txt"],
    code: 1,
    message: "NoSuchBucket (HTTP 404): The specified bucket does not exist, request id",
  }),
  () => ({
    name: "bucket missing: the fix",
    args: [...store("no-such-bucket"), "dist/app.txt"],
    code: 1,
    message: 'The bucket does not exist at this endpoint: check "bucket", and "region" or "endpoint".',
  }),
  () => ({
    name: "access denied on write",
    args: upload("dist/app.txt"),
    faults: [{ operation: "PutObject", action: "403" }],
    code: 1,
    message: `AccessDenied (HTTP 403): Access Denied, request id`,
  }),
  () => ({
    name: "access denied: the fix",
    args: upload("dist/app.txt"),
    faults: [{ operation: "PutObject", action: "403" }],
    code: 1,
    message: `The credentials may not do this: grant the actions of the README's "Minimal IAM policy" on this bucket and prefix.`,
  }),
  () => ({
    name: "access denied on CreateMultipartUpload",
    args: upload("--part-size", "5MiB", "--prefix", "denied-mpu", "dist/big.bin"),
    faults: [{ operation: "CreateMultipartUpload", action: "403" }],
    code: 1,
    message: "CreateMultipartUpload failed: AccessDenied (HTTP 403)",
  }),
  () => ({
    name: "listing uploads denied only costs the resume",
    args: upload("--part-size", "5MiB", "--prefix", "no-list", "dist/big.bin"),
    faults: [{ operation: "ListMultipartUploads", action: "403" }],
    code: 0,
    message:
      "starting a new one. Allow s3:ListBucketMultipartUploads on the bucket to resume interrupted uploads.",
  }),
  () => ({
    name: "unknown access key",
    args: upload("dist/app.txt"),
    env: { AWS_ACCESS_KEY_ID: "AKIAUNKNOWN000000000" },
    code: 1,
    message: "The store does not know this access key: check AWS_ACCESS_KEY_ID or the role providing it.",
  }),
  () => ({
    name: "wrong secret key",
    args: upload("dist/app.txt"),
    env: { AWS_SECRET_ACCESS_KEY: "wrong-secret" },
    code: 1,
    message: "The secret key does not fit the access key: check AWS_SECRET_ACCESS_KEY.",
  }),
  () => ({
    name: "no credentials anywhere",
    args: upload("dist/app.txt"),
    env: {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: "/nonexistent",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
    },
    code: 1,
    message: "No AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE",
  }),
  () => ({
    name: "wrong region",
    args: upload("--region", "eu-west-3", "dist/app.txt"),
    code: 1,
    message: `the region 'eu-west-3' is wrong; expecting 'us-east-1'`,
  }),
  () => ({
    name: "wrong region: the fix",
    args: upload("--region", "eu-west-3", "dist/app.txt"),
    code: 1,
    message:
      "is in region us-east-1, not eu-west-3 (AuthorizationHeaderMalformed (HTTP 400): the region 'eu-west-3' is wrong; expecting 'us-east-1'",
  }),
  () => ({
    name: "endpoint unreachable",
    args: [...store(BUCKET, `http://127.0.0.1:${closedPort}`), "dist/app.txt"],
    code: 1,
    message: `cannot reach http://127.0.0.1:${closedPort} (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${closedPort}). Nothing answers at the endpoint: check "endpoint" (scheme, host and port) and that the store runs.`,
  }),
  () => ({
    name: "store keeps throttling",
    args: upload("--prefix", "slow", "dist/app.txt"),
    faults: [{ operation: "PutObject", action: "503" }],
    code: 1,
    message: "SlowDown (HTTP 503): Please reduce your request rate.",
  }),
  () => ({
    name: "cleanup of a missing bucket",
    args: ["cleanup", ...store("no-such-bucket")],
    code: 1,
    message: "Cleanup of s3://no-such-bucket/ failed: NoSuchBucket (HTTP 404)",
  }),
];

async function cli(row: Row): Promise<{ code: number; stdout: string; stderr: string }> {
  const wanted: Record<string, string | undefined> = {
    ...savedEnv,
    AWS_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emulator.credentials.secretAccessKey,
    AWS_REGION: emulator.region,
    AWS_PROFILE: undefined,
    ...row.env,
  };
  process.env = Object.fromEntries(Object.entries(wanted).filter(([, value]) => value !== undefined));
  const env = Object.fromEntries(Object.entries(row.env ?? {}).filter(([name]) => name.startsWith("S3VU_")));
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    env,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  for (const fault of row.faults ?? []) emulator.faults.add(fault);
  try {
    return { code: await main(row.args, io), stdout, stderr };
  } finally {
    emulator.faults.clear();
  }
}

describe("bad input", () => {
  it("has at least 40 rows", () => expect(ROWS.length).toBeGreaterThanOrEqual(40));

  it.each(ROWS.map((row, index) => [index, row] as const))("row %i", async (_, makeRow) => {
    const row = makeRow();
    const before = await sdk.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const run = await cli(row);
    expect(run.stderr, row.name).toContain(row.message);
    if (row.absent !== undefined) expect(run.stderr + run.stdout, row.name).not.toContain(row.absent);
    expect(run.code, `${row.name}\n${run.stderr}`).toBe(row.code);
    if (row.code !== 0) {
      // No partial object and no upload left behind.
      const after = await sdk.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      expect((after.Contents ?? []).map((object) => object.Key)).toEqual(
        (before.Contents ?? []).map((object) => object.Key),
      );
      const uploads = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
      expect(uploads.Uploads ?? []).toEqual([]);
    }
  });

  it("two files giving one key are refused, naming both", () => {
    expect(
      checkDuplicateKeys([
        { path: "/w/a/x.txt", key: "k/x.txt" },
        { path: "/w/b/x.txt", key: "k/x.txt" },
      ]),
    ).toBe(
      'Files "/w/a/x.txt" and "/w/b/x.txt" both give key "k/x.txt"; change "base-dir" or "prefix", or exclude one with a "!" pattern.',
    );
  });
});
