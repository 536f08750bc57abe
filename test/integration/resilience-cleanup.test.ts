// Cleanup mode against the emulator: only uploads old enough and under the prefix are aborted, dry run aborts
// nothing, and the lifecycle rule is merged into the bucket's other rules.
import {
  CreateMultipartUploadCommand,
  GetBucketLifecycleConfigurationCommand,
  ListMultipartUploadsCommand,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main, type CliIO } from "../../src/cli.js";
import { startEmulator, type Emulator } from "../emulator/index.js";

const BUCKET = "cleanup";
const HOUR = 3_600_000;
let emulator: Emulator;
let sdk: S3Client;

beforeAll(async () => {
  emulator = await startEmulator({ buckets: [BUCKET] });
  sdk = new S3Client({
    endpoint: emulator.endpoint,
    region: emulator.region,
    forcePathStyle: true,
    credentials: emulator.credentials,
  });
  // The CLI reads credentials through the SDK's default chain, as in a real job.
  vi.stubEnv("AWS_ACCESS_KEY_ID", emulator.credentials.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", emulator.credentials.secretAccessKey);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  sdk?.destroy();
  await emulator?.stop();
});

async function pending(): Promise<string[]> {
  const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
  return (answer.Uploads ?? []).map((upload) => upload.Key!).sort();
}

async function start(key: string, ageHours: number): Promise<void> {
  await sdk.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  emulator.backdateUploads(BUCKET, ageHours * HOUR, key);
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    env: {},
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await main(
    ["cleanup", "--bucket", BUCKET, "--endpoint", emulator.endpoint, "--force-path-style", ...args],
    io,
  );
  return { code, stdout, stderr };
}

describe("cleanup mode", () => {
  beforeEach(async () => {
    const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(answer.Uploads ?? []).toEqual([]);
    await start("builds/old-1.bin", 50);
    await start("builds/old-2.bin", 25);
    await start("builds/young.bin", 1);
    await start("other/old.bin", 50);
  });

  it("dry run lists what it would abort and aborts nothing", async () => {
    const run = await cli(["--prefix", "builds/", "--older-than", "24h", "--dry-run", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { uploads: { key: string; action: string }[] };
    expect(result.uploads.map((upload) => [upload.key, upload.action])).toEqual([
      ["builds/old-1.bin", "would-abort"],
      ["builds/old-2.bin", "would-abort"],
      ["builds/young.bin", "too-young"],
    ]);
    expect(run.stderr).toContain("would abort (dry run): builds/old-1.bin");
    expect(await pending()).toEqual([
      "builds/old-1.bin",
      "builds/old-2.bin",
      "builds/young.bin",
      "other/old.bin",
    ]);
    await cli(["--older-than", "0s"]);
  });

  it("aborts only uploads old enough and under the prefix", async () => {
    const run = await cli(["--prefix", "builds/", "--older-than", "24h"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("aborted: builds/old-1.bin");
    expect(run.stderr).toContain("kept (younger than older-than): builds/young.bin");
    expect(run.stderr).toContain("2 aborted, 0 would abort, 1 too young, 0 failed");
    expect(await pending()).toEqual(["builds/young.bin", "other/old.bin"]);
    // A larger age keeps the 25-hour-old one; an empty prefix reaches the whole bucket.
    await start("builds/old-2.bin", 25);
    expect((await cli(["--older-than", "2d"])).code).toBe(0);
    expect(await pending()).toEqual(["builds/old-2.bin", "builds/young.bin"]);
    expect((await cli(["--older-than", "0s"])).code).toBe(0);
    expect(await pending()).toEqual([]);
  });
});

describe("lifecycle rule", () => {
  it("adds the AbortIncompleteMultipartUpload rule beside existing rules, and updates only its own", async () => {
    await sdk.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: {
          Rules: [
            { ID: "expire-logs", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 30 } },
          ],
        },
      }),
    );
    const dry = await cli(["--prefix", "builds/", "--lifecycle-abort-days", "7", "--dry-run"]);
    expect(dry.stderr).toContain("would add; 1 other rule(s) kept");
    const rulesAfterDryRun = await sdk.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    expect(rulesAfterDryRun.Rules?.map((rule) => rule.ID)).toEqual(["expire-logs"]);

    expect((await cli(["--prefix", "builds/", "--lifecycle-abort-days", "7"])).code).toBe(0);
    expect((await cli(["--prefix", "builds/", "--lifecycle-abort-days", "3"])).stderr).toContain("updated");
    expect((await cli(["--prefix", "builds/", "--lifecycle-abort-days", "3"])).stderr).toContain("unchanged");
    const rules = await sdk.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    expect(rules.Rules).toEqual([
      { ID: "expire-logs", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 30 } },
      {
        ID: "s3-verified-upload-abort-incomplete:builds/",
        Status: "Enabled",
        Filter: { Prefix: "builds/" },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
      },
    ]);
  });

  it("keeps the bucket's TransitionDefaultMinimumObjectSize, which a PUT without it resets", async () => {
    await sdk.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        TransitionDefaultMinimumObjectSize: "varies_by_storage_class",
        LifecycleConfiguration: {
          Rules: [
            {
              ID: "to-glacier",
              Status: "Enabled",
              Filter: { Prefix: "old/" },
              Transitions: [{ Days: 30, StorageClass: "GLACIER" }],
            },
          ],
        },
      }),
    );
    const before = await sdk.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    expect(before.TransitionDefaultMinimumObjectSize).toBe("varies_by_storage_class");

    const run = await cli(["--prefix", "tmp/", "--lifecycle-abort-days", "2"]);
    expect(run.code, run.stderr).toBe(0);
    const after = await sdk.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    expect(after.TransitionDefaultMinimumObjectSize).toBe("varies_by_storage_class");
    expect(after.Rules?.map((rule) => rule.ID)).toEqual([
      "to-glacier",
      "s3-verified-upload-abort-incomplete:tmp/",
    ]);
  });
});
