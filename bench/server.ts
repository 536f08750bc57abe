// The S3 server every client talks to, in its own process so its CPU is never billed to a client.

import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";

export interface Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** null for a server we did not start: its CPU cannot be read. */
  pid: number | null;
  description: string;
  stop(): Promise<void>;
}

export interface ServerCommand {
  argv: string[];
  cwd: string;
}

const START_TIMEOUT_MS = 30_000;

/** The server prints KEY=value lines; we need S3_ENDPOINT and the keys it accepts. */
export function startServer(command: ServerCommand): Promise<Server> {
  const child = spawn(command.argv[0]!, command.argv.slice(1), {
    cwd: command.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    const values = new Map<string, string>();
    let log = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`server "${command.argv.join(" ")}" printed no S3_ENDPOINT within 30 s:\n${log}`));
    }, START_TIMEOUT_MS);
    const onOutput = (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-4000);
      for (const match of log.matchAll(/^([A-Z0-9_]+)=(\S+)$/gm)) values.set(match[1]!, match[2]!);
      const endpoint = values.get("S3_ENDPOINT");
      const accessKeyId = values.get("AWS_ACCESS_KEY_ID");
      const secretAccessKey = values.get("AWS_SECRET_ACCESS_KEY");
      if (endpoint && accessKeyId && secretAccessKey && child.pid !== undefined) {
        clearTimeout(timer);
        child.stdout?.off("data", onOutput);
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({
          endpoint,
          region: values.get("AWS_DEFAULT_REGION") ?? values.get("AWS_REGION") ?? "us-east-1",
          accessKeyId,
          secretAccessKey,
          pid: child.pid,
          description: `${command.argv.slice(1).join(" ")} (own process)`,
          stop: () => stopChild(child),
        });
      }
    };
    child.stdout?.on("data", onOutput);
    child.stderr?.on("data", (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-4000);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(`server "${command.argv.join(" ")}" exited with ${code} before it was ready:\n${log}`),
      );
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

const CLOCK_TICKS_PER_SECOND = 100;

/** user+sys CPU seconds the process has used so far, from /proc (Linux only, like the rest of the bench). */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which sits in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** A server someone else runs; the harness neither starts nor stops it. */
export function externalServer(endpoint: string, env: NodeJS.ProcessEnv): Server | Error {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    return new Error(
      `--endpoint ${endpoint} needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment`,
    );
  }
  return {
    endpoint,
    region: env.AWS_REGION ?? "us-east-1",
    accessKeyId,
    secretAccessKey,
    pid: null,
    description: `external server at ${endpoint}`,
    stop: async () => undefined,
  };
}

/** The project's emulator in sink mode: full S3 protocol and signatures, payloads counted but not kept. */
export async function startEmulator(projectRoot: string, bucket: string): Promise<Server> {
  const main = path.join(projectRoot, "test/emulator/main.ts");
  const server = await startServer({
    argv: [process.execPath, "--import", "tsx", main, "--port", "0", "--sink", "--bucket", bucket],
    cwd: projectRoot,
  });
  return { ...server, description: "test/emulator/main.ts --sink, in its own process" };
}
