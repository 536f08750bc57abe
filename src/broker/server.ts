// The broker's HTTP edge: routes shaped like Uppy Companion's /s3/multipart, a bearer token on every call, the
// caller's grants from the policy, and one audit line per call that never holds a token or a URL signature.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { BrokerConfig } from "./config.js";
import type { Answer, CallInput, Caller, Lifecycle } from "./lifecycle.js";
import { grantsFor } from "./policy.js";
import type { TokenVerifier } from "./tokens.js";

type Action = "create" | "listUploads" | "signPart" | "listParts" | "complete" | "abort" | "head";

interface Route {
  action: Action;
  uploadId?: string;
  partNumber?: string;
}

// 10,000 parts with checksums fit well inside this; anything larger is not a Complete body.
const MAX_BODY_BYTES = 4 * 1024 * 1024;

function routeOf(method: string, path: string): Route | undefined {
  const segments = path.split("/").slice(1);
  // What is stored at a key: the client's "unchanged" check before it uploads.
  if (segments[0] === "s3" && segments[1] === "object" && segments.length === 2 && method === "GET") {
    return { action: "head" };
  }
  if (segments[0] !== "s3" || segments[1] !== "multipart") return undefined;
  let rest: string[];
  try {
    rest = segments.slice(2).map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
  if (rest.length === 0 && method === "POST") return { action: "create" };
  // The key's in-progress uploads, for a client resuming one (not one of Uppy Companion's routes).
  if (rest.length === 0 && method === "GET") return { action: "listUploads" };
  const [uploadId, second] = rest;
  if (!uploadId || rest.length > 2) return undefined;
  if (rest.length === 1 && method === "GET") return { action: "listParts", uploadId };
  if (rest.length === 1 && method === "DELETE") return { action: "abort", uploadId };
  if (second === "complete" && method === "POST") return { action: "complete", uploadId };
  if (second !== undefined && /^\d+$/.test(second) && method === "GET") {
    return { action: "signPart", uploadId, partNumber: second };
  }
  return undefined;
}

async function readJson(
  req: IncomingMessage,
): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_BODY_BYTES) return { ok: false, error: `the body is over ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk);
  }
  if (length === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return { ok: false, error: "the body is not JSON" };
  }
}

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...extra,
  });
  res.end(text);
}

/** The headers a page of an allowed origin needs to read the answer; none for other callers. */
function corsHeaders(req: IncomingMessage, origins: readonly string[]): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined || !origins.includes(origin)) return {};
  return { "access-control-allow-origin": origin, vary: "Origin" };
}

export interface AuditLine {
  time: string;
  action: Action | "unknown";
  outcome: Answer["outcome"] | "unauthenticated";
  status: number;
  issuer?: string;
  subject?: string;
  /** The claims the policy read, so a line says which repository, ref or project acted. */
  claims?: Record<string, unknown>;
  bucket?: string;
  key?: string;
  uploadId?: string;
  partNumber?: number;
  size?: number;
  reason?: string;
}

export interface BrokerServerDeps {
  config: BrokerConfig;
  verifyToken: TokenVerifier;
  lifecycle: Lifecycle;
  audit: (line: AuditLine) => void;
}

/** The claims the caller's rules read (patterns and prefix placeholders): who acted, without the whole token. */
function policyClaims(config: BrokerConfig, issuer: string, claims: Record<string, unknown>) {
  const names = new Set(
    config.rules
      .filter((rule) => rule.issuer === issuer)
      .flatMap((rule) => [
        ...Object.keys(rule.claims),
        ...[...rule.prefix.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]!),
      ]),
  );
  return Object.fromEntries([...names].filter((name) => name in claims).map((name) => [name, claims[name]]));
}

export function createBrokerServer(deps: BrokerServerDeps): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://broker");
    const method = req.method ?? "GET";
    const cors = corsHeaders(req, deps.config.corsOrigins);
    const reply = (status: number, body: unknown, extra: Record<string, string> = {}) =>
      send(res, status, body, { ...cors, ...extra });
    if (method === "OPTIONS") {
      res.writeHead(204, {
        ...cors,
        "access-control-allow-methods": "GET, POST, DELETE",
        "access-control-allow-headers": "authorization, content-type",
        "access-control-max-age": "600",
      });
      res.end();
      return;
    }
    if (method === "GET" && url.pathname === "/healthz") {
      reply(200, { ok: true });
      return;
    }
    const route = routeOf(method, url.pathname);
    const time = new Date().toISOString();
    if (!route) {
      deps.audit({
        time,
        action: "unknown",
        outcome: "refused",
        status: 404,
        reason: `${method} ${url.pathname}`,
      });
      reply(404, { error: { code: "NotFound", message: `no route ${method} ${url.pathname}` } });
      return;
    }
    const bearer = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const check = bearer ? await deps.verifyToken(bearer) : { ok: false as const, reason: "no bearer token" };
    if (!check.ok) {
      deps.audit({
        time,
        action: route.action,
        outcome: "unauthenticated",
        status: 401,
        reason: check.reason,
      });
      reply(
        401,
        { error: { code: "Unauthorized", message: check.reason } },
        { "www-authenticate": 'Bearer error="invalid_token"' },
      );
      return;
    }
    const caller: Caller = {
      issuer: check.issuer,
      subject: typeof check.claims.sub === "string" ? check.claims.sub : "",
      claims: check.claims,
      grants: grantsFor(deps.config.rules, check.issuer, check.claims),
    };
    const body = method === "POST" ? await readJson(req) : { ok: true as const, value: undefined };
    let answer: Answer;
    if (!body.ok) {
      answer = {
        status: 400,
        body: { error: { code: "InvalidRequest", message: body.error } },
        outcome: "refused",
        reason: body.error,
        target: {},
      };
    } else {
      const input: CallInput = {
        query: url.searchParams,
        body: body.value,
        ...(route.uploadId ? { uploadId: route.uploadId } : {}),
        ...(route.partNumber ? { partNumber: route.partNumber } : {}),
      };
      answer = await deps.lifecycle[route.action](caller, input);
    }
    deps.audit({
      time,
      action: route.action,
      outcome: answer.outcome,
      status: answer.status,
      issuer: caller.issuer,
      subject: caller.subject,
      claims: policyClaims(deps.config, caller.issuer, caller.claims),
      ...answer.target,
      ...(answer.reason ? { reason: answer.reason } : {}),
    });
    reply(answer.status, answer.body);
  };
  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      deps.audit({
        time: new Date().toISOString(),
        action: "unknown",
        outcome: "failed",
        status: 500,
        reason: (error as Error).message,
      });
      if (!res.headersSent)
        send(res, 500, { error: { code: "InternalError", message: "the broker failed; see its log" } });
      else res.destroy();
    });
  });
}
