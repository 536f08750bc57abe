// END-TO-END, RUN AFTER MERGING THE ENGINE AND REBUILDING dist/ (npm run build): the CLI and action bundles
// download from the strict emulator, byte-exact, with the expected proof per file. Until the download engine
// (src/engine/download/) is merged and dist/ rebuilt, every test here fails.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DownloadResult } from "../../src/engine/download/types.js";
import { startEmulator } from "../emulator/index.js";
import type { Emulator } from "../emulator/index.js";
import {
  ciEnv,
  makeTree,
  nodeRuntimes,
  patternBytes,
  repoRoot,
  runActionBundle,
  runNode,
  s3For,
} from "./helpers.js";

const MiB = 1024 * 1024;
const CLI = path.join(repoRoot, "dist", "cli", "index.js");
const TIMEOUT = 120_000;

interface DownloadJson {
  ok: boolean;
  downloaded: number;
  skipped: number;
  failed: number;
  dryRun: number;
  bytes: number;
  files: DownloadResult[];
  error?: string;
}

/** Every file under dir, relative, sorted: what a download left on disk. */
async function tree(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe.each(nodeRuntimes())("download on $name", (node) => {
  let emulator: Emulator;
  let workspace: string;
  const big = patternBytes(12 * MiB + 123, 11);
  const sources: Record<string, Buffer | string> = {
    "dist/big.bin": big,
    "dist/small.txt": "small\n",
    "dist/sub/x.txt": "x\n",
    "dist/empty.txt": "",
  };

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: ["dl-bucket"] });
    await emulator.createBucket("dl-versioned", { versioning: true });
    workspace = await makeTree(sources);
    // One upload per checksum choice: FULL_OBJECT CRC, COMPOSITE SHA256, and none (the store's default).
    for (const [prefix, algorithm] of [
      ["crc", "CRC64NVME"],
      ["sha", "SHA256"],
      ["md5", "none"],
    ] as const) {
      const upload = await cli(
        ["--bucket", "dl-bucket", "--prefix", prefix, "--base-dir", "dist", "--part-size", "5MiB"],
        {
          S3VU_CHECKSUM_ALGORITHM: algorithm,
        },
        ["dist/**"],
      );
      expect(upload.code, upload.stderr).toBe(0);
    }
  }, TIMEOUT);

  afterAll(async () => {
    await emulator?.stop();
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  function store(): string[] {
    return ["--endpoint", emulator.endpoint, "--force-path-style"];
  }

  function cli(args: string[], env: Record<string, string> = {}, globs: string[] = []) {
    return runNode(
      node,
      CLI,
      [...args, ...store(), ...(globs.length ? ["--", ...globs] : [])],
      ciEnv(emulator, env),
      workspace,
    );
  }

  async function download(
    args: string[],
    globs: string[] = [],
  ): Promise<{ code: number | null; stderr: string; json: DownloadJson }> {
    const run = await cli(["download", "--bucket", "dl-bucket", "--json", ...args], {}, globs);
    return { code: run.code, stderr: run.stderr, json: JSON.parse(run.stdout) as DownloadJson };
  }

  const fresh = (): Promise<string> => mkdtemp(path.join(workspace, "out-"));

  describe("the CLI bundle", () => {
    it.each([
      ["crc", "checksum", "CRC64NVME"],
      ["sha", "checksum", "SHA256"],
      // S3 (and the emulator) give an object uploaded without a checksum its default full-object CRC64NVME;
      // ETag/MD5 proofs are for stores without checksums (Ceph RGW: the engine lane's rgw tests).
      ["md5", "checksum", "CRC64NVME"],
    ] as const)(
      "downloads what an upload with %s stored, byte-exact, proven by %s",
      async (prefix, verification, algorithm) => {
        const out = await fresh();
        const run = await download(["--prefix", prefix, "--base-dir", out, "--part-size", "5MiB"]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.json).toMatchObject({ ok: true, downloaded: 4, failed: 0, bytes: big.length + 6 + 2 });
        expect(await tree(out)).toEqual(["big.bin", "empty.txt", "small.txt", path.join("sub", "x.txt")]);
        for (const [name, content] of Object.entries(sources)) {
          expect(
            (await readFile(path.join(out, name.slice("dist/".length)))).equals(Buffer.from(content)),
          ).toBe(true);
        }
        for (const file of run.json.files) {
          expect(file).toMatchObject({
            status: "downloaded",
            verified: true,
            verification,
            checksumAlgorithm: algorithm,
          });
        }
        expect(run.stderr).toMatch(/Totals: 4 files, 4 downloaded/);
      },
      TIMEOUT,
    );

    it(
      "selects keys by glob relative to the prefix, with excludes",
      async () => {
        const out = await fresh();
        const run = await download(["--prefix", "crc", "--base-dir", out], ["**/*.txt", "!sub/**"]);
        expect(run.code, run.stderr).toBe(0);
        expect(await tree(out)).toEqual(["empty.txt", "small.txt"]);
      },
      TIMEOUT,
    );

    it(
      "finds an identical local file unchanged, refuses a different one, and replaces it with --overwrite",
      async () => {
        const out = await fresh();
        expect((await download(["--prefix", "crc", "--base-dir", out])).code).toBe(0);
        const again = await download(["--prefix", "crc", "--base-dir", out]);
        expect(again.json).toMatchObject({ ok: true, downloaded: 0, skipped: 4 });
        await writeFile(path.join(out, "small.txt"), "changed\n");
        const refused = await download(["--prefix", "crc", "--base-dir", out], ["small.txt"]);
        expect(refused.code).toBe(1);
        expect(await readFile(path.join(out, "small.txt"), "utf8")).toBe("changed\n");
        const replaced = await download(["--prefix", "crc", "--base-dir", out, "--overwrite"], ["small.txt"]);
        expect(replaced.code, replaced.stderr).toBe(0);
        expect(await readFile(path.join(out, "small.txt"), "utf8")).toBe("small\n");
      },
      TIMEOUT,
    );

    it(
      "writes nothing in a dry run",
      async () => {
        const out = await fresh();
        const run = await download(["--prefix", "crc", "--base-dir", out, "--dry-run"]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.json).toMatchObject({ ok: true, dryRun: 4, downloaded: 0 });
        expect(await tree(out)).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      "refuses a hostile key by name and writes nothing, inside base-dir or out of it",
      async () => {
        const s3 = s3For(emulator);
        await s3.send(new PutObjectCommand({ Bucket: "dl-bucket", Key: "evil/ok.txt", Body: "fine" }));
        await s3.send(
          new PutObjectCommand({ Bucket: "dl-bucket", Key: "evil/a/../../../escaped.txt", Body: "pwned" }),
        );
        const parent = await fresh();
        const out = path.join(parent, "restore");
        const run = await download(["--prefix", "evil", "--base-dir", out]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('Key "evil/a/../../../escaped.txt" has a ".." segment');
        expect(await tree(parent)).toEqual([]);
        expect(existsSync(path.join(workspace, "escaped.txt"))).toBe(false);
      },
      TIMEOUT,
    );

    it(
      "fetches an older version by --version-id",
      async () => {
        const s3 = s3For(emulator);
        const first = await s3.send(
          new PutObjectCommand({ Bucket: "dl-versioned", Key: "v/app.txt", Body: "one\n" }),
        );
        await s3.send(new PutObjectCommand({ Bucket: "dl-versioned", Key: "v/app.txt", Body: "two\n" }));
        const out = await fresh();
        const run = await cli(
          [
            "download",
            "--bucket",
            "dl-versioned",
            "--prefix",
            "v",
            "--base-dir",
            out,
            "--version-id",
            first.VersionId!,
            "--json",
          ],
          {},
          ["app.txt"],
        );
        expect(run.code, run.stderr).toBe(0);
        expect(await readFile(path.join(out, "app.txt"), "utf8")).toBe("one\n");
        expect((JSON.parse(run.stdout) as DownloadJson).files[0]).toMatchObject({
          versionId: first.VersionId,
          verified: true,
        });
      },
      TIMEOUT,
    );
  });

  describe("the action bundle", () => {
    const runAction = (inputs: Record<string, string>) => runActionBundle(node, emulator, workspace, inputs);

    it(
      "uploads, then downloads against the upload's manifest: outputs, download manifest, summary",
      async () => {
        const upload = await runAction({
          bucket: "dl-bucket",
          path: "dist/**",
          "base-dir": "dist",
          prefix: "act",
          "part-size": "5MiB",
        });
        expect(upload.code, upload.stdout).toBe(0);
        const out = await fresh();
        const run = await runAction({
          mode: "download",
          bucket: "dl-bucket",
          prefix: "act",
          "base-dir": out,
          "part-size": "5MiB",
          "expected-manifest": upload.outputs["manifest"]!,
        });
        expect(run.code, run.stdout).toBe(0);
        expect(run.outputs["downloaded"]).toBe("4");
        expect(run.outputs["bytes"]).toBe(String(big.length + 8));
        expect((await readFile(path.join(out, "big.bin"))).equals(big)).toBe(true);
        const manifest = JSON.parse(await readFile(run.outputs["manifest"]!, "utf8")) as {
          kind: string;
          files: DownloadResult[];
        };
        expect(manifest.kind).toBe("download");
        expect(manifest.files.every((file) => file.verified)).toBe(true);
        expect(run.summary).toContain("✅ s3-verified-upload download: 4 files downloaded and verified");
        expect(run.summary).not.toContain(workspace);

        const single = await runAction({
          mode: "download",
          bucket: "dl-bucket",
          prefix: "act",
          path: "small.txt",
          "base-dir": await fresh(),
        });
        expect(single.code, single.stdout).toBe(0);
        expect(single.outputs["path"]).toMatch(/small\.txt$/);
        expect(single.outputs["checksum"]).not.toBe("");
      },
      TIMEOUT,
    );

    it(
      "sha256: the checksums-file output lists the files written, which `sha256sum -c` accepts in base-dir",
      async () => {
        const out = await fresh();
        const run = await runAction({
          mode: "download",
          bucket: "dl-bucket",
          prefix: "crc",
          "base-dir": out,
          "part-size": "5MiB",
          sha256: "true",
        });
        expect(run.code, run.stdout).toBe(0);
        const list = run.outputs["checksums-file"]!;
        expect((await readFile(list, "utf8")).trimEnd().split("\n").sort()).toEqual(
          Object.entries(sources)
            .map(
              ([name, content]) =>
                `${createHash("sha256").update(content).digest("hex")}  ${name.slice("dist/".length)}`,
            )
            .sort(),
        );
        expect(spawnSync("sha256sum", ["-c", list], { cwd: out, encoding: "utf8" }).status).toBe(0);
        expect(run.summary).toContain("<th>SHA-256</th>");
      },
      TIMEOUT,
    );

    it(
      "fails a file that no longer matches the upload's manifest and leaves no file for it",
      async () => {
        const upload = await runAction({
          bucket: "dl-bucket",
          path: "dist/small.txt",
          "base-dir": "dist",
          prefix: "drift",
        });
        expect(upload.code, upload.stdout).toBe(0);
        // Same size, other bytes: only the checksum can tell.
        await s3For(emulator).send(
          new PutObjectCommand({
            Bucket: "dl-bucket",
            Key: "drift/small.txt",
            Body: "SMALL\n",
            ChecksumAlgorithm: "CRC64NVME",
          }),
        );
        const out = await fresh();
        const run = await runAction({
          mode: "download",
          bucket: "dl-bucket",
          prefix: "drift",
          "base-dir": out,
          "expected-manifest": upload.outputs["manifest"]!,
        });
        expect(run.code).not.toBe(0);
        expect(run.stdout).toContain("drift/small.txt");
        expect(await tree(out)).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      "refuses an upload-only input in download mode, naming it",
      async () => {
        const run = await runAction({ mode: "download", bucket: "dl-bucket", "storage-class": "GLACIER" });
        expect(run.code).not.toBe(0);
        expect(run.stdout).toContain('Input "storage-class" does not apply to mode download');
      },
      TIMEOUT,
    );
  });
});
