import { randomFillSync } from "node:crypto";
import { Crc64Nvme as AwsCrc64Nvme } from "@aws-sdk/crc64-nvme";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { allocateHashable, releaseHashable } from "../../src/engine/checksum/hash-memory.js";
import { HashWorkers, type WorkerAlgorithm } from "../../src/engine/checksum/hash-workers.js";
import {
  digestWholePart,
  digestWholePartInline,
  hashWorkerCount,
} from "../../src/engine/checksum/whole-part.js";

const ALGORITHMS: Array<WorkerAlgorithm | null> = ["CRC64NVME", "CRC32", "SHA1", "SHA256", null];

function shared(data: Uint8Array): Buffer {
  const bytes = Buffer.from(new SharedArrayBuffer(data.byteLength));
  bytes.set(data);
  return bytes;
}

const workers = new HashWorkers(1);
afterAll(() => workers.close());

// The first calls answer null while the worker starts; the caller then hashes inline. Wait it out here.
async function hashInWorker(bytes: Uint8Array, algorithm: WorkerAlgorithm | null, withMd5: boolean) {
  for (;;) {
    const answer = workers.hash(bytes, algorithm, withMd5);
    if (answer !== null) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function hex(digests: { digest: Buffer | null; md5: Buffer | null }) {
  return { digest: digests.digest?.toString("hex") ?? null, md5: digests.md5?.toString("hex") ?? null };
}

describe("hashing on a worker thread", () => {
  it("gives the same digests as hashing inline, for every algorithm it takes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 60_000, maxLength: 200_000 })),
        fc.integer({ min: 0, max: 64 }),
        fc.constantFrom(...ALGORITHMS),
        fc.boolean(),
        async (data, offset, algorithm, withMd5) => {
          // A part is a view into a bigger pooled buffer, not always at its start.
          const pooled = shared(new Uint8Array(offset + data.byteLength + 7));
          const bytes = pooled.subarray(offset, offset + data.byteLength);
          bytes.set(data);
          const expected = hex(await digestWholePartInline(data, algorithm, withMd5));
          expect(hex(await hashInWorker(bytes, algorithm, withMd5))).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a worker started ahead takes the very first part (issue 12: its start-up overlaps the requests before)", async () => {
    const early = new HashWorkers(1);
    try {
      expect(await early.start()).toBe(true);
      const part = shared(Buffer.from("123456789"));
      const first = early.hash(part, "CRC64NVME", true);
      expect(first).not.toBeNull();
      expect(hex(await first!)).toEqual(hex(await digestWholePartInline(part, "CRC64NVME", true)));
      // Started once: a second start() neither spawns another worker nor waits for one.
      expect(await early.start()).toBe(true);
    } finally {
      await early.close();
    }
  });

  it("hashes a multi-MiB part in place, as the upload hands it over", async () => {
    const data = Buffer.alloc(5 * 1024 * 1024 + 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >>> 9)) & 0xff;
    for (const algorithm of ALGORITHMS) {
      const expected = hex(await digestWholePartInline(data, algorithm, true));
      expect(hex(await hashInWorker(shared(data), algorithm, true))).toEqual(expected);
      // The routing entry point: worker or inline, the answer is the same.
      expect(hex(await digestWholePart(shared(data), algorithm, true))).toEqual(expected);
    }
    expect((await digestWholePart(shared(Buffer.from("123456789")), "CRC64NVME", false)).digest).toEqual(
      Buffer.from("ae8b14860a799888", "hex"),
    );
  });

  it("hashes a part that lives in the main thread's CRC64NVME kernel memory, as upload pool buffers do", async () => {
    const part = allocateHashable(3 * 1024 * 1024 + 5)!;
    try {
      for (let i = 0; i < part.length; i++) part[i] = (i * 29 + (i >>> 11)) & 0xff;
      for (const algorithm of ALGORITHMS) {
        const expected = hex(await digestWholePartInline(part, algorithm, true));
        expect(hex(await hashInWorker(part.subarray(1), algorithm, true))).toEqual(
          hex(await digestWholePartInline(part.subarray(1), algorithm, true)),
        );
        expect(hex(await hashInWorker(part, algorithm, true))).toEqual(expected);
      }
    } finally {
      releaseHashable(part);
    }
  });

  it("reads parts in the kernel memory in place, also ones placed after that memory grew under the worker", async () => {
    const reference = async (data: Uint8Array): Promise<string> => {
      const hasher = new AwsCrc64Nvme();
      hasher.update(data);
      return Buffer.from(await hasher.digest()).toString("hex");
    };
    const own = new HashWorkers(1);
    const parts: Buffer[] = [];
    try {
      // Each round takes more memory than any before, so the kernel memory grows while the worker runs.
      for (const size of [2 * 1024 * 1024 + 1, 24 * 1024 * 1024 + 7, 40 * 1024 * 1024 + 3]) {
        const part = allocateHashable(size)!;
        parts.push(part);
        randomFillSync(part);
        let answer = own.hash(part, "CRC64NVME", false);
        while (answer === null) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          answer = own.hash(part, "CRC64NVME", false);
        }
        expect((await answer).digest!.toString("hex")).toBe(await reference(part));
        // A view that starts past the region's start, as a part inside a bigger pooled buffer does.
        const view = part.subarray(4099, size - 11);
        expect((await own.hash(view, "CRC64NVME", false)!).digest!.toString("hex")).toBe(
          await reference(view),
        );
      }
    } finally {
      for (const part of parts) releaseHashable(part);
      await own.close();
    }
  }, 90_000);

  it("refuses bytes that are not shared memory (they would be copied, or read after reuse)", () => {
    expect(() => workers.hash(Buffer.alloc(10), "CRC64NVME", false)).toThrow(/SharedArrayBuffer/);
  });
});

describe("how many hashing workers a machine runs", () => {
  it("takes the hashing off the main thread from two cores on, up to four workers", () => {
    expect(hashWorkerCount(1)).toBe(0);
    expect(hashWorkerCount(2)).toBe(1);
    expect(hashWorkerCount(4)).toBe(3);
    expect(hashWorkerCount(64)).toBe(4);
  });
});

describe("worker threads and process exit", () => {
  it("keeps nothing alive once hashing is done, including a worker started while another was busy", async () => {
    // Ref'd handles are what keep a process from exiting; the CLI hung after its run before this was fixed
    // (a 'message' listener added after unref() refs the worker's port again).
    const ports = () => process.getActiveResourcesInfo().filter((name) => name === "MessagePort").length;
    const before = ports();
    const pool = new HashWorkers(2);
    try {
      const bytes = Buffer.from(new SharedArrayBuffer(4 * 1024 * 1024));
      let hashed = 0;
      let spins = 0;
      while (hashed < 6 && spins++ < 3000) {
        // Two at once, so the second worker starts while the first is busy.
        const answers = [pool.hash(bytes, "CRC64NVME", false), pool.hash(bytes, "CRC64NVME", false)];
        const started = answers.filter((answer) => answer !== null);
        if (started.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        await Promise.all(started);
        hashed += started.length;
      }
      expect(hashed).toBeGreaterThanOrEqual(6);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(ports()).toBe(before);
    } finally {
      await pool.close();
    }
  }, 90_000);
});
