// A restore can print what it wrote: the CLI's download with --sha256 --checksums-file lists every file
// downloaded (or found unchanged) with the SHA-256 of its bytes on disk, which `sha256sum -c` run in base-dir
// accepts, and refuses once a file is altered.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DownloadResult } from "../../src/engine/download/types.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import {
  ciEnv,
  cliFromSourceArgs,
  nodeBinary,
  nodeRuntimes,
  patternBytes,
  s3For,
  startCommand,
} from "./helpers.js";

const MiB = 1024 * 1024;
const BUCKET = "restore-sums";
const TIMEOUT = 3 * 60_000;

const sha256Hex = (bytes: Buffer | string): string => createHash("sha256").update(bytes).digest("hex");

describe.each(nodeRuntimes())("download checksums-file on $name", (node) => {
  let emulator: Emulator;
  let sdk: S3Client;
  let root: string;
  const objects: Record<string, Buffer> = {
    "rel/big.bin": patternBytes(11 * MiB + 5, 3),
    "rel/docs/read me.md": Buffer.from("# hi\n"),
    "rel/empty.txt": Buffer.alloc(0),
  };

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: [BUCKET] });
    sdk = s3For(emulator);
    root = await mkdtemp(path.join(process.env["TMPDIR"] ?? "/tmp", "svu-restore-sums-"));
    for (const [key, body] of Object.entries(objects)) {
      await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    }
  });

  afterAll(async () => {
    sdk?.destroy();
    await emulator?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it(
    "--sha256 --checksums-file: sha256sum lines of the files written pass `sha256sum -c` in base-dir",
    async () => {
      const out = await mkdtemp(path.join(root, "out-"));
      const list = path.join(root, `${path.basename(out)}.sha256`);
      const args = [
        ...cliFromSourceArgs(emulator, BUCKET),
        "--mode",
        "download",
        "--prefix",
        "rel",
        "--base-dir",
        out,
        "--part-size",
        "5MiB",
        "--sha256",
        "--checksums-file",
        list,
        "--json",
      ];
      const run = await startCommand(nodeBinary(node), args, ciEnv(emulator, {}), root).done;
      expect(run.code, run.stderr).toBe(0);
      const files = (JSON.parse(run.stdout) as { files: DownloadResult[] }).files;
      expect(Object.fromEntries(files.map((file) => [file.key, file.sha256]))).toEqual(
        Object.fromEntries(Object.entries(objects).map(([key, body]) => [key, sha256Hex(body)])),
      );
      const expected = [
        `${sha256Hex(objects["rel/big.bin"]!)}  big.bin`,
        `${sha256Hex(objects["rel/docs/read me.md"]!)}  docs/read me.md`,
        `${sha256Hex(objects["rel/empty.txt"]!)}  empty.txt`,
      ];
      expect((await readFile(list, "utf8")).trimEnd().split("\n").sort()).toEqual(expected.sort());
      const checked = spawnSync("sha256sum", ["-c", list], { cwd: out, encoding: "utf8" });
      expect(checked.status, checked.stderr).toBe(0);

      // A second run finds every file unchanged and lists them again, read from the local files.
      const again = await startCommand(nodeBinary(node), args, ciEnv(emulator, {}), root).done;
      expect(again.code, again.stderr).toBe(0);
      expect((await readFile(list, "utf8")).trimEnd().split("\n").sort()).toEqual(expected.sort());

      await writeFile(path.join(out, "docs", "read me.md"), "# altered\n");
      expect(spawnSync("sha256sum", ["-c", list], { cwd: out, encoding: "utf8" }).status).toBe(1);
    },
    TIMEOUT,
  );
});
