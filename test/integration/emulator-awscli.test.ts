// The emulator driven by the Debian AWS CLI v2 (`/usr/bin/aws s3api`, an independent Python client and signer).
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc32c } from "@aws-crypto/crc32c";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { awsCliEnv } from "../helpers/aws-cli.js";

const AWS = "/usr/bin/aws";
const HAVE_AWS = existsSync(AWS);
const IN_CI = process.env.CI === "true";
const BUCKET = "cli-bucket";
const MIN_PART = 1024;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let emulator: Emulator;
let workDir: string;

function run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS,
      [...args, "--endpoint-url", emulator.endpoint, "--output", "json"],
      {
        env: {
          ...awsCliEnv(workDir, emulator.credentials, emulator.region),
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function ok(args: string[], env?: Record<string, string>): Promise<Record<string, unknown>> {
  const result = await run(args, env);
  if (result.code !== 0) throw new Error(`aws ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
  return result.stdout.trim() === "" ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
}

/** The S3 error code the CLI reports ("An error occurred (Code) when calling …"). */
async function failure(args: string[], env?: Record<string, string>): Promise<string> {
  const result = await run(args, env);
  expect(result.code, `aws ${args.join(" ")} should fail`).not.toBe(0);
  return /An error occurred \(([^)]+)\)/.exec(result.stderr)?.[1] ?? `unparsed: ${result.stderr}`;
}

/** Arguments of `aws s3api <operation>` on one key of the test bucket. */
function s3api(operation: string, key: string, ...args: string[]): string[] {
  return ["s3api", operation, "--bucket", BUCKET, "--key", key, ...args];
}

function b64(digest: Buffer): string {
  return digest.toString("base64");
}

function crcBytes(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

const REFERENCE = {
  CRC32: (data: Buffer) => crcBytes(crc32(data)),
  CRC32C: (data: Buffer) => crcBytes(crc32c(data)),
  SHA1: (data: Buffer) => createHash("sha1").update(data).digest(),
  SHA256: (data: Buffer) => createHash("sha256").update(data).digest(),
};
type CliAlgorithm = keyof typeof REFERENCE;
const CLI_FLAG: Record<CliAlgorithm, string> = {
  CRC32: "--checksum-crc32",
  CRC32C: "--checksum-crc32-c",
  SHA1: "--checksum-sha1",
  SHA256: "--checksum-sha256",
};
// AWS CLI 2.9 predates CRC64NVME; the SDK suite covers that algorithm.
const CLI_ALGORITHMS = Object.keys(REFERENCE) as CliAlgorithm[];

it("has the AWS CLI available when running in CI", () => {
  if (IN_CI) expect(HAVE_AWS, `${AWS} is required in CI (apt-get install awscli)`).toBe(true);
});

describe.skipIf(!HAVE_AWS)("AWS CLI v2 against the emulator", () => {
  let payload: Buffer;
  let payloadPath: string;

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: [BUCKET], minPartSize: MIN_PART });
    workDir = await mkdtemp(join(tmpdir(), "emulator-cli-"));
    payload = randomBytes(50_000);
    payloadPath = join(workDir, "payload.bin");
    await writeFile(payloadPath, payload);
  });

  afterAll(async () => {
    await emulator?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("put-object with each --checksum-algorithm stores the value that independent references compute", async () => {
    await Promise.all(
      CLI_ALGORITHMS.map(async (alg) => {
        const out = await ok(
          s3api("put-object", `cli-${alg}`, "--body", payloadPath, "--checksum-algorithm", alg),
        );
        expect(out[`Checksum${alg}`]).toBe(b64(REFERENCE[alg](payload)));
        const head = await ok(s3api("head-object", `cli-${alg}`, "--checksum-mode", "ENABLED"));
        expect(head[`Checksum${alg}`]).toBe(b64(REFERENCE[alg](payload)));
      }),
    );
    const head = await ok(s3api("head-object", "cli-SHA256", "--checksum-mode", "ENABLED"));
    expect(head.ChecksumSHA256).toBe(b64(REFERENCE.SHA256(payload)));
  });

  it("put-object with a wrong checksum value is BadDigest and with a malformed one InvalidRequest, for every algorithm", async () => {
    await Promise.all(
      CLI_ALGORITHMS.map(async (alg) => {
        const flag = CLI_FLAG[alg];
        const wrong = b64(REFERENCE[alg](Buffer.from("something else")));
        const base = s3api("put-object", `bad-${alg}`, "--body", payloadPath);
        expect(await failure([...base, flag, wrong])).toBe("BadDigest");
        expect(await failure([...base, flag, "AAAA"])).toBe("InvalidRequest");
      }),
    );
  });

  it("verifies --content-md5: right accepted, wrong BadDigest, malformed InvalidDigest", async () => {
    const md5 = createHash("md5").update(payload).digest();
    const base = s3api("put-object", "md5", "--body", payloadPath, "--content-md5");
    const [right, wrong, malformed] = await Promise.all([
      ok([...base, md5.toString("base64")]),
      failure([...base, createHash("md5").update("x").digest("base64")]),
      failure([...base, "not-an-md5"]),
    ]);
    expect(right.ETag).toBe(`"${md5.toString("hex")}"`);
    expect(wrong).toBe("BadDigest");
    expect(malformed).toBe("InvalidDigest");
  });

  it("rejects a wrong secret and an unknown access key", async () => {
    const [badSecret, badKey] = await Promise.all([
      failure(["s3api", "list-objects-v2", "--bucket", BUCKET], { AWS_SECRET_ACCESS_KEY: "not-the-secret" }),
      failure(["s3api", "list-objects-v2", "--bucket", BUCKET], {
        AWS_ACCESS_KEY_ID: "AKIANOBODY0000000000",
      }),
    ]);
    expect(badSecret).toBe("SignatureDoesNotMatch");
    expect(badKey).toBe("InvalidAccessKeyId");
  });

  it("runs a SHA256 multipart upload: paginated list-parts, complete, composite checksum, ranged get", async () => {
    const parts = [randomBytes(MIN_PART + 10), randomBytes(MIN_PART), randomBytes(MIN_PART), randomBytes(17)];
    const created = await ok(s3api("create-multipart-upload", "mp", "--checksum-algorithm", "SHA256"));
    const uploadId = String(created.UploadId);
    expect(created.ChecksumAlgorithm).toBe("SHA256");
    const completed = await Promise.all(
      parts.map(async (part, index) => {
        const path = join(workDir, `part-${index + 1}`);
        await writeFile(path, part);
        const out = await ok(
          s3api(
            "upload-part",
            "mp",
            "--upload-id",
            uploadId,
            "--part-number",
            String(index + 1),
            "--body",
            path,
            "--checksum-algorithm",
            "SHA256",
          ),
        );
        expect(out.ChecksumSHA256).toBe(b64(REFERENCE.SHA256(part)));
        return { PartNumber: index + 1, ETag: out.ETag, ChecksumSHA256: out.ChecksumSHA256 };
      }),
    );
    const before = emulator.requestLog.filter((entry) => entry.operation === "ListParts").length;
    const listed = await ok(s3api("list-parts", "mp", "--upload-id", uploadId, "--page-size", "3"));
    const listedParts = listed.Parts as { PartNumber: number; ChecksumSHA256: string }[];
    expect(listedParts.map((part) => part.PartNumber)).toEqual([1, 2, 3, 4]);
    expect(listedParts.map((part) => part.ChecksumSHA256)).toEqual(
      completed.map((part) => part.ChecksumSHA256),
    );
    expect(emulator.requestLog.filter((entry) => entry.operation === "ListParts").length - before).toBe(2);

    const spec = join(workDir, "parts.json");
    const complete = s3api(
      "complete-multipart-upload",
      "mp",
      "--upload-id",
      uploadId,
      "--multipart-upload",
      `file://${spec}`,
    );
    await writeFile(spec, JSON.stringify({ Parts: [completed[1], completed[0]] }));
    expect(await failure(complete)).toBe("InvalidPartOrder");
    await writeFile(spec, JSON.stringify({ Parts: completed }));
    const done = await ok(complete);
    const composite = REFERENCE.SHA256(Buffer.concat(parts.map((part) => REFERENCE.SHA256(part))));
    expect(done.ChecksumSHA256).toBe(`${b64(composite)}-4`);

    const target = join(workDir, "range.out");
    const ranged = await ok(
      s3api("get-object", "mp", "--range", `bytes=${MIN_PART}-${MIN_PART + 99}`, target),
    );
    expect(ranged.ContentRange).toBe(`bytes ${MIN_PART}-${MIN_PART + 99}/${Buffer.concat(parts).length}`);
    expect((await readFile(target)).equals(Buffer.concat(parts).subarray(MIN_PART, MIN_PART + 100))).toBe(
      true,
    );
  });

  it("round-trips a multi-part `aws s3 cp` and lists it", async () => {
    const big = randomBytes(17 * 1024 * 1024 + 3);
    const source = join(workDir, "big.bin");
    const back = join(workDir, "big.back");
    await writeFile(source, big);
    await ok(["s3", "cp", source, `s3://${BUCKET}/dir/big.bin`, "--only-show-errors"]);
    const head = await ok(s3api("head-object", "dir/big.bin"));
    expect(String(head.ETag)).toMatch(/-3"$/);
    await ok(["s3", "cp", `s3://${BUCKET}/dir/big.bin`, back, "--only-show-errors"]);
    expect((await readFile(back)).equals(big)).toBe(true);
    const listing = await ok(["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "dir/"]);
    expect(
      (listing.Contents as { Key: string; Size: number }[]).map((item) => [item.Key, item.Size]),
    ).toEqual([["dir/big.bin", big.length]]);
  });

  it("serves presigned URLs until they expire, and refuses tampered ones", async () => {
    await ok(s3api("put-object", "shared file.txt", "--body", payloadPath));
    const [longUrl, shortUrl] = await Promise.all(
      ["3600", "1"].map(async (seconds) => {
        const result = await run([
          "s3",
          "presign",
          `s3://${BUCKET}/shared file.txt`,
          "--expires-in",
          seconds,
        ]);
        expect(result.code).toBe(0);
        return result.stdout.trim();
      }),
    );
    const fetched = await fetch(longUrl!);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(payload)).toBe(true);
    const tampered = await fetch(longUrl!.replace("X-Amz-Expires=3600", "X-Amz-Expires=3601"));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await fetch(shortUrl!);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("<Code>AccessDenied</Code>");
  });
  // New S3 buckets disable ACLs (Object Ownership BucketOwnerEnforced); the emulator models only that, and refuses
  // what it does not model (Object Lock, other ownership settings) instead of creating a bucket without it.
  it("answers ACL, Object Lock, ownership and location requests as S3 does for its default buckets, or 501", async () => {
    const [publicRead, ownerFull, grantRead, mpuAcl, bucketAcl, lockCode, writer, elsewhere] =
      await Promise.all([
        failure(s3api("put-object", "acl-public", "--body", payloadPath, "--acl", "public-read")),
        ok(s3api("put-object", "acl-owner", "--body", payloadPath, "--acl", "bucket-owner-full-control")),
        failure(s3api("put-object", "acl-grant", "--body", payloadPath, "--grant-read", "id=someone")),
        failure(s3api("create-multipart-upload", "acl-mpu", "--acl", "public-read-write")),
        failure(["s3api", "create-bucket", "--bucket", "cli-public-bucket", "--acl", "public-read"]),
        failure([
          "s3api",
          "create-bucket",
          "--bucket",
          "cli-locked-bucket",
          "--object-lock-enabled-for-bucket",
        ]),
        failure([
          "s3api",
          "create-bucket",
          "--bucket",
          "cli-writer-bucket",
          "--object-ownership",
          "ObjectWriter",
        ]),
        failure([
          "s3api",
          "create-bucket",
          "--bucket",
          "cli-elsewhere-bucket",
          "--create-bucket-configuration",
          "LocationConstraint=eu-west-1",
        ]),
        ok(["s3api", "create-bucket", "--bucket", "cli-private-bucket", "--acl", "private"]),
      ]);
    expect({ publicRead, grantRead, mpuAcl, bucketAcl, lockCode, writer, elsewhere }).toEqual({
      publicRead: "AccessControlListNotSupported",
      grantRead: "AccessControlListNotSupported",
      mpuAcl: "AccessControlListNotSupported",
      bucketAcl: "InvalidBucketAclWithObjectOwnership",
      lockCode: "NotImplemented",
      writer: "NotImplemented",
      elsewhere: "IllegalLocationConstraintException",
    });
    expect(ownerFull.ETag).toBeDefined();
    expect(await failure(["s3api", "head-bucket", "--bucket", "cli-locked-bucket"])).toBe("404");
  });
});
