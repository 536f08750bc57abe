// The start-up probe: a TCP relay in front of the S3 server that notes when the first request of a process
// arrives, and a spawn that times that arrival and the exit from just before the process was created.

import { spawn } from "node:child_process";
import { connect, createServer, type Server as NetServer, type Socket } from "node:net";

export interface Relay {
  /** http://127.0.0.1:<port>, to give the clients instead of the server's own endpoint. */
  endpoint: string;
  /** Arms the relay: the next request's first byte resolves the promise with its performance.now(). */
  nextRequest(): { arrived: Promise<number>; disarm: () => void };
  close(): Promise<void>;
}

/** Relays every connection to `upstream` unchanged; only the first bytes' arrival time is noted. */
export async function startRelay(upstream: URL): Promise<Relay> {
  let waiting: ((at: number) => void) | null = null;
  const sockets = new Set<Socket>();
  const server: NetServer = createServer((client) => {
    const server = connect(Number(upstream.port), upstream.hostname);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      // A client that exits mid-request resets its socket; that ends this relay and nothing else.
      socket.on("error", () => {
        client.destroy();
        server.destroy();
      });
    }
    client.once("data", () => {
      const at = performance.now();
      const resolve = waiting;
      waiting = null;
      resolve?.(at);
    });
    client.pipe(server);
    server.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the relay has no TCP address");
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    nextRequest: () => {
      let disarm = (): void => undefined;
      const arrived = new Promise<number>((resolve) => {
        waiting = resolve;
        disarm = () => {
          if (waiting === resolve) waiting = null;
        };
      });
      return { arrived, disarm };
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface Timing {
  /** Milliseconds from just before spawn to the first request's first byte; null when none came. */
  firstRequestMs: number | null;
  exitMs: number;
}

export type TimingResult = { ok: true; timing: Timing } | { ok: false; error: string };

/** Runs argv to its end; the relay is armed for this process only. */
export function timeStartup(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  relay: Relay,
): Promise<TimingResult> {
  const request = relay.nextRequest();
  let firstRequestAt: number | null = null;
  void request.arrived.then((at) => {
    firstRequestAt = at;
  });
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  return new Promise((resolve) => {
    child.on("error", (error) => {
      request.disarm();
      resolve({ ok: false, error: `${argv[0]}: ${error.message}` });
    });
    child.on("exit", (code, signal) => {
      const exitMs = performance.now() - started;
      request.disarm();
      // The exit event comes after the last socket data of this process has been read, so the arrival (if
      // any) has been recorded by now.
      if (code !== 0) {
        resolve({ ok: false, error: `${argv.join(" ")} exited ${code ?? signal}: ${output.slice(-1500)}` });
        return;
      }
      const firstRequestMs = firstRequestAt === null ? null : firstRequestAt - started;
      resolve({ ok: true, timing: { firstRequestMs, exitMs } });
    });
  });
}
