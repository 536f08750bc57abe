// Raw SigV4 requests for what the SDK and the AWS CLI cannot express (exact header bytes, unsigned extra headers,
// a Date header instead of x-amz-date, presigned URLs), sent byte-exact with node:http.
import { createHash, createHmac } from "node:crypto";
import { request, type IncomingHttpHeaders } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "./smithy-signer.js";
import { localhostLookup } from "../emulator/localhost.js";

export interface S3Target {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface RawRequest {
  method: string;
  /** Path-style and already percent-encoded: "/bucket/key". */
  path: string;
  query?: Record<string, string>;
  /** Values are Unicode text; they travel as their UTF-8 bytes (as botocore sends them). */
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The S3 error code of an XML error body, if any. */
  code: string | undefined;
}

function signerFor(target: S3Target): SignatureV4 {
  return new SignatureV4({
    credentials: target.credentials,
    region: target.region,
    service: "s3",
    sha256: NodeSha256,
    uriEscapePath: false,
  });
}

function hostOf(target: S3Target): string {
  return new URL(target.endpoint).host;
}

function queryString(query: Record<string, string>): string {
  const text = new URLSearchParams(query).toString().replace(/\+/g, "%20");
  return text === "" ? "" : `?${text}`;
}

/** Sends headers as the UTF-8 bytes of their values (Node writes header strings as latin1). */
function wireHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Buffer.from(value, "utf8").toString("latin1")]),
  );
}

export function send(
  target: S3Target,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<RawResponse> {
  const url = new URL(target.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: pathAndQuery,
        headers: wireHeaders(headers),
        // `<bucket>.localhost` endpoints (virtual-hosted requests to the emulator) are the loopback.
        lookup: localhostLookup,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            code: /<Code>([^<]+)<\/Code>/.exec(text.toString("utf8"))?.[1],
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    // A Buffer: Node writes the head with the first chunk's encoding, and a string body would make it UTF-8.
    req.end(body === undefined ? undefined : Buffer.from(body));
  });
}

function payloadHash(body: Buffer | string | undefined): string {
  return createHash("sha256")
    .update(body ?? "")
    .digest("hex");
}

/**
 * Signs with the Authorization header (@smithy/signature-v4), then adds `unsigned` headers the signature does not
 * cover, then sends.
 */
export async function sendSigned(
  target: S3Target,
  raw: RawRequest,
  unsigned: Record<string, string> = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {
    host: hostOf(target),
    "x-amz-content-sha256": payloadHash(raw.body),
    ...raw.headers,
  };
  if (raw.body !== undefined) headers["content-length"] = String(Buffer.byteLength(raw.body));
  const signed = await signerFor(target).sign({
    method: raw.method,
    protocol: "http:",
    hostname: new URL(target.endpoint).hostname,
    path: raw.path,
    query: raw.query ?? {},
    headers,
  });
  return send(
    target,
    raw.method,
    raw.path + queryString(raw.query ?? {}),
    { ...(signed.headers as Record<string, string>), ...unsigned },
    raw.body,
  );
}

/** A presigned URL's path and query (only `host` and `signedHeaders` signed; x-amz-* headers not hoisted). */
export async function presign(target: S3Target, raw: RawRequest, expiresIn = 900): Promise<string> {
  // As AWS's presigner does: the payload stays unsigned and the marker travels as X-Amz-Content-Sha256.
  const headers = { host: hostOf(target), "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...raw.headers };
  const presigned = await signerFor(target).presign(
    {
      method: raw.method,
      protocol: "http:",
      hostname: new URL(target.endpoint).hostname,
      path: raw.path,
      query: raw.query ?? {},
      headers,
    },
    { expiresIn, unhoistableHeaders: new Set(Object.keys(raw.headers ?? {})) },
  );
  return raw.path + queryString(presigned.query as Record<string, string>);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/**
 * Signs with the time in an HTTP `Date` header and no x-amz-date (SigV4 allows it): the string to sign carries
 * the same instant in ISO 8601 basic form. Written out here because SDK signers always add x-amz-date.
 */
export function sendSignedWithDateHeader(
  target: S3Target,
  raw: RawRequest,
  now = new Date(),
): Promise<RawResponse> {
  const iso = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = iso.slice(0, 8);
  const headers: Record<string, string> = {
    host: hostOf(target),
    date: now.toUTCString(),
    "x-amz-content-sha256": payloadHash(raw.body),
    ...raw.headers,
  };
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort();
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const canonicalQuery = Object.entries(raw.query ?? {})
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .sort()
    .join("&");
  const canonicalRequest = [
    raw.method,
    raw.path,
    canonicalQuery,
    names.map((name) => `${name}:${lower[name]!.trim()}\n`).join(""),
    names.join(";"),
    lower["x-amz-content-sha256"],
  ].join("\n");
  const scope = `${day}/${target.region}/s3/aws4_request`;
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    iso,
    scope,
    createHash("sha256").update(canonicalRequest, "utf8").digest("hex"),
  ].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${target.credentials.secretAccessKey}`, day), target.region), "s3"),
    "aws4_request",
  );
  const signature = hmac(key, stringToSign).toString("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${target.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return send(target, raw.method, raw.path + queryString(raw.query ?? {}), headers, raw.body);
}
