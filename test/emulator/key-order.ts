// S3 lists keys in UTF-8 binary order. JavaScript compares strings by UTF-16 code units, which differs for
// characters beyond the BMP (an emoji sorts before U+FF5E in UTF-16, after it in UTF-8).
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
