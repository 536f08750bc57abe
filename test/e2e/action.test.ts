// The bundled action (dist/index.js, as committed; CI checks it is fresh) run as the runner runs it.
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/types.js";
import { startEmulator } from "../emulator/index.js";
import type { Emulator } from "../emulator/index.js";
import {
  ciEnv,
  listKeys,
  makeTree,
  nodeRuntimes,
  patternBytes,
  readObject,
  repoRoot,
  runNode,
} from "./helpers.js";

const MiB = 1024 * 1024;
const ACTION = path.join(repoRoot, "dist", "index.js");

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

  /** Parses the GITHUB_OUTPUT file: name<<delimiter, value lines, delimiter. */
  function parseOutputs(text: string): Record<string, string> {
    const outputs: Record<string, string> = {};
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const match = /^([^<]+)<<(.+)$/.exec(lines[i]!);
      if (!match) continue;
      const end = lines.indexOf(match[2]!, i + 1);
      outputs[match[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    }
    return outputs;
  }

  async function runAction(inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
    const stamp = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const outputFile = path.join(workspace, `.out-${stamp}`);
    const summaryFile = path.join(workspace, `.summary-${stamp}`);
    await writeFile(outputFile, "");
    await writeFile(summaryFile, "");
    const env = ciEnv(emulator, {
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: workspace,
      INPUT_ENDPOINT: emulator.endpoint,
      "INPUT_FORCE-PATH-STYLE": "true",
      ...Object.fromEntries(
        Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
      ),
      ...extraEnv,
    });
    const run = await runNode(node, ACTION, [], env, workspace);
    return {
      ...run,
      outputs: parseOutputs(await readFile(outputFile, "utf8")),
      summary: await readFile(summaryFile, "utf8"),
    };
  }

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

      expect(run.summary).toContain("| File | Key | Size | Parts | Checksum | Verified | Throughput |");
      expect(run.summary).toContain(
        `| ${path.join(workspace, "dist/app.bin")} | builds/42/app.bin | 12.0 MiB | 3 | CRC64NVME ${multipart.checksumLocal} | ✅ checksum |`,
      );
      expect(run.stdout).toContain(
        `::group::uploaded s3://artifacts/builds/42/app.bin (12.0 MiB, 3 parts of 5.0 MiB`,
      );
      expect(run.stdout).toContain("::endgroup::");
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
      expect(second.summary).toContain("✅ unchanged");
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
      const run = await runAction({ bucket: "no-such-bucket", path: "dist/readme.txt" });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`::add-mask::${emulator.credentials.secretAccessKey}`);
      expect(run.stdout).toMatch(
        /::error::1 of 1 file\(s\) failed:%0A- .*readme\.txt → s3:\/\/no-such-bucket\/dist\/readme\.txt: .*NoSuchBucket/,
      );
      expect(JSON.parse(run.outputs["results"]!)[0]).toMatchObject({ status: "failed" });
    });
  });
});
