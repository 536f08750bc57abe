import { describe, expect, it } from "vitest";
import type { EngineEvent, FileResult, LocalFile } from "../../src/engine/types.js";
import { barProgress, lineProgress } from "../../src/frontend/progress.js";

const MiB = 1024 * 1024;
const file: LocalFile = { path: "/tmp/big.bin", key: "big.bin" };

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const done = { key: "big.bin" } as FileResult;

describe("lineProgress", () => {
  it("stays quiet for short uploads and then writes at most once per interval", () => {
    const time = clock();
    const lines: string[] = [];
    const onEvent = lineProgress({ write: (line) => lines.push(line), now: time.now }, 5000);
    onEvent({ type: "file-start", file, size: 100 * MiB, parts: 7, partSize: 16 * MiB });
    time.advance(1000);
    onEvent({ type: "progress", file, bytesDone: 10 * MiB, size: 100 * MiB });
    expect(lines).toEqual([]);
    time.advance(4000);
    onEvent({ type: "progress", file, bytesDone: 50 * MiB, size: 100 * MiB });
    time.advance(100);
    onEvent({ type: "progress", file, bytesDone: 51 * MiB, size: 100 * MiB });
    expect(lines).toEqual(["big.bin: 50% 50.0 MiB of 100.0 MiB, 10.0 MiB/s, ETA 5s"]);
  });

  it("reports retries at once", () => {
    const lines: string[] = [];
    const onEvent = lineProgress({ write: (line) => lines.push(line), now: () => 0 });
    onEvent({ type: "retry", file, operation: "UploadPart", attempt: 2, reason: "503 SlowDown" });
    expect(lines).toEqual(["big.bin: retrying UploadPart (attempt 2): 503 SlowDown"]);
  });
});

describe("barProgress", () => {
  it("redraws one line in place with the run's totals", () => {
    const time = clock();
    const writes: string[] = [];
    const onEvent = barProgress({ write: (text) => writes.push(text), now: time.now }, 200);
    const events: EngineEvent[] = [
      { type: "file-start", file, size: 10 * MiB, parts: 1, partSize: 16 * MiB },
      { type: "progress", file, bytesDone: 5 * MiB, size: 10 * MiB },
    ];
    for (const event of events) {
      time.advance(500);
      onEvent(event);
    }
    time.advance(500);
    onEvent({ type: "file-done", result: done });
    expect(writes).toEqual([
      "\r\x1b[K0 done, 1 in flight: 0% 0 B of 10.0 MiB, 0 B/s, ETA ?",
      "\r\x1b[K0 done, 1 in flight: 50% 5.0 MiB of 10.0 MiB, 5.0 MiB/s, ETA 1s",
      "\r\x1b[K1 done: 100% 10.0 MiB of 10.0 MiB, 6.7 MiB/s, ETA 0s",
    ]);
  });
});
