import { whenAborted } from "./abort-scope.js";
import { allocateHashable, releaseHashable } from "./checksum/hash-memory.js";

/** At most `slots` tasks at a time; the others wait in order. */
export class Limiter {
  private readonly waiting: Array<() => void> = [];
  private busy = 0;

  constructor(private readonly slots: number) {}

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.busy < this.slots) {
      this.busy++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      // Every queued task of a run waits on the run's signal: one shared listener, not one each.
      const leave = signal
        ? whenAborted(signal, () => {
            const index = this.waiting.indexOf(grant);
            if (index >= 0) this.waiting.splice(index, 1);
            reject(signal.reason as Error);
          })
        : () => undefined;
      const grant = (): void => {
        leave();
        this.busy++;
        resolve();
      };
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.busy--;
    this.waiting.shift()?.();
  }
}

/**
 * The run's one transfer pool: at most `slots` part uploads (or single PutObjects) at a time across all
 * files, each holding one reusable buffer. Memory bound: slots × the largest transfer in the run (a part, or
 * a whole file sent as one PutObject).
 */
export class TransferPool {
  private readonly idleBuffers: Buffer[] = [];
  private readonly limiter: Limiter;
  private closed = false;

  constructor(
    slots: number,
    /** hashable: buffers in the CRC64NVME kernel's memory (hash-memory.ts); close() the pool after use. */
    private readonly options: { hashable?: boolean } = {},
  ) {
    this.limiter = new Limiter(slots);
  }

  run<T>(bytes: number, task: (buffer: Buffer) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.limiter.run(async () => {
      const buffer = this.takeBuffer(bytes);
      try {
        return await task(buffer.subarray(0, bytes));
      } finally {
        if (this.closed) releaseHashable(buffer);
        else this.idleBuffers.push(buffer);
      }
    }, signal);
  }

  /** Gives the buffers' memory back for later pools; a task still running gives its buffer back when done. */
  close(): void {
    this.closed = true;
    for (const buffer of this.idleBuffers.splice(0)) releaseHashable(buffer);
  }

  private takeBuffer(bytes: number): Buffer {
    const fitting = this.idleBuffers.findIndex((buffer) => buffer.byteLength >= bytes);
    if (fitting >= 0) return this.idleBuffers.splice(fitting, 1)[0]!;
    // Replacing a too-small buffer (not adding one) keeps the count at `slots`.
    const replaced = this.idleBuffers.pop();
    if (replaced !== undefined) releaseHashable(replaced);
    // Shared memory lets a hashing worker thread read the part in place instead of a copy.
    return (
      (this.options.hashable === true ? allocateHashable(bytes) : null) ??
      Buffer.from(new SharedArrayBuffer(bytes))
    );
  }
}

/**
 * Runs tasks with at most `limit` in flight and keeps nothing of what they answer, so a call over thousands of
 * parts holds no part's answer past its task. After a failure no new task starts, the running ones finish,
 * and the first error is thrown — so callers can clean up knowing nothing is still in flight.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (next < items.length && failure === null) {
      const index = next++;
      try {
        await task(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** forEachLimited that collects the tasks' results, in input order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachLimited(items, limit, async (item, index) => {
    results[index] = await task(item, index);
  });
  return results;
}
