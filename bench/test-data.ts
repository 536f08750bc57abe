// Random test files, written once per bench run and read once so every client starts from a warm page cache.

import { randomFillSync } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import type { WorkloadSpec } from "./options.js";

export interface Workload extends WorkloadSpec {
  /** Directory holding only this workload's files (clients that upload a tree are pointed here). */
  dir: string;
  files: string[];
  totalBytes: number;
}

const CHUNK = 16 * 1024 * 1024;

export async function createWorkload(root: string, spec: WorkloadSpec): Promise<Workload> {
  const dir = path.join(root, spec.id);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK, spec.fileSize));
  for (let i = 0; i < spec.fileCount; i++) {
    const file = path.join(dir, spec.fileCount === 1 ? "data.bin" : `f${String(i).padStart(5, "0")}.bin`);
    await writeRandomFile(file, spec.fileSize, buffer);
    files.push(file);
  }
  return { ...spec, dir, files, totalBytes: spec.fileCount * spec.fileSize };
}

async function writeRandomFile(file: string, size: number, buffer: Buffer): Promise<void> {
  const handle = await open(file, "w");
  try {
    for (let written = 0; written < size;) {
      const length = Math.min(buffer.length, size - written);
      randomFillSync(buffer, 0, length);
      await handle.write(buffer, 0, length);
      written += length;
    }
  } finally {
    await handle.close();
  }
}

/** The page cache cannot be dropped without privileges we should not assume; reading once makes it equal. */
export async function warmPageCache(workload: Workload): Promise<void> {
  for (const file of workload.files) {
    for await (const _chunk of createReadStream(file, { highWaterMark: CHUNK })) {
      // reading is the point
    }
  }
}
