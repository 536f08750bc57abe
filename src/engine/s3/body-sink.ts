// How a GET body reaches its consumer, whichever transport carried it. Node's streams would cost a promise
// and a microtask per socket chunk (16,000 per GiB) through an async iterator; a callback per chunk costs
// neither, and the body pauses only while the callback asks it to wait.
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";

/**
 * Receives a 2xx body piece by piece, in order. `chunk` is valid only during the call (socket-http.ts reads
 * every socket chunk into the same memory): copy what must outlive it. A returned promise pauses the body
 * until it settles; a throw or a rejection ends the request with that error.
 */
export type BodySink = (chunk: Buffer) => Promise<void> | undefined;

/**
 * Feeds a Node stream (an http.IncomingMessage, the SDK's body) to `sink`. Resolves once `body` ended with
 * every chunk handed over and every wait settled; rejects with the first error: a throw or rejected wait
 * from `sink` (the body is then destroyed), the body's own error, or a close before its end.
 */
export async function eachBodyChunk(body: Readable, sink: BodySink): Promise<void> {
  let waiting: Promise<void> = Promise.resolve();
  const done = finished(body);
  body.on("data", (chunk: Buffer) => {
    let wait: Promise<void> | undefined;
    try {
      wait = sink(chunk);
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
