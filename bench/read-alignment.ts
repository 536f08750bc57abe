// Kernel CPU of reading a file from the page cache into a 16 MiB buffer at a given distance from a 64-byte
// boundary: an unaligned destination makes the kernel's copy several times dearer, the reason transfer
// buffers come 64 KiB-aligned from hash-memory.ts (a SharedArrayBuffer's bytes start 16 bytes past one).
//   npx tsx bench/read-alignment.ts [--shifts 0,16,64] [--rounds 3]
import { randomFillSync } from "node:crypto";
import { closeSync, openSync, read, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { flag } from "./tool-args.js";

const PART = 16 * 1024 * 1024;
const FILE = 256 * 1024 * 1024;
const shifts = flag("shifts", "0,16,64").split(",").map(Number);
const rounds = Number(flag("rounds", "3"));
const readAsync = promisify(read);

const scratch = await mkdtemp(path.join(os.tmpdir(), "s3vu-read-alignment-"));
try {
  const file = path.join(scratch, "data.bin");
  writeFileSync(file, randomFillSync(Buffer.alloc(FILE)));
  const fd = openSync(file, "r");
  // Page-aligned memory (WebAssembly memory always is), viewed at each shift.
  // (The project's TypeScript libs have no DOM, so no WebAssembly global type: this is the part used.)
  const { Memory } = (
    globalThis as unknown as {
      WebAssembly: {
        Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => {
          buffer: SharedArrayBuffer;
        };
      };
    }
  ).WebAssembly;
  const memory = new Memory({ initial: PART / 65536 + 2, maximum: 65535, shared: true });
  const readAll = async (buffer: Buffer): Promise<void> => {
    for (let at = 0; at < FILE; at += PART) await readAsync(fd, buffer, 0, PART, at);
  };
  const results = new Map<number, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const shift of shifts) {
      const buffer = Buffer.from(memory.buffer, 65536 + shift, PART);
      await readAll(buffer);
      const before = process.cpuUsage();
      for (let pass = 0; pass < 4; pass++) await readAll(buffer);
      const used = process.cpuUsage(before);
      results.set(shift, [...(results.get(shift) ?? []), (used.system + used.user) / 1e6]);
    }
  }
  closeSync(fd);
  console.log("| destination offset from a 64 KiB boundary | CPU-s per GiB read (runs) |");
  console.log("| ---: | --- |");
  for (const [shift, seconds] of results) {
    console.log(`| ${shift} | ${seconds.map((s) => s.toFixed(2)).join(", ")} |`);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
