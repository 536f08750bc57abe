import { describe, expect, it } from "vitest";
import { parseConfig, type UploadConfig } from "../../src/config.js";

const VALID = { bucket: "my-bucket", path: "dist/**" };

function parsed(inputs: Record<string, string>) {
  return parseConfig((name) => ({ ...VALID, ...inputs })[name]);
}

function configFor(inputs: Record<string, string>): UploadConfig {
  const result = parsed(inputs);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}

function errorsFor(inputs: Record<string, string>): string[] {
  const result = parsed(inputs);
  return result.ok ? [] : result.errors;
}

describe("the provider input", () => {
  it("auto names the store from the endpoint's host, and the engine gets the name", () => {
    expect(configFor({}).engine.s3.provider).toBe("aws");
    expect(configFor({ endpoint: "https://oss-cn-hangzhou.aliyuncs.com" }).engine.s3.provider).toBe("oss");
    expect(configFor({ endpoint: "http://127.0.0.1:7480" }).engine.s3.provider).toBe("generic");
    expect(configFor({ endpoint: "http://127.0.0.1:7480", provider: "ceph" }).engine.s3.provider).toBe(
      "ceph",
    );
  });

  it("refuses an unknown store with the choices", () => {
    expect(errorsFor({ provider: "wasabi" })).toEqual([
      'Input "provider": "wasabi" is not supported; use one of auto, aws, oss, r2, gcs, b2, ceph, minio, generic.',
    ]);
  });

  it("OSS: path-style is refused before the first byte, with the fix", () => {
    expect(
      errorsFor({
        provider: "oss",
        endpoint: "https://oss-cn-hangzhou.aliyuncs.com",
        "force-path-style": "true",
      }),
    ).toEqual([
      'Input "force-path-style": Aliyun OSS refuses path-style requests (SecondLevelDomainForbidden); set force-path-style to false.',
    ]);
    expect(errorsFor({ provider: "oss", endpoint: "http://127.0.0.1:9000" })).toEqual([
      'Input "endpoint": Aliyun OSS refuses path-style requests (SecondLevelDomainForbidden), and an endpoint given as an IP address (127.0.0.1) is addressed path-style; give the endpoint by its host name.',
    ]);
  });

  it("OSS takes 100 KB parts, where S3's rows refuse them", () => {
    expect(
      configFor({ provider: "oss", endpoint: "http://localhost:9000", "part-size": "100KiB" }).engine
        .partSize,
    ).toBe(102_400);
    // The range named is the store's (narrowed to this Node.js's largest Buffer, where it says so).
    expect(errorsFor({ "part-size": "100KiB" })[0]).toMatch(/ use 5MiB to [45]GiB \(5242880 to /);
    expect(errorsFor({ provider: "b2", "part-size": "4MiB" })[0]).toMatch(
      / use 5000000B to [45]GiB \(5000000 to /,
    );
  });

  it("a store without x-amz-checksum drops the default algorithm and refuses one asked for, naming what proves objects there", () => {
    for (const provider of ["gcs", "b2", "ceph", "oss"]) {
      expect(configFor({ provider, endpoint: "http://store.example" }).engine.checksumAlgorithm).toBeNull();
    }
    expect(errorsFor({ provider: "b2", "checksum-algorithm": "SHA256" })).toEqual([
      `Input "checksum-algorithm": Backblaze B2 keeps no x-amz-checksum, so SHA256 would prove nothing there; use none (it proves objects by Content-MD5 on every write, each part's ETag = its MD5 (ListParts), the object's ETag = MD5 of the part MD5s (HeadObject)).`,
    ]);
    expect(errorsFor({ provider: "gcs", "require-checksums": "true" })).toEqual([
      `Input "require-checksums" is true but Google Cloud Storage (XML API) keeps no x-amz-checksum; set it to false (Google Cloud Storage (XML API) proves objects by Content-MD5 on every write, each part's ETag = its MD5 (ListParts), the object's size and ETag (HeadObject)).`,
    ]);
  });

  it("R2: a pair it does not take is refused with the ones it does", () => {
    expect(errorsFor({ provider: "r2", "checksum-algorithm": "CRC32" })).toEqual([
      'Input "checksum-algorithm": Cloudflare R2 does not take CRC32 FULL_OBJECT; use one of CRC64NVME FULL_OBJECT, CRC32 COMPOSITE, CRC32C COMPOSITE, SHA1 COMPOSITE, SHA256 COMPOSITE.',
    ]);
    expect(
      errorsFor({ provider: "r2", "checksum-algorithm": "CRC32", "checksum-type": "COMPOSITE" }),
    ).toEqual([]);
    expect(errorsFor({ provider: "r2" })).toEqual([]);
  });
});
