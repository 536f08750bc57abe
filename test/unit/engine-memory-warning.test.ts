// The memory warning counts what the pool really holds: a single PutObject buffers the whole file, up to the
// multipart threshold, so a threshold above the part size raises the bound. No file is read and no request
// is sent: runUploads warns before it starts.
import { constants as bufferConstants } from "node:buffer";
import { totalmem } from "node:os";
import { describe, expect, it } from "vitest";
import { runUploads, type EngineEvent, type EngineOptions } from "../../src/engine/index.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

async function warnings(overrides: Partial<EngineOptions>): Promise<string[]> {
  const events: EngineEvent[] = [];
  await runUploads([], {
    bucket: "bkt",
    s3: { endpoint: "http://127.0.0.1:9", region: "us-east-1", forcePathStyle: true },
    partSize: 5 * MiB,
    concurrency: 64,
    checksumAlgorithm: "CRC64NVME",
    contentMd5: false,
    multipartThreshold: 5 * MiB,
    overwrite: true,
    verify: true,
    onFailure: "abort",
    dryRun: false,
    requireChecksums: false,
    object: {},
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  return events.flatMap((event) => (event.type === "warning" ? [event.message] : []));
}

describe("memory warning", () => {
  it("counts single PutObject buffers up to the multipart threshold", async () => {
    // What one transfer may hold: the threshold, but never more than the largest part this Node.js can buffer.
    const perTransfer = Math.min(5 * GiB, bufferConstants.MAX_LENGTH);
    expect(64 * perTransfer).toBeGreaterThan(totalmem() / 2);
    const gib = perTransfer / GiB;
    expect(await warnings({ multipartThreshold: 5 * GiB })).toEqual([
      `concurrency 64 × ${gib} GiB per transfer (a part, or a whole file below multipart-threshold) holds up ` +
        `to ${64 * gib} GiB in memory, over half of this machine's RAM; lower concurrency, part-size or ` +
        `multipart-threshold if it runs out.`,
    ]);
  });

  it("stays quiet when the larger of part size and threshold fits", async () => {
    expect(64 * 5 * MiB).toBeLessThan(totalmem() / 2);
    expect(await warnings({})).toEqual([]);
  });
});
