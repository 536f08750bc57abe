// The per-file and per-part calls (UploadPart, PutObject, HeadObject) skip the SDK's per-request middleware,
// which cost ~1 ms of CPU per call (measured: 1,000 × 64 KiB files took 3.4 ms CPU each with the SDK doing
// both HeadObjects, 0.7 ms without them): one SigV4-signed request on the client's own agents, credentials
// and endpoint rules. Ranged GetObject bodies stream through it too, straight to the caller's sink: on a direct
// connection over our own sockets (socket-http.ts), through a proxy over Node's client. Only s3-client.ts uses
// this; every other call stays on the SDK.
import { request as httpRequest, type Agent as HttpAgent, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { S3Client } from "@aws-sdk/client-s3";
import { eachBodyChunk, type BodySink } from "./body-sink.js";
import { proxyFor, storeTlsOptions } from "./network.js";
import { createSigner } from "./sigv4.js";
import { createSocketHttp, ERROR_BODY_LIMIT, type Exchanged } from "./socket-http.js";
import type { S3Settings } from "../types.js";

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
  /** GET only: gets a 2xx answer's body; the answer resolves once all of it was taken (see BodySink). */
  onBody?: BodySink;
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
export type LeanHttp = ((request: LeanRequest, signal?: AbortSignal) => Promise<LeanAnswer | null>) & {
  /** Closes the idle sockets of the direct GET path. */
  destroy(): void;
};

type Answered = Extract<Exchanged, { kind: "answer" }>;

interface Endpoint {
  url: URL;
  sign: ReturnType<typeof createSigner>;
  /**
   * GETs go over our own sockets: the connection is direct, and no answer yet needed Node's client. Cleared
   * for this endpoint by the first answer socket-http.ts cannot read, so a store that always answers that
   * way costs one extra request, not one per GET.
   */
  socketGets: boolean;
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
function s3Error(status: number, body: string, requestId: string | undefined): Error {
  const field = (name: string): string | undefined =>
    new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
  const code = field("Code") ?? BODYLESS_CODES[status] ?? "Unknown";
  const error = new Error(field("Message") ?? `HTTP ${status} without an error body`) as Error & {
    Code: string;
    $metadata: { httpStatusCode: number; requestId?: string };
  };
  error.name = code;
  error.Code = code;
  error.$metadata = { httpStatusCode: status, ...(requestId ? { requestId } : {}) };
  return error;
}

function timeoutError(ms: number): Error {
  const error = new Error(`no traffic on the connection for ${ms} ms`);
  error.name = "TimeoutError";
  return error;
}

export function createLeanHttp(
  client: S3Client,
  settings: S3Settings,
  agents: { http: HttpAgent; https: HttpAgent },
  stallTimeoutMs: number,
  maxSockets: number,
): LeanHttp {
  const endpoints = new Map<string, Promise<Endpoint | null>>();
  const sockets = createSocketHttp({
    tls: storeTlsOptions(settings.network ?? {}),
    stallTimeoutMs,
    maxIdle: maxSockets,
  });

  // The SDK's own endpoint rules decide host, path style, FIPS and dual-stack; anything not plain SigV4
  // (S3 Express, multi-region access points) returns null and the caller uses the SDK.
  async function resolve(bucket: string): Promise<Endpoint | null> {
    const config = client.config;
    const region = await config.region();
    const endpoint = settings.endpoint ?? (await config.serviceConfiguredEndpoint?.());
    const resolved = config.endpointProvider({
      Bucket: bucket,
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      Accelerate: config.useAccelerateEndpoint ?? false,
      ForcePathStyle: settings.forcePathStyle ?? false,
      ...(endpoint ? { Endpoint: endpoint } : {}),
    });
    const scheme = (resolved.properties?.authSchemes as Array<Record<string, unknown>> | undefined)?.[0];
    if (scheme?.name !== "sigv4") return null;
    const sign = createSigner(
      typeof scheme.signingRegion === "string" ? scheme.signingRegion : region,
      typeof scheme.signingName === "string" ? scheme.signingName : "s3",
    );
    const url = new URL(resolved.url.toString());
    return { url, sign, socketGets: proxyFor(url, settings.network?.proxy) === undefined };
  }

  /** The request through Node's client on the agents (and so the proxy) of network.ts. */
  function viaAgents(
    url: URL,
    target: LeanRequest,
    pathAndQuery: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<Answered> {
    const https = url.protocol === "https:";
    return new Promise((resolveAnswer, reject) => {
      const request = (https ? httpsRequest : httpRequest)({
        method: target.method,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || (https ? 443 : 80),
        path: pathAndQuery,
        headers,
        agent: https ? agents.https : agents.http,
        ...(signal ? { signal } : {}),
      });
      request.setTimeout(stallTimeoutMs, () => request.destroy(timeoutError(stallTimeoutMs)));
      request.on("error", reject);
      request.on("response", (response) => {
        const status = response.statusCode ?? 0;
        const answer = (errorBody: Buffer): Answered => ({
          kind: "answer",
          status,
          headers: response.headers as Record<string, string>,
          errorBody,
        });
        if (status >= 200 && status < 300 && target.onBody) {
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
          if (status >= 200 && status < 300) return;
          if (kept < ERROR_BODY_LIMIT) chunks.push(chunk);
          kept += chunk.byteLength;
        });
        response.on("error", reject);
        response.on("end", () => resolveAnswer(answer(Buffer.concat(chunks))));
      });
      request.end(target.method === "PUT" ? (target.body ?? Buffer.alloc(0)) : undefined);
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
    // The SDK's provider: cached, and fetched again before session credentials expire.
    const credentials = await client.config.credentials();
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
      new Date(Date.now() + (client.config.systemClockOffset ?? 0)),
    );
    const search = new URLSearchParams(target.query).toString().replace(/\+/g, "%20");
    const pathAndQuery = search ? `${path}?${search}` : path;
    let exchanged: Answered | null = null;
    // Object bodies only: S3 sends listings chunked, which socket-http.ts leaves to Node's client.
    if (resolved.socketGets && target.method === "GET" && target.key !== "") {
      const overSocket = await sockets.exchange({
        method: "GET",
        url,
        target: pathAndQuery,
        headers,
        ...(target.onBody ? { onBody: target.onBody } : {}),
        ...(signal ? { signal } : {}),
      });
      if (overSocket.kind === "answer") exchanged = overSocket;
      else resolved.socketGets = false;
    }
    exchanged ??= await viaAgents(url, target, pathAndQuery, headers, signal);
    const { status } = exchanged;
    if ((status >= 200 && status < 300) || (status === 404 && target.method === "HEAD")) {
      return { status, headers: exchanged.headers };
    }
    const requestId = exchanged.headers["x-amz-request-id"];
    throw s3Error(
      status,
      exchanged.errorBody.toString("utf8"),
      typeof requestId === "string" ? requestId : undefined,
    );
  };
  return Object.assign(send, { destroy: () => sockets.destroy() });
}
