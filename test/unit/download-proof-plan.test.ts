// The choice of proof from a HEAD answer: the strongest the store keeps, and none where nothing proves the
// bytes (never size alone).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { combineDigests, planProof, type PartLayout } from "../../src/engine/download/proof-plan.js";
import type { StoredObject } from "../../src/engine/s3/s3-client.js";

const noLayout = async (): Promise<PartLayout | null> => null;
const md5 = (data: Buffer): Buffer => createHash("md5").update(data).digest();

function head(fields: Partial<StoredObject>): StoredObject {
  return { size: 1000, etag: "0123456789abcdef0123456789abcdef", checksums: {}, ...fields };
}

describe("planProof", () => {
  it("FULL_OBJECT CRC: ranges of the range size, combined", async () => {
    const plan = await planProof(head({ checksums: { CRC64NVME: "AAAAAAAAAAA=" } }), 300, noLayout);
    expect(plan).toMatchObject({
      verification: "checksum",
      combination: "full-object",
      checksumType: "FULL_OBJECT",
    });
    expect(plan.segments.map((segment) => [segment.offset, segment.size])).toEqual([
      [0, 300],
      [300, 300],
      [600, 300],
      [900, 100],
    ]);
  });

  it("COMPOSITE: the parts the layout gives, each with its stored digest", async () => {
    const layout = async (parts: number): Promise<PartLayout> => {
      expect(parts).toBe(2);
      return { sizes: [600, 400], checksums: ["AAAAAQ==", "AAAAAg=="] };
    };
    const plan = await planProof(head({ checksums: { CRC32: "abcd-2" } }), 300, layout);
    expect(plan).toMatchObject({ combination: "composite", checksumType: "COMPOSITE", expected: "abcd-2" });
    expect(
      plan.segments.map((segment) => [segment.offset, segment.size, segment.expected?.toString("hex")]),
    ).toEqual([
      [0, 600, "00000001"],
      [600, 400, "00000002"],
    ]);
  });

  it("COMPOSITE without a layout falls back to the ETag, with part sizes to guess", async () => {
    const etag = "0123456789abcdef0123456789abcdef-2";
    const plan = await planProof(head({ checksums: { SHA256: "abcd-2" }, etag }), 300, noLayout);
    expect(plan).toMatchObject({
      verification: "etag-md5",
      guessedParts: 2,
      expected: etag,
      algorithm: null,
    });
    expect(plan.notes.join(" ")).toMatch(/part sizes/);
  });

  it("no checksum, single part: the ETag as MD5 of the whole object, fetched in parallel ranges", async () => {
    const plan = await planProof(head({}), 300, noLayout);
    expect(plan).toMatchObject({ verification: "etag-md5", combination: "whole" });
    expect(plan.segments.map((segment) => [segment.offset, segment.size])).toEqual([
      [0, 300],
      [300, 300],
      [600, 300],
      [900, 100],
    ]);
  });

  it("a single PUT's SHA checksum: one digest of the whole object, its bytes fetched in parallel ranges", async () => {
    const plan = await planProof(head({ checksums: { SHA256: "AAAA" } }), 400, noLayout);
    expect(plan).toMatchObject({
      verification: "checksum",
      combination: "whole",
      checksumType: "FULL_OBJECT",
    });
    expect(plan.segments.map((segment) => [segment.offset, segment.size])).toEqual([
      [0, 400],
      [400, 400],
      [800, 200],
    ]);
  });

  it("no checksum under SSE-KMS or SSE-C: nothing proves it", async () => {
    for (const encrypted of [{ sse: "aws:kms" }, { sse: "aws:kms:dsse" }, { sseCustomer: true }]) {
      const plan = await planProof(head(encrypted), 300, noLayout);
      expect(plan).toMatchObject({ verification: "none", algorithm: null });
      expect(plan.notes.join(" ")).toMatch(/SSE-KMS or SSE-C/);
    }
  });

  it("no checksum, multipart: part-aligned, the MD5 of the part MD5s with -N", async () => {
    const parts = [Buffer.alloc(600, 1), Buffer.alloc(400, 2)];
    const etag = `${md5(Buffer.concat(parts.map(md5))).toString("hex")}-2`;
    const plan = await planProof(head({ etag }), 300, async () => ({ sizes: [600, 400], checksums: [] }));
    expect(plan).toMatchObject({ verification: "etag-md5", combination: "md5-of-md5s", expected: etag });
    expect(combineDigests(plan, parts.map(md5))).toBe(etag);
  });

  it("an upper-case ETag (OSS writes them so) is still the MD5, compared in the hex the digests give", async () => {
    const whole = Buffer.alloc(1000, 7);
    const single = await planProof(head({ etag: md5(whole).toString("hex").toUpperCase() }), 300, noLayout);
    expect(single).toMatchObject({ verification: "etag-md5", combination: "whole" });
    expect(combineDigests(single, [md5(whole)])).toBe(single.expected);

    const parts = [Buffer.alloc(600, 1), Buffer.alloc(400, 2)];
    const etag = `${md5(Buffer.concat(parts.map(md5)))
      .toString("hex")
      .toUpperCase()}-2`;
    const multi = await planProof(head({ etag }), 300, async () => ({ sizes: [600, 400], checksums: [] }));
    expect(multi).toMatchObject({ verification: "etag-md5", combination: "md5-of-md5s" });
    expect(combineDigests(multi, parts.map(md5))).toBe(multi.expected);
  });

  it("an ETag that is neither an MD5 nor MD5-N proves nothing", async () => {
    const plan = await planProof(head({ etag: "opaque-value" }), 300, noLayout);
    expect(plan.verification).toBe("none");
  });
});
