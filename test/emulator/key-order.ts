// S3 lists keys in UTF-8 binary order. JavaScript compares strings by UTF-16 code units, which differs for
// characters beyond the BMP (an emoji sorts before U+FF5E in UTF-16, after it in UTF-8).
export function compareKeys(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Code units compare as code points except surrogates (halves of characters beyond U+FFFF), which UTF-8
    // puts above every other character.
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate === ySurrogate) return x - y;
    return xSurrogate ? 1 : -1;
  }
  return a.length - b.length;
}

/**
 * A bucket's keys in listing order, kept sorted as keys come and go, so a listing starts where its prefix or
 * marker does, as S3's index does, instead of sorting the whole bucket for every page.
 */
export class SortedKeys {
  private readonly keys: string[] = [];

  add(key: string): void {
    const at = this.firstNotBelow(key);
    if (this.keys[at] !== key) this.keys.splice(at, 0, key);
  }

  remove(key: string): void {
    const at = this.firstNotBelow(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** The keys that start with `prefix` and sort after `marker`, in order. */
  *after(prefix: string, marker: string): Generator<string> {
    let at = this.firstNotBelow(compareKeys(prefix, marker) > 0 ? prefix : marker);
    if (this.keys[at] === marker) at++;
    // Keys under one prefix are contiguous in this order: the first one past it ends them.
    for (; at < this.keys.length && this.keys[at]!.startsWith(prefix); at++) yield this.keys[at]!;
  }

  private firstNotBelow(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(this.keys[middle]!, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
