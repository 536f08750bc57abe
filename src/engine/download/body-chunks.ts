// Feeds a GET body to `onChunk` from 'data' events. An async iterator costs a promise and a microtask per
// socket chunk (16,000 per GiB); events cost neither, and the body pauses only while `onChunk` asks it to wait.
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";

/**
 * Resolves once `body` ended with every chunk handed to `onChunk` and every wait it returned settled.
 * Rejects with the first error: a throw or rejected wait from `onChunk` (the body is then destroyed), the
 * body's own error, or a close before its end.
 */
export async function eachBodyChunk(
  body: Readable,
  onChunk: (chunk: Buffer) => Promise<void> | undefined,
): Promise<void> {
  let waiting: Promise<void> = Promise.resolve();
  const done = finished(body);
  body.on("data", (chunk: Buffer) => {
    let wait: Promise<void> | undefined;
    try {
      wait = onChunk(chunk);
    } catch (error) {
      body.destroy(error as Error);
      return;
    }
    if (wait === undefined) return;
    body.pause();
    waiting = wait.then(
      () => {
        body.resume();
      },
      (error: unknown) => {
        body.destroy(error as Error);
      },
    );
  });
  await done;
  await waiting;
}
