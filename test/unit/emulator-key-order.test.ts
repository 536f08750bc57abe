// The emulator lists keys as S3 does, in UTF-8 binary order, from an index kept sorted as keys come and go:
// a listing starts where its prefix or marker does, as S3's does, instead of sorting the whole bucket per page
// (which made the server's CPU grow with every key earlier clients left in a bench bucket).
import { describe, expect, it } from "vitest";
import { compareKeys, SortedKeys } from "../emulator/key-order.js";

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sign = (n: number): number => Math.sign(n);

const SAMPLES = [
  "",
  "a",
  "ab",
  "a/b",
  "a-b",
  "a%2F",
  "\u{1F600}",
  "\uFF5E",
  "\uE000",
  "\uD7FF",
  "z",
  "é",
  "a\u0001b",
];

describe("compareKeys", () => {
  it("orders keys by their UTF-8 bytes, characters beyond the BMP included", () => {
    for (const a of SAMPLES)
      for (const b of SAMPLES) expect(sign(compareKeys(a, b)), `${a} vs ${b}`).toBe(sign(utf8Order(a, b)));
    expect(compareKeys("\u{1F600}", "\uFF5E")).toBeGreaterThan(0);
  });
});

describe("SortedKeys", () => {
  const index = (keys: string[]): SortedKeys => {
    const sorted = new SortedKeys();
    for (const key of keys) sorted.add(key);
    return sorted;
  };

  it("keeps each key once, in UTF-8 order, as keys are added and removed", () => {
    const keys = index(["b", "a", "\u{1F600}", "\uFF5E", "a", "c"]);
    keys.remove("c");
    keys.remove("missing");
    expect([...keys.after("", "")]).toEqual(["a", "b", "\uFF5E", "\u{1F600}"]);
  });

  it("gives the keys under a prefix strictly after a marker, and nothing past the prefix", () => {
    const keys = index(["a/1", "a/2", "a/3", "a0", "b/1", "a", "0"]);
    expect([...keys.after("a/", "")]).toEqual(["a/1", "a/2", "a/3"]);
    expect([...keys.after("a/", "a/1")]).toEqual(["a/2", "a/3"]);
    expect([...keys.after("a/", "a/3")]).toEqual([]);
    expect([...keys.after("a/", "0")]).toEqual(["a/1", "a/2", "a/3"]);
    expect([...keys.after("a/", "zz")]).toEqual([]);
    expect([...keys.after("", "a0")]).toEqual(["b/1"]);
  });

  it("agrees with a full sort on random keys", () => {
    const alphabet = ["a", "b", "/", "\u{1F600}", "\uFF5E", "é"];
    const random = (): string =>
      Array.from(
        { length: 1 + Math.floor(Math.random() * 4) },
        () => alphabet[Math.floor(Math.random() * alphabet.length)],
      ).join("");
    const all = new Set<string>();
    const keys = new SortedKeys();
    for (let i = 0; i < 400; i++) {
      const key = random();
      if (i % 5 === 4) {
        all.delete(key);
        keys.remove(key);
      } else {
        all.add(key);
        keys.add(key);
      }
    }
    for (const prefix of ["", "a", "a/", "\u{1F600}"])
      for (const marker of ["", "a", "b", "\uFF5E"]) {
        const expected = [...all]
          .filter((key) => key.startsWith(prefix) && utf8Order(key, marker) > 0)
          .sort(utf8Order);
        expect([...keys.after(prefix, marker)], `${prefix} after ${marker}`).toEqual(expected);
      }
  });
});
