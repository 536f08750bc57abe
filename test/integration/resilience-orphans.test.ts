// Nothing this run created is left behind, and nothing it did not create is touched: a CreateMultipartUpload
// whose answer was lost (the store created the upload after the client gave up) is found and aborted; an
// upload completed or aborted by another job is named as such, with no abort command for a gone upload.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineEvent, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";
import { readObject } from "../e2e/helpers.js";

const BUCKET = "orphans";
const STALL_TIMEOUT = 3000;
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-orphans-"));
});

afterEach(() => emulator.faults.clear());

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return emulatorEngineOptions(emulator, BUCKET, {
    concurrency: 2,
    tuning: { retryBaseDelayMs: 5, stallTimeoutMs: STALL_TIMEOUT },
    ...overrides,
  });
}

async function localFile(name: string, bytes: Buffer): Promise<LocalFile> {
  await writeFile(path.join(dir, name), bytes);
  return { path: path.join(dir, name), key: `o/${name}` };
}

async function pendingUploads(key: string): Promise<string[]> {
  await emulator.idle();
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
  return (answer.Uploads ?? []).map((upload) => upload.UploadId!);
}

describe("a CreateMultipartUpload whose answer was lost", () => {
  it("is aborted by the run that created it: no upload left, the object exact", async () => {
    const bytes = randomBytes(4 * PART);
    const file = await localFile("lost-create.bin", bytes);
    // The first Create is held past the client's stall timeout and then carried out: the store has an upload
    // the client never heard of. A part held (below the timeout) keeps the run going until that happened.
    emulator.faults.add({
      operation: "CreateMultipartUpload",
      action: "stall",
      key: file.key,
      times: 1,
      stallMs: STALL_TIMEOUT + 1000,
    });
    emulator.faults.add({
      operation: "UploadPart",
      action: "stall",
      key: file.key,
      partNumber: 1,
      times: 1,
      stallMs: STALL_TIMEOUT - 500,
    });
    const events: EngineEvent[] = [];
    const result = await runUploads([file], { ...options(), onEvent: (event) => events.push(event) });
    expect(result.files[0], result.files[0]?.error).toMatchObject({ status: "uploaded", verified: true });
    expect(emulator.faults.fired[0]).toBe(1);
    expect((await readObject(emulator, BUCKET, file.key)).equals(bytes)).toBe(true);
    expect(await pendingUploads(file.key)).toEqual([]);
    const creates = emulator.requestLog.filter(
      (entry) => entry.operation === "CreateMultipartUpload" && entry.key === file.key,
    );
    expect(creates.length).toBeGreaterThanOrEqual(2);
    const warnings = events.flatMap((event) => (event.type === "warning" ? [event.message] : []));
    expect(warnings.join("\n")).toMatch(
      /Aborted multipart upload .* that a lost CreateMultipartUpload answer left/,
    );
  });

  it("leaves alone an upload of the key that existed before the run", async () => {
    const bytes = randomBytes(4 * PART);
    const file = await localFile("foreign.bin", bytes);
    const foreign = await sdk.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: file.key }));
    emulator.faults.add({ operation: "CreateMultipartUpload", action: "500", key: file.key, times: 1 });
    const result = await runUploads([file], options());
    expect(result.files[0], result.files[0]?.error).toMatchObject({ status: "uploaded", verified: true });
    // Created before this run looked: not this run's, so not touched (nor resumed: it is too young).
    expect(await pendingUploads(file.key)).toEqual([foreign.UploadId]);
    await sdk.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: file.key, UploadId: foreign.UploadId }),
    );
  });
});

describe("another job's upload of the same key, created while this run's Create was retried", () => {
  it("is left alone when it holds a part, while the lost attempt is aborted", async () => {
    const bytes = randomBytes(4 * PART);
    const file = await localFile("beside.bin", bytes);
    emulator.faults.add({
      operation: "CreateMultipartUpload",
      action: "stall",
      key: file.key,
      times: 1,
      stallMs: STALL_TIMEOUT + 1000,
    });
    emulator.faults.add({
      operation: "UploadPart",
      action: "stall",
      key: file.key,
      partNumber: 1,
      times: 1,
      stallMs: STALL_TIMEOUT - 500,
    });
    let other: Promise<string> | undefined;
    const result = await runUploads([file], {
      ...options(),
      onEvent: (event) => {
        // The other job starts when this run retries its Create: inside the window a lost attempt has.
        if (event.type === "retry" && event.operation === "CreateMultipartUpload") {
          other ??= sdk
            .send(
              new CreateMultipartUploadCommand({
                Bucket: BUCKET,
                Key: file.key,
                ChecksumAlgorithm: "CRC64NVME",
                ChecksumType: "FULL_OBJECT",
              }),
            )
            .then(async (created) => {
              await sdk.send(
                new UploadPartCommand({
                  Bucket: BUCKET,
                  Key: file.key,
                  UploadId: created.UploadId,
                  // Not part 1: this run's part 1 is the one held.
                  PartNumber: 2,
                  Body: randomBytes(KiB),
                  ChecksumAlgorithm: "CRC64NVME",
                }),
              );
              return created.UploadId!;
            });
        }
      },
    });
    expect(result.files[0], result.files[0]?.error).toMatchObject({ status: "uploaded", verified: true });
    const otherId = await other;
    expect(otherId).toBeDefined();
    expect(await pendingUploads(file.key)).toEqual([otherId]);
    await sdk.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: file.key, UploadId: otherId }));
  });
});

describe("another job completes or aborts the upload under way", () => {
  it("says so instead of blaming bucket or credentials, and prints no abort command for a gone upload", async () => {
    const file = await localFile("taken.bin", randomBytes(6 * PART));
    emulator.faults.add({
      operation: "UploadPart",
      action: "stall",
      key: file.key,
      partNumber: 3,
      stallMs: 500,
    });
    let aborted = false;
    const result = await runUploads([file], {
      ...options({ concurrency: 1 }),
      onEvent: (event) => {
        if (event.type === "progress" && !aborted) {
          aborted = true;
          void sdk
            .send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: file.key }))
            .then((answer) =>
              sdk.send(
                new AbortMultipartUploadCommand({
                  Bucket: BUCKET,
                  Key: file.key,
                  UploadId: answer.Uploads![0]!.UploadId,
                }),
              ),
            );
        }
      },
    });
    const failed = result.files[0]!;
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/completed or aborted by someone else/);
    expect(failed.error).toMatch(/another job uploading the same key/);
    expect(failed.error).not.toMatch(/check the bucket name|credentials/i);
    expect(failed.error).not.toMatch(/abort-multipart-upload/);
    expect(await pendingUploads(file.key)).toEqual([]);
  });
});
