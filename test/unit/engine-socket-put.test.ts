// PUT bodies over the socket transport (socket-http.ts), against a bare TCP server that reads each request's
// head and Content-Length body and answers what each test scripts: the bytes on the wire, keep-alive reuse,
// an answer that comes before the body was all taken, a reused socket closed before any answer, and the
// store's PutObject and HeadObject going over these sockets on a direct connection.
import { getEventListeners } from "node:events";
import { createServer, Socket, type AddressInfo, type Server } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { s3ErrorInfo } from "../../src/engine/errors.js";
import { isRetryable } from "../../src/engine/retry.js";
import { createS3Store, type S3Store } from "../../src/engine/s3/s3-client.js";
import { createSocketHttp, type SocketHttp } from "../../src/engine/s3/socket-http.js";

interface Received {
  head: string;
  body: Buffer;
  connection: number;
}

/** What the server does once a request's head (and, unless `answerEarly`, its whole body) arrived. */
type Answer = (socket: Socket, request: Received, onConnection: number) => void;

let server: Server;
let port: number;
let answer: Answer = () => undefined;
/** Answer as soon as the head arrived, reading no body byte (a store refusing the request at once). */
let answerEarly = false;
let connections = 0;
const received: Received[] = [];
const serverSockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    const connection = ++connections;
    serverSockets.add(socket);
    socket.on("close", () => serverSockets.delete(socket));
    socket.on("error", () => undefined);
    let pending = Buffer.alloc(0);
    let current: { head: string; length: number } | null = null;
    let onConnection = 0;
    socket.on("data", (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        if (current === null) {
          const end = pending.indexOf("\r\n\r\n");
          if (end < 0) return;
          const head = pending.subarray(0, end).toString("latin1");
          pending = pending.subarray(end + 4);
          const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
          current = { head, length };
          if (answerEarly) {
            const request = { head, body: Buffer.alloc(0), connection };
            received.push(request);
            answer(socket, request, ++onConnection);
            socket.pause();
            return;
          }
        }
        if (pending.byteLength < current.length) return;
        const request = { head: current.head, body: pending.subarray(0, current.length), connection };
        pending = pending.subarray(current.length);
        current = null;
        received.push(request);
        answer(socket, request, ++onConnection);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const socket of serverSockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  received.length = 0;
  answerEarly = false;
});

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const ok = (socket: Socket, extra = ""): void => {
  socket.write(`HTTP/1.1 200 OK\r\nETag: "abc"\r\n${extra}Content-Length: 0\r\n\r\n`);
};

function put(http: SocketHttp, body: Buffer) {
  return http.exchange({
    method: "PUT",
    url: new URL(`http://127.0.0.1:${port}`),
    target: "/b/k",
    headers: { host: `127.0.0.1:${port}`, "content-length": String(body.byteLength) },
    body,
  });
}

describe("socket PUT transport", () => {
  let http: SocketHttp;
  beforeAll(() => {
    http = createSocketHttp({ tls: () => ({}), stallTimeoutMs: 30_000, maxIdle: 4 });
  });
  afterAll(() => http.destroy());

  it("sends the head and the body byte-exact and keeps the connection for the next PUTs", async () => {
    answer = (socket) => ok(socket, "x-amz-checksum-crc64nvme: AAAAAAAAAAA=\r\n");
    const before = connections;
    const bodies = [Buffer.from("hello body"), Buffer.alloc(300_000, 7), Buffer.alloc(0)];
    for (const body of bodies) {
      const outcome = await put(http, body);
      expect(outcome).toMatchObject({
        kind: "answer",
        status: 200,
        headers: { etag: '"abc"', "x-amz-checksum-crc64nvme": "AAAAAAAAAAA=" },
      });
    }
    expect(connections - before).toBe(1);
    expect(received.map((request) => request.body.equals(bodies[received.indexOf(request)]!))).toEqual([
      true,
      true,
      true,
    ]);
    expect(received[0]!.head).toMatch(
      /^PUT \/b\/k HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\ncontent-length: 10$/,
    );
  });

  it("a small body goes out in one write with its head (no corked writev); a large one is not copied", async () => {
    answer = (socket) => ok(socket);
    const writev = vi.spyOn(Socket.prototype, "_writev");
    try {
      const small = Buffer.alloc(4096, 3);
      expect(await put(http, small)).toMatchObject({ kind: "answer", status: 200 });
      expect(writev).not.toHaveBeenCalled();
      expect(received.at(-1)!.body.equals(small)).toBe(true);
      const large = Buffer.alloc(300_000, 5);
      expect(await put(http, large)).toMatchObject({ kind: "answer", status: 200 });
      expect(writev).toHaveBeenCalled();
      expect(received.at(-1)!.body.equals(large)).toBe(true);
    } finally {
      writev.mockRestore();
    }
  });

  it("a reused connection arms no timer per exchange; one idle past idleTimeoutMs is not reused", async () => {
    answer = (socket) => ok(socket);
    const fresh = createSocketHttp({
      tls: () => ({}),
      stallTimeoutMs: 30_000,
      maxIdle: 4,
      idleTimeoutMs: 200,
    });
    try {
      expect(await put(fresh, Buffer.from("first"))).toMatchObject({ status: 200 });
      const setTimeouts = vi.spyOn(Socket.prototype, "setTimeout");
      try {
        for (const body of ["second", "third"]) {
          expect(await put(fresh, Buffer.from(body))).toMatchObject({ status: 200 });
        }
        expect(setTimeouts).not.toHaveBeenCalled();
      } finally {
        setTimeouts.mockRestore();
      }
      expect(received.at(-1)!.connection).toBe(received.at(-3)!.connection);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await put(fresh, Buffer.from("after idle"))).toMatchObject({ status: 200 });
      expect(received.at(-1)!.body.toString()).toBe("after idle");
      expect(received.at(-1)!.connection).not.toBe(received.at(-2)!.connection);
    } finally {
      fresh.destroy();
    }
  });

  it("an answer that comes before the store took the whole body closes that connection, never reuses it", async () => {
    const xml = "<Error><Code>EntityTooLarge</Code><Message>Too large</Message></Error>";
    answerEarly = true;
    answer = (socket) =>
      socket.write(`HTTP/1.1 400 Bad Request\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`);
    // Far more than the kernel's socket buffers hold: the write is still under way when the answer ends.
    const body = Buffer.alloc(64 * 1024 * 1024, 1);
    const first = await put(http, body);
    expect(first).toMatchObject({ kind: "answer", status: 400 });
    expect(first.kind === "answer" && first.errorBody.toString()).toBe(xml);
    answerEarly = false;
    answer = (socket) => ok(socket);
    const next = await put(http, Buffer.from("next"));
    expect(next).toMatchObject({ kind: "answer", status: 200 });
    const last = received.at(-1)!;
    expect(last.body.toString()).toBe("next");
    expect(last.connection).not.toBe(received[0]!.connection);
  });

  it("a reused connection closed before any answer fails a PUT or HEAD as a retryable reset, not sent again unseen", async () => {
    for (const method of ["PUT", "HEAD"] as const) {
      received.length = 0;
      const fresh = createSocketHttp({ tls: () => ({}), stallTimeoutMs: 30_000, maxIdle: 4 });
      answer = (socket, _request, onConnection) => {
        if (onConnection === 1) ok(socket);
        else socket.destroy();
      };
      const send = (body: string) =>
        method === "PUT"
          ? put(fresh, Buffer.from(body))
          : fresh.exchange({
              method,
              url: new URL(`http://127.0.0.1:${port}`),
              target: `/b/${body}`,
              headers: { host: `127.0.0.1:${port}` },
            });
      expect(await send("one")).toMatchObject({ kind: "answer", status: 200 });
      const error = await send("two").catch((caught: unknown) => caught);
      fresh.destroy();
      expect(error, method).toBeInstanceOf(Error);
      expect(isRetryable(error)).toBe(true);
      // The request may have reached the store (a write landed, a fault was injected and logged): the
      // engine's retry decides and reports it, not the transport behind its back.
      expect(received, method).toHaveLength(2);
    }
  });
});

describe("PutObject and HeadObject over the socket path", () => {
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

  it("sends the signed PutObject on the tool's own socket and reads the store's echo", async () => {
    answer = (socket) => ok(socket, "x-amz-checksum-crc64nvme: AAAAAAAAAAA=\r\n");
    const body = Buffer.from("small file");
    const written = await store.putObject({
      bucket: "b",
      key: "dir/k ü",
      body,
      headers: { contentType: "text/plain" },
      checksums: { CRC64NVME: "AAAAAAAAAAA=" },
      contentMd5: "bWQ1bWQ1bWQ1bWQ1bWQ1bQ==",
      ifNoneMatch: true,
    });
    expect(written).toMatchObject({ etag: "abc", checksums: { CRC64NVME: "AAAAAAAAAAA=" } });
    const [request] = received;
    expect(request!.body.equals(body)).toBe(true);
    expect(request!.head).toMatch(/^PUT \/b\/dir\/k%20%C3%BC HTTP\/1\.1\r\n/);
    expect(request!.head).toMatch(/\r\ncontent-length: 10\r\n/);
    expect(request!.head).toMatch(/\r\nif-none-match: \*\r\n/);
    expect(request!.head).toMatch(/\r\ncontent-md5: bWQ1bWQ1bWQ1bWQ1bWQ1bQ==\r\n/);
    expect(request!.head).toMatch(/\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    // Node's client sends its own Connection header; the socket path does not.
    expect(request!.head).not.toMatch(/\r\nconnection:/i);
  });

  it("maps a PutObject error exactly as the SDK names it", async () => {
    const xml = "<Error><Code>PreconditionFailed</Code><Message>At least one</Message></Error>";
    answer = (socket) =>
      socket.write(
        `HTTP/1.1 412 Precondition Failed\r\nx-amz-request-id: REQ7\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`,
      );
    const error = await store
      .putObject({
        bucket: "b",
        key: "k",
        body: Buffer.from("x"),
        headers: { contentType: "text/plain" },
        checksums: {},
        ifNoneMatch: true,
      })
      .catch((caught: unknown) => caught);
    expect(s3ErrorInfo(error)).toEqual({
      code: "PreconditionFailed",
      message: "At least one",
      status: 412,
      requestId: "REQ7",
    });
  });

  it("sends HeadObject on the tool's own socket; a 404 is a missing object", async () => {
    answer = (socket, request) =>
      socket.write(
        request.head.includes("/b/there")
          ? 'HTTP/1.1 200 OK\r\nETag: "abc"\r\nContent-Length: 11\r\nx-amz-checksum-crc64nvme: AAAAAAAAAAA=\r\n\r\n'
          : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
      );
    const stored = await store.headObject({ bucket: "b", key: "there" });
    expect(stored).toMatchObject({ size: 11, etag: "abc", checksums: { CRC64NVME: "AAAAAAAAAAA=" } });
    expect(await store.headObject({ bucket: "b", key: "missing" })).toBeNull();
    for (const request of received) {
      expect(request.head).toMatch(/^HEAD \/b\//);
      expect(request.head).not.toMatch(/\r\nconnection:/i);
    }
  });

  it("PutObjects in flight on the run's signal share its one listener, and an abort still ends each of them", async () => {
    // Held until the abort: every request is in flight at once.
    answer = () => undefined;
    const run = new AbortController();
    const puts = ["a", "b", "c"].map((key) =>
      store
        .putObject(
          {
            bucket: "b",
            key,
            body: Buffer.from(key),
            headers: { contentType: "text/plain" },
            checksums: {},
            ifNoneMatch: true,
          },
          run.signal,
        )
        .catch((caught: unknown) => caught),
    );
    await until(() => received.length === 3);
    // One per run, not one per request (nor one AbortController per request, which the count cannot show).
    expect(getEventListeners(run.signal, "abort")).toHaveLength(1);
    run.abort();
    for (const outcome of await Promise.all(puts)) expect(outcome).toMatchObject({ name: "AbortError" });
    expect(getEventListeners(run.signal, "abort")).toHaveLength(0);
  });

  // Last: from then on this endpoint's requests go through Node's client.
  it("a PutObject answer the socket path does not read is sent again through Node's client, byte-exact", async () => {
    answer = (socket) =>
      socket.write(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nETag: "abc"\r\nContent-Length: 0\r\n\r\n',
      );
    const body = Buffer.from("resent body");
    const written = await store.putObject({
      bucket: "b",
      key: "k",
      body,
      headers: { contentType: "text/plain" },
      checksums: {},
      ifNoneMatch: false,
    });
    expect(written.etag).toBe("abc");
    expect(received).toHaveLength(2);
    for (const request of received) expect(request.body.equals(body)).toBe(true);
    expect(received[1]!.head).toMatch(/\r\nConnection: keep-alive/i);
  });
});
