// Acting on the in-process emulator's request log as entries arrive: a test that must signal or cancel a client
// at an exact point (after its Nth stored part) does it synchronously when that entry is logged, where a poll
// or a sleep would let more requests land on a busy machine, or fire too early.
import type { Emulator, RequestLogEntry } from "../emulator/index.js";

/**
 * Calls `listener` with each entry as the emulator logs it (it logs with `requestLog.push`); returns the function
 * that stops watching. Stop watchers in the reverse order they were started.
 */
export function watchRequestLog(emulator: Emulator, listener: (entry: RequestLogEntry) => void): () => void {
  const log = emulator.requestLog;
  const push = log.push;
  log.push = (...entries: RequestLogEntry[]): number => {
    const length = push.apply(log, entries);
    for (const entry of entries) listener(entry);
    return length;
  };
  return () => {
    log.push = push;
  };
}

/**
 * Runs `act` the moment the emulator logs the `count`-th entry since index `from` that `matches`. If `ended`
 * settles first (the client exited or finished), rejects with the reason it gives.
 */
export function whenLogged(
  emulator: Emulator,
  from: number,
  count: number,
  matches: (entry: RequestLogEntry) => boolean,
  act: () => void,
  ended?: Promise<string>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = emulator.requestLog.slice(from).filter(matches).length;
    const reached = () => {
      stop();
      act();
      resolve();
    };
    const stop = watchRequestLog(emulator, (entry) => {
      if (matches(entry) && ++seen === count) reached();
    });
    if (seen >= count) return reached();
    void ended?.then((reason) => {
      stop();
      reject(new Error(`ended before ${count} matching requests were logged: ${reason}`));
    });
  });
}
