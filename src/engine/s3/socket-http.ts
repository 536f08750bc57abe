// HTTP/1.1 exchanges on our own keep-alive sockets, for GET bodies (and small requests: HEAD, PUT). Node's client copies every body chunk out
// of the socket's buffer into a new one and runs a stream per answer: ~2 CPU-s per GiB of body. Here the
// kernel reads into one reused buffer per socket and the body goes to its sink straight from there (~0.4
// CPU-s/GiB; bench/results/download-transport-2026-11-30.md). Direct connections only: behind a proxy the agents of
// network.ts carry the request. An answer outside the shape parsed here comes back as "unsupported" before any
// body byte reached the sink, so the caller can send the request through Node's client instead. A PUT's body is
// written from the caller's buffer (no copy): the exchange settles only once the socket no longer needs it.
import { isIP, connect as netConnect, type Socket } from "node:net";
import { createRequire } from "node:module";
import type { ConnectionOptions } from "node:tls";
import { whenAborted } from "../abort-scope.js";
import type { BodySink } from "./body-sink.js";
import {
  ChunkedDecoder,
  findHeadEnd,
  MAX_HEAD_BYTES,
  ProtocolSurprise,
  parseResponseHead,
  type ResponseHead,
} from "./http1-response.js";

// node:tls only when a GET goes over TLS (network.ts says why).
const requireBuiltin = createRequire(import.meta.url);

export interface SocketRequest {
  method: "GET" | "HEAD" | "PUT";
  /** Its protocol, host and port say where to connect. */
  url: URL;
  /** Path and query, already encoded. */
  target: string;
  /** Final names and values, host included. */
  headers: Record<string, string>;
  /** Gets a 2xx answer's body. */
  onBody?: BodySink;
  /** PUT only, its Content-Length among the headers. Unused by the socket once the exchange settled. */
  body?: Buffer;
  signal?: AbortSignal;
}

export type Exchanged =
  | {
      kind: "answer";
      status: number;
      headers: Record<string, string>;
      /** A non-2xx answer's body (its first ERROR_BODY_LIMIT bytes); empty for 2xx. */
      errorBody: Buffer;
    }
  | { kind: "unsupported"; reason: string };

export interface SocketHttp {
  exchange(request: SocketRequest): Promise<Exchanged>;
  /** Closes idle sockets; exchanges under way finish on theirs. */
  destroy(): void;
}

export interface SocketHttpOptions {
  /** Trust for https endpoints: the same CA list the https agent uses; asked on the first TLS connection. */
  tls: () => ConnectionOptions;
  stallTimeoutMs: number;
  /** Idle sockets kept per host. */
  maxIdle: number;
  /** A socket idle this long is not reused (default IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number;
}

/** One read's worth: libuv's own read size, and small enough to stay in cache while the sink hashes it. */
const READ_BUFFER_BYTES = 64 * 1024;
/** S3's error documents are a few hundred bytes. */
export const ERROR_BODY_LIMIT = 64 * 1024;
/** Below the 5 s keep-alive timeout of Node servers (S3's is longer), so we close an idle socket first. */
const IDLE_TIMEOUT_MS = 4_000;

interface Connection {
  socket: Socket;
  key: string;
  /** Every read while an exchange runs; false pauses reading. Null while idle. */
  onBytes: ((bytes: Buffer) => boolean) | null;
  /** Where the next read goes when not into the socket's own buffer: a body sink's memory. */
  lentBuffer: (() => Buffer | null) | null;
  /** The socket closed (with its error, if any) while an exchange ran. */
  onClose: ((error: Error | undefined) => void) | null;
  onTimeout: () => void;
  /** When it was last released (performance.now()). */
  idleSince: number;
}

/** A reused socket the server closed before answering: the request goes again on a new one. */
const STALE = Symbol("stale connection");

function timeoutError(ms: number): Error {
  const error = new Error(`no traffic on the connection for ${ms} ms`);
  error.name = "TimeoutError";
  return error;
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error("The operation was aborted"), {
    name: "AbortError",
    code: "ABORT_ERR",
    cause: signal.reason as unknown,
  });
}

/** Retried like a reset (retry.ts): the store or the network cut the answer short. */
function closedError(detail: string): Error {
  return Object.assign(new Error(`the connection closed ${detail}`), { code: "ECONNRESET" });
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Up to this, a body is copied next to its head and goes out in one write: cheaper than Node's corked writev. */
const SINGLE_WRITE_BODY_BYTES = 16 * 1024;

/** The request line and headers, blank line included; latin1, so one character is one byte. */
function requestHead(request: SocketRequest): string {
  let head = `${request.method} ${request.target} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(request.headers)) {
    // A line break in a value would start a header of its own on the wire.
    if (!TOKEN.test(name) || INVALID_VALUE.test(value)) {
      throw new TypeError(`header ${JSON.stringify(name)} has a character HTTP does not allow`);
    }
    head += `${name}: ${value}\r\n`;
  }
  if (/[^\x21-\x7e]/.test(request.target)) throw new TypeError("the request path has unencoded characters");
  return `${head}\r\n`;
}

export function createSocketHttp(options: SocketHttpOptions): SocketHttp {
  const idle = new Map<string, Connection[]>();
  let tls: ConnectionOptions | undefined;
  const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const tlsOptions = (): ConnectionOptions => (tls ??= options.tls());

  function release(connection: Connection): void {
    connection.onBytes = null;
    connection.lentBuffer = null;
    connection.onClose = null;
    const list = idle.get(connection.key) ?? [];
    if (list.length >= options.maxIdle || connection.socket.destroyed) {
      connection.socket.destroy();
      return;
    }
    connection.onTimeout = () => connection.socket.destroy();
    // Its age is checked when it is taken again, not by a timer: re-arming a socket's timer costs a Timeout
    // object per call, twice an exchange. The stall timer armed at open() also ends a socket idle that long.
    connection.idleSince = performance.now();
    // An idle socket must not keep the process alive.
    connection.socket.unref();
    list.push(connection);
    idle.set(connection.key, list);
  }

  function takeIdle(key: string): Connection | undefined {
    const list = idle.get(key);
    while (list && list.length > 0) {
      const connection = list.pop()!;
      if (connection.socket.destroyed) continue;
      if (performance.now() - connection.idleSince < idleTimeoutMs) return connection;
      connection.socket.destroy();
    }
    return undefined;
  }

  function open(url: URL, key: string): Connection {
    const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const https = url.protocol === "https:";
    const port = Number(url.port || (https ? 443 : 80));
    const connection: Connection = {
      socket: undefined as unknown as Socket,
      key,
      onBytes: null,
      lentBuffer: null,
      onClose: null,
      onTimeout: () => undefined,
      idleSince: 0,
    };
    const onread = {
      // Asked again after every read, for the memory of the next one.
      buffer: (): Buffer => connection.lentBuffer?.() ?? readBuffer,
      callback: (read: number, buffer: Buffer): boolean => {
        if (connection.onBytes !== null) return connection.onBytes(buffer.subarray(0, read));
        // Bytes nobody asked for on an idle socket: it is out of step with the server.
        connection.socket.destroy();
        return false;
      },
    };
    connection.socket = https
      ? (requireBuiltin("node:tls") as typeof import("node:tls")).connect({
          ...tlsOptions(),
          host,
          port,
          // Node's https agent sends SNI for names only, never for an address.
          ...(isIP(host) === 0 ? { servername: host } : {}),
          onread,
        } as ConnectionOptions)
      : netConnect({ host, port, onread });
    const { socket } = connection;
    socket.setNoDelay(true);
    // Node refreshes it on every read and write: it measures silence within an exchange without being re-armed.
    socket.setTimeout(options.stallTimeoutMs);
    let lastError: Error | undefined;
    socket.on("error", (error) => {
      lastError = error;
    });
    socket.on("timeout", () => connection.onTimeout());
    socket.on("close", () => {
      const list = idle.get(key);
      const at = list?.indexOf(connection) ?? -1;
      if (at >= 0) list!.splice(at, 1);
      connection.onClose?.(lastError);
    });
    return connection;
  }

  function run(
    connection: Connection,
    request: SocketRequest,
    reused: boolean,
  ): Promise<Exchanged | typeof STALE> {
    const { socket } = connection;
    return new Promise((resolve, reject) => {
      let headBytes = Buffer.alloc(0);
      let head: ResponseHead | null = null;
      let anyByte = false;
      let settled = false;
      /** Bytes of a length-framed body still to come. */
      let remaining = 0;
      let reusable = true;
      const errorParts: Buffer[] = [];
      let errorBytes = 0;
      let chunked: ChunkedDecoder | null = null;
      /** Until the kernel took the whole body, the socket reads from the caller's buffer. */
      let bodyWritten = request.body === undefined || request.body.byteLength === 0;
      let stopListening = (): void => undefined;

      const cleanup = (): void => {
        settled = true;
        stopListening();
        connection.onBytes = null;
        connection.lentBuffer = null;
        connection.onClose = null;
        connection.onTimeout = () => undefined;
      };
      const fail = (error: unknown): void => {
        if (settled) return;
        cleanup();
        socket.destroy();
        reject(error as Error);
      };
      const finish = (): void => {
        if (settled) return;
        cleanup();
        // An answer before the whole body was taken (a store refusing at once): the rest of the body must
        // not go out, and the caller's buffer must be free once this settles; destroy() does both.
        if (reusable && head!.keepAlive && bodyWritten) release(connection);
        else socket.destroy();
        const isError = head!.status < 200 || head!.status >= 300;
        resolve({
          kind: "answer",
          status: head!.status,
          headers: head!.headers,
          errorBody: isError ? Buffer.concat(errorParts) : Buffer.alloc(0),
        });
      };
      const unsupported = (reason: string): void => {
        if (settled) return;
        cleanup();
        socket.destroy();
        resolve({ kind: "unsupported", reason });
      };
      function onAbort(): void {
        fail(abortError(request.signal!));
      }

      const keepError = (bytes: Buffer): void => {
        const room = ERROR_BODY_LIMIT - errorBytes;
        if (room <= 0) return;
        const kept = Buffer.from(bytes.byteLength <= room ? bytes : bytes.subarray(0, room));
        errorParts.push(kept);
        errorBytes += kept.byteLength;
      };

      const onHead = (bytes: Buffer): Buffer | null => {
        let end: number;
        if (headBytes.byteLength === 0) {
          end = findHeadEnd(bytes);
          if (end >= 0) {
            head = parseResponseHead(bytes.subarray(0, end - 4), request.method);
            return bytes.subarray(end);
          }
        }
        const searched = headBytes.byteLength;
        headBytes = Buffer.concat([headBytes, bytes]);
        end = findHeadEnd(headBytes, searched);
        if (end < 0) {
          if (headBytes.byteLength > MAX_HEAD_BYTES) throw new ProtocolSurprise("a head larger than 64 KiB");
          return null;
        }
        head = parseResponseHead(headBytes.subarray(0, end - 4), request.method);
        return headBytes.subarray(end);
      };

      /** Starts the body after the head; false when the answer is not one this reader takes. */
      const startBody = (): boolean => {
        const { status, framing } = head!;
        const success = status >= 200 && status < 300;
        if (framing.kind === "length") remaining = framing.length;
        if (success && request.onBody && framing.kind !== "length" && framing.kind !== "none") {
          unsupported(
            `a ${status} body framed by ${framing.kind === "chunked" ? "chunked encoding" : "connection close"}`,
          );
          return false;
        }
        if (framing.kind === "chunked") chunked = new ChunkedDecoder(ERROR_BODY_LIMIT);
        if (framing.kind === "close") reusable = false;
        return true;
      };

      const onSuccessBody = (bytes: Buffer): boolean => {
        const take = Math.min(remaining, bytes.byteLength);
        // More than the answer's length on a connection with one request in flight: out of step.
        if (take < bytes.byteLength) reusable = false;
        remaining -= take;
        let wait: Promise<void> | undefined;
        try {
          wait = request.onBody
            ? request.onBody(take === bytes.byteLength ? bytes : bytes.subarray(0, take))
            : undefined;
        } catch (error) {
          fail(error);
          return false;
        }
        if (remaining === 0) {
          if (wait === undefined) finish();
          else wait.then(finish, fail);
          return true;
        }
        if (wait === undefined) return true;
        wait.then(() => {
          if (!settled) socket.resume();
        }, fail);
        return false;
      };

      const onErrorBody = (bytes: Buffer): boolean => {
        const framing = head!.framing;
        if (chunked !== null) {
          const used = chunked.feed(bytes);
          if (used < bytes.byteLength) reusable = false;
          if (chunked.done) {
            keepError(chunked.body());
            finish();
          }
          return true;
        }
        if (framing.kind === "close") {
          keepError(bytes);
          return true;
        }
        const take = Math.min(remaining, bytes.byteLength);
        if (take < bytes.byteLength) reusable = false;
        keepError(bytes.subarray(0, take));
        remaining -= take;
        if (remaining === 0) finish();
        return true;
      };

      const onBytes = (bytes: Buffer): boolean => {
        let rest: Buffer | null = bytes;
        if (head === null) {
          rest = onHead(bytes);
          if (rest === null) return true;
          if (!startBody()) return false;
          if (head!.framing.kind === "none" || (head!.framing.kind === "length" && remaining === 0)) {
            if (rest.byteLength > 0) reusable = false;
            finish();
            return true;
          }
          if (rest.byteLength === 0) return true;
        }
        return head!.status >= 200 && head!.status < 300 ? onSuccessBody(rest) : onErrorBody(rest);
      };
      connection.onBytes = (bytes) => {
        if (settled) return true;
        anyByte = true;
        try {
          return onBytes(bytes);
        } catch (error) {
          // Only heads and error bodies are parsed, so no byte has reached the sink yet.
          if (error instanceof ProtocolSurprise) unsupported(error.message);
          else fail(error);
          return false;
        }
      };

      connection.onClose = (error) => {
        if (settled) return;
        if (head !== null && head.framing.kind === "close" && (head.status < 200 || head.status >= 300)) {
          finish();
          return;
        }
        // A server's keep-alive close racing our reuse, or a request it got and dropped: a GET is sent again
        // here (its body is what counts, and its reader proves it). A PUT may have landed and a HEAD is a
        // proof step: the caller's retry decides and reports it, as with Node's client.
        if (!anyByte && reused && request.method === "GET") {
          cleanup();
          resolve(STALE);
          return;
        }
        const detail =
          head === null
            ? "before the answer's head arrived"
            : `with ${remaining} byte(s) of the answer's body still to come`;
        fail(error ?? closedError(detail));
      };
      connection.onTimeout = () => fail(timeoutError(options.stallTimeoutMs));
      const readInto = request.onBody?.readInto;
      // Only inside a 2xx body framed by its length, and never past its end: the bytes of whatever comes
      // after it (nothing, on a connection with one request in flight) cannot land in the sink's memory.
      connection.lentBuffer =
        readInto === undefined
          ? null
          : () =>
              !settled && head !== null && head.status >= 200 && head.status < 300 && remaining > 0
                ? readInto(remaining)
                : null;

      if (request.signal?.aborted) {
        fail(abortError(request.signal));
        return;
      }
      // The run's own signal, shared by every exchange: one listener on it however many are in flight.
      if (request.signal) stopListening = whenAborted(request.signal, onAbort);
      let headText: string;
      try {
        headText = requestHead(request);
      } catch (error) {
        cleanup();
        release(connection);
        reject(error as Error);
        return;
      }
      socket.ref();
      const body = request.body;
      if (bodyWritten || body === undefined) {
        socket.write(headText, "latin1");
        return;
      }
      const onBodyWritten = (): void => {
        bodyWritten = true;
      };
      if (body.byteLength <= SINGLE_WRITE_BODY_BYTES) {
        const bytes = Buffer.allocUnsafe(headText.length + body.byteLength);
        bytes.write(headText, 0, "latin1");
        body.copy(bytes, headText.length);
        socket.write(bytes, onBodyWritten);
        return;
      }
      // Head and body in one writev, the body from the caller's buffer.
      socket.cork();
      socket.write(headText, "latin1");
      socket.write(body, onBodyWritten);
      socket.uncork();
    });
  }

  return {
    async exchange(request) {
      const key = `${request.url.protocol}//${request.url.host}`;
      const reused = takeIdle(key);
      if (reused !== undefined) {
        const outcome = await run(reused, request, true);
        if (outcome !== STALE) return outcome;
      }
      const outcome = await run(open(request.url, key), request, false);
      // A new connection is never stale: run() resolves STALE only for reused ones.
      return outcome as Exchanged;
    },
    destroy() {
      for (const list of idle.values()) for (const connection of list) connection.socket.destroy();
      idle.clear();
    },
  };
}
