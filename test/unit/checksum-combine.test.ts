import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { describe, expect, it } from "vitest";
import { combineFullObject, type FullObjectAlgorithm } from "../../src/engine/checksum/index.js";

// Reference CRCs from implementations the engine does not use.
async function referenceCrc(algorithm: FullObjectAlgorithm, data: Uint8Array): Promise<Buffer> {
  if (algorithm === "CRC64NVME") {
    const hasher = new Crc64Nvme();
    hasher.update(data);
    return Buffer.from(await hasher.digest());
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE(algorithm === "CRC32" ? crc32(data) : crc32c(data));
  return out;
}

/** Seeded so a failing split can be reproduced from the test name. */
function seededRandom(seed: number): (below: number) => number {
  let state = seed >>> 0 || 1;
  return (below) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
}

async function splitAndCombine(
  algorithm: FullObjectAlgorithm,
  data: Buffer,
  cuts: number[],
): Promise<Buffer> {
  const bounds = [0, ...cuts.sort((a, b) => a - b), data.length];
  const parts = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const slice = data.subarray(bounds[i], bounds[i + 1]);
    parts.push({ digest: await referenceCrc(algorithm, slice), size: slice.length });
  }
  return combineFullObject(algorithm, parts);
}

const ALGORITHMS: FullObjectAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME"];

describe("combineFullObject", () => {
  it.each(ALGORITHMS.flatMap((a) => [1, 2, 3, 4, 5].map((seed) => [a, seed] as const)))(
    "%s of a random buffer split at random points (seed %i) equals the CRC of the whole",
    async (algorithm, seed) => {
      const random = seededRandom(seed * 7919);
      const data = randomBytes(1 + random(300_000));
      const cuts = Array.from({ length: 1 + random(40) }, () => random(data.length + 1));
      expect((await splitAndCombine(algorithm, data, cuts)).toString("hex")).toBe(
        (await referenceCrc(algorithm, data)).toString("hex"),
      );
    },
  );

  it.each(ALGORITHMS)("%s copes with empty parts at the start, middle and end", async (algorithm) => {
    const data = randomBytes(5000);
    const cuts = [0, 0, 1234, 1234, 1234, 5000, 5000];
    expect(await splitAndCombine(algorithm, data, cuts)).toEqual(await referenceCrc(algorithm, data));
  });

  it.each(ALGORITHMS)("%s of no parts, or only empty parts, is the CRC of nothing", async (algorithm) => {
    const nothing = await referenceCrc(algorithm, new Uint8Array(0));
    expect(combineFullObject(algorithm, [])).toEqual(nothing);
    expect(
      combineFullObject(algorithm, [
        { digest: nothing, size: 0 },
        { digest: nothing, size: 0 },
      ]),
    ).toEqual(nothing);
  });

  it.each(ALGORITHMS)("%s of 10,000 tiny parts of random sizes", async (algorithm) => {
    const random = seededRandom(10_000);
    const sizes = Array.from({ length: 10_000 }, () => random(9));
    const data = randomBytes(sizes.reduce((sum, size) => sum + size, 0));
    const cuts: number[] = [];
    let offset = 0;
    for (const size of sizes.slice(0, -1)) cuts.push((offset += size));
    expect(await splitAndCombine(algorithm, data, cuts)).toEqual(await referenceCrc(algorithm, data));
  });

  // Distinct sizes defeat any per-size cache, so every part takes the full shift path. How fast this is
  // belongs in bench/, not here: a test on a loaded machine must not assert a duration.
  it("combines 10,000 parts of distinct multi-GiB sizes the same way in any grouping", () => {
    const parts = Array.from({ length: 10_000 }, (_, i) => ({
      digest: Buffer.alloc(8, i),
      size: 5 * 1024 ** 3 - i * 4099,
    }));
    const whole = combineFullObject("CRC64NVME", parts);
    for (const cut of [1, 3_333, 9_999]) {
      const groups = [parts.slice(0, cut), parts.slice(cut)].map((group) => ({
        digest: combineFullObject("CRC64NVME", group),
        size: group.reduce((sum, part) => sum + part.size, 0),
      }));
      expect(combineFullObject("CRC64NVME", groups), `split after part ${cut}`).toEqual(whole);
    }
  });

  it("matches an object larger than 4 GiB built from a repeated part", async () => {
    // Needs shift operators beyond 2^32 bits; checked by comparing two groupings of the same bytes.
    const part = randomBytes(1 << 20);
    const digest = await referenceCrc("CRC64NVME", part);
    const perPart = Array.from({ length: 5000 }, () => ({ digest, size: part.length }));
    const halves = [0, 1].map(() => ({
      digest: combineFullObject("CRC64NVME", perPart.slice(0, 2500)),
      size: 2500 * 2 ** 20,
    }));
    expect(combineFullObject("CRC64NVME", halves)).toEqual(combineFullObject("CRC64NVME", perPart));
  });

  it("rejects digests of the wrong length and impossible sizes, naming the part", () => {
    expect(() => combineFullObject("CRC64NVME", [{ digest: Buffer.alloc(4), size: 1 }])).toThrow(
      /part 1 has a 4-byte digest; CRC64NVME digests are 8 bytes/,
    );
    expect(() =>
      combineFullObject("CRC32", [
        { digest: Buffer.alloc(4), size: 1 },
        { digest: Buffer.alloc(4), size: -1 },
      ]),
    ).toThrow(/part 2 has size -1/);
  });
});
