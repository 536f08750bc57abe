// Shared by the suites that run against Ceph RGW (started by ../shared/tools/rgw-up.sh, idempotent).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import type { EngineOptions } from "../../src/engine/index.js";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const rgwUp = path.resolve(repoRoot, "../shared/tools/rgw-up.sh");
const MiB = 1024 * 1024;

/** Starts RGW (or finds it running) and returns the variables the script prints; null where it is missing. */
export function startRgw(): Record<string, string> | null {
  if (!existsSync(rgwUp)) {
    if (process.env.CI === "true") throw new Error(`${rgwUp} is missing; CI must run the RGW interop tests`);
    return null;
  }
  // Two suites starting it at once would each see the other's half-built cluster and wipe it. -o: the
  // daemons it starts must not inherit the lock, or they would hold it for as long as they run.
  const lock = path.join(tmpdir(), "s3vu-rgw-up.lock");
  const output = execFileSync("flock", ["-o", lock, "bash", rgwUp], { encoding: "utf8", timeout: 180_000 });
  return Object.fromEntries(
    output
      .split("\n")
      .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1]!, match[2]!]),
  );
}

/** Engine settings and an SDK client for the RGW in `env`, a new bucket there, and a fresh temp dir. */
export async function openRgwBucket(
  env: Record<string, string>,
  bucket: string,
  tempPrefix: string,
): Promise<{ s3: EngineOptions["s3"]; sdk: S3Client; dir: string }> {
  const credentials = {
    accessKeyId: env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
  };
  const s3 = { endpoint: env.S3_ENDPOINT!, region: "us-east-1", forcePathStyle: true, credentials };
  const sdk = new S3Client({ ...s3, credentials });
  await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
  const dir = await mkdtemp(path.join(tmpdir(), tempPrefix));
  return { s3, sdk, dir };
}

/** Deletes every object in the bucket, then the bucket, and closes the client. */
export async function deleteBucketAndClose(sdk: S3Client, bucket: string): Promise<void> {
  const listed = await sdk.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const object of listed.Contents ?? []) {
    await sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key! }));
  }
  await sdk.send(new DeleteBucketCommand({ Bucket: bucket }));
  sdk.destroy();
}

/** Engine options for RGW: 5 MiB parts, CRC64NVME, verified, aborting on failure; `overrides` win. */
export function rgwEngineOptions(
  bucket: string,
  s3: EngineOptions["s3"],
  overrides: Partial<EngineOptions> = {},
): EngineOptions {
  return {
    bucket,
    s3,
    partSize: 5 * MiB,
    concurrency: 4,
    checksumAlgorithm: "CRC64NVME",
    contentMd5: false,
    multipartThreshold: 5 * MiB,
    overwrite: true,
    verify: true,
    onFailure: "abort",
    dryRun: false,
    object: {},
    tuning: { retryBaseDelayMs: 10 },
    ...overrides,
  };
}
