// What the CLI runs once it knows it has work to do (not --help, --version or a malformed command line):
// settings → the upload, download or cleanup run → progress on stderr, results on stdout. cli.ts loads this
// module with import(), so that a bundle's start-up parses the engine and the AWS SDK only when a run needs them.
import { writeFile } from "node:fs/promises";
import type { DownloadEvent, DownloadResult } from "./engine/download/types.js";
import type { EngineEvent, FileResult } from "./engine/types.js";
import { parseConfig, type UploadConfig } from "./config.js";
import { checksumsText } from "./frontend/checksums-file.js";
import type { CliArgs } from "./frontend/cli-args.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliCommand, type CliIO } from "./frontend/cli-io.js";
import { describeResult } from "./frontend/format.js";
import { ENV_PREFIX, INPUTS, envName } from "./frontend/inputs.js";
import { totals } from "./frontend/outputs.js";
import { barProgress, lineProgress } from "./frontend/progress.js";
import { cleanup, cleanupLines } from "./frontend/cleanup.js";
import { totalsLine } from "./frontend/totals-line.js";
import { failedOrRefused, failureText, repeatedFailures } from "./frontend/failures.js";
import { cancelText, upload } from "./frontend/upload.js";
import { download, downloadCancelText, type DownloadOutcome } from "./frontend/download.js";
import {
  describeDownload,
  downloadFailureText,
  downloadTotals,
  downloadTotalsLine,
  staleTempsText,
} from "./frontend/download-report.js";
import type { UploadOutcome } from "./frontend/upload.js";

const PER_FILE_DETAIL = "--json lists every file with its own error";

/**
 * Progress goes through a buffer flushed at most every flushMs: one synchronous stderr write per finished
 * file cost ~0.2 s per 1,000 small files. finish() (and exit) writes whatever is left, in order.
 */
function progressHandler<E extends EngineEvent | DownloadEvent>(
  io: CliIO,
  doneLine: (event: Extract<E, { type: "file-done" }>) => string | undefined,
  flushMs = 100,
): { onEvent: (event: E) => void; flush: () => void; finish: () => void } {
  const tty = io.stderr.isTTY === true;
  const clear = tty ? "\r\x1b[K" : "";
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending === "") return;
    const text = pending;
    pending = "";
    io.stderr.write(text);
  };
  const write = (line: string): void => {
    pending += line;
    timer ??= setTimeout(flush, flushMs);
  };
  process.on("exit", flush);
  const progress = tty ? barProgress({ write }) : lineProgress({ write: (line) => write(`${line}\n`) });
  return {
    onEvent: (event) => {
      if (event.type === "file-done") {
        const line = doneLine(event as Extract<E, { type: "file-done" }>);
        if (line !== undefined) write(`${clear}${line}\n`);
      }
      if (event.type === "warning")
        write(`${clear}warning: ${event.file ? `${event.file.key}: ` : ""}${event.message}\n`);
      progress(event);
    },
    flush,
    finish: () => {
      write(clear);
      flush();
      process.off("exit", flush);
    },
  };
}

function jsonResult(bucket: string, outcome: UploadOutcome): unknown {
  if (outcome.kind === "failed") return { ok: false, bucket, error: outcome.message, files: [] };
  const files = outcome.kind === "done" ? outcome.run.files : [];
  const ok = outcome.kind === "done" ? outcome.run.ok : outcome.level !== "error";
  return {
    ok,
    bucket,
    ...totals(files),
    keys: files.filter((file) => !failedOrRefused(file)).map((file) => file.key),
    files,
    ...(outcome.kind === "no-files" ? { message: outcome.message } : {}),
  };
}

/** Runs `command` with the parsed command line; resolves to the process's exit code. */
export async function runCommand(command: CliCommand, args: CliArgs, io: CliIO): Promise<number> {
  const known = new Set(INPUTS.map((input) => envName(input.name)));
  for (const name of Object.keys(io.env)) {
    if (name.startsWith(ENV_PREFIX) && !known.has(name)) {
      io.stderr.write(`warning: environment variable ${name} is not a setting and is ignored; see --help.\n`);
    }
  }
  const lookup = (name: string): string | undefined => {
    if (name === "mode" && command !== "upload") return command;
    if (name === "path" && args.globs.length > 0) {
      return [...args.globs, ...(args.values.get("path") ?? "").split("\n")].join("\n");
    }
    return args.values.get(name) ?? io.env[envName(name)];
  };
  const config = parseConfig(lookup, undefined, io.env);
  if (!config.ok) {
    for (const error of config.errors) io.stderr.write(`error: ${error}\n`);
    io.stderr.write("Run with --help to see every option.\n");
    if (args.json) io.stdout.write(JSON.stringify({ ok: false, errors: config.errors }, null, 2) + "\n");
    return EXIT_USAGE;
  }

  if (config.config.mode === "cleanup") return cleanupCommand(config.config, io, args.json);
  if (config.config.mode === "download") return downloadCommand(config.config, io, args);
  // A cause shared by many files is shown with its first file here, and counted in the final error.
  const repeated = repeatedFailures();
  const progress = progressHandler<EngineEvent>(io, (event) =>
    repeated(event.result) ? undefined : describeResult(event.result),
  );
  const onAbort = (): void => {
    progress.flush();
    io.stderr.write(`${cancelText(config.config)}\n`);
  };
  io.signal?.addEventListener("abort", onAbort, { once: true });
  let outcome: UploadOutcome;
  const started = performance.now();
  try {
    outcome = await upload(config.config, { onEvent: progress.onEvent, signal: io.signal });
  } finally {
    progress.finish();
  }
  if (args.json)
    io.stdout.write(JSON.stringify(jsonResult(config.config.engine.bucket, outcome), null, 2) + "\n");

  if (outcome.kind === "failed") {
    io.stderr.write(`error: ${outcome.message}\n`);
    return outcome.badSetting ? EXIT_USAGE : EXIT_FAILED;
  }
  if (outcome.kind === "no-files") {
    if (outcome.level !== "ignore") io.stderr.write(`${outcome.level}: ${outcome.message}\n`);
    return outcome.level === "error" ? EXIT_FAILED : EXIT_OK;
  }
  if (args.checksumsFile !== undefined) {
    const written = await writeChecksums(args.checksumsFile, config.config, outcome.run.files, io);
    if (!written) return EXIT_FAILED;
  }
  if (!outcome.run.ok) io.stderr.write(`error: ${failureText(outcome.run.files, PER_FILE_DETAIL)}\n`);
  // Last, so the final line answers "what happened" without scrolling up.
  io.stderr.write(`${totalsLine(outcome.run.files, performance.now() - started)}\n`);
  return outcome.run.ok ? EXIT_OK : EXIT_FAILED;
}

/** The --checksums-file list; false (said on stderr) when it cannot be written. */
async function writeChecksums(
  target: string,
  config: UploadConfig,
  files: readonly FileResult[] | readonly DownloadResult[],
  io: CliIO,
): Promise<boolean> {
  const text = checksumsText(files, config.prefix);
  if (text === null) {
    const done = config.mode === "download" ? "written" : "stored";
    io.stderr.write(
      `warning: no file has a SHA-256 (nothing was ${done}, or sha256 is false); ${target} is written empty.\n`,
    );
  }
  try {
    await writeFile(target, text ?? "");
    return true;
  } catch (error) {
    io.stderr.write(
      `error: --checksums-file: cannot write ${target} (${error instanceof Error ? error.message : String(error)}); ` +
        "choose a path in a writable directory.\n",
    );
    return false;
  }
}

function downloadJson(config: UploadConfig, outcome: DownloadOutcome): unknown {
  const where = { bucket: config.engine.bucket, prefix: config.prefix };
  if (outcome.kind === "failed") return { ok: false, ...where, error: outcome.message, files: [] };
  const files = outcome.kind === "done" ? outcome.run.files : [];
  const ok = outcome.kind === "done" ? outcome.run.ok : outcome.level !== "error";
  return {
    ok,
    ...where,
    ...downloadTotals(files),
    files,
    staleTempFilesRemoved: outcome.kind === "done" ? outcome.run.staleTempFilesRemoved : [],
    ...(outcome.kind === "no-files" ? { message: outcome.message } : {}),
  };
}

async function downloadCommand(config: UploadConfig, io: CliIO, args: CliArgs): Promise<number> {
  const bucket = config.engine.bucket;
  const progress = progressHandler<DownloadEvent>(io, (event) => describeDownload(bucket, event.result));
  const onAbort = (): void => {
    progress.flush();
    io.stderr.write(`${downloadCancelText(config)}\n`);
  };
  io.signal?.addEventListener("abort", onAbort, { once: true });
  const started = performance.now();
  let outcome: DownloadOutcome;
  try {
    outcome = await download(config, { onEvent: progress.onEvent, signal: io.signal });
  } finally {
    progress.finish();
  }
  if (args.json) io.stdout.write(JSON.stringify(downloadJson(config, outcome), null, 2) + "\n");
  if (outcome.kind === "failed") {
    io.stderr.write(`error: ${outcome.message}\n`);
    return outcome.badSetting ? EXIT_USAGE : EXIT_FAILED;
  }
  if (outcome.kind === "no-files") {
    if (outcome.level !== "ignore") io.stderr.write(`${outcome.level}: ${outcome.message}\n`);
    return outcome.level === "error" ? EXIT_FAILED : EXIT_OK;
  }
  if (args.checksumsFile !== undefined) {
    const written = await writeChecksums(args.checksumsFile, config, outcome.run.files, io);
    if (!written) return EXIT_FAILED;
  }
  const stale = staleTempsText(outcome.run.staleTempFilesRemoved);
  if (stale !== null) io.stderr.write(`${stale}\n`);
  if (!outcome.run.ok) io.stderr.write(`error: ${downloadFailureText(outcome.run.files, PER_FILE_DETAIL)}\n`);
  io.stderr.write(`${downloadTotalsLine(outcome.run.files, performance.now() - started)}\n`);
  return outcome.run.ok ? EXIT_OK : EXIT_FAILED;
}

async function cleanupCommand(config: UploadConfig, io: CliIO, json: boolean): Promise<number> {
  const outcome = await cleanup(config, io.signal);
  if (outcome.kind === "failed") {
    io.stderr.write(`error: ${outcome.message}\n`);
    if (json) io.stdout.write(JSON.stringify({ ok: false, error: outcome.message }, null, 2) + "\n");
    return EXIT_FAILED;
  }
  for (const line of cleanupLines(config, outcome.result)) io.stderr.write(`${line}\n`);
  if (json) io.stdout.write(JSON.stringify(outcome.result, null, 2) + "\n");
  return outcome.result.ok ? EXIT_OK : EXIT_FAILED;
}
