// End-to-end against our strict emulator: every algorithm × {single PutObject, multipart}, pagination past
// 1,000 parts, empty files and part boundaries. Whole-object checksums are recomputed here with code the
// engine does not use, and the stored bytes are read back.
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  runUploads,
  type ChecksumAlgorithm,
  type EngineOptions,
  type LocalFile,
} from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace(
    { minPartSize: KiB, buckets: ["algorithms"] },
    "svu-engine-",
  ));
});

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return emulatorEngineOptions(emulator, "algorithms", overrides);
}

async function localFile(name: string, size: number): Promise<{ file: LocalFile; bytes: Buffer }> {
  const bytes = randomBytes(size);
  await writeFile(path.join(dir, name), bytes);
  return { file: { path: path.join(dir, name), key: `out/${name}` }, bytes };
}

async function download(bucket: string, key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

// Bitwise CRC-32 (IEEE, reflected 0xEDB88320): slow and obviously right, unlike the engine's zlib call.
function crc32Reference(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** Raw digest of `data` by implementations the engine does not use. */
async function referenceDigest(algorithm: ChecksumAlgorithm, data: Buffer): Promise<Buffer> {
  switch (algorithm) {
    case "CRC64NVME": {
      const hasher = new Crc64Nvme();
      hasher.update(data);
      return Buffer.from(await hasher.digest());
    }
    case "CRC32":
      return uint32(crc32Reference(data));
    case "CRC32C":
      return uint32(crc32c(data));
    case "SHA1":
      return createHash("sha1").update(data).digest();
    case "SHA256":
      return createHash("sha256").update(data).digest();
    case "CRC64ECMA":
      throw new Error("CRC64ECMA is OSS's own checksum: test it against the oss profile");
  }
}

/** The value S3 shows for the whole object: FULL_OBJECT is the digest of all bytes; COMPOSITE hashes part digests. */
async function referenceObjectChecksum(
  algorithm: ChecksumAlgorithm,
  data: Buffer,
  parts: number | null,
): Promise<string> {
  if (parts === null) return (await referenceDigest(algorithm, data)).toString("base64");
  const digests: Buffer[] = [];
  for (let index = 0; index < parts; index++) {
    digests.push(await referenceDigest(algorithm, data.subarray(index * PART, (index + 1) * PART)));
  }
  return `${(await referenceDigest(algorithm, Buffer.concat(digests))).toString("base64")}-${parts}`;
}

const ALGORITHMS: ChecksumAlgorithm[] = ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256"];
const COMPOSITE = new Set<ChecksumAlgorithm>(["SHA1", "SHA256"]);

describe("every algorithm, single PutObject and multipart", () => {
  for (const algorithm of ALGORITHMS) {
    for (const multipart of [false, true]) {
      it(`${algorithm} ${multipart ? "multipart" : "single PutObject"}`, async () => {
        const size = multipart ? 3 * PART + 777 : PART - 1;
        const name = `${algorithm}-${multipart ? "mpu" : "single"}.bin`;
        const { file, bytes } = await localFile(name, size);
        const result = await runUploads([file], options({ checksumAlgorithm: algorithm }));
        const uploaded = result.files[0]!;
        expect(uploaded.error).toBeUndefined();
        expect(uploaded).toMatchObject({
          status: "uploaded",
          multipart,
          parts: multipart ? 4 : 1,
          verification: "checksum",
          verified: true,
          checksumAlgorithm: algorithm,
        });
        const composite = multipart && COMPOSITE.has(algorithm);
        expect(uploaded.checksumType).toBe(composite ? "COMPOSITE" : "FULL_OBJECT");
        const reference = await referenceObjectChecksum(algorithm, bytes, composite ? 4 : null);
        expect(uploaded.checksumLocal).toBe(reference);
        expect(uploaded.checksumRemote).toBe(reference);
        expect((await download("algorithms", file.key)).equals(bytes)).toBe(true);
      });
    }
  }

  it("CRC32 as COMPOSITE when asked", async () => {
    const { file, bytes } = await localFile("crc32-composite.bin", 2 * PART + 5);
    const result = await runUploads(
      [file],
      options({ checksumAlgorithm: "CRC32", checksumType: "COMPOSITE" }),
    );
    expect(result.files[0]).toMatchObject({ status: "uploaded", checksumType: "COMPOSITE", verified: true });
    expect(result.files[0]!.checksumRemote).toBe(await referenceObjectChecksum("CRC32", bytes, 3));
  });

  it("no additional checksum: Content-MD5 on every part and ETag verification", async () => {
    const { file, bytes } = await localFile("md5-only.bin", 2 * PART + 5);
    const result = await runUploads([file], options({ checksumAlgorithm: null, contentMd5: true }));
    const uploaded = result.files[0]!;
    expect(uploaded).toMatchObject({
      status: "uploaded",
      verification: "etag-md5",
      verified: true,
      checksumLocal: null,
    });
    const partMd5s = [0, 1, 2].map((index) =>
      createHash("md5")
        .update(bytes.subarray(index * PART, (index + 1) * PART))
        .digest(),
    );
    expect(uploaded.etag).toBe(`${createHash("md5").update(Buffer.concat(partMd5s)).digest("hex")}-3`);
    const partUploads = emulator.requestLog.filter(
      (entry) => entry.operation === "UploadPart" && entry.key === file.key,
    );
    expect(partUploads).toHaveLength(3);
  });

  it("refuses checksum types S3 does not allow, naming the input", async () => {
    await expect(
      runUploads([], options({ checksumAlgorithm: "SHA256", checksumType: "FULL_OBJECT" })),
    ).rejects.toThrow(/checksum-type FULL_OBJECT for SHA256/);
    await expect(
      runUploads([], options({ checksumAlgorithm: "CRC64NVME", checksumType: "COMPOSITE" })),
    ).rejects.toThrow(/checksum-type COMPOSITE for CRC64NVME/);
  });
});

describe("shapes of files", () => {
  it("uploads an empty file", async () => {
    const { file } = await localFile("empty.bin", 0);
    const result = await runUploads([file], options());
    expect(result.files[0]).toMatchObject({ status: "uploaded", size: 0, multipart: false, verified: true });
    expect((await download("algorithms", file.key)).length).toBe(0);
  });

  it("uploads a file exactly on a part boundary as full parts only", async () => {
    const { file, bytes } = await localFile("boundary.bin", 3 * PART);
    const result = await runUploads([file], options());
    expect(result.files[0]).toMatchObject({ status: "uploaded", parts: 3, partSize: PART, verified: true });
    const sizes = emulator.requestLog.filter(
      (entry) => entry.operation === "UploadPart" && entry.key === file.key,
    );
    expect(sizes.map((entry) => entry.partNumber).sort()).toEqual([1, 2, 3]);
    expect((await download("algorithms", file.key)).equals(bytes)).toBe(true);
  });

  it("follows ListParts pagination past 1,000 parts", async () => {
    const parts = 1_050;
    const { file, bytes } = await localFile("many-parts.bin", parts * KiB + 10);
    const result = await runUploads(
      [file],
      options({ partSize: KiB, multipartThreshold: KiB, concurrency: 8 }),
    );
    expect(result.files[0]).toMatchObject({
      status: "uploaded",
      parts: parts + 1,
      verification: "checksum",
      verified: true,
    });
    const listCalls = emulator.requestLog.filter(
      (entry) => entry.operation === "ListParts" && entry.key === file.key,
    );
    expect(listCalls.length).toBeGreaterThanOrEqual(2);
    expect((await download("algorithms", file.key)).equals(bytes)).toBe(true);
  });

  it("sends many small files through one pool and passes object settings through", async () => {
    const files = await Promise.all(
      Array.from({ length: 12 }, (_, index) => localFile(`small-${index}.json`, 100 + index)),
    );
    const result = await runUploads(
      files.map((entry) => entry.file),
      options({ object: { cacheControl: "max-age=60", metadata: { build: "42" } } }),
    );
    expect(result.ok).toBe(true);
    const head = await sdk.send(new HeadObjectCommand({ Bucket: "algorithms", Key: files[3]!.file.key }));
    expect(head).toMatchObject({
      ContentType: "application/json",
      CacheControl: "max-age=60",
      Metadata: { build: "42" },
    });
  });

  it("records the plan in the multipart upload's metadata for a later resume", async () => {
    const { file } = await localFile("plan-meta.bin", 2 * PART);
    await runUploads([file], options());
    const head = await sdk.send(new HeadObjectCommand({ Bucket: "algorithms", Key: file.key }));
    expect(head.Metadata?.["svu-plan"]).toMatch(
      new RegExp(`^${2 * PART},${PART},CRC64NVME,\\d+,[0-9a-f]{16}$`),
    );
  });
});
