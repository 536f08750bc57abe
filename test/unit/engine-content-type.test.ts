import mime from "mime";
import otherTypes from "mime/types/other.js";
import standardTypes from "mime/types/standard.js";
import { describe, expect, it } from "vitest";
import { guessContentType } from "../../src/engine/upload/content-type.js";

describe("guessContentType (the mime package's database)", () => {
  it.each([
    ["fonts/inter.woff2", "font/woff2"],
    ["img/hero.avif", "image/avif"],
    ["media/intro.MP4", "video/mp4"],
    ["site.webmanifest", "application/manifest+json"],
    ["pkg/module.wasm", "application/wasm"],
    ["app.mjs", "text/javascript; charset=utf-8"],
    ["app.js.map", "application/json"],
    ["release.tar.bz2", "application/x-bzip2"],
    ["release.tar.xz", "application/x-xz"],
  ])("%s → %s", (file, type) => {
    expect(guessContentType(file)).toBe(type);
  });

  it("labels text types UTF-8, as the hand-written table did (aws s3 cp sets no charset)", () => {
    expect(guessContentType("index.html")).toBe("text/html; charset=utf-8");
    expect(guessContentType("style.css")).toBe("text/css; charset=utf-8");
    expect(guessContentType("data.json")).toBe("application/json");
  });

  it("types a .gz by its own bytes, never by the name inside it, and sets no encoding", () => {
    expect(guessContentType("app.js.gz")).toBe("application/gzip");
    expect(guessContentType("release.tar.gz")).toBe("application/gzip");
    expect(guessContentType("release.tgz")).toBe("application/gzip");
  });

  it("keeps the build-artifact types the database lacks", () => {
    expect(guessContentType("release.tar.zst")).toBe("application/zstd");
    expect(guessContentType("release.sha256")).toBe("text/plain; charset=utf-8");
  });

  it("falls back to application/octet-stream for unknown or missing extensions", () => {
    expect(guessContentType("data.unknownext")).toBe("application/octet-stream");
    expect(guessContentType("Makefile")).toBe("application/octet-stream");
    expect(guessContentType("/work/html")).toBe("application/octet-stream");
    expect(guessContentType("txt")).toBe("application/octet-stream");
    expect(guessContentType(".bashrc")).toBe("application/octet-stream");
  });

  it("types every extension of the database exactly as mime.getType does (the table is built on first use)", () => {
    const databases: Record<string, readonly string[]>[] = [standardTypes, otherTypes];
    const extensions = databases
      .flatMap((types) => Object.values(types).flat())
      .map((extension) => extension.replace(/^\*/, ""));
    const missing = new Set(["tgz", "zst", "sha256"]);
    for (const extension of extensions.filter((extension) => !missing.has(extension))) {
      const type = mime.getType(extension) ?? "application/octet-stream";
      const expected = type.startsWith("text/") ? `${type}; charset=utf-8` : type;
      expect(guessContentType(`file.${extension.toUpperCase()}`), extension).toBe(expected);
    }
  });
});
