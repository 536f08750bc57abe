// A write the store answered with success, whose stored object then differs from the file (the emulator's
// corrupt-stored: the client gets the right answer, the store keeps other bytes). A single PutObject is
// re-sent, as a wrong part is; what stays wrong is deleted, never left as this run's result.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type LocalFile } from "../../src/engine/index.js";
import {
  KiB,
  emulatorEngineOptions,
  startWorkspace,
  stopWorkspace,
  type EmulatorWorkspace,
} from "../helpers/engine.js";

const PLAIN = "mismatch";
const VERSIONED = "mismatch-versioned";
let workspace: EmulatorWorkspace;
let count = 0;

beforeAll(async () => {
  workspace = await startWorkspace({ minPartSize: KiB, buckets: [PLAIN] }, "svu-mismatch-");
  await workspace.emulator.createBucket(VERSIONED, { versioning: true });
});

afterEach(() => workspace.emulator.faults.clear());

afterAll(async () => {
  await stopWorkspace(workspace ?? {});
});

async function localFile(size: number): Promise<{ file: LocalFile; bytes: Buffer }> {
  const bytes = randomBytes(size);
  const name = `f${++count}.bin`;
  await writeFile(path.join(workspace.dir, name), bytes);
  return { file: { path: path.join(workspace.dir, name), key: `m/${name}` }, bytes };
}

async function storedBytes(bucket: string, key: string): Promise<Buffer | null> {
  try {
    const answer = await workspace.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { name?: string }).name === "NoSuchKey") return null;
    throw error;
  }
}

describe("a stored object that differs from what the store answered", () => {
  for (const bucket of [PLAIN, VERSIONED]) {
    for (const overwrite of [true, false]) {
      it(`single PutObject corrupted once is re-sent and ends exact (${bucket}, overwrite ${overwrite})`, async () => {
        const { file, bytes } = await localFile(3000);
        workspace.emulator.faults.add({
          operation: "PutObject",
          action: "corrupt-stored",
          key: file.key,
          times: 1,
        });
        const result = await runUploads(
          [file],
          emulatorEngineOptions(workspace.emulator, bucket, { overwrite }),
        );
        expect(workspace.emulator.faults.fired).toEqual([1]);
        expect(result.files[0]?.error).toBeUndefined();
        expect(result.files[0]).toMatchObject({
          status: "uploaded",
          verified: true,
          verification: "checksum",
        });
        expect(result.files[0]?.notes.join(" ")).toMatch(/re-sent 1 time/);
        expect((await storedBytes(bucket, file.key))?.equals(bytes)).toBe(true);
      });

      it(`single PutObject that stays wrong fails and leaves no object (${bucket}, overwrite ${overwrite})`, async () => {
        const { file } = await localFile(3000);
        workspace.emulator.faults.add({ operation: "PutObject", action: "corrupt-stored", key: file.key });
        const result = await runUploads(
          [file],
          emulatorEngineOptions(workspace.emulator, bucket, { overwrite }),
        );
        expect(workspace.emulator.faults.fired).toEqual([3]);
        expect(result.ok).toBe(false);
        expect(result.files[0]?.error).toContain(file.path);
        expect(result.files[0]?.error).toMatch(/verify object failed: stored CRC64NVME/);
        expect(result.files[0]?.error).toMatch(
          /wrote (was|\(.*\) were) deleted; nothing of this run is left/,
        );
        expect(await storedBytes(bucket, file.key)).toBeNull();
      });
    }
  }
});
