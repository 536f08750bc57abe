// Progress for people: throttled lines for logs, or one redrawn bar for a terminal.
import type { DownloadEvent } from "../engine/download/types.js";
import type { EngineEvent } from "../engine/types.js";
import { formatBytes, formatDuration, formatRate } from "./format.js";

/** Uploads and downloads send the same progress events, with the file each is about. */
export type ProgressEvent = EngineEvent | DownloadEvent;

export interface ProgressSink {
  write(line: string): void;
  now?: () => number;
}

interface Transfer {
  startedAt: number;
  lastLineAt: number;
  size: number;
  done: number;
}

function progressText(done: number, size: number, elapsedMs: number): string {
  const percent = size === 0 ? 100 : Math.floor((done / size) * 100);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? formatDuration(((size - done) / rate) * 1000) : "?";
  return `${percent}% ${formatBytes(done)} of ${formatBytes(size)}, ${formatRate(rate)}, ETA ${eta}`;
}

/**
 * Logs are not terminals: a file gets a line only once it has been running for intervalMs, then at most
 * every intervalMs, so small files stay quiet and big ones show they are alive.
 */
export function lineProgress(sink: ProgressSink, intervalMs = 5000): (event: ProgressEvent) => void {
  const now = sink.now ?? Date.now;
  const transfers = new Map<string, Transfer>();
  return (event) => {
    if (event.type === "file-start") {
      const at = now();
      transfers.set(event.file.key, { startedAt: at, lastLineAt: at, size: event.size, done: 0 });
    } else if (event.type === "progress") {
      const transfer = transfers.get(event.file.key);
      if (!transfer) return;
      const at = now();
      if (at - transfer.lastLineAt < intervalMs) return;
      transfer.lastLineAt = at;
      sink.write(`${event.file.key}: ${progressText(event.bytesDone, event.size, at - transfer.startedAt)}`);
    } else if (event.type === "retry") {
      sink.write(
        `${event.file.key}: retrying ${event.operation} (attempt ${event.attempt}): ${event.reason}`,
      );
    } else if (event.type === "file-done") {
      transfers.delete(event.result.key);
    }
  };
}

/** One line for the whole run, redrawn in place on a TTY; finished files are printed above it. */
export function barProgress(sink: ProgressSink, intervalMs = 200): (event: ProgressEvent) => void {
  const now = sink.now ?? Date.now;
  const transfers = new Map<string, Transfer>();
  const startedAt = now();
  let finishedBytes = 0;
  let finishedFiles = 0;
  let drawnAt = 0;
  const draw = (): void => {
    let size = finishedBytes;
    let done = finishedBytes;
    for (const transfer of transfers.values()) {
      size += transfer.size;
      done += transfer.done;
    }
    const active = transfers.size > 0 ? `, ${transfers.size} in flight` : "";
    sink.write(`\r\x1b[K${finishedFiles} done${active}: ${progressText(done, size, now() - startedAt)}`);
  };
  return (event) => {
    if (event.type === "file-start") {
      transfers.set(event.file.key, { startedAt: now(), lastLineAt: 0, size: event.size, done: 0 });
    } else if (event.type === "progress") {
      const transfer = transfers.get(event.file.key);
      if (transfer) transfer.done = event.bytesDone;
    } else if (event.type === "file-done") {
      const transfer = transfers.get(event.result.key);
      transfers.delete(event.result.key);
      finishedBytes += transfer?.size ?? 0;
      finishedFiles++;
    } else {
      return;
    }
    if (event.type === "progress" && now() - drawnAt < intervalMs) return;
    drawnAt = now();
    draw();
  };
}
