// The engine against the emulator's "oss" profile, end to end: objects proven by OSS's own CRC-64
// (x-oss-hash-crc64ecma, algorithm CRC64ECMA) on every answer, Content-MD5 on every write, no x-amz-checksum sent,
// virtual-hosted requests only, and a part corrupted in storage caught by ListParts' CRC-64 before Complete.
// Requests go to <bucket>.localhost through a recording forward proxy (glibc does not resolve *.localhost), so
// the test sees every header the engine sends.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import {
  runDownloads,
  runUploads,
  type DownloadOptions,
  type EngineEvent,
  type EngineOptions,
} from "../../src/engine/index.js";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { sendSigned, type S3Target } from "../helpers/signed-request.js";

const BUCKET = "oss-engine";
const KB = 1024;
const PART = 100 * KB;

/** CRC-64/XZ written here, apart from the engine's kernel and the emulator's: OSS's value, big-endian, base64. */
function crc64ecmaBase64(data: Buffer): string {
  const reflected = 0xc96c5795d7870f42n;
  const ones = 0xffffffffffffffffn;
  const table = Array.from({ length: 256 }, (_, index) => {
    let crc = BigInt(index);
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1n ? (crc >> 1n) ^ reflected : crc >> 1n;
    return crc;
  });
  let crc = ones;
  for (const byte of data) crc = table[Number((crc ^ BigInt(byte)) & 0xffn)]! ^ (crc >> 8n);
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(crc ^ ones);
  return out.toString("base64");
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A forward proxy for http targets that sends every request to the emulator and remembers its headers. */
async function startRecordingProxy(port: number): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const target = new URL(req.url!);
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    const forwarded = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: req.method,
        path: target.pathname + target.search,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on("error", () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

let emulator: Emulator;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let dir: string;
let hosted: S3Target;

beforeAll(async () => {
  emulator = await startEmulator({ profile: "oss", buckets: [BUCKET] });
  const port = Number(new URL(emulator.endpoint).port);
  proxy = await startRecordingProxy(port);
  hosted = {
    endpoint: `http://${BUCKET}.localhost:${port}`,
    region: emulator.region,
    credentials: emulator.credentials,
  };
  dir = await mkdtemp(path.join(tmpdir(), "engine-oss-"));
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.server.close(resolve));
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Options as the front end gives them for provider oss: no x-amz-checksum chosen; the row does the rest. */
function ossOptions(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return {
    bucket: BUCKET,
    s3: {
      endpoint: emulator.virtualHostEndpoint,
      region: emulator.region,
      forcePathStyle: false,
      credentials: emulator.credentials,
      provider: "oss",
      network: { proxy: { httpProxy: proxy.url } },
    },
    partSize: PART,
    concurrency: 3,
    checksumAlgorithm: null,
    // The oss row puts Content-MD5 on every write whatever this says.
    contentMd5: false,
    multipartThreshold: PART,
    overwrite: true,
    verify: true,
    onFailure: "abort",
    dryRun: false,
    object: {},
    tuning: { retryBaseDelayMs: 5 },
    ...overrides,
  };
}

async function stored(key: string): Promise<Buffer> {
  const answer = await sendSigned(hosted, { method: "GET", path: `/${key}` });
  expect(answer.status).toBe(200);
  return answer.body;
}

function writesOf(seen: Seen[]): Seen[] {
  return seen.filter((request) => request.method === "PUT");
}

function checksumHeaders(seen: Seen[]): string[] {
  return seen.flatMap((request) =>
    Object.keys(request.headers).filter((name) => name.startsWith("x-amz-checksum")),
  );
}

describe("engine on the oss profile", () => {
  it("proves a multipart upload by OSS's CRC-64, with Content-MD5 on every part and no x-amz-checksum", async () => {
    const data = randomBytes(3 * PART + 12_345);
    const file = path.join(dir, "multi.bin");
    await writeFile(file, data);
    const from = proxy.seen.length;
    const result = await runUploads([{ path: file, key: "multi.bin" }], ossOptions());
    const [uploaded] = result.files;
    expect(uploaded?.error ?? "").toBe("");
    expect(result.ok).toBe(true);
    expect(uploaded).toMatchObject({
      multipart: true,
      parts: 4,
      verified: true,
      verification: "checksum",
      checksumAlgorithm: "CRC64ECMA",
      checksumType: "FULL_OBJECT",
      checksumLocal: crc64ecmaBase64(data),
      checksumRemote: crc64ecmaBase64(data),
    });
    expect((await stored("multi.bin")).equals(data)).toBe(true);
    const seen = proxy.seen.slice(from);
    expect(writesOf(seen)).toHaveLength(4);
    for (const write of writesOf(seen)) expect(write.headers["content-md5"]).toBeDefined();
    expect(checksumHeaders(seen)).toEqual([]);
    // Virtual-hosted: the bucket is in the host, never in the path.
    for (const request of seen)
      expect(new URL(request.url).host).toMatch(new RegExp(`^${BUCKET}\\.localhost:`));
  });

  it("proves a single PutObject by OSS's CRC-64", async () => {
    const data = randomBytes(5_000);
    const file = path.join(dir, "single.bin");
    await writeFile(file, data);
    const from = proxy.seen.length;
    // require-checksums: OSS's own CRC-64 is a checksum the store keeps.
    const result = await runUploads(
      [{ path: file, key: "single.bin" }],
      ossOptions({ requireChecksums: true }),
    );
    expect(result.files[0]?.error ?? "").toBe("");
    expect(result.files[0]).toMatchObject({
      multipart: false,
      verified: true,
      verification: "checksum",
      checksumAlgorithm: "CRC64ECMA",
      checksumRemote: crc64ecmaBase64(data),
    });
    expect((await stored("single.bin")).equals(data)).toBe(true);
    const seen = proxy.seen.slice(from);
    for (const write of writesOf(seen)) expect(write.headers["content-md5"]).toBeDefined();
    expect(checksumHeaders(seen)).toEqual([]);
  });

  it("takes OSS's upper-case ETags as the local MD5s when the final check is off (verify: false)", async () => {
    const small = randomBytes(4_000);
    const large = randomBytes(2 * PART + 77);
    await writeFile(path.join(dir, "noverify-small.bin"), small);
    await writeFile(path.join(dir, "noverify-large.bin"), large);
    const result = await runUploads(
      [
        { path: path.join(dir, "noverify-small.bin"), key: "noverify-small.bin" },
        { path: path.join(dir, "noverify-large.bin"), key: "noverify-large.bin" },
      ],
      ossOptions({ verify: false }),
    );
    expect(result.files.map((file) => file.error ?? "")).toEqual(["", ""]);
    expect(result.ok).toBe(true);
    expect((await stored("noverify-small.bin")).equals(small)).toBe(true);
    expect((await stored("noverify-large.bin")).equals(large)).toBe(true);
  });

  it("catches a part corrupted in storage by ListParts' CRC-64 before Complete, and sends it again", async () => {
    const data = randomBytes(3 * PART + 1_000);
    const file = path.join(dir, "corrupt.bin");
    await writeFile(file, data);
    emulator.faults.add({
      operation: "UploadPart",
      action: "corrupt-stored",
      key: "corrupt.bin",
      partNumber: 2,
      times: 1,
    });
    const events: EngineEvent[] = [];
    const from = emulator.requestLog.length;
    const result = await runUploads(
      [{ path: file, key: "corrupt.bin" }],
      ossOptions({ onEvent: (event) => events.push(event) }),
    );
    expect(result.files[0]?.error ?? "").toBe("");
    expect(result.files[0]).toMatchObject({ verified: true, checksumRemote: crc64ecmaBase64(data) });
    const warnings = events.flatMap((event) => (event.type === "warning" ? [event.message] : []));
    expect(warnings.join("\n")).toMatch(/part 2: CRC64ECMA \S+ listed, local \S+/);
    // Caught before Complete: part 2 was sent again after the ListParts that showed it wrong, then Complete.
    const operations = emulator.requestLog
      .slice(from)
      .map((entry) => `${entry.operation}${entry.partNumber ?? ""}`);
    const listed = operations.indexOf("ListParts");
    expect(operations.slice(listed)).toEqual(
      expect.arrayContaining(["UploadPart2", "CompleteMultipartUpload"]),
    );
    expect(operations.lastIndexOf("UploadPart2")).toBeLessThan(operations.indexOf("CompleteMultipartUpload"));
    expect((await stored("corrupt.bin")).equals(data)).toBe(true);
  });

  it("sends a part again when OSS refuses its body by Content-MD5 (InvalidDigest)", async () => {
    const data = randomBytes(2 * PART + 3_000);
    const file = path.join(dir, "flip.bin");
    await writeFile(file, data);
    emulator.faults.add({
      operation: "UploadPart",
      action: "flip-in-transit",
      key: "flip.bin",
      partNumber: 2,
      times: 1,
    });
    const events: EngineEvent[] = [];
    const result = await runUploads(
      [{ path: file, key: "flip.bin" }],
      ossOptions({ onEvent: (event) => events.push(event) }),
    );
    expect(result.files[0]?.error ?? "").toBe("");
    expect(result.files[0]).toMatchObject({ verified: true, checksumRemote: crc64ecmaBase64(data) });
    const retries = events.flatMap((event) => (event.type === "retry" ? [event.reason] : []));
    expect(retries.join("\n")).toMatch(/InvalidDigest/);
    expect((await stored("flip.bin")).equals(data)).toBe(true);
  });

  it("creates new keys under overwrite: false (x-oss-forbid-overwrite), proven by the CRC-64", async () => {
    const big = randomBytes(2 * PART + 99);
    const small = randomBytes(999);
    await writeFile(path.join(dir, "new-big.bin"), big);
    await writeFile(path.join(dir, "new-small.bin"), small);
    const from = proxy.seen.length;
    const result = await runUploads(
      [
        { path: path.join(dir, "new-big.bin"), key: "new-big.bin" },
        { path: path.join(dir, "new-small.bin"), key: "new-small.bin" },
      ],
      ossOptions({ overwrite: false }),
    );
    expect(result.files.map((file) => file.error ?? "")).toEqual(["", ""]);
    expect(result.files.map((file) => file.checksumRemote)).toEqual([
      crc64ecmaBase64(big),
      crc64ecmaBase64(small),
    ]);
    const seen = proxy.seen.slice(from);
    expect(seen.some((request) => request.headers["x-oss-forbid-overwrite"] === "true")).toBe(true);
    expect(seen.filter((request) => request.headers["if-none-match"] !== undefined)).toEqual([]);
  });

  it("finds an object already there unchanged by its CRC-64, and writes nothing", async () => {
    const data = randomBytes(2 * PART + 10);
    const file = path.join(dir, "same.bin");
    await writeFile(file, data);
    expect((await runUploads([{ path: file, key: "same.bin" }], ossOptions())).ok).toBe(true);
    const from = proxy.seen.length;
    const again = await runUploads([{ path: file, key: "same.bin" }], ossOptions({ overwrite: false }));
    expect(again.files[0]).toMatchObject({
      status: "unchanged",
      verified: true,
      checksumAlgorithm: "CRC64ECMA",
    });
    expect(writesOf(proxy.seen.slice(from))).toEqual([]);
  });

  it("fails a single PutObject whose stored object shows another CRC-64, and leaves no wrong object", async () => {
    const data = randomBytes(4_000);
    const file = path.join(dir, "bad-single.bin");
    await writeFile(file, data);
    emulator.faults.add({
      operation: "PutObject",
      action: "corrupt-stored",
      key: "bad-single.bin",
      times: 1,
    });
    const result = await runUploads([{ path: file, key: "bad-single.bin" }], ossOptions());
    const [failed] = result.files;
    // OSS takes no If-Match, so the object cannot be replaced only if it is still the one inspected: the run
    // fails and removes what it wrote rather than re-send blind.
    expect(failed?.verified).toBe(false);
    expect(failed?.error ?? "").toMatch(
      /stored CRC64ECMA is \S+, local is \S+ .*deleted; nothing of this run is left/,
    );
    const head = await sendSigned(hosted, { method: "HEAD", path: "/bad-single.bin" });
    expect(head.status).toBe(404);
  });

  function downloadOptions(overrides: Partial<DownloadOptions> = {}): DownloadOptions {
    const { s3 } = ossOptions();
    return {
      bucket: BUCKET,
      s3,
      concurrency: 3,
      partSize: PART,
      overwrite: true,
      verify: true,
      requireChecksums: true,
      dryRun: false,
      onFailure: "abort",
      tuning: { retryBaseDelayMs: 5 },
      ...overrides,
    };
  }

  it("proves a download by OSS's CRC-64 of the object, from ranged GETs combined in offset order", async () => {
    const data = randomBytes(3 * PART + 777);
    await writeFile(path.join(dir, "down-src.bin"), data);
    const up = await runUploads([{ path: path.join(dir, "down-src.bin"), key: "down.bin" }], ossOptions());
    expect(up.ok).toBe(true);
    const target = path.join(dir, "down.bin");
    const result = await runDownloads([{ key: "down.bin", path: target }], downloadOptions());
    expect(result.files[0]?.error ?? "").toBe("");
    expect(result.files[0]).toMatchObject({
      verified: true,
      verification: "checksum",
      checksumAlgorithm: "CRC64ECMA",
      checksumType: "FULL_OBJECT",
      checksumRemote: crc64ecmaBase64(data),
      checksumLocal: crc64ecmaBase64(data),
    });
    expect((await readFile(target)).equals(data)).toBe(true);
  });

  it("catches a GET body corrupted on the wire by the CRC-64 and fetches it again", async () => {
    const data = randomBytes(2 * PART + 5);
    await writeFile(path.join(dir, "wire-src.bin"), data);
    expect(
      (await runUploads([{ path: path.join(dir, "wire-src.bin"), key: "wire.bin" }], ossOptions())).ok,
    ).toBe(true);
    emulator.faults.add({ operation: "GetObject", action: "corrupt-body", key: "wire.bin", times: 1 });
    const target = path.join(dir, "wire.bin");
    const result = await runDownloads([{ key: "wire.bin", path: target }], downloadOptions());
    expect(result.files[0]?.error ?? "").toBe("");
    expect(result.files[0]).toMatchObject({ verified: true, checksumAlgorithm: "CRC64ECMA" });
    expect((await readFile(target)).equals(data)).toBe(true);
  });
});
