// A tiny HTTP proxy between the engine and a store (the emulator or RGW) that does, per request, what the
// network or another client can do to it: flip a byte of the body in transit, let another writer act just
// before the request arrives, lose the answer after the store acted, or answer in the store's place.
// Headers pass unchanged (Host included), so SigV4 signatures stay valid; bodies are UNSIGNED-PAYLOAD.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { routeRequest } from "../emulator/router.js";

export interface ProxiedRequest {
  /** The S3 operation the request names, e.g. "UploadPart"; "Unknown" when it names none. */
  operation: string;
  key: string | undefined;
  partNumber: number | undefined;
}

export interface ProxyAction {
  /** Flip one bit of the body's middle byte before forwarding (length unchanged). */
  flipByte?: boolean;
  /** Runs before the request is forwarded, e.g. another writer's PutObject. */
  before?: () => Promise<void>;
  /** Runs once the store has answered, before the answer goes on (or is lost). */
  after?: () => Promise<void>;
  /** Forward, wait for the store's whole answer, then cut the client's connection without it. */
  loseResponse?: boolean;
  /** Answer this instead of forwarding; the store never sees the request. */
  answer?: { status: number; headers?: Record<string, string>; body?: string };
}

export interface FaultProxy {
  endpoint: string;
  stop(): Promise<void>;
}

function bodyOf(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function operationOf(req: IncomingMessage): ProxiedRequest {
  try {
    const route = routeRequest(req.method ?? "GET", req.url ?? "/", req.headers);
    return { operation: route.operation, key: route.key, partNumber: route.partNumber };
  } catch {
    return { operation: "Unknown", key: undefined, partNumber: undefined };
  }
}

export async function startFaultProxy(
  target: string,
  decide: (request: ProxiedRequest) => ProxyAction | undefined,
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const action = decide(operationOf(req)) ?? {};
    const body = await bodyOf(req);
    if (action.flipByte && body.length > 0) body[Math.floor(body.length / 2)]! ^= 0x01;
    await action.before?.();
    if (action.answer) {
      const text = action.answer.body ?? "";
      res.writeHead(action.answer.status, {
        "content-length": String(Buffer.byteLength(text)),
        ...action.answer.headers,
      });
      res.end(text);
      return;
    }
    const forwarded = httpRequest({
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    });
    forwarded.on("response", (answer) => {
      const relay = async (): Promise<void> => {
        const answerBody = await bodyOf(answer);
        await action.after?.();
        if (action.loseResponse) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(answerBody);
      };
      relay().catch(() => req.socket.destroy());
    });
    forwarded.on("error", () => req.socket.destroy());
    forwarded.end(body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
