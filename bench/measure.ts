// Runs one client command under GNU time: wall clock, user+sys CPU and peak RSS of that process tree only.

import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";

export interface Command {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface Measurement {
  wallSeconds: number;
  userSeconds: number;
  sysSeconds: number;
  maxRssBytes: number;
}

export type MeasureResult = { ok: true; measurement: Measurement } | { ok: false; error: string };

export const TIME_BINARY = "/usr/bin/time";
// GNU time's rusage comes from wait4 on the child, so it covers the child and every process it waited for.
const TIME_FORMAT = "%U %S %M";

export async function measure(command: Command, scratchDir: string): Promise<MeasureResult> {
  const timeFile = path.join(scratchDir, `time-${process.pid}-${Date.now()}.txt`);
  const started = process.hrtime.bigint();
  const outcome = await runToEnd(
    [TIME_BINARY, "-f", TIME_FORMAT, "-o", timeFile, ...command.argv],
    command.env,
    command.cwd,
  );
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const timeText = await readFile(timeFile, "utf8").catch(() => "");
  await rm(timeFile, { force: true });
  if (outcome.code !== 0) {
    return {
      ok: false,
      error: `${command.argv.slice(0, 3).join(" ")} … exited ${outcome.code}: ${outcome.output.slice(-1500)}`,
    };
  }
  const parsed = parseTimeOutput(timeText);
  if (parsed === null) return { ok: false, error: `could not read GNU time output "${timeText}"` };
  return { ok: true, measurement: { wallSeconds, ...parsed } };
}

/** The last line holds the figures; earlier lines are GNU time's own notes such as "Command exited…". */
export function parseTimeOutput(text: string): Omit<Measurement, "wallSeconds"> | null {
  const lines = text.trim().split("\n");
  const match = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)$/.exec(lines.at(-1)?.trim() ?? "");
  if (!match) return null;
  return {
    userSeconds: Number(match[1]),
    sysSeconds: Number(match[2]),
    maxRssBytes: Number(match[3]) * 1024,
  };
}

interface Outcome {
  code: number;
  output: string;
}

export function runToEnd(argv: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    // Keep only the tail: a client that prints progress for 1,000 files must not grow our own RSS.
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-8000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (error) => resolve({ code: -1, output: String(error) }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), output }));
  });
}
