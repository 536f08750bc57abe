// 10% of all requests fail at random (500, 503 SlowDown, connection reset, hang) while 20 files of mixed
// sizes and 100 small ones upload: every one must end byte-exact and verified, and nothing may be left in
// progress. The small files make the PutObjects and the shared ListObjectsV2 pages that prove them a good
// share of the requests, so faults land on those too, and each must be answered by a retry.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineEvent, type LocalFile } from "../../src/engine/index.js";
import type { Emulator, FaultAction } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "chaos";
const FAILURE_RATE = 0.1;
const ACTIONS: FaultAction[] = ["500", "503", "reset", "stall"];
// Single PUTs (empty, tiny, just under a part) and multipart uploads of 2 to 20 parts, uneven last parts.
const SIZES = [
  0,
  1,
  1000,
  PART - 1,
  PART,
  PART + 1,
  2 * PART,
  3 * PART - 17,
  5 * PART,
  7 * PART + 5,
  8 * PART,
  10 * PART + 999,
  12 * PART,
  13 * PART - 1,
  15 * PART + 3,
  16 * PART,
  17 * PART + 4321,
  18 * PART,
  19 * PART + 1,
  20 * PART,
];
/** Small files: one PutObject each, proven by listings shared between them (upload/key-listing.ts). */
const SMALL_FILES = 100;
/** What the emulator logs for a request a fault answered or cut, by action. */
const INJECTED_CODES = new Set(["InternalError", "SlowDown", "reset", "stall"]);

let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace(
    { minPartSize: KiB, buckets: [BUCKET], faultSeed: 20 },
    "svu-chaos-",
  ));
});

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

describe("10% of requests failing at random", () => {
  it("20 uploads of mixed sizes and 100 small files all end byte-exact and verified", async () => {
    const files: { file: LocalFile; bytes: Buffer }[] = [];
    for (const [index, size] of SIZES.entries()) {
      const bytes = randomBytes(size);
      const name = `file-${index}.bin`;
      await writeFile(path.join(dir, name), bytes);
      files.push({ file: { path: path.join(dir, name), key: `chaos/${name}` }, bytes });
    }
    for (let index = 0; index < SMALL_FILES; index++) {
      const bytes = randomBytes(1 + ((index * 997) % (4 * KiB)));
      const name = `small-${String(index).padStart(3, "0")}.bin`;
      await writeFile(path.join(dir, name), bytes);
      files.push({ file: { path: path.join(dir, name), key: `chaos/small/${name}` }, bytes });
    }
    // Each rule draws only when the ones before it did not fire; these chances make the four add up to 10%.
    ACTIONS.forEach((action, index) => {
      const left = 1 - (FAILURE_RATE / ACTIONS.length) * index;
      emulator.faults.add({ operation: "*", action, probability: FAILURE_RATE / ACTIONS.length / left });
    });
    const events: EngineEvent[] = [];
    const result = await runUploads(
      files.map((entry) => entry.file),
      emulatorEngineOptions(emulator, BUCKET, {
        overwrite: false,
        // A hung request is cut after 1 s of silence (a loaded 2-core machine can be silent for 300 ms);
        // 8 attempts make a run-failing streak (10⁻⁸) negligible.
        tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 1000, maxAttempts: 8 },
        onEvent: (event) => events.push(event),
      }),
    );
    const fired = emulator.faults.fired;
    emulator.faults.clear();
    const log = emulator.requestLog.filter((entry) => entry.bucket === BUCKET);
    const requests = log.length;
    const injectedBy = new Map<string, number>();
    for (const entry of log) {
      if (entry.code !== undefined && INJECTED_CODES.has(entry.code))
        injectedBy.set(entry.operation, (injectedBy.get(entry.operation) ?? 0) + 1);
    }

    for (const file of result.files) expect(file.error).toBeUndefined();
    expect(result.ok).toBe(true);
    for (const file of result.files) {
      expect(file).toMatchObject({ status: "uploaded", verified: true, verification: "checksum" });
    }
    for (const { file, bytes } of files) {
      const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: file.key }));
      expect(Buffer.from(await answer.Body!.transformToByteArray()).equals(bytes), file.key).toBe(true);
    }
    const pending = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(pending.Uploads ?? []).toEqual([]);

    const retries = events.filter((event) => event.type === "retry");
    const byOperation = new Map<string, number>();
    for (const event of retries) {
      if (event.type !== "retry") continue;
      const operation = event.operation.split(" ")[0]!;
      byOperation.set(operation, (byOperation.get(operation) ?? 0) + 1);
    }
    const injected = fired.reduce((sum, count) => sum + count, 0);
    // Every injected failure was answered by a retry, and the rate was near the 10% asked for: within 4
    // standard deviations of the binomial count (a false alarm about once in 15,000 runs). A run of small files
    // is now about one request per file, too few for a fixed 5–15% band to hold by chance alone.
    expect(retries.length).toBeGreaterThanOrEqual(injected);
    // Per operation too: a fault on a shared listing is retried, not silently traded for HeadObjects.
    for (const [operation, count] of injectedBy) {
      expect(byOperation.get(operation) ?? 0, operation).toBeGreaterThanOrEqual(count);
    }
    // With ~100 PutObjects at 10%, none failing would happen once in ~40,000 runs.
    expect(injectedBy.get("PutObject") ?? 0).toBeGreaterThan(0);
    const expected = FAILURE_RATE * requests;
    const spread = 4 * Math.sqrt(requests * FAILURE_RATE * (1 - FAILURE_RATE));
    expect(injected).toBeGreaterThan(Math.max(0, expected - spread));
    expect(injected).toBeLessThan(expected + spread);
    console.info(
      `faults: ${requests} requests, ${injected} failed (${ACTIONS.map((action, i) => `${action} ${fired[i]}`).join(", ")}); ` +
        `${retries.length} retries: ${[...byOperation].map(([operation, count]) => `${operation} ${count}`).join(", ")}; ` +
        `injected: ${[...injectedBy].map(([operation, count]) => `${operation} ${count}`).join(", ")}; ` +
        `ListObjectsV2 requests: ${log.filter((entry) => entry.operation === "ListObjectsV2").length}`,
    );
  });
});
