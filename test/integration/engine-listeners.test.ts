// One AbortSignal serves a whole run; every request, pool wait and retry sleep that listens to it must stop
// listening when done, or a run of many files piles up listeners and Node warns MaxListenersExceededWarning.
import { getEventListeners } from "node:events";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "listeners";
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-listeners-"));
});

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

async function makeFiles(count: number, size: number, name: string): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  for (let index = 0; index < count; index++) {
    const file = path.join(dir, `${name}-${index}.bin`);
    await writeFile(file, Buffer.alloc(size, index));
    files.push({ path: file, key: `${name}/${index}.bin` });
  }
  return files;
}

describe("listeners on the run's AbortSignal", () => {
  it("do not pile up over 200 small files, multipart files and retries at concurrency 16", async () => {
    const files = [...(await makeFiles(200, 100, "small")), ...(await makeFiles(12, 3 * PART + 10, "multi"))];
    // Retries put sleeps on the signal too.
    emulator.faults.add({ operation: "*", action: "503", probability: 0.1, seed: 7 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on("warning", onWarning);
    const controller = new AbortController();
    try {
      const run = await runUploads(
        files,
        emulatorEngineOptions(emulator, BUCKET, {
          signal: controller.signal,
          concurrency: 16,
          tuning: { retryBaseDelayMs: 1, maxAttempts: 20 },
        }),
      );
      expect(run.files.filter((file) => file.status !== "uploaded")).toEqual([]);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
      emulator.faults.clear();
    }
    expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).toEqual([]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  }, 180_000);
});
