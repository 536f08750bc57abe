// The part a multipart upload sends alone first (issue 12): it goes with only the additional checksum where the
// store is expected to keep it, as every later part does, so a run no longer hashes MD5 over it; a store whose
// answer shows it kept no checksum gets that part again with Content-MD5, so its ETag proves it as before.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads } from "../../src/engine/index.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { s3For } from "../e2e/helpers.js";
import { KiB, PART, emulatorEngineOptions } from "../helpers/engine.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-first-part-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A file of three parts (the last one short) and its bytes. */
async function threeParts(name: string): Promise<{ filePath: string; bytes: Buffer }> {
  const bytes = randomBytes(2 * PART + 5 * KiB);
  const filePath = path.join(dir, name);
  await writeFile(filePath, bytes);
  return { filePath, bytes };
}

async function storedBytes(emulator: Emulator, bucket: string, key: string): Promise<Buffer> {
  const sdk = s3For(emulator);
  try {
    const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } finally {
    sdk.destroy();
  }
}

/** Each UploadPart of `key` as the store saw it: part number and whether Content-MD5 came with it. */
function partRequests(emulator: Emulator, key: string): Array<[number | undefined, boolean]> {
  return emulator.requestLog
    .filter((entry) => entry.operation === "UploadPart" && entry.key === key)
    .map((entry) => [entry.partNumber, entry.contentMd5 === true]);
}

describe("the first part of a multipart upload", () => {
  it("goes without MD5 to a store that keeps checksums, and the upload is proven by the checksum", async () => {
    const emulator = await startEmulator({ minPartSize: KiB, buckets: ["first-keeps"] });
    try {
      const { filePath, bytes } = await threeParts("keeps.bin");
      const result = await runUploads(
        [{ path: filePath, key: "keeps.bin" }],
        emulatorEngineOptions(emulator, "first-keeps"),
      );
      expect(result.files[0]!.error).toBeUndefined();
      expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, verification: "checksum" });
      expect((await storedBytes(emulator, "first-keeps", "keeps.bin")).equals(bytes)).toBe(true);
      // The last part goes alone first; no part carries Content-MD5.
      expect(partRequests(emulator, "keeps.bin")).toEqual([
        [3, false],
        [1, false],
        [2, false],
      ]);
    } finally {
      await emulator.stop();
    }
  });

  it("is sent again with Content-MD5 when the store's answer shows it kept no checksum; ETag = MD5 proves it", async () => {
    // Ceph RGW before 19.2 ignores x-amz-checksum-*; at an unknown host the engine cannot know that beforehand.
    const emulator = await startEmulator({ profile: "ceph", minPartSize: KiB, buckets: ["first-ignores"] });
    try {
      const { filePath, bytes } = await threeParts("ignores.bin");
      const result = await runUploads(
        [{ path: filePath, key: "ignores.bin" }],
        emulatorEngineOptions(emulator, "first-ignores"),
      );
      expect(result.files[0]!.error).toBeUndefined();
      expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, verification: "etag-md5" });
      expect((await storedBytes(emulator, "first-ignores", "ignores.bin")).equals(bytes)).toBe(true);
      const requests = partRequests(emulator, "ignores.bin");
      expect(requests.slice(0, 2)).toEqual([
        [3, false],
        [3, true],
      ]);
      expect(requests.slice(2).sort()).toEqual([
        [1, true],
        [2, true],
      ]);
    } finally {
      await emulator.stop();
    }
  });
});
