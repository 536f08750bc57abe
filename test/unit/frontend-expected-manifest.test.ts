// expected-manifest: an upload manifest becomes, per key, the size and checksum a download must reproduce.
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseExpectedManifest, readExpectedManifest } from "../../src/frontend/expected-manifest.js";

function uploadManifest(files: Record<string, unknown>[]): string {
  return JSON.stringify({
    tool: "s3-verified-upload",
    version: "1.0.0",
    createdAt: "2026-11-30T00:00:00.000Z",
    bucket: "releases",
    endpoint: null,
    ok: true,
    totals: {},
    files,
  });
}

const stored = {
  path: "/w/dist/a.bin",
  key: "rel/a.bin",
  bucket: "releases",
  size: 42,
  etag: '"abc-2"',
  checksumAlgorithm: "CRC64NVME",
  checksumType: "FULL_OBJECT",
  checksumLocal: "AAAAAAAAAAA=",
  checksumRemote: "AAAAAAAAAAA=",
  sha256: null,
  verification: "checksum",
  verified: true,
  status: "uploaded",
};

describe("parseExpectedManifest", () => {
  it("takes each stored file's size, checksum and ETag", () => {
    const parsed = parseExpectedManifest(
      uploadManifest([
        stored,
        {
          ...stored,
          key: "rel/b.txt",
          status: "unchanged",
          checksumAlgorithm: null,
          checksumType: null,
          checksumLocal: null,
          checksumRemote: null,
          etag: '"d41d8cd98f00b204e9800998ecf8427e"',
          sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          size: 0,
        },
        { ...stored, key: "rel/failed.bin", status: "failed" },
      ]),
      "m.json",
    );
    expect(parsed).toEqual({
      ok: true,
      manifest: {
        bucket: "releases",
        files: new Map([
          [
            "rel/a.bin",
            {
              size: 42,
              checksumAlgorithm: "CRC64NVME",
              checksumType: "FULL_OBJECT",
              checksum: "AAAAAAAAAAA=",
              etag: '"abc-2"',
            },
          ],
          [
            "rel/b.txt",
            {
              size: 0,
              checksumAlgorithm: null,
              checksumType: null,
              checksum: null,
              etag: '"d41d8cd98f00b204e9800998ecf8427e"',
              sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            },
          ],
        ]),
      },
    });
  });

  it.each([
    ["not JSON", "{", "is not JSON"],
    ["another tool's JSON", JSON.stringify({ files: [] }), "is not a manifest of s3-verified-upload"],
    [
      "a download manifest",
      JSON.stringify({ tool: "s3-verified-upload", kind: "download", files: [] }),
      "is a download manifest",
    ],
    ["a file without a key", uploadManifest([{ ...stored, key: 7 }]), 'file 1 has no valid "key"'],
    ["a negative size", uploadManifest([{ ...stored, size: -1 }]), 'file 1 has no valid "size"'],
    [
      "an unknown algorithm",
      uploadManifest([{ ...stored, checksumAlgorithm: "MD4" }]),
      'file 1 has no valid "checksumAlgorithm"',
    ],
    ["a key twice", uploadManifest([stored, stored]), 'lists key "rel/a.bin" twice'],
  ])("refuses %s, naming the input and the fix", (_, text, why) => {
    const parsed = parseExpectedManifest(text, "m.json");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toContain('Input "expected-manifest": m.json');
    expect(parsed.error).toContain(why);
    expect(parsed.error).toContain('"manifest" output');
  });
});

describe("readExpectedManifest", () => {
  it("takes an upload to Aliyun OSS, proven by OSS's own CRC-64 (CRC64ECMA)", () => {
    const parsed = parseExpectedManifest(
      uploadManifest([
        { ...stored, checksumAlgorithm: "CRC64ECMA", etag: '"5EB63BBBE01EEED093CB22BB8F5ACDC3"' },
      ]),
      "m.json",
    );
    expect(parsed.ok && parsed.manifest.files.get("rel/a.bin")?.checksumAlgorithm).toBe("CRC64ECMA");
  });

  it("says when the file cannot be read", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "s3vu-expected-"));
    const missing = path.join(dir, "nope.json");
    const read = await readExpectedManifest(missing);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toContain(`Input "expected-manifest": cannot read ${missing}`);
    const present = path.join(dir, "m.json");
    await writeFile(present, uploadManifest([stored]));
    expect((await readExpectedManifest(present)).ok).toBe(true);
  });
});
