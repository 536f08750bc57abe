// plainBucketEndpoint answers without the SDK only where it gives exactly the SDK's URL and signing region;
// everywhere else it must answer null (the SDK then decides).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainBucketEndpoint, type EndpointSettings } from "../../src/engine/s3/lean-endpoint.js";

let dir: string;
let noConfig: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-lean-endpoint-"));
  noConfig = { AWS_CONFIG_FILE: path.join(dir, "absent") };
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const sdk = new S3Client({ region: "us-east-1" });

function sdkEndpoint(
  settings: EndpointSettings,
  bucket: string,
): { url: string; signingRegion: unknown; signingName: unknown } | string {
  try {
    const resolved = sdk.config.endpointProvider({
      Bucket: bucket,
      Region: settings.region,
      UseFIPS: false,
      UseDualStack: false,
      Accelerate: false,
      ForcePathStyle: settings.forcePathStyle ?? false,
      ...(settings.endpoint ? { Endpoint: settings.endpoint } : {}),
    });
    const scheme = (resolved.properties?.authSchemes as Array<Record<string, unknown>> | undefined)?.[0];
    if (scheme?.name !== "sigv4" || scheme.signingName !== "s3") return `auth ${String(scheme?.name)}`;
    return { url: resolved.url.href, signingRegion: scheme.signingRegion, signingName: scheme.signingName };
  } catch (error) {
    return `error ${(error as Error).message}`;
  }
}

const ENDPOINTS = [
  undefined,
  "http://127.0.0.1:9000",
  "http://127.0.0.1:9000/",
  "http://localhost:7480",
  "https://minio.example.com",
  "https://minio.example.com:8443/",
  "https://minio.example.com/base",
  "https://minio.example.com/base/",
  "http://[::1]:9000",
  "https://s3.eu-central-1.amazonaws.com",
  "https://storage.example.com/a/b/",
];
const REGIONS = [
  "us-east-1",
  "eu-central-1",
  "ap-southeast-2",
  "aws-global",
  "s3-external-1",
  "us-east-1-fips",
  "fips-us-east-1",
  "cn-north-1",
  "us-gov-west-1",
  "default",
  "auto",
  "garage",
];
const BUCKETS = [
  "bucket",
  "my-bucket-1",
  "my.bucket",
  "a.b.c",
  "Bucket",
  "ab",
  "1.2.3.4",
  "192.168.1.1",
  "bucket-",
  "-bucket",
  "my..bucket",
  "my_bucket",
  "mybucket--use1-az4--x-s3",
  "b--x-s3",
  "arn:aws:s3:us-east-1:123456789012:accesspoint/ap",
  "ap-123-s3alias",
  "x".repeat(63),
  "x".repeat(64),
];

describe("plainBucketEndpoint agrees with the SDK's endpoint rules wherever it answers", () => {
  const cases = ENDPOINTS.flatMap((endpoint) =>
    REGIONS.flatMap((region) =>
      BUCKETS.flatMap((bucket) =>
        [false, true].map((forcePathStyle) => ({
          settings: { region, forcePathStyle, ...(endpoint ? { endpoint } : {}) },
          bucket,
        })),
      ),
    ),
  );

  it(`over ${cases.length} combinations of endpoint, region, bucket and path style`, () => {
    let answered = 0;
    for (const { settings, bucket } of cases) {
      const lean = plainBucketEndpoint(settings, bucket, noConfig);
      if (lean === null) continue;
      answered++;
      expect({ settings, bucket, ...sdkEndpointOrError(settings, bucket) }).toEqual({
        settings,
        bucket,
        url: lean.url.href,
        signingRegion: lean.signingRegion,
        signingName: lean.signingName,
      });
    }
    // The common cases are answered: plain names at a custom endpoint or in a standard region.
    expect(answered).toBeGreaterThan(cases.length / 5);
  });

  it("answers the everyday settings: the emulator, RGW, MinIO and Amazon S3 in a standard region", () => {
    expect(
      plainBucketEndpoint(
        { endpoint: "http://127.0.0.1:9000", forcePathStyle: true, region: "us-east-1" },
        "b",
        noConfig,
      ),
    ).toBeNull();
    for (const [settings, bucket] of [
      [{ endpoint: "http://127.0.0.1:9000", forcePathStyle: true, region: "us-east-1" }, "builds"],
      [{ endpoint: "http://localhost:7480", region: "default" }, "builds"],
      [{ region: "eu-central-1" }, "my-artifacts"],
      [{ region: "us-east-1" }, "my.artifacts"],
    ] as const) {
      expect(plainBucketEndpoint(settings, bucket, noConfig)).not.toBeNull();
    }
  });

  it("leaves FIPS, dual-stack and configured endpoints to the SDK", async () => {
    const settings = { region: "us-east-1" };
    expect(
      plainBucketEndpoint(settings, "bucket", { ...noConfig, AWS_USE_FIPS_ENDPOINT: "true" }),
    ).toBeNull();
    expect(
      plainBucketEndpoint(settings, "bucket", { ...noConfig, AWS_USE_DUALSTACK_ENDPOINT: "false" }),
    ).toBeNull();
    expect(
      plainBucketEndpoint(settings, "bucket", { ...noConfig, AWS_ENDPOINT_URL_S3: "http://x" }),
    ).toBeNull();
    expect(plainBucketEndpoint(settings, "bucket", { ...noConfig, AWS_ENDPOINT_URL: "http://x" })).toBeNull();
    // A custom endpoint wins over AWS_ENDPOINT_URL in the SDK too.
    expect(
      plainBucketEndpoint({ ...settings, endpoint: "http://127.0.0.1:1" }, "bucket", {
        ...noConfig,
        AWS_ENDPOINT_URL: "http://x",
      }),
    ).not.toBeNull();
    const config = path.join(dir, "config");
    await writeFile(config, "[default]\nregion = us-east-1\n\n[profile fips]\nuse_fips_endpoint = true\n");
    expect(plainBucketEndpoint(settings, "bucket", { AWS_CONFIG_FILE: config })).toBeNull();
    await writeFile(config, "[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:1\n");
    expect(plainBucketEndpoint(settings, "bucket", { AWS_CONFIG_FILE: config })).toBeNull();
    await writeFile(config, "[default]\nregion = us-east-1\n");
    expect(plainBucketEndpoint(settings, "bucket", { AWS_CONFIG_FILE: config })).not.toBeNull();
  });
});

function sdkEndpointOrError(settings: EndpointSettings, bucket: string) {
  const answer = sdkEndpoint(settings, bucket);
  return typeof answer === "string" ? { sdk: answer } : answer;
}
