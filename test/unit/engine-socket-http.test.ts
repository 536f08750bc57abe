// The socket GET path against a bare TCP server that answers byte for byte what each test scripts: keep-alive
// reuse, heads and bodies split anywhere, short and long bodies, error bodies mapped as the SDK maps them,
// and answers it does not read going through Node's client instead.
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { s3ErrorInfo } from "../../src/engine/errors.js";
import { isRetryable } from "../../src/engine/retry.js";
import { createS3Store, type S3Store } from "../../src/engine/s3/s3-client.js";
import { createSocketHttp, type SocketHttp } from "../../src/engine/s3/socket-http.js";

type Answer = (socket: Socket, request: string, index: { connection: number; request: number }) => void;

let server: Server;
let port: number;
let answer: Answer = () => undefined;
let connections = 0;
const requests: string[] = [];
const serverSockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    const connection = ++connections;
    serverSockets.add(socket);
    socket.on("close", () => serverSockets.delete(socket));
    let pending = "";
    let onConnection = 0;
    socket.on("error", () => undefined);
    socket.on("data", (data) => {
      pending += data.toString("latin1");
      let end: number;
      while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
        const request = pending.slice(0, end);
        pending = pending.slice(end + 4);
        requests.push(request);
        answer(socket, request, { connection, request: ++onConnection });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  // Keep-alive sockets of Node's client (the fallback test) would hold close() open.
  for (const socket of serverSockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  requests.length = 0;
});

const url = () => new URL(`http://127.0.0.1:${port}`);

/** A 206 answer for `body`, written in pieces of `piece` bytes (1 splits the head at every byte). */
function partial(socket: Socket, body: Buffer, piece = Infinity, extra = ""): void {
  const bytes = Buffer.concat([
    Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.byteLength}\r\nETag: "e"\r\n\r\n`),
    body,
    Buffer.from(extra),
  ]);
  if (piece === Infinity) {
    socket.write(bytes);
    return;
  }
  let at = 0;
  const next = () => {
    if (at >= bytes.byteLength || socket.destroyed) return;
    socket.write(bytes.subarray(at, at + piece));
    at += piece;
    setImmediate(next);
  };
  next();
}

/** A GET through `http`; the body as the sink saw it, copied (its chunks are lent). */
async function get(http: SocketHttp, options: { wait?: boolean; signal?: AbortSignal } = {}) {
  const chunks: Buffer[] = [];
  const outcome = await http.exchange({
    method: "GET",
    url: url(),
    target: "/b/k",
    headers: { host: `127.0.0.1:${port}`, range: "bytes=0-9" },
    onBody: (chunk) => {
      chunks.push(Buffer.from(chunk));
      // A sink that waits on every chunk, as the range writer does when its slabs are busy.
      return options.wait ? new Promise((resolve) => setTimeout(resolve, 1)) : undefined;
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { outcome, body: Buffer.concat(chunks) };
}

describe("socket GET transport", () => {
  let http: SocketHttp;
  beforeAll(() => {
    http = createSocketHttp({ tls: () => ({}), stallTimeoutMs: 30_000, maxIdle: 4 });
  });
  afterAll(() => http.destroy());

  it("reads a head split at every byte and keeps the connection for the next GETs", async () => {
    const body = Buffer.from("0123456789");
    answer = (socket, _request, index) => partial(socket, body, index.request === 1 ? 1 : 3);
    const before = connections;
    for (let i = 0; i < 3; i++) {
      const { outcome, body: got } = await get(http, { wait: i === 2 });
      expect(outcome).toMatchObject({ kind: "answer", status: 206, headers: { etag: '"e"' } });
      expect(got.toString()).toBe("0123456789");
    }
    expect(connections - before).toBe(1);
    expect(requests[0]).toMatch(/^GET \/b\/k HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\nrange: bytes=0-9$/);
  });

  it("reads a body into the memory its sink lends, never past the body, and the reused connection reads its own", async () => {
    const body = Buffer.alloc(300_000);
    for (let i = 0; i < body.byteLength; i++) body[i] = (i * 7) % 251;
    answer = (socket) => partial(socket, body, 50_000, "");
    const lent = Buffer.alloc(400_000);
    let filled = 0;
    let inPlace = 0;
    const asked: number[] = [];
    const onBody = Object.assign(
      (chunk: Buffer) => {
        if (chunk.buffer === lent.buffer && chunk.byteOffset === lent.byteOffset + filled)
          inPlace += chunk.byteLength;
        else chunk.copy(lent, filled);
        filled += chunk.byteLength;
        return undefined;
      },
      {
        readInto: (most: number) => {
          asked.push(most);
          return lent.subarray(filled, filled + Math.min(most, 64 * 1024));
        },
      },
    );
    const outcome = await http.exchange({
      method: "GET",
      url: url(),
      target: "/b/k",
      headers: { host: `127.0.0.1:${port}` },
      onBody,
    });
    const before = connections;
    expect(outcome).toMatchObject({ kind: "answer", status: 206 });
    expect(lent.subarray(0, filled).equals(body)).toBe(true);
    // Only the bytes that came with the head were copied; every later read landed where the sink lent.
    expect(inPlace).toBeGreaterThan(body.byteLength / 2);
    // Never more than the body still to come, so no byte of a next answer lands in the sink's memory.
    expect(Math.max(...asked)).toBeLessThanOrEqual(body.byteLength);
    expect(asked.every((most, i) => i === 0 || most < asked[i - 1]!)).toBe(true);
    const next = await get(http);
    expect(next.body.equals(body)).toBe(true);
    expect(connections).toBe(before);
  });

  it("takes a body of exactly its length: bytes after it close the connection instead of a reuse", async () => {
    const on: number[] = [];
    answer = (socket, _request, index) => {
      on.push(index.connection);
      partial(socket, Buffer.from("0123456789"), Infinity, "HTTP/1.1 200 junk");
    };
    const { body } = await get(http);
    expect(body.toString()).toBe("0123456789");
    answer = (socket, _request, index) => {
      on.push(index.connection);
      partial(socket, Buffer.from("abcdefghij"));
    };
    expect((await get(http)).body.toString()).toBe("abcdefghij");
    expect(on[1]).not.toBe(on[0]);
  });

  it("a body cut short fails as a retryable reset naming how much was missing", async () => {
    answer = (socket) => {
      socket.write('HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\nETag: "e"\r\n\r\n0123');
      setTimeout(() => socket.destroy(), 20);
    };
    const error = await get(http).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/6 byte\(s\) of the answer's body still to come/);
    expect(isRetryable(error)).toBe(true);
  });

  it("a reused connection the server closed while idle is replaced without failing the GET", async () => {
    answer = (socket, _request, index) => {
      partial(socket, Buffer.from("0123456789"));
      // Closes after its first answer, as a server whose keep-alive timeout ran out.
      if (index.request === 1) setTimeout(() => socket.end(), 10);
    };
    await get(http);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await get(http)).body.toString()).toBe("0123456789");
  });

  it("collects an error body (by length or chunked) and keeps the connection", async () => {
    const xml = "<Error><Code>PreconditionFailed</Code><Message>At least one failed</Message></Error>";
    answer = (socket, _request, index) => {
      if (index.request === 1) {
        socket.write(`HTTP/1.1 412 Precondition Failed\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`);
      } else {
        const half = xml.length >> 1;
        socket.write(
          `HTTP/1.1 412 Precondition Failed\r\nTransfer-Encoding: chunked\r\n\r\n` +
            `${half.toString(16)}\r\n${xml.slice(0, half)}\r\n${(xml.length - half).toString(16)}\r\n${xml.slice(half)}\r\n0\r\n\r\n`,
        );
      }
    };
    const before = connections;
    for (let i = 0; i < 2; i++) {
      const { outcome, body } = await get(http);
      expect(outcome).toMatchObject({ kind: "answer", status: 412 });
      expect(outcome.kind === "answer" && outcome.errorBody.toString()).toBe(xml);
      expect(body.byteLength).toBe(0);
    }
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it("answers it does not read come back unsupported before the sink saw a byte", async () => {
    for (const head of [
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Length: 1\r\n\r\nx",
      "HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
      "HTTP/1.1 206 Partial Content\r\n\r\nx",
    ]) {
      answer = (socket) => {
        socket.write(head);
      };
      const { outcome, body } = await get(http);
      expect(outcome.kind, head).toBe("unsupported");
      expect(body.byteLength).toBe(0);
    }
  });

  it("a stalled answer is cut after the stall timeout; an abort ends the GET at once", async () => {
    const stalling = createSocketHttp({ tls: () => ({}), stallTimeoutMs: 100, maxIdle: 1 });
    answer = () => undefined;
    const stalled = await get(stalling).catch((caught: unknown) => caught);
    expect((stalled as Error).name).toBe("TimeoutError");
    expect(isRetryable(stalled)).toBe(true);
    // On a reused connection too: its stall timer measures the silence of this exchange, not of the last one.
    answer = (socket, _request, index) => {
      if (index.request === 1) partial(socket, Buffer.from("0123456789"));
    };
    expect((await get(stalling)).body.toString()).toBe("0123456789");
    await new Promise((resolve) => setTimeout(resolve, 60));
    const reused = await get(stalling).catch((caught: unknown) => caught);
    expect((reused as Error).name).toBe("TimeoutError");
    expect(requests).toHaveLength(3);
    stalling.destroy();
    answer = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by test")), 20);
    const aborted = await get(http, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect((aborted as Error).name).toBe("AbortError");
    expect(isRetryable(aborted)).toBe(false);
  });

  it("refuses a header value that would split the request", async () => {
    const error = await http
      .exchange({
        method: "GET",
        url: url(),
        target: "/b/k",
        headers: { host: "h", "if-match": '"e"\r\nx-evil: 1' },
      })
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/header "if-match" has a character HTTP does not allow/);
  });
});

describe("getObjectRange over the socket path", () => {
  let store: S3Store;
  beforeAll(() => {
    store = createS3Store(
      {
        endpoint: `http://127.0.0.1:${port}`,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
      },
      { maxSockets: 2, stallTimeoutMs: 30_000 },
    );
  });
  afterAll(() => store.destroy());

  const range = (onChunk: (chunk: Buffer) => undefined) =>
    store.getObjectRange(
      { bucket: "b", key: "dir/k ü", start: 0, end: 9, ifMatch: "e", versionId: "v1" },
      onChunk,
    );

  it("sends the signed, encoded request and maps a 412 exactly as the SDK names it", async () => {
    const xml = "<Error><Code>PreconditionFailed</Code><Message>At least one</Message></Error>";
    answer = (socket) =>
      socket.write(
        "HTTP/1.1 412 Precondition Failed\r\nx-amz-request-id: REQ9\r\nTransfer-Encoding: chunked\r\n\r\n" +
          `${xml.length.toString(16)}\r\n${xml}\r\n0\r\n\r\n`,
      );
    const error = await range(() => undefined).catch((caught: unknown) => caught);
    expect(s3ErrorInfo(error)).toEqual({
      code: "PreconditionFailed",
      message: "At least one",
      status: 412,
      requestId: "REQ9",
    });
    expect(isRetryable(error)).toBe(false);
    expect(requests[0]).toMatch(/^GET \/b\/dir\/k%20%C3%BC\?versionId=v1 HTTP\/1\.1\r\n/);
    expect(requests[0]).toMatch(/\r\nif-match: "e"\r\n/);
    expect(requests[0]).toMatch(/\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
  });

  it("an answer the socket path does not read is fetched again through Node's client, byte-exact", async () => {
    answer = (socket) =>
      socket.write(
        "HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n0123\r\n6\r\n456789\r\n0\r\n\r\n",
      );
    const chunks: Buffer[] = [];
    await range((chunk) => {
      chunks.push(Buffer.from(chunk));
      return undefined;
    });
    expect(Buffer.concat(chunks).toString()).toBe("0123456789");
    expect(requests).toHaveLength(2);
    // Node's client sends its own Connection header; the socket path does not.
    expect(requests[1]).toMatch(/\r\nConnection: keep-alive/i);
  });
});

describe("socket GET transport over TLS", () => {
  it("reads a body into the memory its sink lends through a TLS socket too, byte-exact", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { readFileSync } = await import("node:fs");
    const tls = await import("node:tls");
    const { makePrivateCa } = await import("../helpers/private-ca.js");
    const dir = await mkdtemp(path.join(tmpdir(), "socket-tls-"));
    const ca = makePrivateCa(dir, ["IP:127.0.0.1"]);
    const body = Buffer.alloc(500_000);
    for (let i = 0; i < body.byteLength; i++) body[i] = (i * 13) % 253;
    const secure = tls.createServer(ca.server, (socket) => {
      socket.on("error", () => undefined);
      socket.once("data", () => {
        socket.write(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.byteLength}\r\n\r\n`);
        socket.write(body);
      });
    });
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    const tlsPort = (secure.address() as AddressInfo).port;
    const http = createSocketHttp({
      tls: () => ({ ca: readFileSync(ca.caFile, "utf8") }),
      stallTimeoutMs: 30_000,
      maxIdle: 1,
    });
    try {
      const lent = Buffer.alloc(body.byteLength);
      let filled = 0;
      let inPlace = 0;
      const onBody = Object.assign(
        (chunk: Buffer) => {
          if (chunk.buffer === lent.buffer && chunk.byteOffset === lent.byteOffset + filled) {
            inPlace += chunk.byteLength;
          } else chunk.copy(lent, filled);
          filled += chunk.byteLength;
          return undefined;
        },
        { readInto: (most: number) => lent.subarray(filled, filled + Math.min(most, 64 * 1024)) },
      );
      const outcome = await http.exchange({
        method: "GET",
        url: new URL(`https://127.0.0.1:${tlsPort}`),
        target: "/b/k",
        headers: { host: `127.0.0.1:${tlsPort}` },
        onBody,
      });
      expect(outcome).toMatchObject({ kind: "answer", status: 206 });
      expect(lent.subarray(0, filled).equals(body)).toBe(true);
      expect(inPlace).toBeGreaterThan(0);
    } finally {
      http.destroy();
      secure.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
