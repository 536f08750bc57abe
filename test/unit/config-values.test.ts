import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import type { UploadConfig } from "../../src/config.js";

function configFor(inputs: Record<string, string>): UploadConfig {
  const result = parseConfig((name) => inputs[name]);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}

describe("parseConfig", () => {
  it("fills every default when only bucket and path are given", () => {
    expect(configFor({ bucket: "my-bucket", path: "dist/**" })).toEqual({
      engine: {
        bucket: "my-bucket",
        s3: { region: undefined, endpoint: undefined, forcePathStyle: false, provider: "aws" },
        partSize: 16 * 1024 * 1024,
        concurrency: 4,
        checksumAlgorithm: "CRC64NVME",
        checksumType: undefined,
        contentMd5: false,
        multipartThreshold: 16 * 1024 * 1024,
        overwrite: false,
        verify: true,
        onFailure: "abort",
        dryRun: false,
        requireChecksums: false,
        sha256: false,
        object: {},
      },
      patterns: ["dist/**"],
      prefix: "",
      baseDir: ".",
      ifNoFilesFound: "error",
      includeHiddenFiles: false,
      headerRules: [],
      mode: "upload",
      cleanup: { olderThanMs: 7 * 86_400_000, lifecycleDays: undefined },
      download: { versionId: undefined, expectedManifest: undefined },
    } satisfies UploadConfig);
  });

  it("treats empty and blank values as unset, as the runner passes them", () => {
    const config = configFor({ bucket: "b-1", path: "a", concurrency: "  ", verify: "" });
    expect(config.engine.concurrency).toBe(4);
    expect(config.engine.verify).toBe(true);
  });

  it("reads every setting", () => {
    const config = configFor({
      bucket: "releases.example",
      path: " dist/**\n\n!dist/**/*.map \n",
      prefix: "builds/42/",
      "base-dir": "dist",
      "part-size": "64MB",
      concurrency: "8",
      "checksum-algorithm": "crc32c",
      "checksum-type": "composite",
      "content-md5": "TRUE",
      "multipart-threshold": "100MiB",
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:9000",
      "force-path-style": "true",
      overwrite: "true",
      "if-no-files-found": "warn",
      "include-hidden-files": "true",
      "content-type": "application/zip",
      "cache-control": "max-age=60",
      "content-encoding": "gzip",
      headers: "*.html | Cache-Control: no-cache",
      metadata: "build=42\ncommit = abc=def",
      tags: "team=infra",
      "storage-class": "STANDARD_IA",
      sse: "aws:kms",
      "sse-kms-key-id": "alias/builds",
      verify: "false",
      "require-checksums": "true",
      sha256: "true",
      "on-failure": "keep",
      "dry-run": "true",
    });
    expect(config).toEqual({
      engine: {
        bucket: "releases.example",
        s3: {
          region: "eu-west-1",
          endpoint: "http://127.0.0.1:9000",
          forcePathStyle: true,
          provider: "generic",
        },
        partSize: 64_000_000,
        concurrency: 8,
        checksumAlgorithm: "CRC32C",
        checksumType: "COMPOSITE",
        contentMd5: true,
        multipartThreshold: 100 * 1024 * 1024,
        overwrite: true,
        verify: false,
        onFailure: "keep",
        dryRun: true,
        requireChecksums: true,
        sha256: true,
        object: {
          contentType: "application/zip",
          contentEncoding: "gzip",
          cacheControl: "max-age=60",
          metadata: { build: "42", commit: "abc=def" },
          tags: { team: "infra" },
          storageClass: "STANDARD_IA",
          sse: "aws:kms",
          sseKmsKeyId: "alias/builds",
        },
      },
      patterns: ["dist/**", "!dist/**/*.map"],
      prefix: "builds/42/",
      baseDir: "dist",
      ifNoFilesFound: "warn",
      includeHiddenFiles: true,
      headerRules: [{ line: 1, pattern: "*.html", header: "cacheControl", value: "no-cache" }],
      mode: "upload",
      cleanup: { olderThanMs: 7 * 86_400_000, lifecycleDays: undefined },
      download: { versionId: undefined, expectedManifest: undefined },
    } satisfies UploadConfig);
  });

  it("maps checksum-algorithm none to no additional checksum", () => {
    expect(
      configFor({ bucket: "bkt", path: "a", "checksum-algorithm": "none" }).engine.checksumAlgorithm,
    ).toBeNull();
  });

  it("lets the multipart threshold follow a custom part size", () => {
    expect(configFor({ bucket: "bkt", path: "a", "part-size": "8MiB" }).engine.multipartThreshold).toBe(
      8 * 1024 * 1024,
    );
  });
});
