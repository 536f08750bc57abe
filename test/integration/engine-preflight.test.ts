// Preflight against the emulator: a setup that cannot work (no bucket, no permission, wrong region, bad keys,
// nothing listening) stops the run after one request with one StepError, before any file is touched.
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { StepError } from "../../src/engine/errors.js";
import {
  filesInFlight,
  runUploads,
  type EngineEvent,
  type EngineOptions,
  type LocalFile,
} from "../../src/engine/index.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { KiB, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";
import { whenLogged } from "../helpers/request-log.js";

const BUCKET = "preflight";
let emulator: Emulator;
let sdk: S3Client;
let dir: string;
let files: LocalFile[];

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: KiB, buckets: [BUCKET] }, "svu-preflight-"));
  files = [];
  for (let index = 0; index < 500; index++) {
    const name = `f${index}.txt`;
    await writeFile(path.join(dir, name), `file ${index}\n`);
    files.push({ path: path.join(dir, name), key: `builds/7/${name}` });
  }
});

afterEach(() => emulator.faults.clear());

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

function options(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return emulatorEngineOptions(emulator, BUCKET, {
    tuning: { retryBaseDelayMs: 5, maxAttempts: 2, stallTimeoutMs: 15_000 },
    ...overrides,
  });
}

/** Runs the engine expecting the preflight to stop it; returns the error and the requests it made. */
async function preflightFailure(overrides: Partial<EngineOptions>): Promise<{
  error: StepError;
  requests: typeof emulator.requestLog;
}> {
  const from = emulator.requestLog.length;
  const error = await runUploads(files, options(overrides)).then(
    () => {
      throw new Error("the run succeeded");
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(StepError);
  expect((error as StepError).step).toBe("preflight");
  return { error: error as StepError, requests: emulator.requestLog.slice(from) };
}

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("preflight stops a run that cannot work, with one request and one message", () => {
  it("a wrong bucket with 500 files: one ListObjectsV2, one error naming the bucket and the endpoint", async () => {
    const { error, requests } = await preflightFailure({ bucket: "no-such-bucket" });
    expect(requests).toEqual([
      expect.objectContaining({ operation: "ListObjectsV2", bucket: "no-such-bucket", code: "NoSuchBucket" }),
    ]);
    expect(error.message).toContain(`bucket "no-such-bucket" does not exist at ${emulator.endpoint}`);
    expect(error.message).toMatch(/check "bucket"/);
  });

  it("a bucket that exists passes with one ListObjectsV2 before the files", async () => {
    const from = emulator.requestLog.length;
    const result = await runUploads(files.slice(0, 2), options());
    expect(result.ok).toBe(true);
    const requests = emulator.requestLog.slice(from);
    expect(requests[0]).toMatchObject({ operation: "ListObjectsV2", bucket: BUCKET, status: 200 });
    // Later listings are the files' own (key-listing.ts); only the preflight comes before any file's request.
    expect(requests[1]?.operation).toBe("PutObject");
  });

  it("AccessDenied names the permission (s3:ListBucket) and the README's policy", async () => {
    emulator.faults.add({ operation: "ListObjectsV2", action: "403" });
    const { error, requests } = await preflightFailure({});
    expect(requests).toHaveLength(1);
    expect(error.message).toContain("s3:ListBucket");
    expect(error.message).toContain("arn:aws:s3:::preflight");
    expect(error.message).toContain('"Minimal IAM policy"');
  });

  it("a wrong region names the region the store wants", async () => {
    const { error, requests } = await preflightFailure({
      s3: { ...options().s3, region: "eu-west-3" },
    });
    expect(requests).toHaveLength(1);
    expect(error.message).toContain(`Set "region" to ${emulator.region}.`);
    expect(error.message).toContain("eu-west-3");
  });

  it("an unknown access key and a wrong secret say which variable to fix", async () => {
    const credentials = emulator.credentials;
    const unknownKey = await preflightFailure({
      s3: { ...options().s3, credentials: { ...credentials, accessKeyId: "AKIAUNKNOWN000000000" } },
    });
    expect(unknownKey.error.message).toMatch(/InvalidAccessKeyId.*AWS_ACCESS_KEY_ID/);
    const wrongSecret = await preflightFailure({
      s3: { ...options().s3, credentials: { ...credentials, secretAccessKey: "wrong/secret" } },
    });
    expect(wrongSecret.error.message).toMatch(/SignatureDoesNotMatch.*AWS_SECRET_ACCESS_KEY/);
  });

  it("an endpoint where nothing listens: names the endpoint and says nothing answers", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const { error } = await preflightFailure({ s3: { ...options().s3, endpoint } });
    expect(error.message).toContain(endpoint);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).toMatch(/Nothing answers at the endpoint/);
  });
});

describe("a store lost mid-run: files not yet started are not attempted", () => {
  it("writes denied everywhere after the 3rd file: one re-probe confirms it, the rest send nothing", async () => {
    const batch = files.slice(0, 40).map((file) => ({ ...file, key: `lost/${path.basename(file.path)}` }));
    const from = emulator.requestLog.length;
    const denied = whenLogged(
      emulator,
      from,
      3,
      (entry) => entry.operation === "PutObject" && entry.status === 200,
      () => emulator.faults.add({ operation: "*", action: "403" }),
    );
    const run = await runUploads(batch, options({ concurrency: 1 }));
    await denied;
    const requests = emulator.requestLog.slice(from);
    const statuses = run.files.map((file) => file.status);
    const uploaded = statuses.filter((status) => status === "uploaded").length;
    // The 3rd PutObject went through before writes were denied. Small files have several PutObjects in flight
    // (upload-single.ts: smallPutSlots), so files written by then may still fail at their proof (the listing
    // and the HeadObject are denied too): a file is only "uploaded" once proven.
    expect(
      requests.filter((entry) => entry.operation === "PutObject" && entry.status === 200).length,
    ).toBeGreaterThanOrEqual(3);
    for (const file of run.files.filter(
      (result) => result.status === "failed" && result.failure?.step !== "preflight",
    ))
      expect(file.error).toMatch(/AccessDenied|denied/i);
    const notAttempted = run.files.filter((file) => file.failure?.step === "preflight");
    // Files already started when the store was lost (at most the run's files in flight) fail on their own.
    expect(notAttempted.length).toBeGreaterThanOrEqual(batch.length - uploaded - (filesInFlight(1) + 1));
    for (const file of notAttempted) {
      expect(file).toMatchObject({ status: "failed", failure: { step: "preflight", code: "AccessDenied" } });
      expect(file.error).toContain("not attempted: preflight failed: listing s3://preflight/lost/");
    }
    // One re-probe once denied; beside it only the listings that prove files written before the loss
    // (key-listing.ts: each confirms at least one written file, and a PutObject answered just as writes were
    // denied still needs its own), and a per-file request for at most the files started before it.
    const deniedListings = requests.filter(
      (entry) => entry.operation === "ListObjectsV2" && entry.code === "AccessDenied",
    );
    const written = requests.filter(
      (entry) => entry.operation === "PutObject" && entry.status === 200,
    ).length;
    expect(deniedListings.length).toBeGreaterThanOrEqual(1);
    expect(deniedListings.length).toBeLessThanOrEqual(1 + written);
    expect(requests.filter((entry) => entry.code === "AccessDenied").length).toBeLessThanOrEqual(
      3 + 2 * filesInFlight(1),
    );
  });

  it("the endpoint gone after the 2nd file: the rest are not attempted, after one re-probe", async () => {
    const own = await startEmulator({ buckets: [BUCKET] });
    const batch = files.slice(0, 30);
    const events: EngineEvent[] = [];
    const gone = whenLogged(
      own,
      0,
      2,
      (entry) => entry.operation === "PutObject" && entry.status === 200,
      () => void own.stop(),
    );
    const run = await runUploads(
      batch,
      emulatorEngineOptions(own, BUCKET, {
        concurrency: 1,
        tuning: { retryBaseDelayMs: 5, maxAttempts: 2, stallTimeoutMs: 15_000 },
        onEvent: (event) => events.push(event),
      }),
    );
    await gone;
    const notAttempted = run.files.filter((file) => file.failure?.step === "preflight");
    expect(notAttempted.length).toBeGreaterThanOrEqual(batch.length - 2 - (filesInFlight(1) + 2));
    expect(notAttempted[0]!.error).toMatch(/not attempted: preflight failed: cannot reach .*ECONNREFUSED/);
    // Retries happened only for the files in flight when the outage came (and a few started before the
    // re-probe answers), not once per file of the run.
    const retried = new Set(events.flatMap((event) => (event.type === "retry" ? [event.file.key] : [])));
    expect(retried.size).toBeLessThanOrEqual(filesInFlight(1) + 2);
    expect(run.ok).toBe(false);
  });
});
