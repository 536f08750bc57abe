// The engine's broker path called directly, for what the CLI cannot set: a store that stalls a part is cut
// by the part's deadline and asked again (the run's stall timeout, shortened here).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineEvent } from "../../src/engine/index.js";
import { s3ClientFor } from "../emulator/sdk-client.js";
import { startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";
import { emulatorEngineOptions, KiB } from "../helpers/engine.js";

let fx: BrokerFixture;
let dir = "";

beforeAll(async () => {
  fx = await startBrokerFixture();
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-engine-"));
}, 60_000);

afterAll(async () => {
  await fx?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("runUploads with a broker", () => {
  it("a part the store never answers is cut by its deadline and sent again", async () => {
    const bytes = randomBytes(200 * KiB);
    const file = path.join(dir, "stalled.bin");
    await writeFile(file, bytes);
    fx.emulator!.faults.add({ operation: "UploadPart", action: "stall", partNumber: 2, times: 1 });
    const token = await fx.issuer.token({ sub: "s", repository: "org/app", repository_owner: "org" });
    const events: EngineEvent[] = [];
    const base = emulatorEngineOptions(fx.emulator!, "artifacts");
    const run = await runUploads([{ path: file, key: "org/app/stalled.bin" }], {
      ...base,
      s3: {},
      broker: { url: fx.broker.url, token: () => Promise.resolve(token) },
      tuning: { stallTimeoutMs: 1_000, retryBaseDelayMs: 10 },
      onEvent: (event) => events.push(event),
    });
    expect(run.ok, JSON.stringify(run.files[0]?.error)).toBe(true);
    expect(run.files[0]).toMatchObject({
      status: "uploaded",
      parts: 4,
      verification: "checksum",
      verified: true,
    });
    expect(fx.emulator!.faults.fired).toEqual([1]);
    const retries = events.filter((event) => event.type === "retry");
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ operation: "UploadPart 2" });
    const client = s3ClientFor(fx.emulator!);
    const answer = await client.send(
      new GetObjectCommand({ Bucket: "artifacts", Key: "org/app/stalled.bin" }),
    );
    expect(Buffer.from(await answer.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    client.destroy();
  }, 120_000);
});
