// provider: ceph against the real Ceph RGW 16.2: the row says RGW keeps no x-amz-checksum, so the run sends
// none from the first request, Content-MD5 on every write, and proves each object by ETag = MD5, byte-exact.
import { randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import { deleteBucketAndClose, openRgwBucket, startRgw } from "../helpers/rgw.js";

const MiB = 1024 * 1024;
const env = startRgw();
const bucket = `svu-ceph-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** Forwards to RGW and records every request's method, URL and headers. */
async function recordingProxy(target: string): Promise<{ endpoint: string; seen: Seen[]; server: Server }> {
  const upstream = new URL(target);
  const seen: Seen[] = [];
  const server = createServer((incoming, outgoing) => {
    seen.push({ method: incoming.method!, url: incoming.url!, headers: incoming.headers });
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, seen, server };
}

async function download(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

describe.skipIf(env === null)("provider ceph against Ceph RGW 16.2", () => {
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;

  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-ceph-"));
    proxy = await recordingProxy(s3.endpoint!);
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy?.server.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  /** The engine options the provider input gives, as a user would set it, with this test's credentials. */
  function configured(inputs: Record<string, string>): EngineOptions {
    const parsed = parseConfig(
      (name) =>
        ({
          bucket,
          path: "x",
          endpoint: proxy.endpoint,
          "force-path-style": "true",
          "part-size": "5MiB",
          ...inputs,
        })[name],
    );
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const engine = parsed.config.engine;
    return { ...engine, s3: { ...engine.s3, credentials: s3.credentials!, region: "us-east-1" } };
  }

  it("uploads a single object and an 11 MiB multipart object byte-exact, proven by ETag = MD5, with no x-amz-checksum sent", async () => {
    const files: LocalFile[] = [];
    const bytes = new Map<string, Buffer>();
    for (const [name, size] of [
      ["small.bin", 100_000],
      ["large.bin", 11 * MiB],
    ] as const) {
      const content = randomBytes(size);
      await writeFile(path.join(dir, name), content);
      files.push({ path: path.join(dir, name), key: `ceph/${name}` });
      bytes.set(`ceph/${name}`, content);
    }
    const options = configured({ provider: "ceph" });
    expect(options.checksumAlgorithm).toBeNull();
    proxy.seen.length = 0;
    const result = await runUploads(files, options);
    for (const file of result.files) {
      expect(file.error).toBeUndefined();
      expect(file).toMatchObject({ status: "uploaded", verified: true, verification: "etag-md5" });
      expect((await download(file.key)).equals(bytes.get(file.key)!)).toBe(true);
    }
    expect(result.files.find((file) => file.key === "ceph/large.bin")).toMatchObject({
      multipart: true,
      parts: 3,
    });
    const writes = proxy.seen.filter(
      (seen) => seen.method === "PUT" && (seen.url.includes("partNumber=") || !seen.url.includes("?")),
    );
    expect(writes).toHaveLength(4);
    for (const write of writes) {
      expect(write.headers["content-md5"], write.url).toBeDefined();
      expect(Object.keys(write.headers).filter((name) => name.startsWith("x-amz-checksum"))).toEqual([]);
    }
    // Create, Complete and every other request carry no checksum request either.
    for (const seen of proxy.seen) {
      expect(
        Object.keys(seen.headers).filter((name) => name.startsWith("x-amz-checksum")),
        seen.url,
      ).toEqual([]);
    }
  });

  it("refuses an algorithm asked for outright before any request, naming RGW and its proof", () => {
    const parsed = parseConfig(
      (name) =>
        ({ bucket, path: "x", endpoint: proxy.endpoint, provider: "ceph", "checksum-algorithm": "SHA256" })[
          name
        ],
    );
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual([
      `Input "checksum-algorithm": Ceph RGW 16.2 keeps no x-amz-checksum, so SHA256 would prove nothing there; use none (it proves objects by Content-MD5 on every write, each part's ETag = its MD5 (ListParts), the object's ETag = MD5 of the part MD5s (HeadObject)).`,
    ]);
  });
});
