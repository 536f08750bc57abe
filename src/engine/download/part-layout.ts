// The sizes (and stored checksums) of a multipart object's parts, which part-aligned proofs need: from the
// part size this tool's own uploads record (svu-plan), which spares a HEAD per part, else from HEAD with
// partNumber (S3, the emulator; Ceph RGW ignores partNumber). The sizes only say where the parts are: the
// proof is the stored COMPOSITE checksum or ETag, recomputed from the bytes, so a record that lied could only
// fail the proof, never pass it (and the retry then asks the store).
import { mapLimited } from "../pool.js";
import type { StoredObject } from "../s3/s3-client.js";
import type { ChecksumAlgorithm } from "../types.js";
import { call, type ObjectContext } from "./context.js";
import { ObjectChanged } from "./object-changed.js";
import type { PartLayout } from "./proof-plan.js";

const HEAD_HINT = "Check that the credentials may read this object (s3:GetObject, s3:GetObjectVersion).";

/** Parts of `parts` sizes summing to the object's size, each of at least one byte. */
function fits(sizes: readonly number[], total: number, parts: number): boolean {
  return (
    sizes.length === parts && sizes.every((size) => size > 0) && sizes.reduce((a, b) => a + b, 0) === total
  );
}

/** The uniform part size this tool recorded for its own multipart upload, as its parts. */
function recordedLayout(head: StoredObject, parts: number): PartLayout | null {
  const fields = head.planRecord?.split(",");
  const size = Number(fields?.[0]);
  const partSize = Number(fields?.[1]);
  if (!Number.isSafeInteger(partSize) || partSize <= 0 || size !== head.size) return null;
  const sizes = Array.from({ length: parts }, (_, index) => Math.min(partSize, head.size - index * partSize));
  return fits(sizes, head.size, parts) ? { sizes, checksums: sizes.map(() => undefined) } : null;
}

export async function partLayout(
  ctx: ObjectContext,
  head: StoredObject & { versionId?: string },
  parts: number,
  algorithm: ChecksumAlgorithm | null,
  { trustRecord }: { trustRecord: boolean },
): Promise<PartLayout | null> {
  const recorded = trustRecord ? recordedLayout(head, parts) : null;
  if (recorded !== null) return recorded;
  const { bucket } = ctx.run.options;
  const target = { bucket, key: ctx.file.key, ...(head.versionId ? { versionId: head.versionId } : {}) };
  const headPart = (partNumber: number) =>
    call(ctx, `HeadObject part ${partNumber} of ${ctx.file.key}`, HEAD_HINT, () =>
      ctx.run.store.headObject({ ...target, partNumber }, ctx.signal),
    );
  const changed = (answer: StoredObject | null): boolean => answer === null || answer.etag !== head.etag;
  const first = await headPart(1);
  if (changed(first))
    throw new ObjectChanged(`the object's ETag changed from ${head.etag} while its parts were read`);
  // A store that ignores partNumber answers with the whole object and no parts count.
  if (first!.partsCount !== parts) {
    return recordedLayout(head, parts);
  }
  const rest = await mapLimited(
    Array.from({ length: parts - 1 }, (_, index) => index + 2),
    ctx.run.options.concurrency,
    headPart,
  );
  const answers = [first, ...rest];
  if (answers.some(changed)) {
    throw new ObjectChanged(`the object's ETag changed from ${head.etag} while its parts were read`);
  }
  const sizes = answers.map((answer) => answer!.size);
  if (!fits(sizes, head.size, parts)) return recordedLayout(head, parts);
  return {
    sizes,
    checksums: answers.map((answer) => (algorithm ? answer!.checksums[algorithm] : undefined)),
  };
}
