// broker-url and "overwrite": an object already at the key is replaced only when the run asks for it and the
// broker's rule allows it; otherwise Complete is refused (412) and the object stays as it was.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { GetObjectCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3ClientFor } from "../emulator/sdk-client.js";
import { callBroker, startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";
import { referenceChecksum } from "../helpers/checksums.js";
import { repoRoot, runCommand } from "../e2e/helpers.js";

const TSX = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
const CLI = path.join(repoRoot, "src/cli.ts");

let replacing: BrokerFixture;
let keeping: BrokerFixture;
let dir = "";

beforeAll(async () => {
  replacing = await startBrokerFixture({ overwrite: true });
  keeping = await startBrokerFixture();
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-overwrite-"));
}, 60_000);

afterAll(async () => {
  await replacing?.stop();
  await keeping?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function objectBytes(fx: BrokerFixture, key: string): Promise<Buffer> {
  const client = s3ClientFor(fx.emulator!);
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: "artifacts", Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } finally {
    client.destroy();
  }
}

async function pendingUploads(fx: BrokerFixture): Promise<number> {
  const client = s3ClientFor(fx.emulator!);
  try {
    const answer = await client.send(new ListMultipartUploadsCommand({ Bucket: "artifacts" }));
    return answer.Uploads?.length ?? 0;
  } finally {
    client.destroy();
  }
}

/** Uploads `bytes` as org/app/app.bin through `fx`'s broker; the CLI's JSON result and exit code. */
async function upload(fx: BrokerFixture, bytes: Buffer, extra: string[] = []) {
  const work = await mkdtemp(path.join(dir, "run-"));
  await writeFile(path.join(work, "app.bin"), bytes);
  const token = await fx.issuer.token({ sub: "s", repository: "org/app", repository_owner: "org" });
  await writeFile(path.join(work, "token"), token);
  const run = await runCommand(
    process.execPath,
    [
      ...["--import", TSX, CLI, "--bucket", "artifacts", "--json"],
      ...["--broker-url", fx.broker.url, "--web-identity-token-file", path.join(work, "token")],
      ...(extra.includes("--prefix") ? [] : ["--prefix", "org/app"]),
      ...[...extra, "app.bin"],
    ],
    { PATH: process.env["PATH"], HOME: dir },
    work,
  );
  const files = (JSON.parse(run.stdout) as { files: Array<{ status: string; error?: string }> }).files;
  return { code: run.code, file: files[0]!, stderr: run.stderr };
}

describe("broker-url with an object already at the key", () => {
  it("the same file again is unchanged, proven by the stored checksum, and not uploaded", async () => {
    const bytes = randomBytes(2500);
    expect((await upload(replacing, bytes, ["--prefix", "org/app/same"])).code).toBe(0);
    const creates = replacing.audit.filter((line) => line.action === "create").length;
    const again = await upload(replacing, bytes, ["--prefix", "org/app/same"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.file).toMatchObject({ status: "unchanged", verification: "checksum", verified: true });
    expect(replacing.audit.filter((line) => line.action === "create").length).toBe(creates);
    const dry = await upload(replacing, bytes, ["--prefix", "org/app/same", "--dry-run"]);
    expect(dry.file.status).toBe("unchanged");
  }, 120_000);

  it("other content with overwrite false is refused before any upload, even where the rule allows replacing", async () => {
    const first = randomBytes(2000);
    expect((await upload(replacing, first)).code).toBe(0);
    const creates = replacing.audit.filter((line) => line.action === "create").length;
    const second = await upload(replacing, randomBytes(2000));
    expect(second.code).toBe(1);
    expect(second.file.error).toContain("an object with other content is at this key");
    expect(second.file.error).toContain('Set "overwrite: true"');
    expect(replacing.audit.filter((line) => line.action === "create").length).toBe(creates);
    expect((await objectBytes(replacing, "org/app/app.bin")).equals(first)).toBe(true);
    const dry = await upload(replacing, randomBytes(2000), ["--dry-run"]);
    expect(dry.file.status).toBe("refused");
    // Asked for, the object is replaced.
    const third = randomBytes(3000);
    const replaced = await upload(replacing, third, ["--overwrite"]);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect((await objectBytes(replacing, "org/app/app.bin")).equals(third)).toBe(true);
    expect(await pendingUploads(replacing)).toBe(0);
  }, 120_000);

  it("Complete keeps If-None-Match when the client asks for it, where the rule allows replacing", async () => {
    // An object is at the key (replaced by --overwrite when an earlier test left one).
    expect((await upload(replacing, randomBytes(100), ["--overwrite"])).code).toBe(0);
    const token = await replacing.issuer.token({ sub: "s", repository: "org/app", repository_owner: "org" });
    const body = randomBytes(1000);
    const first = await callBroker(replacing.broker, "POST", "/s3/multipart", token, {
      key: "org/app/app.bin",
    });
    expect(first.status).toBe(200);
    const uploadId = String(first.body.uploadId);
    const checksum = await referenceChecksum("CRC64NVME", body);
    const query = new URLSearchParams({
      key: "org/app/app.bin",
      size: String(body.length),
      checksumAlgorithm: "CRC64NVME",
      checksum,
    });
    const signed = await callBroker(replacing.broker, "GET", `/s3/multipart/${uploadId}/1?${query}`, token);
    const put = await fetch(String(signed.body.url), {
      method: "PUT",
      headers: signed.body.headers as Record<string, string>,
      body,
    });
    expect(put.status).toBe(200);
    const done = await callBroker(
      replacing.broker,
      "POST",
      `/s3/multipart/${uploadId}/complete?key=org%2Fapp%2Fapp.bin`,
      token,
      {
        parts: [{ PartNumber: 1, ETag: put.headers.get("etag"), ChecksumCRC64NVME: checksum }],
        ifNoneMatch: true,
      },
    );
    expect(done.status).toBe(412);
    await callBroker(replacing.broker, "DELETE", `/s3/multipart/${uploadId}?key=org%2Fapp%2Fapp.bin`, token);
  }, 120_000);

  it("overwrite true where the broker's rule does not allow replacing: refused, naming both fixes", async () => {
    const first = randomBytes(2000);
    expect((await upload(keeping, first)).code).toBe(0);
    const second = await upload(keeping, randomBytes(2000), ["--overwrite"]);
    expect(second.code).toBe(1);
    expect(second.file.error).toContain("the broker answered 412");
    expect(second.file.error).toContain("ask the broker's operator for a rule with overwrite: true");
    expect((await objectBytes(keeping, "org/app/app.bin")).equals(first)).toBe(true);
    expect(await pendingUploads(keeping)).toBe(0);
  }, 120_000);
});
