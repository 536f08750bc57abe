import { constants } from "node:os";

export type StopSignal = "SIGINT" | "SIGTERM";

/** The abort reason a signal gives the run, so that the exit code can name it once cleanup is done. */
export class SignalAbort extends DOMException {
  constructor(readonly signalName: StopSignal) {
    // AbortError, as AbortController's own reason: the engine and the SDK treat it as a cancellation.
    super(`${signalName} received`, "AbortError");
  }
}

/**
 * A run a signal stopped exits 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM), as a shell reports
 * a command the signal killed, so scripts and CI see an interruption and not a failed upload.
 */
export function exitCode(code: number, signal: AbortSignal): number {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof SignalAbort ? 128 + constants.signals[reason.signalName] : code;
}
