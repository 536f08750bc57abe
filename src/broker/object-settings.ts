// The object settings a caller may ask the create route for (served headers, metadata, tags, storage class,
// SSE), read from its JSON body into the headers of CreateMultipartUpload, and checked against the caller's
// rule: what it does not list is refused naming the setting, the value and what is allowed.
import type { ObjectHeaders } from "../engine/s3/s3-client.js";
import type { Grant } from "./policy.js";

export type SettingsCheck =
  { ok: true; headers: ObjectHeaders } | { ok: false; status: 400 | 403; message: string };

const SERVED = ["cacheControl", "contentDisposition", "contentEncoding", "contentLanguage"] as const;
const SSE_MODES = ["AES256", "aws:kms", "aws:kms:dsse"];
// S3's user metadata names travel as x-amz-meta-<name> headers: an HTTP token, stored lower-case.
const METADATA_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

class Malformed extends Error {}

/** Control characters would end or split the header the value travels in. */
function hasControl(value: string): boolean {
  return [...value].some((char) => char < " " || char === "\u007f");
}

function optionalText(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "" || hasControl(value)) {
    throw new Malformed(`${field} must be a non-empty string without control characters`);
  }
  return value;
}

function stringRecord(body: Record<string, unknown>, field: string): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Malformed(`${field} must be an object of names to string values`);
  }
  const entries = Object.entries(value);
  for (const [name, item] of entries) {
    if (typeof item !== "string" || hasControl(item)) {
      throw new Malformed(`${field}.${name} must be a string without control characters`);
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function settingsOf(body: Record<string, unknown>): ObjectHeaders {
  const type = body.type;
  const headers: ObjectHeaders = {
    contentType: typeof type === "string" && type !== "" ? type : "application/octet-stream",
  };
  for (const field of SERVED) {
    const value = optionalText(body, field);
    if (value !== undefined) headers[field] = value;
  }
  const metadata = stringRecord(body, "metadata");
  if (metadata !== undefined) {
    const bad = Object.keys(metadata).find((name) => !METADATA_NAME.test(name));
    if (bad !== undefined)
      throw new Malformed(`metadata name "${bad}" must be lower-case letters, digits or -_.`);
    if (Object.keys(metadata).length > 0) headers.metadata = metadata;
  }
  const tags = stringRecord(body, "tags");
  if (tags !== undefined && Object.keys(tags).length > 0)
    headers.tagging = new URLSearchParams(tags).toString();
  const storageClass = optionalText(body, "storageClass");
  if (storageClass !== undefined) {
    if (!/^[A-Z_]+$/.test(storageClass))
      throw new Malformed(`storageClass ${storageClass} is not a storage class`);
    headers.storageClass = storageClass;
  }
  const sse = optionalText(body, "sse");
  if (sse !== undefined) {
    if (!SSE_MODES.includes(sse)) throw new Malformed(`sse must be one of ${SSE_MODES.join(", ")}`);
    headers.sse = sse;
  }
  const sseKmsKeyId = optionalText(body, "sseKmsKeyId");
  if (sseKmsKeyId !== undefined) {
    if (sse === undefined || sse === "AES256")
      throw new Malformed("sseKmsKeyId needs sse aws:kms or aws:kms:dsse");
    headers.sseKmsKeyId = sseKmsKeyId;
  }
  return headers;
}

/** Why the rule does not allow these settings, or undefined when it does. */
function ruleRefusal(grant: Grant, headers: ObjectHeaders): string | undefined {
  const allowed = (list: readonly string[]) => (list.length > 0 ? list.join(", ") : "none");
  if (
    headers.storageClass !== undefined &&
    grant.storageClasses &&
    !grant.storageClasses.includes(headers.storageClass)
  ) {
    return `storage class ${headers.storageClass} is not allowed under this prefix (allowed: ${allowed(grant.storageClasses)})`;
  }
  if (headers.sse !== undefined && grant.sse && !grant.sse.includes(headers.sse)) {
    return `SSE ${headers.sse} is not allowed under this prefix (allowed: ${allowed(grant.sse)})`;
  }
  if (headers.sseKmsKeyId !== undefined && !grant.sseKmsKeyIds.includes(headers.sseKmsKeyId)) {
    return `KMS key ${headers.sseKmsKeyId} is not allowed under this prefix (allowed: ${allowed(grant.sseKmsKeyIds)})`;
  }
  return undefined;
}

/** The create body's settings as CreateMultipartUpload headers, when well-formed and allowed by the rule. */
export function objectSettings(body: Record<string, unknown>, grant: Grant): SettingsCheck {
  let headers: ObjectHeaders;
  try {
    headers = settingsOf(body);
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, status: 400, message: error.message };
    throw error;
  }
  const refusal = ruleRefusal(grant, headers);
  return refusal === undefined ? { ok: true, headers } : { ok: false, status: 403, message: refusal };
}
