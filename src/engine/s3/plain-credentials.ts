// Credentials known without the SDK's provider chain (whose code comes with the whole client): the ones the
// caller gave, or the environment's keys, which the SDK's chain would pick first too. A profile (setting or
// AWS_PROFILE) makes the SDK skip the environment's keys, so it is left to the SDK, as are SSO, container,
// instance and web-identity credentials.
import type { LeanCredentials } from "./s3-lean-http.js";
import type { S3Settings } from "../types.js";

export function plainCredentials(
  settings: Pick<S3Settings, "credentials" | "profile">,
  env: NodeJS.ProcessEnv = process.env,
): LeanCredentials | null {
  if (settings.credentials) return settings.credentials;
  if (settings.profile !== undefined || env["AWS_PROFILE"]) return null;
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  if (!accessKeyId || !secretAccessKey) return null;
  const sessionToken = env["AWS_SESSION_TOKEN"];
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
