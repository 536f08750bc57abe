// One segment: a ranged GET (If-Match the planned ETag, pinned to the planned version) streamed to its offset
// in the temp file through a few reused slabs (range-writer.ts), read straight into them where the transport
// can, and hashed on the way, in offset order, from the slab each piece is in (the bytes then written). A failed attempt starts the segment over from its first byte with a fresh hash, once its
// last write has landed.
import type { FileHandle } from "node:fs/promises";
import type { StoredObject } from "../s3/s3-client.js";
import type { DirectWrites } from "./direct-writes.js";
import { call, type ObjectContext } from "./context.js";
import { segmentHasher, type ProofAlgorithm, type Segment } from "./proof-plan.js";
import { createRangeWriter } from "./range-writer.js";

const GET_HINT =
  "Retrying the run is safe; if it keeps failing, check the network and that the credentials may read this object (s3:GetObject, s3:GetObjectVersion).";

/** A body that ended short of its range: retried like a cut connection. */
function truncatedBody(received: number, expected: number): Error {
  const error = new Error(`the body ended after ${received} of ${expected} bytes`) as Error & {
    code: string;
  };
  error.code = "ECONNRESET";
  return error;
}

export interface SegmentTarget {
  ctx: ObjectContext;
  head: StoredObject;
  handle: FileHandle;
  direct: DirectWrites | null;
  algorithm: ProofAlgorithm | null;
  onBytes: (bytes: number) => void;
}

/** The segment's digest (null when nothing is hashed), once all its bytes are on disk. */
export async function fetchSegment(target: SegmentTarget, segment: Segment): Promise<Buffer | null> {
  const { ctx, head, handle, direct, algorithm } = target;
  if (segment.size === 0) return algorithm === null ? null : (await segmentHasher(algorithm)).digest();
  const end = segment.offset + segment.size - 1;
  const step = `GetObject ${ctx.file.key} bytes ${segment.offset}-${end}`;
  return ctx.run.pool.run(
    0,
    () =>
      call(ctx, step, GET_HINT, async () => {
        const hasher = algorithm === null ? null : await segmentHasher(algorithm);
        let received = 0;
        const writer = createRangeWriter(handle, segment.offset, ctx.run.slabs, {
          direct,
          ...(hasher === null ? {} : { onPlaced: (bytes: Buffer) => hasher.update(bytes) }),
        });
        const sink = Object.assign(
          (chunk: Buffer) => {
            if (received + chunk.byteLength > segment.size) {
              throw new Error(
                `the store sent more than the ${segment.size} bytes of range ${segment.offset}-${end}`,
              );
            }
            received += chunk.byteLength;
            return writer.push(chunk);
          },
          { readInto: (most: number) => writer.space(most) },
        );
        try {
          await ctx.run.store.getObjectRange(
            {
              bucket: ctx.run.options.bucket,
              key: ctx.file.key,
              ...(head.versionId ? { versionId: head.versionId } : {}),
              start: segment.offset,
              end,
              ifMatch: head.etag,
            },
            sink,
            ctx.signal,
          );
          if (received !== segment.size) throw truncatedBody(received, segment.size);
          await writer.finish();
        } finally {
          await writer.settle();
        }
        target.onBytes(segment.size);
        return hasher?.digest() ?? null;
      }),
    ctx.signal,
  );
}
