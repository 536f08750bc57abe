// A forward proxy on loopback, as a corporate network has one: CONNECT tunnels for https targets and
// absolute-form requests (GET http://host/path) for http targets. It alone knows where `hosts` are, so a client
// that reaches the store at all went through it; it counts what it saw for the tests to check.
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import { connect as netConnect, type AddressInfo, type Socket } from "node:net";

export interface ForwardProxy {
  /** http://127.0.0.1:PORT, with user:password@ when the proxy wants credentials. */
  url: string;
  /** CONNECT tunnels opened (each one a TCP connection from the client). */
  connects: number;
  /** Absolute-form requests forwarded. */
  forwarded: number;
  /** TCP connections clients opened to the proxy. */
  connections: number;
  /** Requests refused with 407 for missing or wrong credentials. */
  refused: number;
  /** Every Proxy-Authorization value seen (to check credentials arrived, not to log them). */
  authorizations: string[];
  stop(): Promise<void>;
}

export interface ForwardProxyOptions {
  /** Host name (lower case) → "127.0.0.1:PORT"; ports of the name are ignored. */
  hosts: Record<string, string>;
  /** When set, every request must carry these Basic credentials. */
  credentials?: { user: string; password: string };
}

export async function startForwardProxy(options: ForwardProxyOptions): Promise<ForwardProxy> {
  const sockets = new Set<Socket>();
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString("base64")}`
    : undefined;
  const state = { connects: 0, forwarded: 0, connections: 0, refused: 0, authorizations: [] as string[] };

  function authorized(req: IncomingMessage): boolean {
    const given = req.headers["proxy-authorization"];
    if (given !== undefined) state.authorizations.push(given);
    if (expected === undefined || given === expected) return true;
    state.refused++;
    return false;
  }

  function upstream(hostname: string): { host: string; port: number } | undefined {
    const target = options.hosts[hostname.toLowerCase().replace(/^\[|\]$/g, "")];
    if (target === undefined) return undefined;
    const [host, port] = target.split(":");
    return { host: host!, port: Number(port) };
  }

  const server = createServer((req, res) => {
    if (!authorized(req)) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"', "content-length": "0" });
      res.end();
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? "");
    } catch {
      res.writeHead(400, { "content-length": "0" }).end();
      return;
    }
    const target = upstream(url.hostname);
    if (!target) {
      res.writeHead(502, { "content-length": "0" }).end();
      return;
    }
    state.forwarded++;
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    delete headers["proxy-connection"];
    const forward = httpRequest(
      { host: target.host, port: target.port, method: req.method, path: url.pathname + url.search, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });

  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (!authorized(req)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    const hostname = (req.url ?? "").replace(/:\d+$/, "");
    const target = upstream(hostname);
    if (!target) {
      client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      return;
    }
    state.connects++;
    const tunnel = netConnect(target.port, target.host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) tunnel.write(head);
      tunnel.pipe(client);
      client.pipe(tunnel);
    });
    sockets.add(tunnel);
    tunnel.on("close", () => sockets.delete(tunnel));
    tunnel.on("error", () => client.destroy());
    client.on("error", () => tunnel.destroy());
  });

  server.on("connection", (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const auth = options.credentials
    ? `${encodeURIComponent(options.credentials.user)}:${encodeURIComponent(options.credentials.password)}@`
    : "";
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    get connects() {
      return state.connects;
    },
    get forwarded() {
      return state.forwarded;
    },
    get connections() {
      return state.connections;
    },
    get refused() {
      return state.refused;
    },
    get authorizations() {
      return state.authorizations;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
