// The bundled action (dist/index.js, as committed; CI checks it is fresh) run as the runner runs it.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/types.js";
import { startEmulator } from "../emulator/index.js";
import type { Emulator } from "../emulator/index.js";
import { listKeys, makeTree, nodeRuntimes, patternBytes, readObject, runActionBundle } from "./helpers.js";

const MiB = 1024 * 1024;

describe.each(nodeRuntimes())("on $name", (node) => {
  let emulator: Emulator;
  let workspace: string;
  const big = patternBytes(12 * MiB + 123, 7);

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: ["artifacts", "single"] });
    await emulator.createBucket("versioned", { versioning: true });
    workspace = await makeTree({
      "dist/app.bin": big,
      "dist/readme.txt": "hello\n",
      "dist/js/a.js": "console.log(1)\n",
      "dist/app.bin.map": "{}",
      "dist/.secret": "hidden",
    });
  });

  afterAll(async () => {
    await emulator?.stop();
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  const runAction = (inputs: Record<string, string>, extraEnv: Record<string, string> = {}) =>
    runActionBundle(node, emulator, workspace, inputs, extraEnv);

  describe("the action bundle", () => {
    it("uploads a tree, verifies it and reports outputs, summary, manifest and log groups", async () => {
      const run = await runAction({
        bucket: "artifacts",
        path: "dist/**\n!dist/**/*.map",
        "base-dir": "dist",
        prefix: "builds/42",
        "part-size": "5MiB",
      });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);

      const keys = ["builds/42/app.bin", "builds/42/js/a.js", "builds/42/readme.txt"];
      expect(run.outputs["uploaded"]).toBe("3");
      expect(run.outputs["skipped"]).toBe("0");
      expect(run.outputs["bytes"]).toBe(String(big.length + 6 + 15));
      expect(JSON.parse(run.outputs["keys"]!)).toEqual(keys);
      expect(run.outputs).not.toHaveProperty("key");
      expect(await listKeys(emulator, "artifacts")).toEqual(keys);
      expect((await readObject(emulator, "artifacts", "builds/42/app.bin")).equals(big)).toBe(true);
      expect((await readObject(emulator, "artifacts", "builds/42/readme.txt")).toString()).toBe("hello\n");

      const results = JSON.parse(run.outputs["results"]!) as FileResult[];
      const multipart = results.find((result) => result.key === "builds/42/app.bin")!;
      expect(multipart).toMatchObject({
        multipart: true,
        parts: 3,
        verified: true,
        verification: "checksum",
      });
      expect(multipart.checksumRemote).toBe(multipart.checksumLocal);
      // Off by default (input sha256): it costs CPU (bench/results/sha256-cost-*.md).
      expect(multipart.sha256).toBeNull();
      expect(run.outputs).not.toHaveProperty("checksums-file");

      const manifest = JSON.parse(await readFile(run.outputs["manifest"]!, "utf8")) as {
        ok: boolean;
        files: FileResult[];
      };
      expect(path.dirname(run.outputs["manifest"]!)).toBe(workspace);
      expect(manifest.ok).toBe(true);
      expect(manifest.files.map((file) => file.key)).toEqual(keys);

      expect(run.summary).toContain("✅ s3-verified-upload: 3 files uploaded and verified");
      expect(run.summary).toContain(
        `To <code>s3://artifacts/builds/42/</code> at <code>${emulator.endpoint}</code>`,
      );
      expect(run.summary).toContain(
        `<tr><td><code>dist/app.bin</code><br>→ <code>s3://artifacts/builds/42/app.bin</code></td><td align="right">12.0&nbsp;MiB</td><td align="right">3</td><td><code>${multipart.checksumLocal}</code></td><td>✅&nbsp;CRC64NVME</td></tr>`,
      );
      // Paths as the workflow names them: the runner's directory means nothing on the run page.
      expect(run.summary).not.toContain(workspace);
      expect(run.outputs["results-truncated"]).toBe("false");
      expect(run.stdout).toContain(
        `::group::uploaded s3://artifacts/builds/42/app.bin (12.0 MiB, 3 parts of 5.0 MiB`,
      );
      expect(run.stdout).toContain("::endgroup::");
      expect(run.stdout).toMatch(
        /\nTotals: 3 files, 3 uploaded \(12\.0 MiB\), 0 unchanged, 0 failed; verified: 3 by CRC64NVME checksum; [\dhms.]+\n$/,
      );
    });

    it("gives the one-file outputs, and a rerun reports the object unchanged", async () => {
      const inputs = {
        bucket: "versioned",
        path: "dist/readme.txt",
        prefix: "one",
        "checksum-algorithm": "SHA256",
      };
      const first = await runAction(inputs);
      expect(first.code).toBe(0);
      const stored = JSON.parse(first.outputs["results"]!) as FileResult[];
      expect(first.outputs).toMatchObject({
        uploaded: "1",
        key: "one/dist/readme.txt",
        etag: stored[0]!.etag,
        checksum: stored[0]!.checksumRemote,
        url: `${emulator.endpoint}/versioned/one/dist/readme.txt`,
      });
      expect(first.outputs["version-id"]).not.toBe("");
      expect(first.outputs["checksum"]).toMatch(/^[A-Za-z0-9+/]{43}=$/);

      const second = await runAction(inputs);
      expect(second.code).toBe(0);
      expect(second.outputs).toMatchObject({
        uploaded: "0",
        skipped: "1",
        bytes: "0",
        key: "one/dist/readme.txt",
      });
      expect(second.summary).toContain("1 unchanged: an identical object was already stored");
    });

    it("cuts results for a run too big for one output, says so and points to the manifest", async () => {
      const many = Object.fromEntries(
        Array.from({ length: 700 }, (_, i) => [`many/folder-${i % 7}/file-${i}.txt`, `${i}\n`]),
      );
      for (const [name, content] of Object.entries(many)) {
        await mkdir(path.dirname(path.join(workspace, name)), { recursive: true });
        await writeFile(path.join(workspace, name), content);
      }
      const run = await runAction({
        bucket: "artifacts",
        path: "many/**",
        prefix: "many",
        concurrency: "16",
      });
      expect(run.code).toBe(0);
      expect(run.outputs["uploaded"]).toBe("700");
      expect(run.outputs["results-truncated"]).toBe("true");
      const kept = (JSON.parse(run.outputs["results"]!) as FileResult[]).length;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(700);
      expect(run.stdout).toContain(
        `::notice::The "results" output lists ${kept} of 700 files (failed ones first) to stay under GitHub's 1 MB output limit; every file is in the manifest, ${run.outputs["manifest"]} (output "manifest").`,
      );
      const manifest = JSON.parse(await readFile(run.outputs["manifest"]!, "utf8")) as {
        files: FileResult[];
      };
      expect(manifest.files).toHaveLength(700);
    });

    it("logs progress lines for an upload that takes longer than a few seconds", async () => {
      emulator.faults.add({
        operation: "UploadPart",
        action: "stall",
        partNumber: 2,
        key: "slow/dist/app.bin",
        stallMs: 5500,
      });
      const run = await runAction({
        bucket: "artifacts",
        path: "dist/app.bin",
        prefix: "slow",
        "part-size": "5MiB",
        concurrency: "1",
      });
      emulator.faults.clear();
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^slow\/dist\/app\.bin: \d+% [\d.]+ MiB of 12\.0 MiB, [\d.]+ [KM]iB\/s, ETA \d+s$/m,
      );
    });

    it("fails with every bad input named, before touching the store", async () => {
      const requestsBefore = emulator.requestLog.length;
      const run = await runAction({ bucket: "", path: "dist/**", concurrency: "0" });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '::error::Invalid inputs:%0A- Input "bucket" is required: the name of the S3 bucket to upload to.%0A- Input "concurrency": "0" is not a whole number from 1 to 64.',
      );
      expect(emulator.requestLog.length).toBe(requestsBefore);
    });

    it("fails on no matching files by default, and only warns when asked", async () => {
      const failed = await runAction({ bucket: "artifacts", path: "nothing/**" });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('::error::No files matched "path" (nothing/**)');
      const warned = await runAction({
        bucket: "artifacts",
        path: "nothing/**",
        "if-no-files-found": "warn",
      });
      expect(warned.code).toBe(0);
      expect(warned.stdout).toContain('::warning::No files matched "path" (nothing/**)');
      expect(warned.outputs["uploaded"]).toBe("0");
    });

    it("fails naming the file when S3 refuses, and masks secret credentials", async () => {
      emulator.faults.add({ operation: "PutObject", action: "403", key: "refused/dist/readme.txt" });
      const run = await runAction({ bucket: "artifacts", prefix: "refused", path: "dist/readme.txt" });
      emulator.faults.clear();
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`::add-mask::${emulator.credentials.secretAccessKey}`);
      expect(run.stdout).toMatch(
        /::error::1 of 1 files failed:%0A- .*readme\.txt → s3:\/\/artifacts\/refused\/dist\/readme\.txt: .*AccessDenied/,
      );
      expect(JSON.parse(run.outputs["results"]!)[0]).toMatchObject({ status: "failed" });
      // The failure first, with its step, what went wrong and the fix; and the totals line after the error.
      expect(run.summary).toMatch(
        /❌ Failed \(1\)[\s\S]*<td><code>dist\/readme\.txt<\/code><br>→ <code>s3:\/\/artifacts\/refused\/dist\/readme\.txt<\/code><\/td><td>PutObject<\/td><td>AccessDenied[^<]*<\/td><td>The credentials may not do this/,
      );
      expect(run.summary).not.toContain(workspace);
      expect(run.stdout).toMatch(
        /::error::1 of 1 files failed[^\n]*\nTotals: 1 file, 0 uploaded \(0 B\), 0 unchanged, 1 failed; verified: none; [\dhms.]+\n$/,
      );
    });

    it("logs a cause shared by every file once, and fails with it once with a count", async () => {
      emulator.faults.add({ operation: "PutObject", action: "403" });
      const run = await runAction({
        bucket: "artifacts",
        prefix: "denied",
        path: "dist/readme.txt\ndist/js/a.js\ndist/app.bin.map",
      });
      emulator.faults.clear();
      expect(run.code).toBe(1);
      expect(run.stdout.match(/::group::FAILED/g)).toHaveLength(1);
      expect(run.stdout).toMatch(
        /::error::3 of 3 files failed:%0A- 3 files \(same cause\): PutObject failed: AccessDenied \(HTTP 403\)/,
      );
      expect(run.stdout.match(/::error::/g)).toHaveLength(1);
      const results = JSON.parse(run.outputs["results"]!) as Array<{ status: string; error: string }>;
      expect(results.map((result) => result.status)).toEqual(["failed", "failed", "failed"]);
    });

    it("fails before any file, with one error, when the bucket does not exist", async () => {
      const run = await runAction({ bucket: "no-such-bucket", path: "dist/**" });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::error::preflight failed: bucket "no-such-bucket" does not exist at /);
      expect(run.stdout.match(/::error::/g)).toHaveLength(1);
    });
  });
});
