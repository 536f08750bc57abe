// mode: download in the one config parser: same inputs where they mean the same, its own two, and a clear
// error for every upload-only input given with it.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { resolveLimits } from "../../src/engine/index.js";

const S3_LIMITS = resolveLimits(undefined, Number.MAX_SAFE_INTEGER);
const DOWNLOAD = { bucket: "my-bucket", mode: "download" };

function parse(inputs: Record<string, string>): ReturnType<typeof parseConfig> {
  return parseConfig((name) => inputs[name], S3_LIMITS);
}

function errorsFor(inputs: Record<string, string>): string[] {
  const result = parse({ ...DOWNLOAD, ...inputs });
  return result.ok ? [] : result.errors;
}

describe("mode download", () => {
  it("needs no path: everything under the prefix", () => {
    const result = parse({ ...DOWNLOAD, prefix: "backups/db" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.mode).toBe("download");
    expect(result.config.patterns).toEqual([]);
    expect(result.config.prefix).toBe("backups/db");
    expect(result.config.download).toEqual({ versionId: undefined, expectedManifest: undefined });
  });

  it("reads the shared inputs with their upload meaning", () => {
    const result = parse({
      ...DOWNLOAD,
      path: "dist/**\n!**/*.map",
      "base-dir": "restore",
      "part-size": "32MiB",
      concurrency: "8",
      verify: "false",
      overwrite: "true",
      "on-failure": "keep",
      "if-no-files-found": "warn",
      "dry-run": "true",
      endpoint: "http://127.0.0.1:9000",
      "force-path-style": "true",
      region: "eu-west-1",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { config } = result;
    expect(config.patterns).toEqual(["dist/**", "!**/*.map"]);
    expect(config.baseDir).toBe("restore");
    expect(config.ifNoFilesFound).toBe("warn");
    expect(config.engine).toMatchObject({
      partSize: 32 * 1024 * 1024,
      concurrency: 8,
      verify: false,
      overwrite: true,
      onFailure: "keep",
      dryRun: true,
      s3: { endpoint: "http://127.0.0.1:9000", forcePathStyle: true, region: "eu-west-1" },
    });
  });

  it("allows require-checksums without checksum-algorithm: the stored checksums are what count", () => {
    const result = parse({ ...DOWNLOAD, "require-checksums": "true" });
    expect(result.ok && result.config.engine.requireChecksums).toBe(true);
  });

  it("refuses require-checksums with verify false: nothing would be checked", () => {
    expect(errorsFor({ "require-checksums": "true", verify: "false" })).toEqual([
      'Input "require-checksums" is true but "verify" is false, so no download would be checked; set verify to true, or require-checksums to false.',
    ]);
  });

  it("takes version-id for one key named without wildcards", () => {
    const result = parse({
      ...DOWNLOAD,
      path: "app.tar.gz",
      "version-id": "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
    });
    expect(result.ok && result.config.download.versionId).toBe("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY");
  });

  it.each([
    ["no path", {}],
    ["a glob", { path: "*.tar.gz" }],
    ["two keys", { path: "a.tgz\nb.tgz" }],
    ["an exclude", { path: "!a.tgz" }],
    ["a folder", { path: "dist/" }],
  ])("refuses version-id with %s", (_, inputs) => {
    expect(errorsFor({ ...inputs, "version-id": "v1" })).toEqual([
      'Input "version-id" needs "path" to name exactly one key, relative to "prefix" and without wildcards (e.g. app.tar.gz); a version id belongs to one object.',
    ]);
  });

  it("keeps expected-manifest as a path, read by the run", () => {
    const result = parse({ ...DOWNLOAD, "expected-manifest": "manifest.json" });
    expect(result.ok && result.config.download.expectedManifest).toBe("manifest.json");
  });

  it.each([
    ["checksum-algorithm", "SHA256"],
    ["checksum-type", "COMPOSITE"],
    ["content-md5", "true"],
    ["multipart-threshold", "8MiB"],
    ["include-hidden-files", "true"],
    ["content-type", "text/plain"],
    ["content-encoding", "gzip"],
    ["cache-control", "no-cache"],
    ["headers", "*.js | Cache-Control: no-cache"],
    ["metadata", "a=b"],
    ["tags", "a=b"],
    ["storage-class", "STANDARD_IA"],
    ["sse", "AES256"],
    ["sse-kms-key-id", "alias/x"],
    ["older-than", "1d"],
    ["lifecycle-abort-days", "3"],
  ])("refuses the upload-only input %s, naming it", (name, value) => {
    const errors = errorsFor({ [name]: value });
    expect(errors).toContain(
      `Input "${name}" does not apply to mode download (it is for ${name === "older-than" || name === "lifecycle-abort-days" ? "cleanup" : "uploads"}); remove it.`,
    );
  });

  it("takes sha256: each file's SHA-256 from the bytes written, for the checksums-file", () => {
    const result = parse({ bucket: "b-1", mode: "download", sha256: "true" });
    expect(result.ok && result.config.engine.sha256).toBe(true);
  });

  it("accepts an upload-only input left at its action.yml default, as the runner passes it", () => {
    expect(
      errorsFor({ "checksum-algorithm": "CRC64NVME", "content-md5": "false", "older-than": "7d" }),
    ).toEqual([]);
  });

  it.each(["upload", "cleanup"])("refuses the download inputs in mode %s", (mode) => {
    const result = parse({
      bucket: "b-1",
      path: "a",
      mode,
      "version-id": "v1",
      "expected-manifest": "m.json",
    });
    expect(result.ok ? [] : result.errors).toEqual([
      `Input "version-id" is for mode download; remove it, or set "mode" to download.`,
      `Input "expected-manifest" is for mode download; remove it, or set "mode" to download.`,
    ]);
  });

  it("names download among the modes", () => {
    expect(errorsFor({ mode: "restore" })).toContain(
      'Input "mode": "restore" is not supported; use one of upload, download, cleanup.',
    );
  });
});
