import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { parse } from "yaml";
import type { FileResult, S3Settings } from "../../src/engine/types.js";
import { LIST_BUDGET, objectUrl, runOutputs, truncationNotices } from "../../src/frontend/outputs.js";

function result(overrides: Partial<FileResult>): FileResult {
  return {
    path: "/w/dist/app.zip",
    key: "builds/app.zip",
    bucket: "bkt",
    size: 20 * 1024 * 1024,
    partSize: 8 * 1024 * 1024,
    parts: 3,
    multipart: true,
    etag: '"abc-3"',
    checksumAlgorithm: "CRC64NVME",
    checksumType: "FULL_OBJECT",
    checksumLocal: "AAAAAAAAAAA=",
    checksumRemote: "AAAAAAAAAAA=",
    sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    verification: "checksum",
    verified: true,
    notes: [],
    status: "uploaded",
    durationMs: 1000,
    bytesPerSecond: 20 * 1024 * 1024,
    ...overrides,
  };
}

describe("runOutputs", () => {
  it("gives counts, keys and the single-file outputs", () => {
    const file = result({ versionId: "v1" });
    expect(runOutputs({ files: [file], ok: true }, {}, "eu-west-1", "/tmp/m.json")).toEqual({
      uploaded: "1",
      skipped: "0",
      bytes: String(20 * 1024 * 1024),
      keys: '["builds/app.zip"]',
      results: JSON.stringify([file]),
      "results-truncated": "false",
      "keys-truncated": "false",
      manifest: "/tmp/m.json",
      key: "builds/app.zip",
      etag: '"abc-3"',
      "version-id": "v1",
      checksum: "AAAAAAAAAAA=",
      sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      url: "https://bkt.s3.eu-west-1.amazonaws.com/builds/app.zip",
    });
  });

  it("counts unchanged files as skipped, not as uploaded bytes, and leaves single-file outputs out for many", () => {
    const outputs = runOutputs(
      {
        files: [
          result({ key: "a" }),
          result({ key: "b", status: "unchanged" }),
          result({ key: "c", status: "failed" }),
        ],
        ok: false,
      },
      {},
      "us-east-1",
      undefined,
    );
    expect(outputs).toMatchObject({
      uploaded: "1",
      skipped: "1",
      bytes: String(20 * 1024 * 1024),
      keys: '["a","b"]',
    });
    expect(outputs).not.toHaveProperty("key");
  });

  it("only sets outputs action.yml declares", () => {
    const declared = Object.keys((parse(readFileSync("action.yml", "utf8")) as { outputs: object }).outputs);
    expect(declared).toEqual(
      expect.arrayContaining(Object.keys(runOutputs({ files: [result({})], ok: true }, {}, "x", "m"))),
    );
  });

  it.each([
    [
      { endpoint: "http://127.0.0.1:9000", forcePathStyle: true },
      "http://127.0.0.1:9000/bkt/a%20b/c%2Bd.txt",
    ],
    [{ endpoint: "https://s3.example.com" }, "https://bkt.s3.example.com/a%20b/c%2Bd.txt"],
    [{ forcePathStyle: true }, "https://s3.ap-south-1.amazonaws.com/bkt/a%20b/c%2Bd.txt"],
  ])("builds the object URL for %j", (s3, url) => {
    expect(objectUrl("bkt", "a b/c+d.txt", s3, "ap-south-1")).toBe(url);
  });

  interface HttpRequest {
    protocol: string;
    hostname: string;
    port?: number;
    path: string;
  }

  // The URL the SDK itself would request for this object with the same settings (it never sends it here).
  async function sdkUrl(bucket: string, key: string, s3: S3Settings, region: string): Promise<string> {
    let seen: HttpRequest | undefined;
    const client = new S3Client({
      region,
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      forcePathStyle: s3.forcePathStyle ?? false,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
      maxAttempts: 1,
      requestHandler: {
        handle: (request: HttpRequest) => {
          seen = request;
          return Promise.reject(new Error("not sent"));
        },
      },
    });
    await client.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    client.destroy();
    if (!seen) throw new Error("the SDK built no request");
    const port = seen.port ? `:${seen.port}` : "";
    return `${seen.protocol}//${seen.hostname}${port}${seen.path}`;
  }

  it.each([
    ["bkt", { endpoint: "http://127.0.0.1:9000" }],
    ["bkt", { endpoint: "https://10.1.2.3" }],
    ["bkt", { endpoint: "http://[::1]:9000" }],
    ["my.bkt", { endpoint: "http://127.0.0.1:9000" }],
    ["bkt", { endpoint: "https://s3.example.com" }],
    ["my.bkt", { endpoint: "https://s3.example.com" }],
    ["my.bkt", { endpoint: "http://s3.example.com:8080" }],
    ["bkt", { endpoint: "https://s3.example.com:8443", forcePathStyle: true }],
    ["Legacy_Bucket", { endpoint: "https://s3.example.com" }],
    ["bkt", { endpoint: "http://localhost:7480" }],
    ["bkt", {}],
    ["my.bkt", {}],
    ["bkt", { forcePathStyle: true }],
    ["my.bkt", { forcePathStyle: true }],
  ] satisfies [string, S3Settings][])(
    "matches the URL the SDK uses for bucket %s with %j",
    async (bucket, s3) => {
      for (const region of ["us-east-1", "eu-west-1"]) {
        const key = "builds/a b/c+d.txt";
        expect(objectUrl(bucket, key, s3, region), region).toBe(await sdkUrl(bucket, key, s3, region));
      }
    },
  );
});

describe("the results output", () => {
  // GitHub counts an output's size as UTF-16 and refuses one over 1 MB; 2,500 files once made 1,045,020 bytes.
  const GITHUB_LIMIT = 1_000_000;
  const utf16Bytes = (text: string): number => Buffer.byteLength(text, "utf16le");

  function manyFiles(count: number, failedAt: number[]): FileResult[] {
    return Array.from({ length: count }, (_, i) =>
      result({
        path: `/home/runner/work/app/app/dist/some/deeper/folder/file-${i}.bin`,
        key: `builds/1234/some/deeper/folder/file-${i}.bin`,
        ...(failedAt.includes(i)
          ? { status: "failed", verified: false, error: `file-${i}.bin: UploadPart failed` }
          : {}),
      }),
    );
  }

  it("keeps 2,500 files' results under GitHub's limit, failed files first, and says it was cut", () => {
    const files = manyFiles(2500, [1700, 2400]);
    expect(utf16Bytes(JSON.stringify(files))).toBeGreaterThan(GITHUB_LIMIT);
    const outputs = runOutputs({ files, ok: false }, {}, "us-east-1", "/tmp/m.json");
    expect(outputs["results-truncated"]).toBe("true");
    const sizes = Object.values(outputs).map(utf16Bytes);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThan(GITHUB_LIMIT);
    expect(outputs["results"]!.length).toBeLessThanOrEqual(LIST_BUDGET.results);
    const kept = JSON.parse(outputs["results"]!) as FileResult[];
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.length).toBeLessThan(2500);
    expect(kept.slice(0, 2).map((file) => file.key)).toEqual([files[1700]!.key, files[2400]!.key]);
    expect(kept[2]).toEqual(files[0]);
    expect(JSON.parse(outputs["keys"]!)).toHaveLength(2498);
    expect(outputs["keys-truncated"]).toBe("false");
    expect(truncationNotices(outputs, { files, ok: false })).toEqual([
      `The "results" output lists ${kept.length} of 2500 files (failed ones first) to stay under GitHub's 1 MB output limit; every file is in the manifest, /tmp/m.json (output "manifest").`,
    ]);
  });

  it("is whole and says so below the budget", () => {
    const files = manyFiles(50, []);
    const outputs = runOutputs({ files, ok: true }, {}, "us-east-1", "/tmp/m.json");
    expect(outputs["results-truncated"]).toBe("false");
    expect(JSON.parse(outputs["results"]!)).toEqual(files);
    expect(outputs["keys-truncated"]).toBe("false");
    expect(truncationNotices(outputs, { files, ok: true })).toEqual([]);
  });

  it("cuts keys too when a run stores more than fit, and keeps all outputs under the limit", () => {
    const files = manyFiles(12_000, []);
    const outputs = runOutputs({ files, ok: true }, {}, "us-east-1", "/tmp/m.json");
    const sizes = Object.values(outputs).map(utf16Bytes);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThan(GITHUB_LIMIT);
    expect(outputs["keys-truncated"]).toBe("true");
    const keys = JSON.parse(outputs["keys"]!) as string[];
    expect(keys).toEqual(files.slice(0, keys.length).map((file) => file.key));
    expect(truncationNotices(outputs, { files, ok: true })[1]).toBe(
      `The "keys" output lists ${keys.length} of 12000 keys to stay under GitHub's 1 MB output limit; every key is in the manifest, /tmp/m.json (output "manifest").`,
    );
  });
});
