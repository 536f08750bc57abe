// broker-url in front of Ceph RGW, which neither keeps nor checks part checksums: with content-md5 the parts
// are signed with their MD5s, and the object is proven by its multipart ETag made from the local MD5s.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";
import { deleteBucketAndClose, openRgwBucket, startRgw } from "../helpers/rgw.js";
import { repoRoot, runCommand } from "../e2e/helpers.js";

const MiB = 1024 * 1024;
const TSX = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
const CLI = path.join(repoRoot, "src/cli.ts");
const env = startRgw();
const bucket = `svu-broker-cli-${randomUUID().slice(0, 8)}`;
let sdk: S3Client;
let fx: BrokerFixture;
let dir = "";

interface JsonFile {
  key: string;
  status: string;
  verification: string;
  verified: boolean;
  error?: string;
}

describe.skipIf(env === null)("CLI with broker-url in front of Ceph RGW", () => {
  beforeAll(async () => {
    const opened = await openRgwBucket(env!, bucket, "svu-broker-cli-rgw-");
    sdk = opened.sdk;
    fx = await startBrokerFixture({
      store: {
        endpoint: env!.S3_ENDPOINT!,
        region: "us-east-1",
        credentials: opened.s3.credentials!,
        bucket,
      },
      maxPartBytes: 8 * MiB,
      requireContentMd5: true,
    });
    dir = await mkdtemp(path.join(tmpdir(), "svu-broker-cli-rgw-"));
  }, 240_000);

  afterAll(async () => {
    await fx?.stop();
    if (sdk) await deleteBucketAndClose(sdk, bucket);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function cli(work: string, extra: string[]) {
    const token = await fx.issuer.token({ sub: "s", repository: "org/app", repository_owner: "org" });
    await writeFile(path.join(work, "token"), token);
    const run = await runCommand(
      process.execPath,
      [
        ...["--import", TSX, CLI, "--bucket", bucket, "--json", "--part-size", "5MiB"],
        ...["--broker-url", fx.broker.url, "--web-identity-token-file", path.join(work, "token")],
        ...extra,
      ],
      { PATH: process.env["PATH"], HOME: dir },
      work,
    );
    return { ...run, files: (JSON.parse(run.stdout) as { files: JsonFile[] }).files };
  }

  async function objectBytes(key: string): Promise<Buffer> {
    const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  }

  it("with content-md5: byte-exact, each object proven by its ETag from the local MD5s", async () => {
    const work = await mkdtemp(path.join(dir, "ok-"));
    const big = randomBytes(11 * MiB + 5);
    const small = randomBytes(3000);
    await writeFile(path.join(work, "big.bin"), big);
    await writeFile(path.join(work, "small.bin"), small);
    const run = await cli(work, ["--content-md5", "--prefix", "org/app", "big.bin", "small.bin"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const file of run.files) {
      expect(file).toMatchObject({ status: "uploaded", verified: true, verification: "etag-md5" });
    }
    expect((await objectBytes("org/app/big.bin")).equals(big)).toBe(true);
    expect((await objectBytes("org/app/small.bin")).equals(small)).toBe(true);
  }, 240_000);

  it("without content-md5 the broker refuses to sign; the error names the input and no upload is left", async () => {
    const work = await mkdtemp(path.join(dir, "nomd5-"));
    await writeFile(path.join(work, "app.bin"), randomBytes(3000));
    const run = await cli(work, ["--prefix", "org/app/nomd5", "app.bin"]);
    expect(run.code).toBe(1);
    expect(run.files[0]!.error).toContain('set "content-md5: true"');
    const pending = await sdk.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(pending.Uploads ?? []).toEqual([]);
  }, 240_000);
});
