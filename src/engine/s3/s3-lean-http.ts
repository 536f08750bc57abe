// The per-file and per-part calls (UploadPart, PutObject, HeadObject) skip the SDK's per-request middleware,
// which cost ~1 ms of CPU per call (measured: 1,000 × 64 KiB files took 3.4 ms CPU each with the SDK doing
// both HeadObjects, 0.7 ms without them): one SigV4-signed request with the client's credentials and endpoint
// rules. Ranged GetObject bodies stream through it too, straight to the caller's sink. The connection picks
// the transport: a direct one carries every request over our own sockets (socket-http.ts; Node's client cost
// ~a fifth of a small file's CPU), a proxy the agents of network.ts with Node's client. Control calls whose
// answer is an XML document (ListObjectsV2, ListMultipartUploads, CreateMultipartUpload, ListParts,
// CompleteMultipartUpload) and deletes (AbortMultipartUpload, DeleteObject) go through it as well, always over
// Node's client (stores send those documents chunked), so a multipart run never loads the SDK (~0.17 CPU-s).
// Only s3-client.ts uses this; it decides where the SDK is still needed.
import { request as httpRequest, type Agent as HttpAgent, type IncomingHttpHeaders } from "node:http";
import { withChildSignal } from "../abort-scope.js";
import { eachBodyChunk, type BodySink } from "./body-sink.js";
import { proxyFor, storeTlsOptions, type NetworkSettings } from "./network.js";
import { createSigner, sha256Hex } from "./sigv4.js";
import { createSocketHttp, ERROR_BODY_LIMIT, type Exchanged } from "./socket-http.js";
import { xmlText } from "./s3-xml.js";

export interface LeanRequest {
  method: "PUT" | "HEAD" | "GET" | "POST" | "DELETE";
  bucket: string;
  /** "" addresses the bucket itself (the listings). */
  key: string;
  /** UploadPart's partNumber and uploadId, HeadObject's versionId. */
  query: Record<string, string>;
  /** Names in any case (the signer sends them lower-case, merged as signed); values already final. */
  headers: Record<string, string>;
  /** PUT and POST only. */
  body?: Buffer;
  /** A GET of object bytes only: gets a 2xx answer's body; the answer resolves once all of it was taken. */
  onBody?: BodySink;
  /**
   * The 2xx answer is an XML document, gathered into LeanAnswer.body; "required" where an empty one means the
   * store gave up mid-way (CompleteMultipartUpload), as the SDK reads it.
   */
  document?: "expected" | "required";
}

export interface LeanAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The XML document of a request that asked for one. */
  body?: Buffer;
}

/**
 * The answer on 2xx, and on 404 to a HEAD (a missing object is an answer there, and skipping the error
 * object saves a tenth of a millisecond per new file); an S3-shaped error otherwise; null when the
 * endpoint needs the SDK.
 */
export type LeanHttp = ((request: LeanRequest, signal?: AbortSignal) => Promise<LeanAnswer | null>) & {
  /** Closes the idle sockets of the direct GET path. */
  destroy(): void;
};

type Answered = Extract<Exchanged, { kind: "answer" }> & {
  /** A 2xx answer's document, when the request asked for one. */
  document?: Buffer;
};

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
  /** The proxy and CA settings: GETs go over our own sockets only on a direct connection. */
  network: NetworkSettings;
}

interface Endpoint {
  url: URL;
  sign: ReturnType<typeof createSigner>;
  /**
   * Requests go over our own sockets: the connection is direct, and no answer yet needed Node's client.
   * Cleared for this endpoint by the first answer socket-http.ts cannot read, so a store that always answers
   * that way costs one extra request, not one per request.
   */
  ownSockets: boolean;
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

/**
 * A 2xx answer the SDK turns into an error (its throw200Exceptions middleware): a document ending in an S3
 * <Error> (a CompleteMultipartUpload that failed after its 200 went out) is read as a 503 with that error's
 * code, and an empty body where one is required as InternalError 503. Both are retried (retry.ts).
 */
function errorIn200(body: Buffer, required: boolean, headers: IncomingHttpHeaders): Error | null {
  if (body.byteLength === 0 && required) {
    return Object.assign(new Error("S3 aborted request"), {
      name: "InternalError",
      $metadata: { httpStatusCode: 503 },
    });
  }
  const tail = body.subarray(Math.max(0, body.byteLength - 16)).toString("utf8");
  return tail.endsWith("</Error>") ? s3Error(503, body.toString("utf8"), headers) : null;
}

function timeoutError(ms: number): Error {
  const error = new Error(`no traffic on the connection for ${ms} ms`);
  error.name = "TimeoutError";
  return error;
}

function hasBody(method: LeanRequest["method"]): boolean {
  return method === "PUT" || method === "POST";
}

export function createLeanHttp(
  setup: LeanSetup,
  agents: Promise<{ http: HttpAgent; https: HttpAgent }>,
  stallTimeoutMs: number,
  maxSockets: number,
): LeanHttp {
  const endpoints = new Map<string, Promise<Endpoint | null>>();
  const sockets = createSocketHttp({
    tls: () => storeTlsOptions(setup.network),
    stallTimeoutMs,
    maxIdle: maxSockets,
  });

  async function resolve(bucket: string): Promise<Endpoint | null> {
    const endpoint = await setup.endpointFor(bucket);
    if (endpoint === null) return null;
    return {
      url: endpoint.url,
      sign: createSigner(endpoint.signingRegion, endpoint.signingName),
      ownSockets: proxyFor(endpoint.url, setup.network.proxy) === undefined,
    };
  }

  /** The request through Node's client on the agents (and so the proxy) of network.ts. */
  async function viaAgents(
    url: URL,
    target: LeanRequest,
    pathAndQuery: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<Answered> {
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
        path: pathAndQuery,
        headers,
        agent,
        ...(signal ? { signal } : {}),
      });
      request.setTimeout(stallTimeoutMs, () => request.destroy(timeoutError(stallTimeoutMs)));
      request.on("error", reject);
      request.on("response", (response) => {
        const status = response.statusCode ?? 0;
        const success = status >= 200 && status < 300;
        const answer = (body: Buffer): Answered => ({
          kind: "answer",
          status,
          headers: response.headers as Record<string, string>,
          errorBody: success ? Buffer.alloc(0) : body,
          ...(success && target.document ? { document: body } : {}),
        });
        if (success && target.onBody) {
          eachBodyChunk(response, target.onBody).then(
            () => resolveAnswer(answer(Buffer.alloc(0))),
            (error: unknown) => {
              // The rest of the body is not wanted: the connection cannot be reused mid-body.
              request.destroy();
              reject(error as Error);
            },
          );
          return;
        }
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on("data", (chunk: Buffer) => {
          if (success && !target.document) return;
          if (success || kept < ERROR_BODY_LIMIT) chunks.push(chunk);
          kept += chunk.byteLength;
        });
        response.on("error", reject);
        response.on("end", () => resolveAnswer(answer(Buffer.concat(chunks))));
      });
      request.end(hasBody(target.method) ? (target.body ?? Buffer.alloc(0)) : undefined);
    });
  }

  const send = async (target: LeanRequest, signal?: AbortSignal): Promise<LeanAnswer | null> => {
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
    const control = target.method === "POST" || target.method === "DELETE";
    const credentials = await setup.credentials();
    const headers = sign(
      {
        method: target.method,
        path,
        query: target.query,
        headers: {
          ...target.headers,
          host: url.host,
          ...(hasBody(target.method) ? { "content-length": String(body.byteLength) } : {}),
          // Integrity of data rides on our checksum headers; hashing it for SigV4 would double the CPU cost. A
          // control call's body is small and carries the part list, so it is signed.
          "x-amz-content-sha256": control ? sha256Hex(body) : "UNSIGNED-PAYLOAD",
        },
      },
      credentials,
      new Date(Date.now() + setup.clockOffsetMs()),
    );
    const search = new URLSearchParams(target.query).toString().replace(/\+/g, "%20");
    const pathAndQuery = search ? `${path}?${search}` : path;
    let exchanged: Answered | null = null;
    // Not documents: S3 sends them chunked, which socket-http.ts leaves to Node's client; nor POST (a Complete
    // sent twice could meet its own success as NoSuchUpload) or DELETE. An answer it cannot read sends the
    // request again through Node's client; for a PUT that is a retry of a write that may have landed, as after
    // a reset: idempotent for the same bytes, and If-None-Match's 412 is then confirmed by reading the object
    // (confirm-object.ts).
    const method = target.method;
    const overSockets = method === "PUT" || method === "HEAD" || (method === "GET" && !target.document);
    if (resolved.ownSockets && overSockets) {
      const overSocket = await sockets.exchange({
        method,
        url,
        target: pathAndQuery,
        headers,
        ...(target.onBody ? { onBody: target.onBody } : {}),
        ...(method === "PUT" ? { body } : {}),
        ...(signal ? { signal } : {}),
      });
      if (overSocket.kind === "answer") exchanged = overSocket;
      else resolved.ownSockets = false;
    }
    exchanged ??= await withChildSignal(signal, (child) =>
      viaAgents(url, target, pathAndQuery, headers, child),
    );
    const { status } = exchanged;
    if (status >= 200 && status < 300 && target.document) {
      const document = exchanged.document ?? Buffer.alloc(0);
      const error = errorIn200(document, target.document === "required", exchanged.headers);
      if (error) throw error;
      return { status, headers: exchanged.headers, body: document };
    }
    if ((status >= 200 && status < 300) || (status === 404 && target.method === "HEAD")) {
      return { status, headers: exchanged.headers };
    }
    throw s3Error(status, exchanged.errorBody.toString("utf8"), exchanged.headers);
  };
  return Object.assign(send, { destroy: () => sockets.destroy() });
}
