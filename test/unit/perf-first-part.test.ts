// The first part of a multipart upload goes alone: its answer tells whether the store keeps checksums, so
// the other parts know whether they need MD5 before they are hashed.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runUploads } from "../../src/engine/index.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { KiB, emulatorEngineOptions } from "../helpers/engine.js";

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ minPartSize: KiB, buckets: ["first"] });
  dir = await mkdtemp(path.join(tmpdir(), "svu-perf-first-"));
});

afterAll(async () => {
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("no other part is sent before the first part's answer, even when that answer is slow", async () => {
  const file = path.join(dir, "five-parts.bin");
  await writeFile(file, randomBytes(5 * 8 * KiB));
  // Held long enough that parallel parts would all finish first.
  emulator.faults.add({ operation: "UploadPart", action: "stall", calls: [1], stallMs: 400 });
  const result = await runUploads(
    [{ path: file, key: "five-parts.bin" }],
    emulatorEngineOptions(emulator, "first", { partSize: 8 * KiB, multipartThreshold: 8 * KiB }),
  );
  expect(result.ok).toBe(true);
  expect(result.files[0]!.verification).toBe("checksum");
  const parts = emulator.requestLog
    .filter((entry) => entry.operation === "UploadPart")
    .map((entry) => entry.partNumber);
  expect(parts).toHaveLength(5);
  expect(parts[0]).toBe(5);
  expect(emulator.faults.fired).toEqual([1]);
});
