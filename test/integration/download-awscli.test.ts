// Objects written by an independent uploader (`/usr/bin/aws s3 cp`, AWS CLI v2: its own part sizes, its own
// checksum code) download byte-exact from the emulator with the proof the store keeps for them.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDownloads, type DownloadOptions } from "../../src/engine/download/index.js";
import type { Emulator } from "../emulator/index.js";
import { startWorkspace, stopWorkspace } from "../helpers/engine.js";
import { awsCliEnv } from "../helpers/aws-cli.js";

const AWS = "/usr/bin/aws";
const BUCKET = "awscli-downloads";
const MiB = 1024 * 1024;

let emulator: Emulator;
let sdk: S3Client;
let dir: string;

function aws(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      AWS,
      [...args, "--endpoint-url", emulator.endpoint, "--output", "json"],
      {
        env: {
          ...awsCliEnv(dir, emulator.credentials, emulator.region),
        },
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`aws ${args.join(" ")} failed: ${stderr}`))
          : resolve(stdout.trim() === "" ? {} : (JSON.parse(stdout) as Record<string, unknown>)),
    );
  });
}

/** A multipart upload by `aws s3api` with parts of the given (unequal) sizes and their SHA256 checksums. */
async function awsMultipartSha256(key: string, sizes: number[]): Promise<Buffer> {
  const parts = sizes.map((size) => randomBytes(size));
  const created = await aws([
    "s3api",
    "create-multipart-upload",
    "--bucket",
    BUCKET,
    "--key",
    key,
    "--checksum-algorithm",
    "SHA256",
  ]);
  const uploadId = String(created.UploadId);
  const completed = [];
  for (const [index, part] of parts.entries()) {
    const file = path.join(dir, `${key}.part-${index + 1}`);
    await writeFile(file, part);
    const answer = await aws([
      "s3api",
      "upload-part",
      "--bucket",
      BUCKET,
      "--key",
      key,
      "--upload-id",
      uploadId,
      "--part-number",
      String(index + 1),
      "--body",
      file,
      "--checksum-algorithm",
      "SHA256",
    ]);
    completed.push({ PartNumber: index + 1, ETag: answer.ETag, ChecksumSHA256: answer.ChecksumSHA256 });
  }
  const spec = path.join(dir, `${key}.parts.json`);
  await writeFile(spec, JSON.stringify({ Parts: completed }));
  await aws([
    "s3api",
    "complete-multipart-upload",
    "--bucket",
    BUCKET,
    "--key",
    key,
    "--upload-id",
    uploadId,
    "--multipart-upload",
    `file://${spec}`,
  ]);
  return Buffer.concat(parts);
}

function downloadOptions(): DownloadOptions {
  return {
    bucket: BUCKET,
    s3: {
      endpoint: emulator.endpoint,
      region: emulator.region,
      forcePathStyle: true,
      credentials: emulator.credentials,
    },
    concurrency: 4,
    partSize: 2 * MiB,
    overwrite: false,
    verify: true,
    requireChecksums: true,
    dryRun: false,
    onFailure: "abort",
  };
}

describe.skipIf(!existsSync(AWS) && process.env.CI !== "true")("objects uploaded by aws s3 cp", () => {
  beforeAll(async () => {
    ({ emulator, sdk, dir } = await startWorkspace({ buckets: [BUCKET] }, "svu-download-awscli-"));
    await mkdir(path.join(dir, "out"));
  });

  afterAll(() => stopWorkspace({ emulator, sdk, dir }));

  // aws s3 cp (2.9) sends no additional checksum: the store's own CRC64NVME proves the object, whole or
  // multipart (aws-cli's 8 MiB parts).
  for (const [name, size] of [
    ["aws s3 cp, single part", 3 * MiB],
    ["aws s3 cp, multipart", 17 * MiB + 3],
  ] as const) {
    it(name, async () => {
      const bytes = randomBytes(size);
      const file = `${name.replace(/\W+/g, "-")}.bin`;
      await writeFile(path.join(dir, file), bytes);
      await aws(["s3", "cp", path.join(dir, file), `s3://${BUCKET}/${file}`, "--only-show-errors"]);
      const destination = path.join(dir, "out", file);
      const result = (await runDownloads([{ key: file, path: destination }], downloadOptions())).files[0]!;
      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({
        status: "downloaded",
        verification: "checksum",
        verified: true,
        checksumAlgorithm: "CRC64NVME",
        checksumType: "FULL_OBJECT",
      });
      expect((await readFile(destination)).equals(bytes)).toBe(true);
    });
  }

  it("aws s3api multipart with unequal SHA256 parts: part-aligned ranges from partNumber HEADs, each part checked", async () => {
    const bytes = await awsMultipartSha256("unequal.bin", [6 * MiB + 10, 5 * MiB, 7 * MiB, 17]);
    const destination = path.join(dir, "out", "unequal.bin");
    const result = (await runDownloads([{ key: "unequal.bin", path: destination }], downloadOptions()))
      .files[0]!;
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({
      status: "downloaded",
      verification: "checksum",
      verified: true,
      checksumAlgorithm: "SHA256",
      checksumType: "COMPOSITE",
    });
    expect(result.checksumRemote).toMatch(/-4$/);
    expect(result.checksumLocal).toBe(result.checksumRemote);
    expect((await readFile(destination)).equals(bytes)).toBe(true);
  });
});
