// Random test files, written once per bench run and read once so every client starts from a warm page cache.

import { randomFillSync } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import type { WorkloadSpec } from "./workloads.js";

export interface Workload extends WorkloadSpec {
  /** Directory holding only this workload's files (clients that upload a tree are pointed here). */
  dir: string;
  /** Absolute paths, in the order of the spec's files. */
  paths: string[];
}

const CHUNK = 16 * 1024 * 1024;

export async function createWorkload(root: string, spec: WorkloadSpec): Promise<Workload> {
  const dir = path.join(root, spec.id);
  const largest = spec.files.reduce((max, f) => Math.max(max, f.size), 1);
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK, largest));
  const made = new Set<string>();
  const paths: string[] = [];
  for (const planned of spec.files) {
    const file = path.join(dir, ...planned.path.split("/"));
    const parent = path.dirname(file);
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true });
      made.add(parent);
    }
    await writeRandomFile(file, planned.size, buffer);
    paths.push(file);
  }
  return { ...spec, dir, paths };
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
  for (const file of workload.paths) {
    for await (const _chunk of createReadStream(file, { highWaterMark: CHUNK })) {
      // reading is the point
    }
  }
}
