// Issue 13 (object settings through the broker): Cache-Control, Content-Disposition and the other served headers,
// metadata, tags, storage class and SSE go through the broker's create route into CreateMultipartUpload, and the
// broker's policy can restrict the storage classes, SSE modes and KMS keys a token may ask for.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { HeadObjectCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3ClientFor } from "../emulator/sdk-client.js";
import { referenceChecksum } from "../helpers/checksums.js";
import { callBroker, startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";
import { repoRoot, runCommand } from "../e2e/helpers.js";

const MiB = 1024 * 1024;
const TSX = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
const CLI = path.join(repoRoot, "src/cli.ts");

let fx: BrokerFixture;
let dir = "";
let tokenFile = "";
let token = "";
const bytes = randomBytes(6 * MiB + 17);

beforeAll(async () => {
  fx = await startBrokerFixture({
    maxPartBytes: 8 * MiB,
    rule: {
      storageClasses: ["STANDARD", "STANDARD_IA"],
      sse: ["AES256", "aws:kms"],
      sseKmsKeyIds: ["alias/ci"],
    },
  });
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-settings-"));
  token = await fx.issuer.token({ sub: "repo:org/app", repository: "org/app", repository_owner: "org" });
  tokenFile = path.join(dir, "token");
  await writeFile(tokenFile, token);
  await writeFile(path.join(dir, "app.bin"), bytes);
}, 60_000);

afterAll(async () => {
  await fx?.stop();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  return runCommand(
    process.execPath,
    [
      ...["--import", TSX, CLI, "--bucket", "artifacts", "--json", "--part-size", "5MiB"],
      ...["--broker-url", fx.broker.url, "--web-identity-token-file", tokenFile],
      ...args,
      "app.bin",
    ],
    { PATH: process.env["PATH"], HOME: dir },
    dir,
  );
}

async function head(key: string) {
  const client = s3ClientFor(fx.emulator!);
  try {
    return await client.send(new HeadObjectCommand({ Bucket: "artifacts", Key: key }));
  } finally {
    client.destroy();
  }
}

async function pendingUploads(): Promise<number> {
  const client = s3ClientFor(fx.emulator!);
  try {
    return (await client.send(new ListMultipartUploadsCommand({ Bucket: "artifacts" }))).Uploads?.length ?? 0;
  } finally {
    client.destroy();
  }
}

describe("object settings through the broker", () => {
  it("the object is created with the run's headers, metadata, tags, storage class and SSE, and proven", async () => {
    const run = await cli([
      ...["--prefix", "org/app/settings", "--cache-control", "max-age=60"],
      ...[
        "--headers",
        "*.bin | Content-Disposition: attachment; filename=app.bin",
        "--content-type",
        "application/x-app",
      ],
      ...["--metadata", "build=42", "--tags", "team=ci", "--storage-class", "STANDARD_IA", "--sse", "AES256"],
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const file = (JSON.parse(run.stdout) as { files: Array<{ status: string; verified: boolean }> })
      .files[0]!;
    expect(file).toMatchObject({ status: "uploaded", verified: true });
    const stored = await head("org/app/settings/app.bin");
    expect(stored).toMatchObject({
      CacheControl: "max-age=60",
      ContentDisposition: "attachment; filename=app.bin",
      ContentType: "application/x-app",
      StorageClass: "STANDARD_IA",
      ServerSideEncryption: "AES256",
    });
    expect(stored.Metadata).toMatchObject({ build: "42" });
    const creates = fx.audit.filter(
      (line) => line.action === "create" && line.key === "org/app/settings/app.bin",
    );
    expect(creates.map((line) => line.outcome)).toEqual(["ok"]);
  }, 120_000);

  it("a storage class, SSE mode or KMS key the rule does not list is refused naming it, and nothing is left", async () => {
    const before = await pendingUploads();
    for (const [extra, said] of [
      [
        ["--storage-class", "GLACIER"],
        "storage class GLACIER is not allowed under this prefix (allowed: STANDARD, STANDARD_IA)",
      ],
      [
        ["--sse", "aws:kms:dsse"],
        "SSE aws:kms:dsse is not allowed under this prefix (allowed: AES256, aws:kms)",
      ],
      [
        ["--sse", "aws:kms", "--sse-kms-key-id", "alias/other"],
        "KMS key alias/other is not allowed under this prefix (allowed: alias/ci)",
      ],
    ] as const) {
      const run = await cli(["--prefix", "org/app/refused", "--overwrite", ...extra]);
      expect(run.code, said).toBe(1);
      const file = (JSON.parse(run.stdout) as { files: Array<{ error: string }> }).files[0]!;
      expect(file.error).toContain("CreateMultipartUpload failed: the broker answered 403 AccessDenied");
      expect(file.error).toContain(said);
    }
    expect(await pendingUploads()).toBe(before);
  }, 120_000);

  it("the create route refuses malformed settings with 400 naming the field", async () => {
    for (const [body, said] of [
      [{ metadata: { "bad name": "x" } }, "metadata"],
      [{ tags: { team: 1 } }, "tags"],
      [{ sse: "rot13" }, "sse"],
      [{ cacheControl: "" }, "cacheControl"],
    ] as const) {
      const answer = await callBroker(fx.broker, "POST", "/s3/multipart", token, {
        key: "org/app/malformed.bin",
        ...body,
      });
      expect([answer.status, answer.body.error?.code], said).toEqual([400, "InvalidRequest"]);
      expect(answer.body.error?.message).toContain(said);
    }
  });

  it("a resumed upload started with other settings is caught on the finished object, naming the fix", async () => {
    const key = "org/app/resumed/app.bin";
    // An interrupted upload of this file's bytes, started with a Cache-Control this run does not ask for.
    const created = await callBroker(fx.broker, "POST", "/s3/multipart", token, {
      key,
      cacheControl: "no-store",
      metadata: { "svu-plan": "6291473,5242880,CRC64NVME,0,0000000000000000" },
    });
    const uploadId = created.body.uploadId as string;
    const last = bytes.subarray(5 * MiB);
    const query = new URLSearchParams({
      key,
      size: String(last.length),
      checksumAlgorithm: "CRC64NVME",
      checksum: await referenceChecksum("CRC64NVME", last),
    });
    const signed = await callBroker(fx.broker, "GET", `/s3/multipart/${uploadId}/2?${query}`, token);
    const { url, headers } = signed.body as { url: string; headers: Record<string, string> };
    expect((await fetch(url, { method: "PUT", headers, body: last })).status).toBe(200);
    fx.emulator!.backdateUploads("artifacts", 10 * 60_000, key);
    const run = await cli(["--prefix", "org/app/resumed", "--cache-control", "max-age=60"]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const file = (JSON.parse(run.stdout) as { files: Array<{ error: string; notes: string[] }> }).files[0]!;
    expect(file.error).toContain(
      `The resumed multipart upload ${uploadId} had been started with other object settings`,
    );
    expect(file.error).toContain("ask the broker's operator to delete it, then rerun");
  }, 120_000);
});
