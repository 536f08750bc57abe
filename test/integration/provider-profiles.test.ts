// Each provider row end to end against the emulator's profile of that store (test/emulator/README.md, "Store
// profiles"), set as a user sets it (the provider input): byte-exact, proven by the store's strongest proof, the
// result naming it, and nothing sent that the store refuses. oss: provider-oss-emulator.test.ts and P2's
// engine-oss.test.ts; ceph against the real RGW: provider-ceph-rgw.test.ts.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { runCleanup, runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import { startEmulator, type Emulator } from "../emulator/index.js";

const MiB = 1024 * 1024;
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-providers-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The engine options the inputs give, with the emulator's credentials. */
function configured(emulator: Emulator, bucket: string, inputs: Record<string, string>): EngineOptions {
  const parsed = parseConfig(
    (name) =>
      ({
        bucket,
        path: "x",
        endpoint: emulator.endpoint,
        "force-path-style": "true",
        "part-size": "5MiB",
        ...inputs,
      })[name],
  );
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const engine = parsed.config.engine;
  return {
    ...engine,
    s3: { ...engine.s3, credentials: emulator.credentials, region: emulator.region },
    tuning: { retryBaseDelayMs: 10 },
  };
}

/** The stored bytes, read without asking for checksums (B2 and GCS refuse x-amz-checksum-mode). */
async function stored(emulator: Emulator, bucket: string, key: string): Promise<Buffer> {
  const client = new S3Client({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: emulator.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } finally {
    client.destroy();
  }
}

async function files(prefix: string): Promise<{ list: LocalFile[]; bytes: Map<string, Buffer> }> {
  const list: LocalFile[] = [];
  const bytes = new Map<string, Buffer>();
  for (const [name, size] of [
    ["single.bin", 100_000],
    ["multi.bin", 11 * MiB + 7],
  ] as const) {
    const content = randomBytes(size);
    const filePath = path.join(dir, `${prefix}-${name}`);
    await writeFile(filePath, content);
    list.push({ path: filePath, key: `${prefix}/${name}` });
    bytes.set(`${prefix}/${name}`, content);
  }
  return { list, bytes };
}

const PROFILES = [
  // provider, inputs beyond it, the proof the results name
  ["aws", {}, { verification: "checksum", checksumAlgorithm: "CRC64NVME" }],
  ["r2", {}, { verification: "checksum", checksumAlgorithm: "CRC64NVME" }],
  ["r2", { "checksum-algorithm": "SHA256" }, { verification: "checksum", checksumAlgorithm: "SHA256" }],
  ["gcs", {}, { verification: "etag-md5", checksumAlgorithm: null }],
  ["b2", {}, { verification: "etag-md5", checksumAlgorithm: null }],
  ["ceph", {}, { verification: "etag-md5", checksumAlgorithm: null }],
  ["minio", {}, { verification: "checksum", checksumAlgorithm: "CRC64NVME" }],
] as const;

describe.each(PROFILES)("provider %s %j against its emulator profile", (provider, inputs, proof) => {
  let emulator: Emulator;
  const bucket = `p-${provider}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    emulator = await startEmulator({ profile: provider, buckets: [bucket] });
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  it("uploads a single and a multipart object byte-exact, proven as the row says, with no request refused", async () => {
    const { list, bytes } = await files(provider);
    const warnings: string[] = [];
    const result = await runUploads(list, {
      ...configured(emulator, bucket, { provider, ...inputs }),
      onEvent: (event) => {
        if (event.type === "warning") warnings.push(event.message);
      },
    });
    // Where the store has no conditional create, the user hears before the first byte what overwrite: false rests on.
    expect(warnings).toEqual(
      provider === "gcs" || provider === "b2"
        ? [
            `${provider === "gcs" ? "Google Cloud Storage (XML API)" : "Backblaze B2"} has no write that refuses to replace an existing key, so overwrite: false rests on the check made just before each upload: a writer creating the key in between is not stopped by the store.`,
          ]
        : [],
    );
    for (const file of result.files) {
      expect(file.error).toBeUndefined();
      expect(file).toMatchObject({ status: "uploaded", verified: true, ...proof });
      expect((await stored(emulator, bucket, file.key)).equals(bytes.get(file.key)!)).toBe(true);
    }
    expect(result.files.map((file) => file.parts)).toEqual([1, 3]);
    const refused = emulator.requestLog.filter((entry) => entry.status >= 400 && entry.status !== 404);
    expect(refused).toEqual([]);
  });

  it("a second run with overwrite false finds both objects unchanged, again without a refused request", async () => {
    const { list } = await files(provider);
    await runUploads(list, configured(emulator, bucket, { provider, ...inputs, overwrite: "true" }));
    const before = emulator.requestLog.length;
    const result = await runUploads(list, configured(emulator, bucket, { provider, ...inputs }));
    expect(result.files.map((file) => [file.status, file.verified])).toEqual([
      ["unchanged", true],
      ["unchanged", true],
    ]);
    const refused = emulator.requestLog
      .slice(before)
      .filter((entry) => entry.status >= 400 && entry.status !== 404);
    expect(refused).toEqual([]);
  });
});

describe("pairs a store does not take are refused before the first request", () => {
  it("R2: CRC32 FULL_OBJECT", async () => {
    const emulator = await startEmulator({ profile: "r2", buckets: ["r2-pairs"] });
    try {
      const options = configured(emulator, "r2-pairs", { provider: "r2", "checksum-algorithm": "CRC64NVME" });
      const { list } = await files("r2-pairs");
      const before = emulator.requestLog.length;
      await expect(
        runUploads(list, { ...options, checksumAlgorithm: "CRC32", checksumType: "FULL_OBJECT" }),
      ).rejects.toThrow(
        "Invalid checksum-algorithm CRC32 (FULL_OBJECT): Cloudflare R2 does not take CRC32 FULL_OBJECT; use one of CRC64NVME FULL_OBJECT, CRC32 COMPOSITE, CRC32C COMPOSITE, SHA1 COMPOSITE, SHA256 COMPOSITE.",
      );
      expect(emulator.requestLog.length).toBe(before);
    } finally {
      await emulator.stop();
    }
  });
});

describe("cleanup on MinIO, which lists pending uploads only by exact key", () => {
  it("finds and aborts the uploads under a prefix", async () => {
    const emulator = await startEmulator({ profile: "minio", buckets: ["minio-cleanup"] });
    try {
      const options = configured(emulator, "minio-cleanup", { provider: "minio" });
      const client = new S3Client({
        endpoint: emulator.endpoint,
        region: emulator.region,
        credentials: emulator.credentials,
        forcePathStyle: true,
      });
      const { CreateMultipartUploadCommand } = await import("@aws-sdk/client-s3");
      for (const key of ["builds/a.bin", "builds/b.bin", "other/c.bin"]) {
        await client.send(new CreateMultipartUploadCommand({ Bucket: "minio-cleanup", Key: key }));
      }
      client.destroy();
      const result = await runCleanup({
        bucket: "minio-cleanup",
        s3: options.s3,
        prefix: "builds/",
        olderThanMs: 0,
        dryRun: false,
      });
      expect(result.uploads.map((upload) => [upload.key, upload.action]).sort()).toEqual([
        ["builds/a.bin", "aborted"],
        ["builds/b.bin", "aborted"],
      ]);
    } finally {
      await emulator.stop();
    }
  });
});
