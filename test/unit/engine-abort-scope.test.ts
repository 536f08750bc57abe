// The shared abort listener: callbacks fire once on abort, leave without a trace, and requests get child
// signals that abort with the run's.
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { childSignal, whenAborted, withChildSignals } from "../../src/engine/abort-scope.js";

const listeners = (signal: AbortSignal): number => getEventListeners(signal, "abort").length;

describe("whenAborted", () => {
  it("puts one listener on the signal for any number of callbacks, and removes it when the last leaves", () => {
    const controller = new AbortController();
    const leaves = Array.from({ length: 100 }, () => whenAborted(controller.signal, () => undefined));
    expect(listeners(controller.signal)).toBe(1);
    for (const leave of leaves) leave();
    expect(listeners(controller.signal)).toBe(0);
    // Leaving twice is harmless, and a later callback gets a fresh listener.
    leaves[0]!();
    const leave = whenAborted(controller.signal, () => undefined);
    expect(listeners(controller.signal)).toBe(1);
    leave();
    expect(listeners(controller.signal)).toBe(0);
  });

  it("calls every callback still subscribed once on abort, and none that left", () => {
    const controller = new AbortController();
    const called: string[] = [];
    whenAborted(controller.signal, () => called.push("a"));
    const leaveB = whenAborted(controller.signal, () => called.push("b"));
    whenAborted(controller.signal, () => called.push("c"));
    leaveB();
    controller.abort();
    controller.abort();
    expect(called).toEqual(["a", "c"]);
    expect(listeners(controller.signal)).toBe(0);
  });
});

describe("childSignal", () => {
  it("aborts with the parent's reason, and stops listening when released", () => {
    const parent = new AbortController();
    const first = childSignal(parent.signal);
    const second = childSignal(parent.signal);
    second.release();
    parent.abort(new Error("cancelled"));
    expect(first.signal.aborted).toBe(true);
    expect(first.signal.reason).toEqual(new Error("cancelled"));
    expect(second.signal.aborted).toBe(false);
    expect(childSignal(parent.signal).signal.aborted).toBe(true);
  });
});

describe("withChildSignals", () => {
  it("hands each call given the run's signal a child of it, released when the call settles", async () => {
    const run = new AbortController();
    const other = AbortSignal.timeout(60_000);
    const seen: AbortSignal[] = [];
    const store = withChildSignals(
      {
        send: (value: number, signal?: AbortSignal) => {
          seen.push(signal!);
          return Promise.resolve(value * 2);
        },
        fail: (signal: AbortSignal) => {
          seen.push(signal);
          return Promise.reject(new Error("no"));
        },
        name: "store",
      },
      run.signal,
    );
    expect(store.name).toBe("store");
    const pending = store.send(1, run.signal);
    expect(listeners(run.signal)).toBe(1);
    expect(await pending).toBe(2);
    await expect(store.fail(run.signal)).rejects.toThrow("no");
    expect(await store.send(2, other)).toBe(4);
    expect(seen[0]).not.toBe(run.signal);
    expect(seen[1]).not.toBe(run.signal);
    expect(seen[2]).toBe(other);
    expect(listeners(run.signal)).toBe(0);
  });
});
