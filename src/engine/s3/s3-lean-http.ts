// The per-file and per-part calls (UploadPart, PutObject, HeadObject) skip the SDK's per-request middleware,
// which cost ~1 ms of CPU per call (measured: 1,000 × 64 KiB files took 3.4 ms CPU each with the SDK doing
// both HeadObjects, 0.7 ms without them): one SigV4-signed http.request on the client's own agents,
// credentials and endpoint rules. Ranged GetObject bodies and ListObjectsV2 pages (the preflight's too) go
// through it as well. Only s3-client.ts uses this; it decides where the SDK is still needed.
import {
  request as httpRequest,
  type Agent as HttpAgent,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from "node:http";
import { createSigner } from "./sigv4.js";

export interface LeanRequest {
  method: "PUT" | "HEAD" | "GET";
  bucket: string;
  key: string;
  /** UploadPart's partNumber and uploadId, HeadObject's versionId. */
  query: Record<string, string>;
  /** Names in any case (the signer sends them lower-case, merged as signed); values already final. */
  headers: Record<string, string>;
  /** PUT only. */
  body?: Buffer;
  /** GET only: consumes a 2xx answer's body; the answer resolves once it has (the stall timeout still applies). */
  onBody?: (body: IncomingMessage, headers: IncomingHttpHeaders) => Promise<void>;
}

export interface LeanAnswer {
  status: number;
  headers: IncomingHttpHeaders;
}

/**
 * The answer on 2xx, and on 404 to a HEAD (a missing object is an answer there, and skipping the error
 * object saves a tenth of a millisecond per new file); an S3-shaped error otherwise; null when the
 * endpoint needs the SDK.
 */
export type LeanHttp = (request: LeanRequest, signal?: AbortSignal) => Promise<LeanAnswer | null>;

/** Where a bucket's requests go and how they are signed, as the SDK's endpoint rules decide. */
export interface LeanEndpoint {
  /** The bucket's base URL: virtual-hosted (https://bucket.host/) or path-style (https://host/bucket). */
  url: URL;
  signingRegion: string;
  signingName: string;
}

export interface LeanCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What the lean path needs from the store client: no SDK object, so a run can start without loading it. */
export interface LeanSetup {
  /** null when the bucket needs what only the SDK does (S3 Express, access points, ...). */
  endpointFor(bucket: string): Promise<LeanEndpoint | null>;
  /** Asked per request: a provider that refreshes (session credentials) hands out the current ones. */
  credentials(): Promise<LeanCredentials>;
  /** Milliseconds to add to the local clock, as the SDK learnt it from a store's skew error. */
  clockOffsetMs(): number;
}

interface Endpoint {
  url: URL;
  sign: ReturnType<typeof createSigner>;
}

// The SDK's key encoding: RFC 3986 per path segment, slashes kept. Exported for the differential test.
export function encodeKey(key: string): string {
  return key
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join("/");
}

// What the SDK names an error whose answer has no body (every HEAD error).
const BODYLESS_CODES: Record<number, string> = {
  301: "MovedPermanently",
  400: "BadRequest",
  403: "Forbidden",
  404: "NotFound",
  412: "PreconditionFailed",
};

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** XML text as the SDK's parser gives it: entities and character references decoded. */
function xmlText(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (entity, name: string) => {
    if (!name.startsWith("#")) return XML_ENTITIES[name] ?? entity;
    const codePoint = name.startsWith("#x") ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
  });
}

/** An S3-style error the engine's retry and error mapping read exactly like an SDK exception. */
function s3Error(status: number, body: string, headers: IncomingHttpHeaders): Error {
  const field = (name: string): string | undefined => {
    const text = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
    return text === undefined ? undefined : xmlText(text);
  };
  const code = field("Code") ?? BODYLESS_CODES[status] ?? "Unknown";
  const requestId = headers["x-amz-request-id"];
  // A wrong region's answer names the bucket's (the body's <Region>, or the header on a redirect).
  const bucketRegion = headers["x-amz-bucket-region"];
  const region = field("Region") ?? (typeof bucketRegion === "string" ? bucketRegion : undefined);
  const error = new Error(field("Message") ?? `HTTP ${status} without an error body`) as Error & {
    Code: string;
    Region?: string;
    $metadata: { httpStatusCode: number; requestId?: string };
  };
  error.name = code;
  error.Code = code;
  if (region) error.Region = region;
  error.$metadata = { httpStatusCode: status, ...(typeof requestId === "string" ? { requestId } : {}) };
  return error;
}

function timeoutError(ms: number): Error {
  const error = new Error(`no traffic on the connection for ${ms} ms`);
  error.name = "TimeoutError";
  return error;
}

export function createLeanHttp(
  setup: LeanSetup,
  agents: Promise<{ http: HttpAgent; https: HttpAgent }>,
  stallTimeoutMs: number,
): LeanHttp {
  const endpoints = new Map<string, Promise<Endpoint | null>>();

  async function resolve(bucket: string): Promise<Endpoint | null> {
    const endpoint = await setup.endpointFor(bucket);
    if (endpoint === null) return null;
    return { url: endpoint.url, sign: createSigner(endpoint.signingRegion, endpoint.signingName) };
  }

  return async (target, signal) => {
    let endpoint = endpoints.get(target.bucket);
    if (endpoint === undefined) {
      endpoint = resolve(target.bucket);
      endpoints.set(target.bucket, endpoint);
    }
    const resolved = await endpoint;
    if (resolved === null) return null;
    const { url, sign } = resolved;
    // An empty key addresses the bucket itself (ListObjectsV2), as the SDK sends it: no trailing slash.
    const bucketPath = url.pathname.replace(/\/$/, "");
    const path = target.key === "" ? bucketPath || "/" : `${bucketPath}/${encodeKey(target.key)}`;
    const body = target.body ?? Buffer.alloc(0);
    const credentials = await setup.credentials();
    const headers = sign(
      {
        method: target.method,
        path,
        query: target.query,
        headers: {
          ...target.headers,
          host: url.host,
          ...(target.method === "PUT" ? { "content-length": String(body.byteLength) } : {}),
          // Integrity rides on our checksum headers; hashing the body for SigV4 would double the CPU cost.
          "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        },
      },
      credentials,
      new Date(Date.now() + setup.clockOffsetMs()),
    );
    const search = new URLSearchParams(target.query).toString().replace(/\+/g, "%20");
    const https = url.protocol === "https:";
    const agent = https ? (await agents).https : (await agents).http;
    // node:https only when a request needs it (network.ts says why).
    const send = https ? (await import("node:https")).request : httpRequest;
    return new Promise((resolveAnswer, reject) => {
      const request = send({
        method: target.method,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || (https ? 443 : 80),
        path: search ? `${path}?${search}` : path,
        headers,
        agent,
        ...(signal ? { signal } : {}),
      });
      request.setTimeout(stallTimeoutMs, () => request.destroy(timeoutError(stallTimeoutMs)));
      request.on("error", reject);
      request.on("response", (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300 && target.onBody) {
          target.onBody(response, response.headers).then(
            () => resolveAnswer({ status, headers: response.headers }),
            (error: unknown) => {
              // The rest of the body is not wanted: the connection cannot be reused mid-body.
              request.destroy();
              reject(error as Error);
            },
          );
          return;
        }
        if ((status >= 200 && status < 300) || (status === 404 && target.method === "HEAD")) {
          response.resume();
          response.on("end", () => resolveAnswer({ status, headers: response.headers }));
          response.on("error", reject);
          return;
        }
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          reject(s3Error(status, Buffer.concat(chunks).toString("utf8"), response.headers));
        });
      });
      request.end(target.method === "PUT" ? body : undefined);
    });
  };
}
