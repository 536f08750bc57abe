// The shared abort listener: callbacks fire once on abort, leave without a trace, and requests get child
// signals that abort with the run's.
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { childSignal, whenAborted, withChildSignal } from "../../src/engine/abort-scope.js";

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

describe("withChildSignal", () => {
  it("hands the operation a child of the run's signal, released when it settles", async () => {
    const run = new AbortController();
    const seen: (AbortSignal | undefined)[] = [];
    const pending = withChildSignal(run.signal, (signal) => {
      seen.push(signal);
      return Promise.resolve(2);
    });
    expect(listeners(run.signal)).toBe(1);
    expect(await pending).toBe(2);
    await expect(
      withChildSignal(run.signal, (signal) => {
        seen.push(signal);
        return Promise.reject(new Error("no"));
      }),
    ).rejects.toThrow("no");
    expect(
      await withChildSignal(undefined, (signal) => {
        seen.push(signal);
        return Promise.resolve(4);
      }),
    ).toBe(4);
    expect(seen[0]).not.toBe(run.signal);
    expect(seen[0]).toBeInstanceOf(AbortSignal);
    expect(seen[1]).not.toBe(run.signal);
    expect(seen[2]).toBeUndefined();
    expect(listeners(run.signal)).toBe(0);
  });
});
