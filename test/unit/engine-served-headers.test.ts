import { describe, expect, it } from "vitest";
import { headerDifferences, servedHeaders } from "../../src/engine/upload/served-headers.js";

describe("servedHeaders", () => {
  const file = { path: "/w/site/app.js.gz", key: "site/app.js.gz" };

  it("guesses Content-Type when neither the file nor the run sets it, and sends nothing else", () => {
    expect(servedHeaders({}, file)).toEqual({ contentType: "application/gzip" });
  });

  it("puts the file's own headers (its rules) over the run's, header by header", () => {
    expect(
      servedHeaders(
        { contentType: "application/octet-stream", cacheControl: "max-age=60", contentEncoding: "br" },
        { ...file, headers: { contentType: "text/javascript", contentEncoding: "gzip" } },
      ),
    ).toEqual({ contentType: "text/javascript", contentEncoding: "gzip", cacheControl: "max-age=60" });
  });
});

describe("headerDifferences", () => {
  it("names each header whose stored value differs, a missing one as none", () => {
    expect(
      headerDifferences(
        { contentType: "font/woff2", cacheControl: "no-cache" },
        { contentType: "application/octet-stream", contentEncoding: "gzip", cacheControl: "no-cache" },
      ),
    ).toEqual([
      'Content-Type "application/octet-stream" (this run: "font/woff2")',
      'Content-Encoding "gzip" (this run: none)',
    ]);
  });

  it("takes a store's re-casing or re-spacing for the same value", () => {
    expect(
      headerDifferences(
        { contentType: "text/html; charset=utf-8" },
        { contentType: "text/html;charset=UTF-8" },
      ),
    ).toEqual([]);
  });
});
