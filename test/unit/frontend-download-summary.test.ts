// The download job summary: outcome first, failures with step and fix, then what arrived and how it was proven.
import { describe, expect, it } from "vitest";
import type { DownloadResult } from "../../src/engine/download/types.js";
import { downloadSummaryMarkdown } from "../../src/frontend/download-summary.js";

const context = {
  bucket: "bkt",
  prefix: "rel",
  endpoint: "http://127.0.0.1:9000",
  workspace: "/w",
  durationMs: 1200,
};

function result(
  key: string,
  status: DownloadResult["status"],
  extra: Partial<DownloadResult> = {},
): DownloadResult {
  return {
    key,
    path: `/w/out/${key}`,
    size: 2048,
    etag: '"e"',
    checksumAlgorithm: "SHA256",
    checksumType: "COMPOSITE",
    checksumRemote: "abc-2",
    checksumLocal: "abc-2",
    sha256: null,
    verification: "checksum",
    verified: status !== "failed" && status !== "dry-run",
    status,
    notes: [],
    durationMs: 1,
    ...extra,
  };
}

describe("downloadSummaryMarkdown", () => {
  it("says all arrived and were verified, with each file's proof", () => {
    const markdown = downloadSummaryMarkdown(context, [
      result("rel/a.bin", "downloaded"),
      result("rel/b", "unchanged"),
    ]);
    expect(markdown).toContain(
      "<h3>✅ s3-verified-upload download: 1 file downloaded and verified, 1 unchanged</h3>",
    );
    expect(markdown).toContain(
      "<p>From <code>s3://bkt/rel/</code> at <code>http://127.0.0.1:9000</code></p>",
    );
    expect(markdown).toContain("<td><code>rel/a.bin</code><br>→ <code>out/rel/a.bin</code></td>");
    expect(markdown).toContain("✅&nbsp;SHA256");
    expect(markdown).toContain("<details>");
    expect(markdown).toContain("Totals: 2 files, 1 downloaded");
  });

  it("says which stale temp files of stopped downloads it removed, relative to the workspace", () => {
    const markdown = downloadSummaryMarkdown(
      { ...context, staleTempFilesRemoved: ["/w/out/.a<b>.s3vu-0123456789ab.part"] },
      [result("rel/a.bin", "downloaded")],
    );
    expect(markdown).toContain(
      "<p>🧹 Removed 1 stale temp file left by a download that was stopped before it finished (e.g. killed) without on-failure keep: out/.a&lt;b&gt;.s3vu-0123456789ab.part</p>",
    );
    expect(downloadSummaryMarkdown(context, [result("rel/a.bin", "downloaded")])).not.toContain("🧹");
  });

  it("shows each file's SHA-256 when the run computed them, and no such column otherwise", () => {
    const hex = "ab".repeat(32);
    const markdown = downloadSummaryMarkdown(context, [result("rel/a.bin", "downloaded", { sha256: hex })]);
    expect(markdown).toContain("<th>SHA-256</th>");
    expect(markdown).toContain(`<td><code>${hex}</code></td>`);
    expect(downloadSummaryMarkdown(context, [result("rel/a.bin", "downloaded")])).not.toContain("SHA-256");
  });

  it("puts failures first with their step, error and fix, escaped", () => {
    const failed = result("rel/<b>.bin", "failed", {
      error: "x",
      failure: {
        step: "verify",
        code: null,
        detail: "CRC mismatch in /w/out/rel/<b>.bin",
        hint: "download again",
      },
    });
    const markdown = downloadSummaryMarkdown(context, [result("rel/a.bin", "downloaded"), failed]);
    expect(markdown).toContain("<h3>❌ s3-verified-upload download: 1 of 2 files failed</h3>");
    expect(markdown.indexOf("Failed (1)")).toBeLessThan(markdown.indexOf("Downloaded (1)"));
    expect(markdown).toContain(
      "<td>verify</td><td>CRC mismatch in out/rel/&lt;b&gt;.bin</td><td>download again</td>",
    );
    expect(markdown).not.toContain("<b>");
  });

  it("warns about unverified files and dry runs in the title", () => {
    expect(
      downloadSummaryMarkdown(context, [
        result("rel/a", "downloaded", { verified: false, verification: "none" }),
      ]),
    ).toContain("⚠️ s3-verified-upload download: 1 file downloaded, 1 NOT verified");
    expect(downloadSummaryMarkdown(context, [result("rel/a", "dry-run")])).toContain(
      "🔍 s3-verified-upload download: dry run, 1 file would download",
    );
  });

  it("leaves rows out past the limits and says how many", () => {
    const files = Array.from({ length: 30 }, (_, index) => result(`rel/${index}`, "downloaded"));
    const markdown = downloadSummaryMarkdown(context, files, { bytes: 512 * 1024, rows: 10 });
    expect(markdown.match(/<tr><td>/g)).toHaveLength(10);
    expect(markdown).toContain("20 more files not shown");
  });
});
