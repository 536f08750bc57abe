// Store profiles driven by the Debian AWS CLI v2 (`/usr/bin/aws`, an independent Python client and signer). For
// virtual-hosted addressing the CLI goes through a forward proxy that knows `<bucket>.localhost` is the emulator, as
// the machine's resolver does not.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { awsCliEnv } from "../helpers/aws-cli.js";
import { startForwardProxy, type ForwardProxy } from "../helpers/forward-proxy.js";

const AWS = "/usr/bin/aws";
const HAVE_AWS = existsSync(AWS);
const IN_CI = process.env.CI === "true";
const BUCKET = "cli-oss";
const MIB = 1024 * 1024;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let emulator: Emulator;
let proxy: ForwardProxy;
let workDir: string;
let virtualConfig: string;

/** The CLI against the emulator's localhost name, virtual-hosted through the proxy (or path-style at its IP). */
function run(args: string[], addressing: "virtual" | "path" = "virtual"): Promise<CliResult> {
  const endpoint = addressing === "virtual" ? emulator.virtualHostEndpoint : emulator.endpoint;
  const env = {
    ...awsCliEnv(workDir, emulator.credentials, emulator.region),
    ...(addressing === "virtual" ? { AWS_CONFIG_FILE: virtualConfig, HTTP_PROXY: proxy.url } : {}),
  };
  return new Promise((resolve) => {
    execFile(
      AWS,
      [...args, "--endpoint-url", endpoint, "--output", "json"],
      { env, maxBuffer: 64 * MIB },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function ok(args: string[]): Promise<Record<string, unknown>> {
  const result = await run(args);
  if (result.code !== 0) throw new Error(`aws ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
  return result.stdout.trim() === "" ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
}

function errorCode(result: CliResult): string {
  expect(result.code, "the CLI should have failed").not.toBe(0);
  return /An error occurred \(([^)]+)\)/.exec(result.stderr)?.[1] ?? `unparsed: ${result.stderr}`;
}

function md5Hex(data: Buffer): string {
  return createHash("md5").update(data).digest("hex");
}

describe.skipIf(!HAVE_AWS && !IN_CI)("emulator oss profile with the AWS CLI", () => {
  beforeAll(async () => {
    emulator = await startEmulator({ profile: "oss", buckets: [BUCKET] });
    const port = new URL(emulator.endpoint).port;
    proxy = await startForwardProxy({ hosts: { [`${BUCKET}.localhost`]: `127.0.0.1:${port}` } });
    workDir = await mkdtemp(join(tmpdir(), "emulator-profile-cli-"));
    virtualConfig = join(workDir, "config");
    await writeFile(
      virtualConfig,
      "[default]\ns3 =\n  addressing_style = virtual\n  multipart_threshold = 5MB\n  multipart_chunksize = 5MB\n",
    );
  });

  afterAll(async () => {
    await proxy?.stop();
    await emulator?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("is refused path-style with SecondLevelDomainForbidden", async () => {
    const result = await run(["s3api", "head-bucket", "--bucket", BUCKET], "path");
    // HEAD answers carry no body: the CLI shows the status.
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("403");
    const put = await run(["s3api", "put-object", "--bucket", BUCKET, "--key", "p.txt"], "path");
    expect(errorCode(put)).toBe("SecondLevelDomainForbidden");
  });

  it("round-trips single and multipart objects virtual-hosted, with OSS's upper-case ETags", async () => {
    const small = randomBytes(1000);
    const smallFile = join(workDir, "small.bin");
    await writeFile(smallFile, small);
    const put = await ok(["s3api", "put-object", "--bucket", BUCKET, "--key", "s.bin", "--body", smallFile]);
    expect(put.ETag).toBe(`"${md5Hex(small).toUpperCase()}"`);
    const large = randomBytes(6 * MIB);
    const largeFile = join(workDir, "large.bin");
    await writeFile(largeFile, large);
    const copied = await run(["s3", "cp", largeFile, `s3://${BUCKET}/l.bin`, "--only-show-errors"]);
    expect(copied.code, copied.stderr).toBe(0);
    const head = await ok(["s3api", "head-object", "--bucket", BUCKET, "--key", "l.bin"]);
    expect(head.ETag).toMatch(/^"[0-9A-F]{32}-2"$/);
    expect(head.ContentLength).toBe(large.length);
    const back = join(workDir, "back.bin");
    await ok(["s3api", "get-object", "--bucket", BUCKET, "--key", "l.bin", back]);
    expect((await readFile(back)).equals(large)).toBe(true);
    expect(proxy.forwarded).toBeGreaterThan(0);
  });

  it("answers a wrong Content-MD5 with InvalidDigest", async () => {
    const file = join(workDir, "md5.bin");
    await writeFile(file, "content");
    const wrong = createHash("md5").update("other").digest("base64");
    const result = await run([
      "s3api",
      "put-object",
      "--bucket",
      BUCKET,
      "--key",
      "m.bin",
      "--body",
      file,
      "--content-md5",
      wrong,
    ]);
    expect(errorCode(result)).toBe("InvalidDigest");
  });
});
