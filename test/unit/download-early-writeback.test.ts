import { describe, expect, it } from "vitest";
import { createEarlyWriteback } from "../../src/engine/download/early-writeback.js";

/** A handle whose datasync calls stay pending until the test lets them finish. */
function fakeHandle() {
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  return {
    pending,
    handle: {
      datasync: () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })),
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("early writeback", () => {
  it("flushes once enough bytes are written, one flush at a time", async () => {
    const { pending, handle } = fakeHandle();
    const writeback = createEarlyWriteback(handle, 100);
    writeback.written(60);
    expect(pending).toHaveLength(0);
    writeback.written(60);
    expect(pending).toHaveLength(1);
    // Enough again, but a flush is running: no second one on top of it.
    writeback.written(200);
    expect(pending).toHaveLength(1);
    pending[0]!.resolve();
    await tick();
    writeback.written(100);
    expect(pending).toHaveLength(2);
    let settled = false;
    const settling = writeback.settle().then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    pending[1]!.resolve();
    await settling;
  });

  it("keeps a failed flush's error for settle, and starts no more flushes", async () => {
    const { pending, handle } = fakeHandle();
    const writeback = createEarlyWriteback(handle, 10);
    writeback.written(10);
    pending[0]!.reject(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
    await tick();
    writeback.written(10);
    expect(pending).toHaveLength(1);
    await expect(writeback.settle()).rejects.toThrow("EIO");
  });

  it("settles at once when nothing was flushed", async () => {
    const { pending, handle } = fakeHandle();
    const writeback = createEarlyWriteback(handle, 10);
    writeback.written(5);
    await expect(writeback.settle()).resolves.toBeUndefined();
    expect(pending).toHaveLength(0);
  });
});
