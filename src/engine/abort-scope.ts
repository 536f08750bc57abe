// One abort listener per signal, however many operations wait on it. A run hands one signal to every part
// wait, retry sleep and request; a listener each piles up past Node's limit of 10 (MaxListenersExceeded-
// Warning) on any run with enough files in flight, though each is removed when its operation ends.

interface Subscribers {
  callbacks: Set<() => void>;
  fire: () => void;
}

const subscribed = new WeakMap<AbortSignal, Subscribers>();

/**
 * Calls `callback` once when `signal` aborts, unless the returned function is called first. The signal
 * carries one listener for all callbacks, removed when the last one leaves.
 */
export function whenAborted(signal: AbortSignal, callback: () => void): () => void {
  let subscribers = subscribed.get(signal);
  if (subscribers === undefined) {
    const callbacks = new Set<() => void>();
    const fire = (): void => {
      subscribed.delete(signal);
      for (const waiting of [...callbacks]) waiting();
      callbacks.clear();
    };
    subscribers = { callbacks, fire };
    subscribed.set(signal, subscribers);
    signal.addEventListener("abort", fire, { once: true });
  }
  const { callbacks, fire } = subscribers;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0) return;
    signal.removeEventListener("abort", fire);
    if (subscribed.get(signal) === subscribers) subscribed.delete(signal);
  };
}

/**
 * A signal of its own for one operation, aborted with `parent`: the SDK and node:http each add their own
 * listener to the signal they are given, so they get this one. Call `release` when the operation ends.
 */
export function childSignal(parent: AbortSignal): { signal: AbortSignal; release: () => void } {
  const child = new AbortController();
  if (parent.aborted) {
    child.abort(parent.reason);
    return { signal: child.signal, release: () => undefined };
  }
  const release = whenAborted(parent, () => child.abort(parent.reason));
  return { signal: child.signal, release };
}

/**
 * Runs `operation` with a child of `signal` (none when there is no signal), released when it settles: for
 * clients that add a listener of their own to the signal they are given (the SDK, node:http), so the run's
 * signal keeps only the one shared listener.
 */
export async function withChildSignal<T>(
  signal: AbortSignal | undefined,
  operation: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (signal === undefined) return operation(undefined);
  const child = childSignal(signal);
  try {
    return await operation(child.signal);
  } finally {
    child.release();
  }
}
