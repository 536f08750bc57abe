// A 1 GiB multipart upload through an emulator running in its own process: byte-exact round trip, full-object
// CRC64NVME computed by the emulator, and the emulator's peak RSS bounded (payloads stream to disk).
import { spawn, type ChildProcess } from "node:child_process";
import { createCipheriv, createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { s3ClientFor } from "../emulator/sdk-client.js";

const PART_SIZE = 64 * 1024 * 1024;
const PARTS = 16;
const TOTAL = PART_SIZE * PARTS;
const RSS_LIMIT = 300 * 1024 * 1024;

let child: ChildProcess;
let s3: S3Client;

/** Deterministic pseudo-random part bytes (AES-CTR keystream), so nothing needs keeping to compare later. */
function partBytes(partNumber: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(partNumber, 0);
  const cipher = createCipheriv("aes-128-ctr", Buffer.alloc(16, 7), iv);
  return Buffer.concat([cipher.update(Buffer.alloc(PART_SIZE)), cipher.final()]);
}

async function peakRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error("VmHWM missing from /proc status");
  return Number(match[1]) * 1024;
}

beforeAll(async () => {
  child = spawn(process.execPath, ["--import", "tsx", "test/emulator/main.ts", "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const env: Record<string, string> = {};
  for await (const line of createInterface({ input: child.stdout! })) {
    const [name, ...rest] = line.split("=");
    env[name!] = rest.join("=");
    if (name === "AWS_DEFAULT_REGION") break;
  }
  s3 = s3ClientFor({
    endpoint: env.S3_ENDPOINT!,
    region: env.AWS_DEFAULT_REGION!,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  });
  await s3.send(new CreateBucketCommand({ Bucket: "large-bucket" }));
});

afterAll(async () => {
  s3?.destroy();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
});

it.skipIf(process.platform !== "linux")(
  "round-trips 1 GiB byte-exact through a multipart upload with bounded emulator memory",
  async () => {
    const Key = "one-gib.bin";
    const created = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: "large-bucket",
        Key,
        ChecksumAlgorithm: "CRC64NVME",
        ChecksumType: "FULL_OBJECT",
      }),
    );
    const uploadSha = createHash("sha256");
    const fullCrc = new Crc64Nvme();
    const completed: CompletedPart[] = [];
    for (let partNumber = 1; partNumber <= PARTS; partNumber += 1) {
      const body = partBytes(partNumber);
      uploadSha.update(body);
      fullCrc.update(body);
      const out = await s3.send(
        new UploadPartCommand({
          Bucket: "large-bucket",
          Key,
          UploadId: created.UploadId,
          PartNumber: partNumber,
          Body: body,
          ChecksumAlgorithm: "CRC64NVME",
        }),
      );
      completed.push({ PartNumber: partNumber, ETag: out.ETag, ChecksumCRC64NVME: out.ChecksumCRC64NVME });
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "large-bucket",
        Key,
        UploadId: created.UploadId,
        MultipartUpload: { Parts: completed },
      }),
    );
    expect(done.ChecksumCRC64NVME).toBe(Buffer.from(await fullCrc.digest()).toString("base64"));

    const got = await s3.send(new GetObjectCommand({ Bucket: "large-bucket", Key }));
    expect(got.ContentLength).toBe(TOTAL);
    const downloadSha = createHash("sha256");
    let received = 0;
    for await (const chunk of got.Body as AsyncIterable<Uint8Array>) {
      downloadSha.update(chunk);
      received += chunk.length;
    }
    expect(received).toBe(TOTAL);
    expect(downloadSha.digest("hex")).toBe(uploadSha.digest("hex"));

    const peak = await peakRssBytes(child.pid!);
    console.log(`emulator peak RSS for a 1 GiB multipart round trip: ${(peak / 1024 / 1024).toFixed(1)} MiB`);
    expect(peak).toBeLessThan(RSS_LIMIT);
  },
  240_000,
);
