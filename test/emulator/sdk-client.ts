// An AWS SDK v3 client wired to an emulator, for tests that use the SDK as an independent S3 client.
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { Emulator } from "./index.js";

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
