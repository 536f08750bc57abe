// The CLI's exit code after a signal: 128 + its number, whatever the run's own outcome was.
import { describe, expect, it } from "vitest";
import { SignalAbort, exitCode } from "../../src/frontend/interrupt.js";

function aborted(reason?: unknown): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}

describe("exitCode", () => {
  it("is 130 after SIGINT and 143 after SIGTERM, even when the run itself failed or passed", () => {
    expect(exitCode(1, aborted(new SignalAbort("SIGINT")))).toBe(130);
    expect(exitCode(0, aborted(new SignalAbort("SIGTERM")))).toBe(143);
  });

  it("is the run's own code without a signal, or when something else aborted it", () => {
    expect(exitCode(2, new AbortController().signal)).toBe(2);
    expect(exitCode(1, aborted())).toBe(1);
  });

  it("gives the engine an AbortError, as an aborted controller would", () => {
    const reason = new SignalAbort("SIGINT");
    expect(reason.name).toBe("AbortError");
    expect(reason.message).toBe("SIGINT received");
  });
});
