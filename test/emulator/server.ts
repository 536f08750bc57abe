// The HTTP edge: route, apply request faults, authenticate, dispatch, and write the answer or S3 error XML.
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Socket } from "node:net";
import { S3Error } from "./errors.js";
import { routeRequest, type Route } from "./router.js";
import { verifySigV4, type Credentials } from "./sigv4.js";
import { drain } from "./body.js";
import { dispatch } from "./dispatch.js";
import { escapeXml } from "./xml.js";
import { newId, type Store } from "./storage.js";
import type { EmulatorConfig, RequestContext } from "./context.js";
import type { BodyFault, FaultRule, Faults } from "./faults.js";
import { replaceObject } from "./replace.js";
import { requestIdentity, type StsService } from "./sts.js";
import type { FileSegment, S3Response } from "./response.js";

export interface RequestLogEntry {
  operation: string;
  bucket?: string;
  key?: string;
  partNumber?: number;
  uploadId?: string;
  /** The Range header of a GET, as sent. */
  range?: string;
  /** Set when the request carried Content-MD5. */
  contentMd5?: true;
  status: number;
  /** S3 error code, or the fault action ("reset", "stall", "lose-response") when no answer was written. */
  code?: string;
}

export interface ServerDeps {
  store: Store;
  faults: Faults;
  config: EmulatorConfig;
  credentials: Credentials;
  requestLog: RequestLogEntry[];
  /** Serve https with this key and certificate (PEM) instead of plain http. */
  tls?: { key: string; cert: string };
  /** STS on the same endpoint (POST /), and the session keys it issued accepted until they expire. */
  sts?: StsService;
}

/** An STS call: form-encoded POST to the root, as the SDK and the AWS CLI send it. */
function isStsRequest(req: IncomingMessage): boolean {
  return (
    req.method === "POST" &&
    (req.url ?? "/").split("?")[0] === "/" &&
    String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")
  );
}

async function answerSts(req: IncomingMessage, res: ServerResponse, sts: StsService): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const answer = sts.handle(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
  res.writeHead(answer.status, {
    "content-type": "text/xml",
    "content-length": Buffer.byteLength(answer.body),
  });
  res.end(answer.body);
}

/**
 * The credentials a request is checked against: an STS session's while it lasts (S3 checks the session when the
 * request arrives, so a long body keeps going after it ends), else the emulator's own key.
 */
function credentialsFor(req: IncomingMessage, deps: ServerDeps, arrivedAt: number): Credentials {
  if (!deps.sts) return deps.credentials;
  const { accessKeyId, sessionToken } = requestIdentity(req.url ?? "/", req.headers);
  if (accessKeyId === undefined) return deps.credentials;
  const secretAccessKey = deps.sts.sessionSecret(accessKeyId, sessionToken, arrivedAt);
  return secretAccessKey === undefined ? deps.credentials : { accessKeyId, secretAccessKey };
}

function errorBody(error: S3Error, resource: string, requestId: string): string {
  const extras = Object.entries(error.extra)
    .map(([tag, value]) => `<${tag}>${escapeXml(String(value))}</${tag}>`)
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message>` +
    `${extras}<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId><HostId>${requestId}</HostId></Error>`
  );
}

function sendError(req: IncomingMessage, res: ServerResponse, error: S3Error, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const resource = (req.url ?? "/").split("?")[0]!;
  const body = req.method === "HEAD" ? "" : errorBody(error, resource, requestId);
  res.writeHead(error.status, {
    ...error.headers,
    "content-type": "application/xml",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

async function* segmentBytes(segments: FileSegment[]): AsyncGenerator<Buffer> {
  for (const segment of segments) {
    yield* createReadStream(segment.path, {
      start: segment.start,
      end: segment.end,
      highWaterMark: 1 << 20,
    }) as AsyncIterable<Buffer>;
  }
}

function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error("the client closed the connection"));
    res.once("close", onClose);
    res.write(chunk, (error) => {
      res.off("close", onClose);
      if (error) reject(error);
      else resolve();
    });
  });
}

/** Resolves after `ms` (never when undefined), or early when the server closes or the client goes away. */
function hold(res: ServerResponse, ms: number | undefined, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed || closing.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      closing.removeEventListener("abort", done);
      res.off("close", done);
      resolve();
    };
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    closing.addEventListener("abort", done);
    res.once("close", done);
  });
}

/**
 * Streams the body with one fault: a byte flipped in transit (headers stay those of the true object), or the
 * connection cut / held silent after `offset` bytes. Each write waits for the socket so a cut comes after them.
 */
async function sendFaultedBody(
  res: ServerResponse,
  segments: FileSegment[],
  fault: BodyFault,
  closing: AbortSignal,
): Promise<void> {
  res.flushHeaders();
  let sent = 0;
  let stalled = false;
  for await (const chunk of segmentBytes(segments)) {
    let piece = chunk;
    if (fault.action === "corrupt-body" && fault.offset >= sent && fault.offset < sent + chunk.length) {
      piece = Buffer.from(chunk);
      piece[fault.offset - sent] = piece[fault.offset - sent]! ^ 0xff;
    }
    const stopsHere = fault.action !== "corrupt-body" && !stalled && fault.offset < sent + chunk.length;
    if (!stopsHere) {
      await write(res, piece);
      sent += piece.length;
      continue;
    }
    const before = piece.subarray(0, fault.offset - sent);
    if (before.length > 0) await write(res, before);
    // Only the headers so far: an empty socket write settles once they have left, so the cut comes after them.
    else await new Promise((resolve) => res.socket?.write(Buffer.alloc(0), resolve) ?? resolve(undefined));
    if (fault.action === "cut-body") {
      res.socket?.destroy();
      return;
    }
    stalled = true;
    await hold(res, fault.stallMs, closing);
    if (res.destroyed || closing.aborted) {
      res.socket?.destroy();
      return;
    }
    await write(res, piece.subarray(before.length));
    sent += piece.length;
  }
  res.end();
}

async function send(
  res: ServerResponse,
  response: S3Response,
  bodyFault: BodyFault | undefined,
  closing: AbortSignal,
): Promise<void> {
  const body = response.body ?? "";
  const headers = { ...response.headers };
  if (!response.segments && headers["content-length"] === undefined)
    headers["content-length"] = Buffer.byteLength(body);
  res.writeHead(response.status, headers);
  if (!response.segments) {
    res.end(body);
    return;
  }
  if (bodyFault) {
    await sendFaultedBody(res, response.segments, bodyFault, closing);
    return;
  }
  await sendSegments(res, response.segments);
}

/**
 * The segments' bytes through two reused 1 MiB buffers, one read while the other is written. A fresh buffer per
 * read made V8 run a full GC every ~20 MiB served (external memory pressure): most of the emulator's CPU in a
 * download bench, which shares the cores with the client it measures.
 */
async function sendSegments(res: ServerResponse, segments: FileSegment[]): Promise<void> {
  const buffers = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)] as const;
  const writing: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let turn = 0;
  for (const segment of segments) {
    const handle = await open(segment.path, "r");
    try {
      for (let position = segment.start; position <= segment.end;) {
        await writing[turn];
        const buffer = buffers[turn]!;
        const length = Math.min(buffer.length, segment.end + 1 - position);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        if (bytesRead === 0) throw new Error(`${segment.path} ended at byte ${position}`);
        writing[turn] = write(res, buffer.subarray(0, bytesRead));
        // Seen when this buffer's turn comes again or at the end; not unhandled meanwhile.
        writing[turn]!.catch(() => undefined);
        position += bytesRead;
        turn = 1 - turn;
      }
    } finally {
      await handle.close();
    }
  }
  await Promise.all(writing);
  res.end();
}

/** Returns true when the fault has fully answered (or abandoned) the request. */
async function applyRequestFault(
  rule: FaultRule,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  closing: AbortSignal,
): Promise<boolean> {
  switch (rule.action) {
    case "500":
      await drain(req);
      sendError(
        req,
        res,
        new S3Error("InternalError", "We encountered an internal error. Please try again."),
        requestId,
      );
      return true;
    case "503":
      await drain(req);
      sendError(req, res, new S3Error("SlowDown", "Please reduce your request rate."), requestId);
      return true;
    case "403":
      // What a bucket policy or IAM deny looks like; the emulator has no policies of its own.
      await drain(req);
      sendError(req, res, new S3Error("AccessDenied", "Access Denied"), requestId);
      return true;
    case "reset": {
      const hasBody =
        Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
      // Wait for the first body bytes so the connection dies mid-body, as a network failure would.
      if (hasBody)
        await new Promise((resolve) => req.once("data", resolve).once("end", resolve).once("error", resolve));
      req.socket.destroy();
      return true;
    }
    case "stall":
      if (rule.stallMs === undefined) return true;
      await sleep(rule.stallMs, undefined, { signal: closing }).catch(() => undefined);
      return closing.aborted;
    default:
      return false;
  }
}

/** Yields the body with the byte at its middle inverted, as a corrupting link between client and store would. */
async function* flipMiddleByte(source: AsyncIterable<Buffer>, declaredSize: number): AsyncGenerator<Buffer> {
  const target = Math.floor(declaredSize / 2);
  let offset = 0;
  for await (const chunk of source) {
    if (target >= offset && target < offset + chunk.length) {
      const copy = Buffer.from(chunk);
      copy[target - offset] = copy[target - offset]! ^ 0xff;
      yield copy;
    } else {
      yield chunk;
    }
    offset += chunk.length;
  }
}

/**
 * The request as handlers see it, its body flipped before any checksum, Content-MD5 or payload hash is
 * computed; everything else (headers, socket) is the real request's.
 */
function withFlippedBody(req: IncomingMessage): IncomingMessage {
  const flipped = flipMiddleByte(req, Number(req.headers["content-length"] ?? 0));
  return new Proxy(req, {
    get(target, property) {
      if (property === Symbol.asyncIterator) return () => flipped;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export interface RunningServer {
  server: Server;
  /** Closes the listener, cuts open connections and waits until no handler still writes to the data dir. */
  shutdown(): Promise<void>;
  /** Settles once every request under way has been answered or cut off (new ones may start after). */
  idle(): Promise<void>;
}

export function createS3Server(deps: ServerDeps): RunningServer {
  const sockets = new Set<Socket>();
  const inFlight = new Set<Promise<void>>();
  const closing = new AbortController();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const arrivedAt = Date.now();
    if (deps.sts && isStsRequest(req)) {
      await answerSts(req, res, deps.sts);
      return;
    }
    const requestId = newId(8).toUpperCase();
    res.setHeader("x-amz-request-id", requestId);
    res.setHeader("x-amz-id-2", requestId);
    res.setHeader("server", "AmazonS3");
    let route: Route | undefined;
    let code: string | undefined;
    let fault: FaultRule | undefined;
    let call = 0;
    res.on("close", () => {
      deps.requestLog.push({
        operation: route?.operation ?? "Unknown",
        bucket: route?.bucket,
        key: route?.key,
        partNumber: route?.partNumber,
        uploadId: route?.uploadId,
        ...(req.headers.range === undefined ? {} : { range: req.headers.range }),
        ...(req.headers["content-md5"] === undefined ? {} : { contentMd5: true as const }),
        status: res.headersSent ? res.statusCode : 0,
        code,
      });
    });
    try {
      route = routeRequest(req.method ?? "GET", req.url ?? "/", req.headers);
      call = deps.faults.count(route.operation);
      fault = deps.faults.forRequest(route, call);
      if (fault) {
        code =
          fault.action === "500"
            ? "InternalError"
            : fault.action === "503"
              ? "SlowDown"
              : fault.action === "403"
                ? "AccessDenied"
                : fault.action;
        if (await applyRequestFault(fault, req, res, requestId, closing.signal)) return;
        // These act while the request is handled: the log shows the answer (if any) that results.
        if (
          fault.action === "stall" ||
          fault.action === "flip-in-transit" ||
          fault.action === "lose-response" ||
          fault.action === "replace-after"
        )
          code = undefined;
      }
      const auth = verifySigV4(
        { method: req.method ?? "GET", url: req.url ?? "/", rawHeaders: req.rawHeaders },
        credentialsFor(req, deps, arrivedAt),
        deps.config.region,
      );
      const ctx: RequestContext = {
        req: fault?.action === "flip-in-transit" ? withFlippedBody(req) : req,
        route,
        auth,
        store: deps.store,
        config: deps.config,
        storedFault:
          fault?.action === "corrupt-stored" || fault?.action === "drop-stored" ? fault.action : undefined,
      };
      let response: S3Response;
      try {
        response = await dispatch(ctx);
      } finally {
        // Before the answer goes out, so every later request sees the new object; this answer's files are retained.
        if (fault?.action === "replace-after") await replaceAfter(fault, route);
      }
      if (fault?.action === "lose-response") {
        // The store has acted; only the answer is lost, as when a connection dies on its way back.
        code = "lose-response";
        req.socket.destroy();
        if (response.segments) await deps.store.release(response.segments.map((segment) => segment.path));
        return;
      }
      const length = Number(response.headers["content-length"] ?? 0);
      const bodyFault =
        response.segments && length > 0 ? deps.faults.forBody(route, call, length) : undefined;
      if (bodyFault) code = bodyFault.action;
      try {
        await send(res, response, bodyFault, closing.signal);
      } finally {
        if (response.segments) await deps.store.release(response.segments.map((segment) => segment.path));
      }
    } catch (error) {
      if (fault?.action === "lose-response") {
        code = "lose-response";
        if (!req.complete) await drain(req);
        req.socket.destroy();
        return;
      }
      if (res.headersSent) {
        // The answer was under way: the client went away, or a body fault cut it; there is nothing to add.
        res.destroy();
        return;
      }
      const s3Error =
        error instanceof S3Error
          ? error
          : new S3Error("InternalError", `We encountered an internal error: ${String(error)}`);
      if (!(error instanceof S3Error)) console.error("emulator: internal error", error);
      code = s3Error.code;
      if (!req.complete) await drain(req);
      sendError(req, res, s3Error, requestId);
    }
  };
  async function replaceAfter(rule: FaultRule, route: Route): Promise<void> {
    if (route.bucket === undefined || route.key === undefined) return;
    await replaceObject(
      deps.store,
      route.bucket,
      route.key,
      rule.body,
      deps.config.defaultEncryption,
      deps.config.profile,
    );
  }
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const done = handle(req, res).finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  const server = deps.tls ? createTlsServer(deps.tls, onRequest) : createServer(onRequest);
  // S3 ignores an Expect other than 100-continue; Node would answer 417 without this listener.
  server.on("checkExpectation", onRequest);
  // Multi-GiB uploads and deliberate stalls must not be cut off by Node's default request timeout.
  server.requestTimeout = 0;
  // Node's 5 s default races clients that reuse idle keep-alive sockets, producing spurious resets in tests.
  server.keepAliveTimeout = 30_000;
  // For https, "connection" carries the TCP socket under the TLS one: destroying it ends both.
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  async function shutdown(): Promise<void> {
    closing.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await Promise.allSettled([...inFlight]);
    await closed;
  }
  async function idle(): Promise<void> {
    await Promise.allSettled([...inFlight]);
  }
  return { server, shutdown, idle };
}
