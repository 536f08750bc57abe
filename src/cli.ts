#!/usr/bin/env node
// CLI entry: flags and S3VU_* variables → shared config → shared run → progress on stderr, results on stdout.
// Only what --help, --version and a malformed command line need is imported here; the run itself
// (cli-commands.ts: settings, engine, AWS SDK) is loaded with import() once there is work, so that ncc puts it
// in a chunk of its own and a start-up parses ~40 KB instead of the whole bundle.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "./frontend/cli-args.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, isCliCommand, type CliIO } from "./frontend/cli-io.js";
import { enableCompileCache } from "./frontend/compile-cache.js";
import { helpText } from "./frontend/help.js";
import { VERSION } from "./frontend/version.js";
import { failIfUnsettled } from "./frontend/unsettled.js";
import { silenceSdkNodeVersionWarning } from "./frontend/sdk-warning.js";
import { SignalAbort, exitCode } from "./frontend/interrupt.js";

export { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIO } from "./frontend/cli-io.js";

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  // The broker is a service with its own configuration file, not a transfer: none of the transfer flags apply.
  if (argv[0] === "broker") {
    const { runBroker } = await import("./broker.js");
    return runBroker(argv.slice(1), io);
  }
  // "upload" may be named explicitly; "download" and "cleanup" are the same as --mode download / cleanup.
  const command = isCliCommand(argv[0]) ? argv[0] : "upload";
  const parsed = parseArgs(isCliCommand(argv[0]) ? argv.slice(1) : argv);
  if (!parsed.ok) {
    io.stderr.write(`error: ${parsed.error}\n`);
    return EXIT_USAGE;
  }
  const args = parsed.args;
  if (args.help) {
    io.stdout.write(helpText());
    return EXIT_OK;
  }
  if (args.version) {
    io.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  const { runCommand } = await import("./cli-commands.js");
  return runCommand(command, args, io);
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  enableCompileCache();
  silenceSdkNodeVersionWarning(process.env);
  const controller = new AbortController();
  // First Ctrl-C stops and aborts the uploads cleanly; a second one kills at once.
  process.once("SIGINT", () => controller.abort(new SignalAbort("SIGINT")));
  process.once("SIGTERM", () => controller.abort(new SignalAbort("SIGTERM")));
  const io: CliIO = {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  };
  const run = main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = exitCode(code, controller.signal);
    },
    (error: unknown) => {
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = EXIT_FAILED;
    },
  );
  failIfUnsettled(run, (message) => process.stderr.write(`error: ${message}\n`));
}
