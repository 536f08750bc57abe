import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planUpload, resolveLimits, S3_LIMITS } from "../../src/engine/upload/plan.js";
import { parseSize } from "../../src/engine/size.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
/** buffer.constants.MAX_LENGTH on Node.js 20 (64-bit), and on Node.js 22 and later. */
const NODE20_BUFFER_MAX = 4 * GiB;
const NODE22_BUFFER_MAX = Number.MAX_SAFE_INTEGER;

describe("parseSize", () => {
  it.each([
    ["16777216", 16 * MiB],
    ["8MiB", 8 * MiB],
    ["8 mib", 8 * MiB],
    ["64MB", 64_000_000],
    ["1GiB", GiB],
    ["1.5KiB", 1536],
    ["5GB", 5_000_000_000],
  ])("%s → %d bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(["", "abc", "-5MiB", "8 parsecs", "1.3B", "8MiBs"])(
    "rejects %j naming the value and the fix",
    (text) => {
      expect(() => parseSize(text)).toThrow(
        new RegExp(`"${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}".*e\\.g\\.`),
      );
    },
  );
});

function plan(size: number, partSize = 16 * MiB, multipartThreshold = 16 * MiB, limits = S3_LIMITS) {
  const outcome = planUpload({ size, partSize, multipartThreshold, limits });
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.plan;
}

describe("planUpload", () => {
  it("numbers parts 1..N with no gaps, equal sizes except a shorter last part", () => {
    const result = plan(40 * MiB + 7);
    expect(result.multipart).toBe(true);
    expect(result.parts.map((part) => part.number)).toEqual([1, 2, 3]);
    expect(result.parts.map((part) => part.size)).toEqual([16 * MiB, 16 * MiB, 8 * MiB + 7]);
    expect(result.parts.map((part) => part.offset)).toEqual([0, 16 * MiB, 32 * MiB]);
  });

  it("puts a file exactly on a part boundary into full parts only", () => {
    const result = plan(48 * MiB);
    expect(result.parts.map((part) => part.size)).toEqual([16 * MiB, 16 * MiB, 16 * MiB]);
  });

  it("sends files below the threshold, and empty files, as one PutObject", () => {
    expect(plan(16 * MiB - 1)).toMatchObject({
      multipart: false,
      parts: [{ number: 1, offset: 0, size: 16 * MiB - 1 }],
    });
    expect(plan(0)).toMatchObject({ multipart: false, parts: [{ number: 1, size: 0 }] });
    expect(plan(16 * MiB)).toMatchObject({ multipart: true, parts: [{ size: 16 * MiB }] });
  });

  it("never plans a single PutObject above 5 GiB, whatever the threshold", () => {
    expect(plan(6 * GiB, 16 * MiB, 10 * GiB)).toMatchObject({ multipart: true, partSize: 16 * MiB });
    expect(plan(5 * GiB, 16 * MiB, 10 * GiB)).toMatchObject({ multipart: false });
  });

  it("raises the part size to a whole MiB so a huge file stays within 10,000 parts", () => {
    const size = 500 * GiB;
    const result = plan(size);
    expect(result.parts.length).toBeLessThanOrEqual(10_000);
    expect(result.partSize % MiB).toBe(0);
    expect(result.partSize).toBe(Math.ceil(size / 10_000 / MiB) * MiB);
    expect(result.parts.reduce((sum, part) => sum + part.size, 0)).toBe(size);
  });

  it("plans the largest allowed object as 10,000 parts of 5 GiB", () => {
    const result = plan(S3_LIMITS.maxObjectSize);
    expect(S3_LIMITS.maxObjectSize).toBe(53_687_091_200_000);
    expect(result.parts.length).toBe(10_000);
    expect(result.partSize).toBe(5 * GiB);
  });

  it("refuses files above 48.8 TiB and part sizes outside 5 MiB – 5 GiB, saying what to do", () => {
    const tooBig = planUpload({
      size: S3_LIMITS.maxObjectSize + 1,
      partSize: 16 * MiB,
      multipartThreshold: 1,
      limits: S3_LIMITS,
    });
    expect(tooBig).toMatchObject({
      ok: false,
      error: expect.stringMatching(/above the S3 object limit.*split/),
    });
    for (const partSize of [5 * MiB - 1, 5 * GiB + 1]) {
      const outcome = planUpload({ size: 100, partSize, multipartThreshold: 1, limits: S3_LIMITS });
      expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/5 MiB – 5 GiB.*16MiB/) });
    }
  });

  it("lets tests lower the minimum part size", () => {
    const limits = resolveLimits({ minPartSize: 1024 });
    const outcome = planUpload({ size: 3000, partSize: 1024, multipartThreshold: 1024, limits });
    expect(outcome.ok && outcome.plan.parts.map((part) => part.size)).toEqual([1024, 1024, 952]);
  });

  it("keeps S3's limits where a Buffer can hold 5 GiB (Node.js 22 and later)", () => {
    expect(resolveLimits({}, NODE22_BUFFER_MAX)).toEqual(S3_LIMITS);
  });

  it("narrows parts to the largest Buffer, and objects to 10,000 such parts (Node.js 20)", () => {
    expect(resolveLimits({}, NODE20_BUFFER_MAX)).toEqual({
      ...S3_LIMITS,
      maxPartSize: 4 * GiB,
      maxObjectSize: 10_000 * 4 * GiB,
    });
    // A Buffer limit that is not a whole MiB: parts are planned in whole MiB, so the limit is too.
    expect(resolveLimits({}, 3 * GiB + 12345).maxPartSize).toBe(3 * GiB);
  });

  it("refuses a file that 10,000 parts of the largest Buffer cannot hold, instead of planning more parts", () => {
    // 40 TiB needs parts of ~4.1 GiB; with 4 GiB parts that would be 10,240 parts, which S3 refuses.
    for (const limits of [resolveLimits({}, NODE20_BUFFER_MAX), { ...S3_LIMITS, maxPartSize: 4 * GiB }]) {
      const outcome = planUpload({
        size: 40 * TiB,
        partSize: 16 * MiB,
        multipartThreshold: 16 * MiB,
        limits,
      });
      expect(outcome).toMatchObject({
        ok: false,
        error: expect.stringMatching(/10000 parts.*4 GiB.*Node\.js 22 or later/),
      });
    }
    const largest = planUpload({
      size: 10_000 * 4 * GiB,
      partSize: 16 * MiB,
      multipartThreshold: 16 * MiB,
      limits: resolveLimits({}, NODE20_BUFFER_MAX),
    });
    expect(largest.ok && [largest.plan.parts.length, largest.plan.partSize]).toEqual([10_000, 4 * GiB]);
  });

  it("refuses a 5 GiB part where a Buffer holds only 4 GiB, naming the limit and the fix", () => {
    const outcome = planUpload({
      size: 100,
      partSize: 5 * GiB,
      multipartThreshold: 1,
      limits: resolveLimits({}, NODE20_BUFFER_MAX),
    });
    expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/5 MiB – 4 GiB/) });
  });

  it("plans any size within the limits as at most 10,000 contiguous parts no bigger than the limit", () => {
    const limitSets = [NODE20_BUFFER_MAX, NODE22_BUFFER_MAX, 3 * GiB + 12345].map((max) =>
      resolveLimits({}, max),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...limitSets),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 5 * MiB, max: 5 * GiB }),
        fc.integer({ min: 0, max: 6 * GiB }),
        (limits, fraction, requestedPartSize, multipartThreshold) => {
          const partSize = Math.min(requestedPartSize, limits.maxPartSize);
          const size = Math.floor(fraction * limits.maxObjectSize);
          const outcome = planUpload({ size, partSize, multipartThreshold, limits });
          if (!outcome.ok) throw new Error(outcome.error);
          const { parts } = outcome.plan;
          expect(parts.length).toBeLessThanOrEqual(limits.maxParts);
          // One expect per plan, not per part: 10,000 parts × hundreds of runs.
          let offset = 0;
          const wrong = parts.filter((part, index) => {
            const fits =
              part.number === index + 1 &&
              part.offset === offset &&
              part.size <= limits.maxPartSize &&
              (!outcome.plan.multipart || index === parts.length - 1 || part.size >= limits.minPartSize);
            offset += part.size;
            return !fits;
          });
          expect(wrong).toEqual([]);
          expect(offset).toBe(size);
          const tooBig = planUpload({ size: limits.maxObjectSize + 1, partSize, multipartThreshold, limits });
          expect(tooBig.ok).toBe(false);
        },
      ),
      { seed: 20261130, numRuns: 200 },
    );
  });
});
