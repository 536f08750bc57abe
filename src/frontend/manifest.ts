// A JSON record of the run that outlives the log: what went where, with which checksums, verified how.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunResult, S3Settings } from "../engine/types.js";
import { totals } from "./outputs.js";
import type { Totals } from "./outputs.js";
import { VERSION } from "./version.js";

export interface Manifest {
  tool: "s3-verified-upload";
  version: string;
  createdAt: string;
  bucket: string;
  endpoint: string | null;
  ok: boolean;
  totals: Totals;
  files: RunResult["files"];
}

export function buildManifest(bucket: string, s3: S3Settings, run: RunResult, createdAt: Date): Manifest {
  return {
    tool: "s3-verified-upload",
    version: VERSION,
    createdAt: createdAt.toISOString(),
    bucket,
    endpoint: s3.endpoint ?? null,
    ok: run.ok,
    totals: totals(run.files),
    files: run.files,
  };
}

/** Writes into dir under a fresh name (several steps of a job may upload) and returns the path. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const file = path.join(dir, `s3-verified-upload-${randomUUID()}.json`);
  await writeFile(file, JSON.stringify(manifest, null, 2) + "\n");
  return file;
}
