// Issue 13 part 3: the CLI with broker-url uploads through the broker's presigned part URLs in a process with
// no AWS variable at all, every file (small ones as one-part uploads) proven, and fails clearly, leaving no
// upload behind, when the broker or the store refuses.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { s3ClientFor } from "../emulator/sdk-client.js";
import { referenceChecksum } from "../helpers/checksums.js";
import { startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";
import { exitReason, repoRoot, runCommand, startCommand } from "../e2e/helpers.js";
import { whenLogged } from "../helpers/request-log.js";

const MiB = 1024 * 1024;
const TSX = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
const CLI = path.join(repoRoot, "src/cli.ts");

let fx: BrokerFixture;
let dir = "";

beforeAll(async () => {
  fx = await startBrokerFixture({ maxPartBytes: 8 * MiB });
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-cli-"));
}, 60_000);

afterAll(async () => {
  await fx?.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => fx.emulator!.faults.clear());

async function objectBytes(key: string): Promise<Buffer> {
  const client = s3ClientFor(fx.emulator!);
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: "artifacts", Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } finally {
    client.destroy();
  }
}

async function keys(prefix: string): Promise<string[]> {
  const client = s3ClientFor(fx.emulator!);
  try {
    const answer = await client.send(new ListObjectsV2Command({ Bucket: "artifacts", Prefix: prefix }));
    return (answer.Contents ?? []).map((object) => object.Key!).sort();
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

async function tokenFile(name: string, token: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, token);
  return file;
}

function appToken(options: Parameters<BrokerFixture["issuer"]["token"]>[1] = {}): Promise<string> {
  return fx.issuer.token({ sub: "repo:org/app", repository: "org/app", repository_owner: "org" }, options);
}

/** The CLI from source in a process whose environment has no AWS_* variable, only PATH and HOME. */
function cli(args: string[], cwd: string) {
  return runCommand(
    process.execPath,
    ["--import", TSX, CLI, "--bucket", "artifacts", "--json", ...args],
    { PATH: process.env["PATH"], HOME: dir },
    cwd,
  );
}

interface JsonFile {
  key: string;
  status: string;
  size: number;
  parts: number;
  verification: string;
  verified: boolean;
  checksumLocal: string | null;
  checksumRemote: string | null;
  sha256: string | null;
  error?: string;
  notes: string[];
}

describe("CLI with broker-url and a token file, no AWS variables", () => {
  it("uploads a multipart file and small files byte-exact, each proven by its CRC64NVME", async () => {
    const work = await mkdtemp(path.join(dir, "ok-"));
    const big = randomBytes(11 * MiB + 123);
    const small = randomBytes(70 * 1024);
    await writeFile(path.join(work, "big.bin"), big);
    await writeFile(path.join(work, "small.bin"), small);
    await writeFile(path.join(work, "empty.txt"), "");
    const token = await appToken();
    const run = await cli(
      [
        "--broker-url",
        fx.broker.url,
        "--web-identity-token-file",
        await tokenFile("ok-token", token),
        "--part-size",
        "5MiB",
        "--prefix",
        "org/app",
        "--sha256",
        "big.bin",
        "small.bin",
        "empty.txt",
      ],
      work,
    );
    expect(run.stderr).not.toContain(token);
    expect(run.stdout).not.toContain(token);
    expect(run.code, run.stderr).toBe(0);
    const files = (JSON.parse(run.stdout) as { files: JsonFile[] }).files;
    const byKey = new Map(files.map((file) => [file.key, file]));
    for (const [name, bytes, parts] of [
      ["big.bin", big, 3],
      ["small.bin", small, 1],
      ["empty.txt", Buffer.alloc(0), 1],
    ] as const) {
      const key = `org/app/${name}`;
      expect((await objectBytes(key)).equals(bytes), key).toBe(true);
      const expected = await referenceChecksum("CRC64NVME", bytes);
      expect(byKey.get(key)).toMatchObject({
        status: "uploaded",
        size: bytes.length,
        parts,
        verification: "checksum",
        verified: true,
        checksumLocal: expected,
        checksumRemote: expected,
      });
    }
    const { createHash } = await import("node:crypto");
    expect(byKey.get("org/app/big.bin")!.sha256).toBe(createHash("sha256").update(big).digest("hex"));
    // The Content-Type is guessed from the name, as for uploads with credentials.
    const client = s3ClientFor(fx.emulator!);
    const head = await client.send(new HeadObjectCommand({ Bucket: "artifacts", Key: "org/app/empty.txt" }));
    client.destroy();
    expect(head.ContentType).toMatch(/^text\/plain/);
    expect(await pendingUploads()).toBe(0);
  }, 180_000);

  it("a store that answers 503 or cuts the connection on a part is asked again", async () => {
    const work = await mkdtemp(path.join(dir, "retry-"));
    const bytes = randomBytes(6 * MiB);
    await writeFile(path.join(work, "big.bin"), bytes);
    fx.emulator!.faults.add({ operation: "UploadPart", action: "503", partNumber: 1, times: 2 });
    fx.emulator!.faults.add({ operation: "UploadPart", action: "reset", partNumber: 2, times: 1 });
    const run = await cli(
      [
        "--broker-url",
        fx.broker.url,
        "--web-identity-token-file",
        await tokenFile("retry-token", await appToken()),
        "--part-size",
        "5MiB",
        "--prefix",
        "org/app/retry",
        "big.bin",
      ],
      work,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(fx.emulator!.faults.fired).toEqual([2, 1]);
    expect((await objectBytes("org/app/retry/big.bin")).equals(bytes)).toBe(true);
    const file = (JSON.parse(run.stdout) as { files: JsonFile[] }).files[0]!;
    expect(file).toMatchObject({ status: "uploaded", verification: "checksum", verified: true });
  }, 180_000);

  it("a part changed on the way to the store is refused there, and the upload is aborted", async () => {
    const work = await mkdtemp(path.join(dir, "flip-"));
    await writeFile(path.join(work, "big.bin"), randomBytes(6 * MiB));
    fx.emulator!.faults.add({ operation: "UploadPart", action: "flip-in-transit", partNumber: 2, times: 1 });
    const run = await cli(
      [
        "--broker-url",
        fx.broker.url,
        "--web-identity-token-file",
        await tokenFile("flip-token", await appToken()),
        "--part-size",
        "5MiB",
        "--prefix",
        "org/app/flip",
        "big.bin",
      ],
      work,
    );
    expect(run.code).toBe(1);
    const file = (JSON.parse(run.stdout) as { files: JsonFile[] }).files[0]!;
    expect(file.status).toBe("failed");
    expect(file.error).toContain("UploadPart 2 failed: the store answered 400 BadDigest");
    expect(file.error).toContain("aborted through the broker");
    expect(await keys("org/app/flip/")).toEqual([]);
    expect(await pendingUploads()).toBe(0);
  }, 120_000);

  it("a part the store keeps other than it was sent is caught by ListParts before Complete", async () => {
    const work = await mkdtemp(path.join(dir, "stored-"));
    await writeFile(path.join(work, "big.bin"), randomBytes(6 * MiB));
    fx.emulator!.faults.add({ operation: "UploadPart", action: "corrupt-stored", partNumber: 1, times: 1 });
    const run = await cli(
      [
        "--broker-url",
        fx.broker.url,
        "--web-identity-token-file",
        await tokenFile("stored-token", await appToken()),
        "--part-size",
        "5MiB",
        "--prefix",
        "org/app/stored",
        "big.bin",
      ],
      work,
    );
    expect(run.code).toBe(1);
    const file = (JSON.parse(run.stdout) as { files: JsonFile[] }).files[0]!;
    expect(file.error).toContain("ListParts failed: the store's parts differ from those sent: part 1");
    expect(await keys("org/app/stored/")).toEqual([]);
    expect(await pendingUploads()).toBe(0);
  }, 120_000);

  it("a Complete whose answer is lost is confirmed by reading the object back through the broker", async () => {
    const work = await mkdtemp(path.join(dir, "lost-"));
    const bytes = randomBytes(6 * MiB);
    await writeFile(path.join(work, "big.bin"), bytes);
    fx.emulator!.faults.add({ operation: "CompleteMultipartUpload", action: "lose-response", times: 1 });
    const run = await cli(
      [
        "--broker-url",
        fx.broker.url,
        "--web-identity-token-file",
        await tokenFile("lost-token", await appToken()),
        "--part-size",
        "5MiB",
        "--prefix",
        "org/app/lost",
        "big.bin",
      ],
      work,
    );
    expect(fx.emulator!.faults.fired).toEqual([1]);
    expect(run.code, run.stdout).toBe(0);
    const file = (JSON.parse(run.stdout) as { files: JsonFile[] }).files[0]!;
    expect(file).toMatchObject({ status: "uploaded", verification: "checksum", verified: true });
    expect((await objectBytes("org/app/lost/big.bin")).equals(bytes)).toBe(true);
    expect(await pendingUploads()).toBe(0);
  }, 120_000);

  it("an object replaced right after Complete is caught by the broker's final HeadObject", async () => {
    const work = await mkdtemp(path.join(dir, "replaced-"));
    await writeFile(path.join(work, "big.bin"), randomBytes(6 * MiB));
    fx.emulator!.faults.add({ operation: "CompleteMultipartUpload", action: "replace-after", times: 1 });
    const run = await cli(
      [
        "--broker-url",
        fx.broker.url,
        "--web-identity-token-file",
        await tokenFile("replaced-token", await appToken()),
        "--part-size",
        "5MiB",
        "--prefix",
        "org/app/replaced",
        "big.bin",
      ],
      work,
    );
    expect(fx.emulator!.faults.fired).toEqual([1]);
    expect(run.code).toBe(1);
    const file = (JSON.parse(run.stdout) as { files: JsonFile[] }).files[0]!;
    expect(file.status).toBe("failed");
    expect(file.error).toContain("verify object failed: the object's CRC64NVME is");
  }, 120_000);
});

describe("CLI with broker-url, interrupted", () => {
  it("SIGINT while a part is in flight aborts the upload through the broker", async () => {
    const work = await mkdtemp(path.join(dir, "sigint-"));
    await writeFile(path.join(work, "big.bin"), randomBytes(11 * MiB));
    // Part 2 never gets an answer: the run is still uploading when part 1 is stored.
    fx.emulator!.faults.add({
      operation: "UploadPart",
      action: "stall",
      partNumber: 2,
      key: "org/app/sigint/big.bin",
    });
    const from = fx.emulator!.requestLog.length;
    const aborted = () => fx.audit.filter((line) => line.action === "abort" && line.outcome === "ok").length;
    const abortedBefore = aborted();
    const started = startCommand(
      process.execPath,
      [
        ...["--import", TSX, CLI, "--bucket", "artifacts", "--json", "--concurrency", "1"],
        ...["--broker-url", fx.broker.url, "--part-size", "5MiB", "--prefix", "org/app/sigint"],
        ...["--web-identity-token-file", await tokenFile("sigint-token", await appToken()), "big.bin"],
      ],
      { PATH: process.env["PATH"], HOME: dir },
      work,
    );
    await whenLogged(
      fx.emulator!,
      from,
      1,
      (entry) => entry.operation === "UploadPart" && entry.status === 200,
      () => started.child.kill("SIGINT"),
      exitReason(started),
    );
    const run = await started.done;
    expect(run.code).not.toBe(0);
    expect(await keys("org/app/sigint/")).toEqual([]);
    expect(await pendingUploads()).toBe(0);
    expect(aborted()).toBe(abortedBefore + 1);
  }, 120_000);
});

describe("CLI with broker-url: refusals are clear and leave nothing behind", () => {
  async function oneFile(name: string, bytes: Buffer): Promise<string> {
    const work = await mkdtemp(path.join(dir, `${name}-`));
    await writeFile(path.join(work, "app.bin"), bytes);
    return work;
  }

  it("a broker-url where nothing answers names the input", async () => {
    const work = await oneFile("down", randomBytes(1000));
    const run = await cli(
      [
        "--broker-url",
        "http://127.0.0.1:9/",
        "--web-identity-token-file",
        await tokenFile("down-token", await appToken()),
        "--prefix",
        "org/app/down",
        "app.bin",
      ],
      work,
    );
    expect(run.code).toBe(1);
    const file = (JSON.parse(run.stdout) as { files: JsonFile[] }).files[0]!;
    expect(file.error).toContain("HeadObject failed: the broker at http://127.0.0.1:9 did not answer");
    expect(file.error).toContain('check "broker-url"');
  }, 120_000);

  it("a broker-url that is not a URL, or plain http off loopback, is refused before any file", async () => {
    const work = await oneFile("bad-url", randomBytes(10));
    const token = await tokenFile("bad-url-token", await appToken());
    for (const [url, said] of [
      ["broker.example.com", 'Input "broker-url": "broker.example.com" is not an http(s) URL'],
      ["http://broker.example.com", "is plain http, which would send the OIDC token in the clear"],
    ]) {
      const run = await cli(["--broker-url", url!, "--web-identity-token-file", token, "app.bin"], work);
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).toContain(said);
    }
  }, 120_000);

  it("an expired or wrong-audience token: 401 naming broker-audience, no upload started", async () => {
    const work = await oneFile("401", randomBytes(1000));
    const before = await pendingUploads();
    for (const token of [
      await appToken({ expiresIn: Math.floor(Date.now() / 1000) - 600 }),
      await fx.issuer.token({ sub: "s", repository: "org/app", repository_owner: "org", aud: "other" }),
    ]) {
      const run = await cli(
        [
          "--broker-url",
          fx.broker.url,
          "--web-identity-token-file",
          await tokenFile("401-token", token),
          "--prefix",
          "org/app/unauthorised",
          "app.bin",
        ],
        work,
      );
      expect(run.code).toBe(1);
      const file = (JSON.parse(run.stdout) as { files: JsonFile[] }).files[0]!;
      expect(file.error).toContain("HeadObject failed: the broker answered 401");
      expect(file.error).toContain('"broker-audience"');
      expect(run.stdout + run.stderr).not.toContain(token);
    }
    expect(await keys("org/app/unauthorised/")).toEqual([]);
    expect(await pendingUploads()).toBe(before);
  }, 120_000);

  it("a key outside the token's prefix: 403 at the first call; a part over the rule's limit: 403 and the upload aborted", async () => {
    const work = await oneFile("403", randomBytes(9 * MiB));
    const token = await tokenFile("403-token", await appToken());
    const other = await cli(
      ["--broker-url", fx.broker.url, "--web-identity-token-file", token, "--prefix", "org/other", "app.bin"],
      work,
    );
    expect(other.code).toBe(1);
    const refused = (JSON.parse(other.stdout) as { files: JsonFile[] }).files[0]!;
    expect(refused.error).toContain("HeadObject failed: the broker answered 403 AccessDenied");
    expect(refused.error).toContain("upload under the prefix its rule grants");
    // One part of 9 MiB (below multipart-threshold) is over the rule's 8 MiB parts.
    const big = await cli(
      [
        "--broker-url",
        fx.broker.url,
        "--web-identity-token-file",
        token,
        "--multipart-threshold",
        "10MiB",
        "--prefix",
        "org/app/limit",
        "app.bin",
      ],
      work,
    );
    expect(big.code).toBe(1);
    const overLimit = (JSON.parse(big.stdout) as { files: JsonFile[] }).files[0]!;
    expect(overLimit.error).toContain("signing part 1 failed: the broker answered 403 AccessDenied");
    expect(overLimit.error).toContain("aborted through the broker");
    expect(await keys("org/other/")).toEqual([]);
    expect(await keys("org/app/limit/")).toEqual([]);
    expect(await pendingUploads()).toBe(0);
  }, 120_000);

  it("modes and settings a broker cannot serve are refused naming the input", async () => {
    const work = await oneFile("modes", randomBytes(10));
    const token = await tokenFile("modes-token", await appToken());
    const base = ["--broker-url", fx.broker.url, "--web-identity-token-file", token];
    for (const [extra, said] of [
      [["--mode", "download"], 'Input "broker-url" works in upload mode only'],
      [
        ["--checksum-algorithm", "none"],
        'Input "checksum-algorithm" is none, but the broker signs every part',
      ],
      [["--profile", "x"], 'Inputs "broker-url" and "profile" both choose how to reach S3'],
    ] as const) {
      const run = await cli([...base, ...extra, "app.bin"], work);
      expect(run.code, said).toBe(2);
      expect(run.stdout + run.stderr).toContain(said);
    }
  }, 120_000);
});
