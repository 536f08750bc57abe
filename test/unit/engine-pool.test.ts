import { getEventListeners } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { guessContentType } from "../../src/engine/upload/content-type.js";
import { forEachLimited, mapLimited, TransferPool } from "../../src/engine/pool.js";

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe("TransferPool", () => {
  it("never runs more tasks than slots, and reuses at most that many buffers", async () => {
    const pool = new TransferPool(3);
    let running = 0;
    let peak = 0;
    const buffers = new Set<ArrayBufferLike>();
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        pool.run(100 + index, async (buffer) => {
          expect(buffer.byteLength).toBe(100 + index);
          buffers.add(buffer.buffer);
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(buffers.size).toBeLessThanOrEqual(3 + 20);
  });

  it("keeps reusing the same buffers when sizes do not grow", async () => {
    const pool = new TransferPool(2);
    const buffers = new Set<ArrayBufferLike>();
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        [1, 2].map(() => pool.run(64 * 1024, async (buffer) => void buffers.add(buffer.buffer))),
      );
    }
    expect(buffers.size).toBe(2);
  });

  it("rejects waiting tasks when the signal aborts", async () => {
    const pool = new TransferPool(1);
    const controller = new AbortController();
    let release: () => void = () => {};
    const first = pool.run(1, () => new Promise<void>((resolve) => (release = resolve)));
    const second = pool.run(1, async () => "ran", controller.signal);
    controller.abort(new Error("cancelled"));
    await expect(second).rejects.toThrow("cancelled");
    release();
    await first;
  });
});

describe("TransferPool and the abort signal", () => {
  it("listens to a signal once however many tasks wait on it, and not at all once they are done", async () => {
    const pool = new TransferPool(1);
    const controller = new AbortController();
    const listening = (): number => getEventListeners(controller.signal, "abort").length;
    let release: () => void = () => {};
    const first = pool.run(1, () => new Promise<void>((resolve) => (release = resolve)), controller.signal);
    const waiting = Array.from({ length: 50 }, () => pool.run(1, async () => "ran", controller.signal));
    expect(listening()).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await first;
    expect(await Promise.all(waiting)).toEqual(Array(50).fill("ran"));
    expect(listening()).toBe(0);
  });

  it("rejects every task waiting on an aborted signal, and only those", async () => {
    const pool = new TransferPool(1);
    const cancelled = new AbortController();
    const other = new AbortController();
    let release: () => void = () => {};
    const first = pool.run(1, () => new Promise<void>((resolve) => (release = resolve)));
    const doomed = Array.from({ length: 3 }, () => pool.run(1, async () => "ran", cancelled.signal));
    const kept = pool.run(1, async () => "kept", other.signal);
    cancelled.abort(new Error("cancelled"));
    for (const task of doomed) await expect(task).rejects.toThrow("cancelled");
    expect(getEventListeners(cancelled.signal, "abort")).toHaveLength(0);
    release();
    await first;
    expect(await kept).toBe("kept");
    expect(getEventListeners(other.signal, "abort")).toHaveLength(0);
  });
});

describe("mapLimited", () => {
  it("keeps order, stops starting tasks after a failure and waits for running ones", async () => {
    const started: number[] = [];
    let finished = 0;
    const run = mapLimited([1, 2, 3, 4, 5, 6], 2, async (item) => {
      started.push(item);
      if (item === 2) throw new Error("part 2 failed");
      await tick();
      finished++;
      return item;
    });
    await expect(run).rejects.toThrow("part 2 failed");
    expect(started).toEqual([1, 2]);
    expect(finished).toBe(1);
    expect(await mapLimited([3, 1, 2], 2, async (item) => item * 10)).toEqual([30, 10, 20]);
  });
});

describe("guessContentType", () => {
  it("knows common artifact types and falls back to bytes", () => {
    expect(guessContentType("/a/b/app.tar.GZ")).toBe("application/gzip");
    expect(guessContentType("index.html")).toBe("text/html; charset=utf-8");
    expect(guessContentType("checksums.sha256")).toBe("text/plain; charset=utf-8");
    expect(guessContentType("Makefile")).toBe("application/octet-stream");
  });
});

describe("forEachLimited", () => {
  it("runs at most `limit` tasks, stops starting tasks after a failure and waits for running ones", async () => {
    const started: number[] = [];
    let finished = 0;
    let running = 0;
    let peak = 0;
    const run = forEachLimited([1, 2, 3, 4, 5, 6], 2, async (item) => {
      started.push(item);
      running++;
      peak = Math.max(peak, running);
      try {
        if (item === 2) throw new Error("part 2 failed");
        await tick();
        finished++;
      } finally {
        running--;
      }
    });
    await expect(run).rejects.toThrow("part 2 failed");
    expect(started).toEqual([1, 2]);
    expect(finished).toBe(1);
    expect(peak).toBe(2);
  });

  // A multipart upload sends up to 10,000 parts through one call: what each part's task answers (the store's
  // reply, the digests) must be garbage once the part is recorded, not held until the last part is sent.
  it("keeps no task's result while later tasks run", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const answers: WeakRef<object>[] = [];
    let release: () => void = () => undefined;
    const lastStarted = new Promise<void>((started) => {
      void forEachLimited([0, 1, 2, 3], 1, async (index) => {
        const answer = { index, etag: `"${"0".repeat(32)}"` };
        answers.push(new WeakRef(answer));
        if (index === 3) {
          started();
          await new Promise<void>((resolve) => (release = resolve));
        }
        return answer;
      });
    });
    await lastStarted;
    // Collection runs after the current job: let the finished tasks' promise reactions settle first.
    await tick();
    gc();
    expect(answers.slice(0, 3).map((answer) => answer.deref())).toEqual([undefined, undefined, undefined]);
    release();
  });
});
