import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { eachBodyChunk } from "../../src/engine/s3/body-sink.js";

const chunksOf = (...texts: string[]) => Readable.from(texts.map((t) => Buffer.from(t)));

describe("eachBodyChunk", () => {
  it("hands every chunk over in order and resolves at the end", async () => {
    const seen: string[] = [];
    await eachBodyChunk(chunksOf("a", "bc", "def"), (chunk) => {
      seen.push(chunk.toString());
      return undefined;
    });
    expect(seen).toEqual(["a", "bc", "def"]);
  });

  it("holds the next chunk back while a wait is pending, and resolves only after the last wait", async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = eachBodyChunk(chunksOf("1", "2", "3"), (chunk) => {
      events.push(`chunk ${chunk.toString()}`);
      if (chunk.toString() === "1") return gate.then(() => void events.push("wait 1 done"));
      if (chunk.toString() === "3") return Promise.resolve().then(() => void events.push("wait 3 done"));
      return undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(["chunk 1"]);
    release();
    await run;
    expect(events).toEqual(["chunk 1", "wait 1 done", "chunk 2", "chunk 3", "wait 3 done"]);
  });

  it("rejects with what onChunk threw and destroys the body", async () => {
    const body = chunksOf("a", "b");
    await expect(
      eachBodyChunk(body, () => {
        throw new Error("too many bytes");
      }),
    ).rejects.toThrow("too many bytes");
    expect(body.destroyed).toBe(true);
  });

  it("rejects with a wait's failure and destroys the body", async () => {
    const body = chunksOf("a", "b");
    await expect(eachBodyChunk(body, () => Promise.reject(new Error("disk full")))).rejects.toThrow(
      "disk full",
    );
    expect(body.destroyed).toBe(true);
  });

  it("rejects when the body fails", async () => {
    const body = new PassThrough();
    const run = eachBodyChunk(body, () => undefined);
    body.write("x");
    body.destroy(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    await expect(run).rejects.toThrow("aborted");
  });

  it("rejects when the body closes before its end", async () => {
    const body = new PassThrough({ emitClose: true });
    const run = eachBodyChunk(body, () => undefined);
    body.write("x");
    body.destroy();
    await expect(run).rejects.toThrow(/premature close/i);
  });
});
