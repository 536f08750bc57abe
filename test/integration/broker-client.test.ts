// Issue 13's done-when: a client process with no AWS variables uploads byte-exact and verified through the
// broker, and a failure leaves no multipart upload behind.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3ClientFor } from "../emulator/sdk-client.js";
import { referenceChecksum } from "../helpers/checksums.js";
import { runBrokerClient, startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";

const PART = 64 * 1024;

let fx: BrokerFixture;
let dir = "";

beforeAll(async () => {
  fx = await startBrokerFixture();
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-client-"));
}, 60_000);

afterAll(async () => {
  await fx?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function objectBytes(key: string): Promise<Buffer> {
  const client = s3ClientFor(fx.emulator!);
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: "artifacts", Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } finally {
    client.destroy();
  }
}

async function pendingUploads(): Promise<number> {
  const client = s3ClientFor(fx.emulator!);
  try {
    const answer = await client.send(new ListMultipartUploadsCommand({ Bucket: "artifacts" }));
    return answer.Uploads?.length ?? 0;
  } finally {
    client.destroy();
  }
}

describe("a client process with only a token", () => {
  it("uploads byte-exact, proven by the store's per-part and whole-object CRC64NVME", async () => {
    const data = randomBytes(3 * PART + 777);
    const file = path.join(dir, "app.tar");
    await writeFile(file, data);
    const token = await fx.issuer.token({ sub: "s", repository: "org/app", repository_owner: "org" });
    const run = await runBrokerClient(dir, {
      PART_SIZE: String(PART),
      BROKER_URL: fx.broker.url,
      BROKER_TOKEN: token,
      FILE: file,
      KEY: "org/app/app.tar",
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      key: "org/app/app.tar",
      size: data.length,
      checksum: await referenceChecksum("CRC64NVME", data),
      proof:
        "each part's signed CRC64NVME and the whole object's CRC64NVME checked by the store; parts matched ListParts",
    });
    expect((await objectBytes("org/app/app.tar")).equals(data)).toBe(true);
  });

  it("fails naming the file, the step and the fix, and leaves no upload, when a part is refused", async () => {
    const file = path.join(dir, "big.bin");
    // Part 9 is over the rule's 8 parts.
    await writeFile(file, randomBytes(8 * PART + 1));
    const token = await fx.issuer.token({ sub: "s", repository: "org/app", repository_owner: "org" });
    const before = await pendingUploads();
    const run = await runBrokerClient(dir, {
      PART_SIZE: String(PART),
      BROKER_URL: fx.broker.url,
      BROKER_TOKEN: token,
      FILE: file,
      KEY: "org/app/big.bin",
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`signing part 9 for ${file} failed: the broker answered 403 AccessDenied`);
    expect(await pendingUploads()).toBe(before);
  });
});
