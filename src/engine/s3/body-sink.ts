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
export type BodySink = ((chunk: Buffer) => Promise<void> | undefined) & {
  /**
   * Memory for the body's next read, at most `most` bytes (the body still to come): a transport that reads
   * into it (socket-http.ts) hands the sink views of it, so the bytes arrive where the sink keeps them with
   * no copy. It must not lend the same memory again until a chunk in it was handed over. Optional: without
   * it, or through Node's client, chunks are lent from the transport's own memory.
   */
  readInto?: (most: number) => Buffer;
};

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
