// Failure paths against the emulator: stored corruption and lost parts caught before Complete, transient
// errors retried, aborts leaving nothing behind, and the overwrite policy.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { appendFileSync } from "node:fs";
import { GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineEvent, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";
import { whenLogged } from "../helpers/request-log.js";

const BUCKET = "faults";
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-faults-"));
});

afterEach(() => emulator.faults.clear());

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return emulatorEngineOptions(emulator, BUCKET, {
    concurrency: 3,
    // Generous: on a loaded CI machine slow answers must not become retries the tests do not expect.
    tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 15_000 },
    ...overrides,
  });
}

async function localFile(name: string, size: number): Promise<{ file: LocalFile; bytes: Buffer }> {
  const bytes = randomBytes(size);
  await writeFile(path.join(dir, name), bytes);
  return { file: { path: path.join(dir, name), key: `f/${name}` }, bytes };
}

async function download(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

async function openUploads(key: string): Promise<string[]> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
  return (answer.Uploads ?? []).map((upload) => upload.UploadId!);
}

function logged(operation: string, key: string) {
  return emulator.requestLog.filter((entry) => entry.operation === operation && entry.key === key);
}

describe("parts wrong in the store are caught before Complete", () => {
  for (const action of ["corrupt-stored", "drop-stored"] as const) {
    it(`${action} once: ListParts shows it, the part is re-uploaded, the object verifies`, async () => {
      const { file, bytes } = await localFile(`${action}-once.bin`, 4 * PART + 3);
      emulator.faults.add({ operation: "UploadPart", action, key: file.key, partNumber: 3, times: 1 });
      const events: EngineEvent[] = [];
      const result = await runUploads([file], options({ onEvent: (event) => events.push(event) }));
      expect(result.files[0]?.error).toBeUndefined();
      expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true, verification: "checksum" });
      expect(emulator.faults.fired).toEqual([1]);
      expect(logged("UploadPart", file.key).filter((entry) => entry.partNumber === 3)).toHaveLength(2);
      const warning = events.find((event) => event.type === "warning");
      expect(warning).toMatchObject({ message: expect.stringMatching(/part 3: /) });
      expect((await download(file.key)).equals(bytes)).toBe(true);
    });
  }

  it("corruption that persists fails naming the part, never completes, and aborts the upload", async () => {
    const { file } = await localFile("corrupt-always.bin", 4 * PART);
    emulator.faults.add({ operation: "UploadPart", action: "corrupt-stored", key: file.key, partNumber: 2 });
    const result = await runUploads([file], options());
    expect(result.ok).toBe(false);
    expect(result.files[0]).toMatchObject({ status: "failed", verified: false });
    expect(result.files[0]?.error).toMatch(
      /verify parts failed: .*part 2: .*aborted; nothing is left behind/,
    );
    expect(result.files[0]?.error).toContain(file.path);
    expect(logged("CompleteMultipartUpload", file.key)).toHaveLength(0);
    expect(logged("AbortMultipartUpload", file.key)).toHaveLength(1);
    expect(await openUploads(file.key)).toEqual([]);
  });

  it("keeps the upload for a later resume when asked to", async () => {
    const { file } = await localFile("keep.bin", 3 * PART);
    emulator.faults.add({ operation: "UploadPart", action: "drop-stored", key: file.key, partNumber: 1 });
    const result = await runUploads([file], options({ onFailure: "keep" }));
    expect(result.files[0]?.error).toMatch(/was kept \(on-failure: keep\)/);
    expect(await openUploads(file.key)).toHaveLength(1);
  });
});

describe("transient failures are retried", () => {
  for (const action of ["500", "503", "reset", "stall"] as const) {
    it(`${action} on UploadPart and ListParts and Complete`, async () => {
      const { file, bytes } = await localFile(`retry-${action}.bin`, 3 * PART + 1);
      for (const operation of ["UploadPart", "ListParts", "CompleteMultipartUpload"]) {
        emulator.faults.add({ operation, action, key: file.key, times: 1, stallMs: 5_000 });
      }
      const retries: EngineEvent[] = [];
      const result = await runUploads(
        [file],
        options({
          onEvent: (event) => event.type === "retry" && retries.push(event),
          tuning: { retryBaseDelayMs: 5, stallTimeoutMs: action === "stall" ? 1_000 : 15_000 },
        }),
      );
      expect(result.files[0]?.error).toBeUndefined();
      expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true });
      expect(emulator.faults.fired).toEqual([1, 1, 1]);
      const retried = new Set(
        retries.map((event) => event.type === "retry" && event.operation.split(" ")[0]),
      );
      expect([...retried].sort()).toEqual(["CompleteMultipartUpload", "ListParts", "UploadPart"]);
      expect((await download(file.key)).equals(bytes)).toBe(true);
    });
  }

  it("503 on a single PutObject is retried too", async () => {
    const { file, bytes } = await localFile("retry-put.bin", 1000);
    emulator.faults.add({ operation: "PutObject", action: "503", key: file.key, times: 2 });
    const result = await runUploads([file], options());
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true });
    expect((await download(file.key)).equals(bytes)).toBe(true);
  });

  it("gives up after the attempt bound with an error that says the step and what S3 said", async () => {
    const { file } = await localFile("retry-forever.bin", 2 * PART);
    emulator.faults.add({ operation: "UploadPart", action: "500", key: file.key });
    const result = await runUploads([file], options({ tuning: { retryBaseDelayMs: 1, maxAttempts: 3 } }));
    expect(result.files[0]?.error).toMatch(
      /UploadPart \d failed: InternalError \(HTTP 500\): .*request id .*aborted/,
    );
    expect(await openUploads(file.key)).toEqual([]);
  });
});

describe("cancellation", () => {
  it("aborts in-flight multipart uploads when the run's signal fires", async () => {
    const { file } = await localFile("cancel.bin", 6 * PART);
    emulator.faults.add({
      operation: "UploadPart",
      action: "stall",
      key: file.key,
      partNumber: 4,
      stallMs: 10_000,
    });
    const controller = new AbortController();
    const mark = emulator.requestLog.length;
    const run = runUploads(
      [file],
      options({ signal: controller.signal, tuning: { stallTimeoutMs: 20_000 } }),
    );
    // Cancelled once the five other parts are stored, so part 4 is the one held by the stall (a timer could
    // fire before part 4 is sent on a busy machine).
    await whenLogged(
      emulator,
      mark,
      5,
      (entry) => entry.operation === "UploadPart" && entry.key === file.key && entry.status === 200,
      () => controller.abort(new Error("cancelled by test")),
      run.then(() => "the upload finished"),
    );
    const result = await run;
    expect(result.ok).toBe(false);
    expect(result.files[0]?.error).toMatch(
      /UploadPart 4 failed: cancelled \(cancelled by test\).*upload was aborted/,
    );
    expect(await openUploads(file.key)).toEqual([]);
  });
});

describe("local file and run modes", () => {
  it("a file that changes during the upload is refused before Complete", async () => {
    const { file } = await localFile("changing.bin", 4 * PART);
    let appended = false;
    const onEvent = (event: EngineEvent): void => {
      if (event.type === "progress" && !appended) {
        appended = true;
        appendFileSync(file.path, "more");
      }
    };
    const result = await runUploads([file], options({ onEvent, concurrency: 1 }));
    expect(result.files[0]?.error).toMatch(/changed during the upload.*aborted/);
    expect(logged("CompleteMultipartUpload", file.key)).toHaveLength(0);
    expect(await openUploads(file.key)).toEqual([]);
  });

  it("dry run with overwrite: true plans without a request for the file (only the run's preflight)", async () => {
    const { file } = await localFile("dry.bin", 3 * PART);
    const result = await runUploads([file], options({ dryRun: true }));
    expect(result.files[0]).toMatchObject({ status: "dry-run", parts: 3, verified: false });
    expect(emulator.requestLog.filter((entry) => entry.key === file.key)).toEqual([]);
  });

  it("verify off: parts are still checked with ListParts, the object is not re-read, and says so", async () => {
    const { file } = await localFile("no-verify.bin", 2 * PART);
    const result = await runUploads([file], options({ verify: false }));
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: false, verification: "checksum" });
    expect(result.files[0]?.notes.join(" ")).toMatch(/not re-checked/);
    expect(logged("ListParts", file.key)).toHaveLength(1);
    expect(logged("HeadObject", file.key)).toHaveLength(0);
  });
});

describe("overwrite policy", () => {
  it("overwrite allowed: uploads over an existing object", async () => {
    const { file } = await localFile("policy-allowed.bin", 2 * PART);
    await runUploads([file], options());
    const { bytes } = await localFile("policy-allowed.bin", 2 * PART);
    const result = await runUploads([file], options({ overwrite: true }));
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true });
    expect((await download(file.key)).equals(bytes)).toBe(true);
  });

  it("overwrite off, same content: skipped as unchanged without uploading", async () => {
    const { file } = await localFile("policy-same.bin", 2 * PART + 9);
    await runUploads([file], options({ overwrite: false }));
    const uploadsBefore = logged("UploadPart", file.key).length;
    const result = await runUploads([file], options({ overwrite: false }));
    expect(result.ok).toBe(true);
    expect(result.files[0]).toMatchObject({ status: "unchanged", verified: true, verification: "checksum" });
    expect(logged("UploadPart", file.key)).toHaveLength(uploadsBefore);
    expect(logged("CreateMultipartUpload", file.key)).toHaveLength(1);
  });

  it("overwrite off, different content: refused with a clear error, object untouched", async () => {
    const { file, bytes } = await localFile("policy-diff.bin", 2 * PART);
    await runUploads([file], options({ overwrite: false }));
    await localFile("policy-diff.bin", 2 * PART);
    const result = await runUploads([file], options({ overwrite: false }));
    expect(result.ok).toBe(false);
    expect(result.files[0]?.error).toMatch(/already exists and differs.*Allow overwriting/);
    expect((await download(file.key)).equals(bytes)).toBe(true);
  });

  it("overwrite off, new key: written with If-None-Match so a racing writer is not clobbered", async () => {
    const { file } = await localFile("policy-new.bin", 1000);
    const result = await runUploads([file], options({ overwrite: false }));
    expect(result.files[0]).toMatchObject({ status: "uploaded", verified: true });
  });
});
