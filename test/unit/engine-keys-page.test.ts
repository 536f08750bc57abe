// The small ListObjectsV2 parser behind the key lookups (s3-client.ts parseKeysPage): keys arrive URL-encoded
// (encoding-type=url, a space as "+"), ETags quoted as XML entities, and only a truncated page has a next token.
import { describe, expect, it } from "vitest";
import { parseKeysPage } from "../../src/engine/s3/s3-client.js";

const page = (contents: string, truncated: boolean, token = ""): string =>
  `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>p%2F</Prefix>` +
  `<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType>` +
  `<IsTruncated>${truncated}</IsTruncated>${contents}` +
  (token ? `<NextContinuationToken>${token}</NextContinuationToken>` : "") +
  `</ListBucketResult>`;

const entry = (key: string, size: number, etag: string): string =>
  `<Contents><Key>${key}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>` +
  `<ETag>&quot;${etag}&quot;</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;

describe("parseKeysPage", () => {
  it("decodes keys, sizes and ETags; no next token on the last page", () => {
    const xml = page(entry("p/a+b%2Bc%26%F0%9F%98%80.bin", 12, "abc") + entry("p/z", 0, "d41d8"), false);
    expect(parseKeysPage(xml)).toEqual({
      objects: [
        { key: "p/a b+c&\u{1F600}.bin", size: 12, etag: "abc" },
        { key: "p/z", size: 0, etag: "d41d8" },
      ],
    });
  });

  it("a truncated page names its continuation token (XML entities decoded)", () => {
    const xml = page(entry("p/a", 1, "e"), true, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&amp;x");
    expect(parseKeysPage(xml).next).toBe("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&x");
  });

  it("a store that ignored encoding-type=url sends keys as they are: they are not decoded", () => {
    const xml = page(entry("p/100%.txt", 3, "f") + entry("p/a+b%2Bc", 1, "g"), false).replace(
      "<EncodingType>url</EncodingType>",
      "",
    );
    expect(parseKeysPage(xml).objects.map((object) => object.key)).toEqual(["p/100%.txt", "p/a+b%2Bc"]);
  });

  it("an empty listing has no objects", () => {
    expect(parseKeysPage(page("", false))).toEqual({ objects: [] });
  });
});
