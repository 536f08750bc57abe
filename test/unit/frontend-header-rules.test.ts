import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { headerMatcher, parseHeaderRules } from "../../src/frontend/header-rules.js";

const JS_GZ = [
  "**/*.js.gz | Content-Type: text/javascript",
  "**/*.js.gz | Content-Encoding: gzip",
  "**/*.js.gz | Cache-Control: public, max-age=31536000, immutable",
].join("\n");

function rules(text: string) {
  const parsed = parseHeaderRules("headers", text);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.join("\n"));
  return parsed.rules;
}

function errorsOf(text: string): string[] {
  return parseHeaderRules("headers", text).errors;
}

describe("parseHeaderRules", () => {
  it("reads one header per line; commas and semicolons stay inside the value", () => {
    expect(
      rules(
        `${JS_GZ}\n\n  downloads/* | content-disposition: attachment; filename="a, b.zip"  \n*.html|Content-Language: de`,
      ),
    ).toEqual([
      { line: 1, pattern: "**/*.js.gz", header: "contentType", value: "text/javascript" },
      { line: 2, pattern: "**/*.js.gz", header: "contentEncoding", value: "gzip" },
      {
        line: 3,
        pattern: "**/*.js.gz",
        header: "cacheControl",
        value: "public, max-age=31536000, immutable",
      },
      {
        line: 5,
        pattern: "downloads/*",
        header: "contentDisposition",
        value: 'attachment; filename="a, b.zip"',
      },
      { line: 6, pattern: "*.html", header: "contentLanguage", value: "de" },
    ]);
  });

  it("splits at the first | so a value may hold one", () => {
    expect(rules('a.bin | Content-Disposition: attachment; filename="x|y.bin"')[0]?.value).toBe(
      'attachment; filename="x|y.bin"',
    );
  });

  it("names the input, the line and the fix for each bad line", () => {
    expect(errorsOf("**/*.js.gz Content-Encoding: gzip")).toEqual([
      'Input "headers": line 1 "**/*.js.gz Content-Encoding: gzip" is not "pattern | Header: value"; write one header per line, e.g. **/*.js.gz | Content-Encoding: gzip.',
    ]);
    expect(errorsOf("| Cache-Control: no-cache")).toEqual([
      'Input "headers": line 1 has no pattern before "|"; give a glob relative to base-dir, e.g. **/*.html | Cache-Control: no-cache.',
    ]);
    expect(errorsOf("*.js | X-Frame-Options: DENY")).toEqual([
      'Input "headers": line 1: "X-Frame-Options" is not a header rules can set; use Content-Type, Content-Encoding, Cache-Control, Content-Disposition or Content-Language (user metadata goes in "metadata").',
    ]);
    expect(errorsOf("*.js | Cache-Control max-age=60")).toEqual([
      'Input "headers": line 1 "*.js | Cache-Control max-age=60" is not "pattern | Header: value"; write one header per line, e.g. **/*.js.gz | Content-Encoding: gzip.',
    ]);
    expect(errorsOf("*.js | Cache-Control:   ")).toEqual([
      'Input "headers": line 1: Cache-Control has no value; give one, or remove the line.',
    ]);
    expect(errorsOf("*.js | Content-Type: javascript")).toEqual([
      'Input "headers": line 1: Content-Type "javascript" is not a media type; use type/subtype, e.g. text/javascript.',
    ]);
    expect(errorsOf("*.js | Content-Encoding: gzip br")).toEqual([
      'Input "headers": line 1: Content-Encoding "gzip br" is not a list of codings; use e.g. gzip, br or zstd (several separated by commas).',
    ]);
    expect(errorsOf('*.pdf | Content-Disposition: attachment; filename="ä.pdf"')).toEqual([
      "Input \"headers\": line 1: the Content-Disposition value has non-ASCII or control characters, which HTTP headers cannot carry; encode them (for a file name: filename*=UTF-8''%C3%A4.pdf).",
    ]);
    expect(errorsOf("/dist/*.js | Cache-Control: no-cache")).toEqual([
      'Input "headers": line 1: pattern "/dist/*.js" starts with "/"; patterns are relative to base-dir, so write dist/*.js.',
    ]);
  });

  it("reports every bad line, not only the first", () => {
    expect(errorsOf("a\n*.js | Cache-Control: x\nb")).toHaveLength(2);
  });
});

describe("headerMatcher", () => {
  const match = (text: string, file: string) => headerMatcher(rules(text))(file);

  it("matches globs against the path relative to base-dir", () => {
    expect(match(JS_GZ, "assets/app.js.gz")).toEqual({
      contentType: "text/javascript",
      contentEncoding: "gzip",
      cacheControl: "public, max-age=31536000, immutable",
    });
    expect(match(JS_GZ, "app.js.gz")).toMatchObject({ contentEncoding: "gzip" });
    expect(match(JS_GZ, "assets/app.js")).toEqual({});
    expect(match("assets/*.css | Cache-Control: max-age=60", "assets/a.css")).toEqual({
      cacheControl: "max-age=60",
    });
    expect(match("assets/*.css | Cache-Control: max-age=60", "x/assets/a.css")).toEqual({});
  });

  it("matches a pattern without / against the file name at any depth, hidden files too", () => {
    expect(match("*.html | Cache-Control: no-cache", "docs/guide/index.html")).toEqual({
      cacheControl: "no-cache",
    });
    expect(match("*.json | Cache-Control: no-cache", "a/.well-known.json")).toEqual({
      cacheControl: "no-cache",
    });
  });

  it("lets a later rule override an earlier one, header by header", () => {
    const text = [
      "** | Cache-Control: public, max-age=300",
      "** | Content-Language: en",
      "*.html | Cache-Control: no-cache",
      "static/** | Cache-Control: public, max-age=31536000, immutable",
    ].join("\n");
    expect(match(text, "index.html")).toEqual({ cacheControl: "no-cache", contentLanguage: "en" });
    expect(match(text, "static/page.html")).toEqual({
      cacheControl: "public, max-age=31536000, immutable",
      contentLanguage: "en",
    });
    expect(match(text, "app.css")).toEqual({ cacheControl: "public, max-age=300", contentLanguage: "en" });
  });
});

describe("parseConfig: headers and content-encoding", () => {
  const base = { bucket: "my-bucket", path: "dist/**" };

  it("keeps the rules in order and the run-wide headers as defaults", () => {
    const result = parseConfig(
      (name) => ({ ...base, headers: JS_GZ, "content-encoding": "br", "cache-control": "max-age=60" })[name],
    );
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(result.config.headerRules).toHaveLength(3);
    expect(result.config.engine.object).toEqual({ contentEncoding: "br", cacheControl: "max-age=60" });
  });

  it("reports bad rules and a bad content-encoding among the other errors", () => {
    const result = parseConfig(
      (name) => ({ ...base, headers: "*.js | Expires: never", "content-encoding": "gzip;q=1" })[name],
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'Input "content-encoding": Content-Encoding "gzip;q=1" is not a list of codings; use e.g. gzip, br or zstd (several separated by commas).',
      'Input "headers": line 1: "Expires" is not a header rules can set; use Content-Type, Content-Encoding, Cache-Control, Content-Disposition or Content-Language (user metadata goes in "metadata").',
    ]);
  });
});
