// An AWS SDK v3 client wired to an emulator, for tests that use the SDK as an independent S3 client.
import { Agent } from "node:http";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { Emulator } from "./index.js";
import { localhostLookup } from "./localhost.js";

export function s3ClientFor(
  emulator: Pick<Emulator, "endpoint" | "region" | "credentials">,
  overrides: Partial<S3ClientConfig> = {},
): S3Client {
  return new S3Client({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: emulator.credentials,
    forcePathStyle: true,
    maxAttempts: 1,
    ...overrides,
  });
}

/**
 * An SDK client that addresses buckets virtual-hosted (`<bucket>.localhost:PORT`), as the oss profile requires;
 * its connections go to 127.0.0.1, which the machine's resolver would not find for those names.
 */
export function virtualHostClientFor(
  emulator: Pick<Emulator, "virtualHostEndpoint" | "region" | "credentials">,
  overrides: Partial<S3ClientConfig> = {},
): S3Client {
  return new S3Client({
    endpoint: emulator.virtualHostEndpoint,
    region: emulator.region,
    credentials: emulator.credentials,
    forcePathStyle: false,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, lookup: localhostLookup }) },
    ...overrides,
  });
}

/** The S3 error code and HTTP status an SDK call failed with (throws if it succeeded). */
export async function s3ErrorOf(
  call: Promise<unknown>,
): Promise<{ code: string; status: number | undefined }> {
  try {
    await call;
  } catch (error) {
    const failure = error as { name: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    return { code: failure.Code ?? failure.name, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error("expected the S3 call to fail, but it succeeded");
}
