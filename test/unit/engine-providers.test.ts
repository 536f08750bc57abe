import { describe, expect, it } from "vitest";
import {
  addressingProblem,
  checksumPairProblem,
  detectProvider,
  PROFILES,
  PROVIDERS,
  providerProfile,
} from "../../src/engine/s3/providers.js";
import { planUpload, resolveLimits } from "../../src/engine/upload/plan.js";
import { checksumTypeAllowed } from "../../src/engine/checksum/index.js";

const MiB = 1024 * 1024;

describe("provider detection from the endpoint's host", () => {
  it.each([
    [undefined, "aws"],
    ["https://s3.eu-west-1.amazonaws.com", "aws"],
    ["https://s3.cn-north-1.amazonaws.com.cn", "aws"],
    ["https://oss-cn-hangzhou.aliyuncs.com", "oss"],
    ["https://bucket.oss-cn-hangzhou.aliyuncs.com/", "oss"],
    ["https://0123abcd.r2.cloudflarestorage.com", "r2"],
    ["https://0123abcd.eu.r2.cloudflarestorage.com", "r2"],
    ["https://storage.googleapis.com", "gcs"],
    ["https://s3.us-west-004.backblazeb2.com", "b2"],
    ["HTTPS://S3.US-WEST-004.BACKBLAZEB2.COM.", "b2"],
    ["http://127.0.0.1:7480", "generic"],
    ["http://minio.internal:9000", "generic"],
    // A look-alike host is not the store.
    ["https://notamazonaws.com", "generic"],
    ["https://aliyuncs.com.evil.example", "generic"],
  ])("%s → %s", (endpoint, name) => {
    expect(detectProvider(endpoint)).toBe(name);
  });

  it("a named provider wins over the host; auto follows it", () => {
    expect(providerProfile("ceph", "http://127.0.0.1:7480").name).toBe("ceph");
    expect(providerProfile("auto", "https://oss-cn-beijing.aliyuncs.com").name).toBe("oss");
    expect(providerProfile(undefined, undefined).name).toBe("aws");
  });
});

describe("the capability table", () => {
  it("has one row per provider, named as its key", () => {
    expect(Object.keys(PROFILES).sort()).toEqual([...PROVIDERS].sort());
    for (const name of PROVIDERS) expect(PROFILES[name].name).toBe(name);
  });

  it("lists only pairs S3 itself defines, and sane part limits", () => {
    for (const profile of Object.values(PROFILES)) {
      for (const pair of profile.checksums) expect(checksumTypeAllowed(pair.algorithm, pair.type)).toBe(true);
      expect(profile.minPartSize).toBeLessThanOrEqual(profile.maxPartSize);
      expect(profile.maxParts).toBe(10_000);
    }
  });

  it("OSS: virtual-host only, 100 KB parts, its own CRC-64 and header, no x-amz-checksum, no aws-chunked", () => {
    expect(PROFILES.oss).toMatchObject({
      addressing: "virtual-host",
      minPartSize: 100 * 1024,
      checksums: [],
      nativeChecksum: "crc64ecma",
      contentMd5: "always",
      awsChunked: false,
      conditionalCreate: "x-oss-forbid-overwrite",
    });
  });

  it("R2 wants equal parts and takes CRC64NVME whole-object, the others composite only", () => {
    expect(PROFILES.r2.equalParts).toBe(true);
    expect(checksumPairProblem(PROFILES.r2, "CRC64NVME", "FULL_OBJECT")).toBeNull();
    expect(checksumPairProblem(PROFILES.r2, "CRC32", "COMPOSITE")).toBeNull();
    expect(checksumPairProblem(PROFILES.r2, "CRC32", "FULL_OBJECT")).toBe(
      "Cloudflare R2 does not take CRC32 FULL_OBJECT; use one of CRC64NVME FULL_OBJECT, CRC32 COMPOSITE, CRC32C COMPOSITE, SHA1 COMPOSITE, SHA256 COMPOSITE.",
    );
  });

  it("stores without x-amz-checksum refuse every algorithm, naming the store and its proof", () => {
    for (const name of ["gcs", "b2", "ceph", "oss"] as const) {
      expect(checksumPairProblem(PROFILES[name], "CRC64NVME", "FULL_OBJECT")).toContain(
        `${PROFILES[name].label} keeps no x-amz-checksum`,
      );
      expect(checksumPairProblem(PROFILES[name], null, "FULL_OBJECT")).toBeNull();
    }
  });

  it("MinIO lists pending uploads only by exact key", () => {
    expect(PROFILES.minio.listMultipartUploads).toBe("exact-key");
  });
});

describe("addressing", () => {
  const request = { bucket: "b", endpoint: "https://oss-cn-hangzhou.aliyuncs.com", forcePathStyle: false };
  it("refuses path-style where the store does, with the fix", () => {
    expect(addressingProblem(PROFILES.oss, { ...request, forcePathStyle: true })).toEqual({
      input: "force-path-style",
      problem:
        "Aliyun OSS refuses path-style requests (SecondLevelDomainForbidden); set force-path-style to false.",
    });
    expect(addressingProblem(PROFILES.oss, { ...request, bucket: "a.b" })?.input).toBe("bucket");
    expect(addressingProblem(PROFILES.oss, { ...request, endpoint: "http://127.0.0.1:9000" })?.input).toBe(
      "endpoint",
    );
    expect(addressingProblem(PROFILES.oss, { ...request, endpoint: "http://[::1]:9000" })?.input).toBe(
      "endpoint",
    );
    expect(addressingProblem(PROFILES.oss, request)).toBeNull();
    expect(addressingProblem(PROFILES.aws, { ...request, forcePathStyle: true })).toBeNull();
  });
});

describe("planning with a row's limits", () => {
  it("OSS parts may be 100 KB", () => {
    const limits = resolveLimits({ minPartSize: PROFILES.oss.minPartSize });
    const plan = planUpload({
      size: 250 * 1024,
      partSize: 100 * 1024,
      multipartThreshold: 100 * 1024,
      limits,
    });
    expect(plan.ok && plan.plan.parts.map((part) => part.size)).toEqual([102_400, 102_400, 51_200]);
  });

  it("every part but the last has one size and the last is no larger, also when the size is raised for 10,000 parts (R2)", () => {
    const limits = resolveLimits({ minPartSize: PROFILES.r2.minPartSize });
    for (const size of [5 * MiB * 3 + 1, 16 * MiB * 10_000 + 12_345]) {
      const plan = planUpload({ size, partSize: 5 * MiB, multipartThreshold: 5 * MiB, limits });
      if (!plan.ok) throw new Error(plan.error);
      const sizes = plan.plan.parts.map((part) => part.size);
      expect(new Set(sizes.slice(0, -1)).size).toBe(1);
      expect(sizes.at(-1)!).toBeLessThanOrEqual(sizes[0]!);
      expect(sizes.length).toBeLessThanOrEqual(10_000);
    }
  });
});
