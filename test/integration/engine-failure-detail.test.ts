// A failed file's result keeps its step, what went wrong and the fix apart, for the job summary's columns.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";
import type { S3Client } from "@aws-sdk/client-s3";

const BUCKET = "failure-detail";
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-failure-"));
});

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

describe("the failure detail of a result", () => {
  it("names the step, keeps the detail, and puts what cleanup did with the fix", async () => {
    const file = { path: path.join(dir, "corrupt.bin"), key: "f/corrupt.bin" };
    await writeFile(file.path, randomBytes(3 * PART + 5));
    emulator.faults.add({ operation: "UploadPart", action: "corrupt-stored", key: file.key });
    const run = await runUploads([file], emulatorEngineOptions(emulator, BUCKET));
    const result = run.files[0]!;
    expect(result.status).toBe("failed");
    expect(result.failure?.step).toBe("verify parts");
    expect(result.failure?.detail).toContain("ETag");
    expect(result.failure?.hint).toMatch(/does not match the local file.*The multipart upload was aborted/);
    // The error keeps the whole sentence, as before.
    expect(result.error).toContain(`${result.failure!.detail}. `);
  });

  it("names the step of a refusal the store answers at once", async () => {
    const file = { path: path.join(dir, "small.txt"), key: "f/small.txt" };
    await writeFile(file.path, "hello\n");
    emulator.faults.add({ operation: "PutObject", action: "403", key: file.key });
    const run = await runUploads([file], emulatorEngineOptions(emulator, BUCKET));
    expect(run.files[0]!.failure).toMatchObject({
      step: expect.any(String),
      code: "AccessDenied",
      detail: expect.stringContaining("AccessDenied"),
      hint: expect.stringContaining("Minimal IAM policy"),
    });
  });
});
