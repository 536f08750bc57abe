// SigV4 header signing for the lean path: the same result as @smithy/signature-v4 with an unsigned payload,
// without its per-call HMAC for the key cache lookup and its chain of awaits (~20 µs per request, three
// requests per small file). Only s3-lean-http.ts uses this.
import * as nodeCrypto from "node:crypto";
import { createHash, createHmac } from "node:crypto";

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RequestToSign {
  method: string;
  /** Already URI-encoded, as it goes on the wire. */
  path: string;
  query: Record<string, string>;
  /** Must include host and x-amz-content-sha256; names in any case. */
  headers: Record<string, string>;
}

// Headers proxies may change or add; the SDK never signs them either.
const UNSIGNABLE = new Set([
  "authorization",
  "cache-control",
  "connection",
  "expect",
  "from",
  "keep-alive",
  "max-forwards",
  "pragma",
  "referer",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "x-amzn-trace-id",
]);

// Headers the signer sets itself; a caller's copy would be sent twice or signed stale.
const GENERATED = new Set(["authorization", "x-amz-date", "date"]);

function isSignable(name: string): boolean {
  return !UNSIGNABLE.has(name) && !name.startsWith("proxy-") && !name.startsWith("sec-");
}

/**
 * Header names are case-insensitive and SigV4 signs them in lower case, so names are lower-cased here and
 * sent that way; names that differ only in case become one header whose values are joined by commas, as
 * SigV4 merges repeated headers. The merged value is what goes on the wire, so the store sees what was signed.
 */
function wireHeaders(given: Record<string, string>): Record<string, string> {
  // No prototype: a header named __proto__ is still a header.
  const headers = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(given)) {
    const lower = name.toLowerCase();
    if (GENERATED.has(lower)) continue;
    const previous = headers[lower];
    headers[lower] = previous === undefined ? value : `${trimSpaces(previous)},${trimSpaces(value)}`;
  }
  return headers;
}

function trimSpaces(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, "");
}

// Most values (dates, checksums, lengths) have no line break, tab, doubled or outer space: they sign as they are.
const NEEDS_CANONICAL_FORM = /[\r\n\t]| {2}|^ | $/;

// SigV4 trims and collapses spaces; HTTP strips only spaces and tabs around a value (not every Unicode
// space, as String.trim would), and line breaks never reach the wire.
function canonicalValue(value: string): string {
  if (!NEEDS_CANONICAL_FORM.test(value)) return value;
  return value
    .replace(/[\r\n]/g, " ")
    .replace(/[ \t]+/g, " ")
    .replace(/^ | $/g, "");
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

// One call without a Hash object where Node has it (20.12+, 21.7+): a few µs less per request.
const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash;
/** Hex SHA-256, as SigV4 writes a canonical request's and a signed payload's hashes. */
export const sha256Hex: (data: string | Buffer) => string =
  oneShotHash === undefined
    ? (data) => createHash("sha256").update(data).digest("hex")
    : (data) => oneShotHash("sha256", data, "hex");

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** SigV4's timestamp of a date (20261201T010203Z); the last one is kept, since requests come many a second. */
function amzDates(): (date: Date) => string {
  let second = Number.NaN;
  let text = "";
  return (date) => {
    const now = Math.floor(date.getTime() / 1000);
    if (now !== second) {
      second = now;
      text = date.toISOString().replace(/[-:]|\.\d{3}/g, "");
    }
    return text;
  };
}

// Sorted by encoded name: raw and encoded order differ ("a-" < "a/" but "a%2F" < "a-").
function canonicalQueryOf(query: Record<string, string>): string {
  const entries = Object.entries(query);
  if (entries.length === 0) return "";
  return entries
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

interface CanonicalRequest {
  method: string;
  path: string;
  canonicalQuery: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The signed header names, sorted. */
  names: string[];
  /** Those names joined by ";". */
  signedHeaders: string;
  payloadHash: string;
}

/** Derives signing keys for one region and service, once per secret and day. */
function signingKeys(region: string, service: string): (secret: string, day: string) => Buffer {
  let cached: { secret: string; day: string; key: Buffer } | null = null;
  return (secret, day) => {
    if (cached?.secret !== secret || cached.day !== day) {
      const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), "aws4_request");
      cached = { secret, day, key };
    }
    return cached.key;
  };
}

/** The hex signature of a request's canonical form under `scope`. */
function signatureOf(key: Buffer, request: CanonicalRequest, amzDate: string, scope: string): string {
  let canonicalHeaders = "";
  for (const name of request.names) canonicalHeaders += `${name}:${canonicalValue(request.headers[name]!)}\n`;
  const canonicalRequest =
    `${request.method}\n${request.path}\n${request.canonicalQuery}\n` +
    `${canonicalHeaders}\n${request.signedHeaders}\n${request.payloadHash}`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  return hmac(key, stringToSign).toString("hex");
}

/** A signer for one region and service; signing keys are derived once per secret and day. */
export function createSigner(region: string, service: string) {
  const signingKey = signingKeys(region, service);
  const amzDateOf = amzDates();

  /**
   * The headers to send: the request's, with lower-case names and case-variants merged, plus x-amz-date, the
   * session token and authorization.
   */
  return (request: RequestToSign, credentials: SigningCredentials, date: Date): Record<string, string> => {
    const amzDate = amzDateOf(date);
    const day = amzDate.slice(0, 8);
    const headers = wireHeaders(request.headers);
    headers["x-amz-date"] = amzDate;
    if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
    const names = Object.keys(headers).filter(isSignable).sort();
    const signedHeaders = names.join(";");
    const scope = `${day}/${region}/${service}/aws4_request`;
    const signature = signatureOf(
      signingKey(credentials.secretAccessKey, day),
      {
        method: request.method,
        path: request.path,
        canonicalQuery: canonicalQueryOf(request.query),
        headers,
        names,
        signedHeaders,
        payloadHash: headers["x-amz-content-sha256"] ?? "",
      },
      amzDate,
      scope,
    );
    headers["authorization"] =
      `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  };
}

export interface RequestToPresign {
  method: string;
  /** Already URI-encoded, as it goes on the wire. */
  path: string;
  query: Record<string, string>;
  /**
   * Must include host. Every signable header here is signed and must be sent exactly as given: a presigned
   * UploadPart names its x-amz-checksum-<alg> header so the store refuses a body that does not match it (a
   * checksum hoisted into the query string, as the SDK's presigner does by default, is not checked by S3).
   */
  headers: Record<string, string>;
  expiresSeconds: number;
}

/**
 * A query-string (presigned) SigV4 signer for one region and service, over an unsigned payload as S3's
 * presigned URLs are. Returns the whole query string to put after "?", the signature last.
 */
export function createPresigner(region: string, service: string) {
  const signingKey = signingKeys(region, service);
  const amzDateOf = amzDates();
  return (request: RequestToPresign, credentials: SigningCredentials, date: Date): string => {
    const amzDate = amzDateOf(date);
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${region}/${service}/aws4_request`;
    const headers = wireHeaders(request.headers);
    const names = Object.keys(headers).filter(isSignable).sort();
    const signedHeaders = names.join(";");
    // Sent in the canonical (sorted) order too.
    const canonicalQuery = canonicalQueryOf({
      ...request.query,
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": `${credentials.accessKeyId}/${scope}`,
      "X-Amz-Date": amzDate,
      "X-Amz-Expires": String(request.expiresSeconds),
      "X-Amz-SignedHeaders": signedHeaders,
      ...(credentials.sessionToken ? { "X-Amz-Security-Token": credentials.sessionToken } : {}),
    });
    const signature = signatureOf(
      signingKey(credentials.secretAccessKey, day),
      {
        method: request.method,
        path: request.path,
        canonicalQuery,
        headers,
        names,
        signedHeaders,
        payloadHash: "UNSIGNED-PAYLOAD",
      },
      amzDate,
      scope,
    );
    return `${canonicalQuery}&X-Amz-Signature=${signature}`;
  };
}
