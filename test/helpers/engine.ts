// Shared by the integration suites that run the engine against the emulator: its start and stop with an SDK
// client and a temp dir, and the engine options they start from.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { EngineOptions } from "../../src/engine/index.js";
import { s3For } from "../e2e/helpers.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "../emulator/index.js";

export const KiB = 1024;
/** The part size and multipart threshold of emulatorEngineOptions (which allows parts down to 1 KiB). */
export const PART = 64 * KiB;

export interface EmulatorWorkspace {
  emulator: Emulator;
  sdk: S3Client;
  dir: string;
}

/** Starts an emulator and an SDK client for it, and makes a fresh temp dir for the suite's files. */
export async function startWorkspace(
  options: EmulatorOptions,
  tempPrefix: string,
): Promise<EmulatorWorkspace> {
  const emulator = await startEmulator(options);
  const sdk = s3For(emulator);
  const dir = await mkdtemp(path.join(tmpdir(), tempPrefix));
  return { emulator, sdk, dir };
}

/** Undoes startWorkspace; any part may be missing when the start failed. */
export async function stopWorkspace({ emulator, sdk, dir }: Partial<EmulatorWorkspace>): Promise<void> {
  sdk?.destroy();
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** Engine options for the emulator: 64 KiB parts, CRC64NVME, verified, aborting on failure; `overrides` win. */
export function emulatorEngineOptions(
  emulator: Emulator,
  bucket: string,
  overrides: Partial<EngineOptions> = {},
): EngineOptions {
  return {
    bucket,
    s3: {
      endpoint: emulator.endpoint,
      region: emulator.region,
      forcePathStyle: true,
      credentials: emulator.credentials,
    },
    partSize: PART,
    concurrency: 4,
    checksumAlgorithm: "CRC64NVME",
    contentMd5: false,
    multipartThreshold: PART,
    overwrite: true,
    verify: true,
    onFailure: "abort",
    dryRun: false,
    object: {},
    limits: { minPartSize: KiB },
    tuning: { retryBaseDelayMs: 5 },
    ...overrides,
  };
}
