// The bundled CLI (dist/cli/index.js, as committed; CI checks it is fresh) run as a CI job would run it.
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/types.js";
import { startEmulator } from "../emulator/index.js";
import type { Emulator } from "../emulator/index.js";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import {
  ciEnv,
  listKeys,
  makeTree,
  nodeBinary,
  nodeRuntimes,
  patternBytes,
  readObject,
  repoRoot,
  runNode,
  s3For,
  startCommand,
  waitUntil,
} from "./helpers.js";

const MiB = 1024 * 1024;
const CLI = path.join(repoRoot, "dist", "cli", "index.js");

describe.each(nodeRuntimes())("on $name", (node) => {
  let emulator: Emulator;
  let workspace: string;
  const big = patternBytes(11 * MiB, 3);

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: ["cli-bucket", "env-bucket", "dry-bucket", "cancel-bucket"] });
    workspace = await makeTree({ "out/big.bin": big, "out/small.txt": "small\n", "out/skip.log": "log" });
  });

  afterAll(async () => {
    await emulator?.stop();
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  function cli(args: string[], env: Record<string, string> = {}) {
    return runNode(node, CLI, args, ciEnv(emulator, env), workspace);
  }

  const store = () => ["--endpoint", emulator.endpoint, "--force-path-style"];

  interface JsonReport {
    ok: boolean;
    uploaded: number;
    skipped: number;
    failed: number;
    bytes: number;
    keys: string[];
    files: FileResult[];
  }

  describe("the CLI bundle", () => {
    it("uploads with --json: results on stdout, progress and summary on stderr, exit 0", async () => {
      const run = await cli([
        "--bucket",
        "cli-bucket",
        ...store(),
        "--part-size=5MiB",
        "--checksum-algorithm",
        "CRC32C",
        "--json",
        "out/**",
        "!out/*.log",
      ]);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as JsonReport;
      expect(report).toMatchObject({ ok: true, uploaded: 2, skipped: 0, failed: 0, bytes: big.length + 6 });
      expect(report.keys).toEqual(["out/big.bin", "out/small.txt"]);
      expect(report.files[0]).toMatchObject({
        parts: 3,
        multipart: true,
        checksumAlgorithm: "CRC32C",
        verified: true,
      });
      expect(run.stderr).toContain(
        "uploaded s3://cli-bucket/out/big.bin (11.0 MiB, 3 parts of 5.0 MiB, CRC32C ",
      );
      // The last line closes the run: files, bytes, how they were proven, how long it took.
      expect(run.stderr).toMatch(
        /\nTotals: 2 files, 2 uploaded \(11\.0 MiB\), 0 unchanged, 0 failed; verified: 2 by CRC32C checksum; [\dhms.]+\n$/,
      );
      expect(await listKeys(emulator, "cli-bucket")).toEqual(["out/big.bin", "out/small.txt"]);
      expect((await readObject(emulator, "cli-bucket", "out/big.bin")).equals(big)).toBe(true);
    });

    it("reads every setting from S3VU_* variables, flags winning", async () => {
      const run = await cli(["--prefix", "from-flag", "out/small.txt"], {
        S3VU_BUCKET: "env-bucket",
        S3VU_PREFIX: "from-env",
        S3VU_ENDPOINT: emulator.endpoint,
        S3VU_FORCE_PATH_STYLE: "true",
        S3VU_METADATA: "build=7",
        S3VU_BOGUS: "1",
      });
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(
        "warning: environment variable S3VU_BOGUS is not a setting and is ignored; see --help.",
      );
      expect(await listKeys(emulator, "env-bucket")).toEqual(["from-flag/out/small.txt"]);
    });

    it("writes nothing in a dry run but lists what it would do", async () => {
      const run = await cli(["--bucket", "dry-bucket", ...store(), "--dry-run", "--json", "out/small.txt"]);
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as JsonReport).files[0]).toMatchObject({
        status: "dry-run",
        key: "out/small.txt",
      });
      expect(await listKeys(emulator, "dry-bucket")).toEqual([]);
    });

    it("exits 2 listing every bad setting, with JSON errors under --json", async () => {
      const run = await cli([
        "--bucket",
        "cli-bucket",
        "--part-size",
        "1MiB",
        "--sse",
        "kms",
        "--json",
        "out/**",
      ]);
      expect(run.code).toBe(2);
      const { ok, errors } = JSON.parse(run.stdout) as { ok: boolean; errors: string[] };
      expect(ok).toBe(false);
      // The upper end of the range is the runtime's: S3's 5 GiB, or the largest Buffer of Node.js 20.
      expect(errors).toEqual([
        expect.stringMatching(
          /^Input "part-size": "1MiB" is outside (S3's|the) part size range.*; use 5MiB to [45]GiB \(5242880 to \d+ bytes\)\.$/,
        ),
        `Input "sse": "kms" is not supported; use one of AES256, aws:kms, aws:kms:dsse.`,
      ]);
      expect(run.stderr).toBe(
        `${errors.map((e) => `error: ${e}\n`).join("")}Run with --help to see every option.\n`,
      );
    });

    it("exits 2 on usage errors", async () => {
      const unknown = await cli(["--buckt", "x", "out/**"]);
      expect(unknown).toMatchObject({
        code: 2,
        stdout: "",
        stderr: 'error: Unknown option "--buckt"; see --help.\n',
      });
      const missing = await cli(["out/**"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(
        'error: Input "bucket" is required: the name of the S3 bucket to upload to.\n',
      );
    });

    it("exits 1 when nothing matches, 0 when told to ignore it", async () => {
      const failed = await cli(["--bucket", "cli-bucket", ...store(), "none/**"]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`error: No files matched "path" (none/**) from ${workspace};`);
      const ignored = await cli([
        "--bucket",
        "cli-bucket",
        ...store(),
        "--if-no-files-found=ignore",
        "none/**",
      ]);
      expect(ignored).toMatchObject({ code: 0, stderr: "" });
    });

    it("exits 1 naming the file when the upload fails", async () => {
      emulator.faults.add({ operation: "PutObject", action: "403", key: "out/small.txt" });
      const run = await cli(["--bucket", "dry-bucket", ...store(), "--json", "out/small.txt"]);
      emulator.faults.clear();
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout) as JsonReport).toMatchObject({ ok: false, failed: 1 });
      expect(run.stderr).toMatch(
        /error: 1 of 1 files failed:\n- .*small\.txt → s3:\/\/dry-bucket\/out\/small\.txt: .*AccessDenied/,
      );
    });

    it("exits 1 before any file when the bucket does not exist, with one error", async () => {
      const run = await cli(["--bucket", "missing-bucket", ...store(), "--json", "out/small.txt"]);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({
        ok: false,
        error: expect.stringContaining('preflight failed: bucket "missing-bucket" does not exist'),
      });
      expect(run.stderr).toMatch(/^error: preflight failed: bucket "missing-bucket" does not exist at /);
    });

    it("on Ctrl-C stops, aborts the multipart upload and exits 130 (128 + SIGINT)", async () => {
      emulator.faults.add({
        operation: "UploadPart",
        action: "stall",
        partNumber: 2,
        key: "out/big.bin",
        stallMs: 30_000,
      });
      const args = [
        "--bucket",
        "cancel-bucket",
        ...store(),
        "--part-size",
        "5MiB",
        "--concurrency",
        "1",
        "out/big.bin",
      ];
      const { child, done } = startCommand(nodeBinary(node), [CLI, ...args], ciEnv(emulator, {}), workspace);
      let exited = false;
      void done.then(() => (exited = true));
      const partsAnswered = (status: number) =>
        emulator.requestLog.filter(
          (entry) =>
            entry.bucket === "cancel-bucket" && entry.operation === "UploadPart" && entry.status === status,
        );
      await waitUntil(
        () => partsAnswered(200).length > 0,
        () => (exited ? "the CLI exited before storing a part" : undefined),
      );
      child.kill("SIGINT");
      const run = await done;
      emulator.faults.clear();
      expect(run.code, run.stderr).toBe(130);
      // Part 2 is held for 30 s: a CLI that waited for it instead of stopping would have had it stored.
      expect(partsAnswered(200).map((entry) => entry.partNumber)).not.toContain(2);
      expect(run.stderr).toContain("FAILED");
      const uploads = await s3For(emulator).send(
        new ListMultipartUploadsCommand({ Bucket: "cancel-bucket" }),
      );
      expect(uploads.Uploads ?? []).toEqual([]);
      expect(await listKeys(emulator, "cancel-bucket")).toEqual([]);
    });

    it("prints help and version", async () => {
      const help = await cli(["--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: s3-verified-upload \[upload\] \[options\] <glob…>/);
      expect(help.stdout).toContain("env: S3VU_MULTIPART_THRESHOLD");
      const version = await cli(["upload", "--version"]);
      expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    });
  });
});
