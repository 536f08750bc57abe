// The job summary: what a release engineer reads first on the run page.
import { describe, expect, it } from "vitest";
import { marked } from "marked";
import type { FileResult } from "../../src/engine/types.js";
import { SUMMARY_LIMITS, summaryMarkdown, type SummaryContext } from "../../src/frontend/summary.js";
import { totalsLine } from "../../src/frontend/totals-line.js";

const WORKSPACE = "/home/runner/work/app/app";

function result(overrides: Partial<FileResult>): FileResult {
  return {
    path: `${WORKSPACE}/dist/app.zip`,
    key: "builds/42/app.zip",
    bucket: "bkt",
    size: 20 * 1024 * 1024,
    partSize: 8 * 1024 * 1024,
    parts: 3,
    multipart: true,
    etag: '"abc-3"',
    checksumAlgorithm: "CRC64NVME",
    checksumType: "FULL_OBJECT",
    checksumLocal: "AAAAAAAAAAA=",
    checksumRemote: "AAAAAAAAAAA=",
    verification: "checksum",
    verified: true,
    notes: [],
    status: "uploaded",
    sha256: null,
    durationMs: 1000,
    bytesPerSecond: 20 * 1024 * 1024,
    ...overrides,
  };
}

const aws: SummaryContext = {
  bucket: "bkt",
  prefix: "builds/42",
  endpoint: undefined,
  region: "eu-west-1",
  workspace: WORKSPACE,
  durationMs: 2500,
};
const custom: SummaryContext = { ...aws, endpoint: "http://127.0.0.1:9000", region: "us-east-1" };

const failure = result({
  path: `${WORKSPACE}/dist/broken.bin`,
  key: "builds/42/broken.bin",
  status: "failed",
  verified: false,
  verification: "none",
  error: `${WORKSPACE}/dist/broken.bin → s3://bkt/builds/42/broken.bin: UploadPart failed: InternalError (HTTP 500): We encountered an internal error. Retrying the run is safe.`,
  failure: {
    step: "UploadPart",
    code: "InternalError",
    detail: "InternalError (HTTP 500): We encountered an internal error",
    hint: "Retrying the run is safe.",
  },
});
const unchanged = result({
  path: `${WORKSPACE}/dist/same.txt`,
  key: "builds/42/same.txt",
  status: "unchanged",
  notes: ["The object already exists with the same content; it was not uploaded again."],
});

/** The rendered page's text, as a browser would show it (the summary mixes Markdown and HTML). */
function rendered(markdown: string): string {
  return marked.parse(markdown, { async: false });
}

describe("summaryMarkdown", () => {
  it("shows paths relative to the workspace, never the runner's absolute path", () => {
    const markdown = summaryMarkdown(aws, [result({}), failure, unchanged]);
    expect(markdown).toContain("dist/app.zip");
    expect(markdown).toContain("dist/broken.bin");
    expect(markdown).not.toContain(WORKSPACE);
  });

  it("keeps a path outside the workspace as it is", () => {
    const markdown = summaryMarkdown(aws, [result({ path: "/tmp/other/x.bin" })]);
    expect(markdown).toContain("/tmp/other/x.bin");
  });

  it("titles the run with its outcome, bucket, prefix and region or endpoint", () => {
    const onAws = summaryMarkdown(aws, [result({})]);
    expect(onAws.split("\n")[0]).toContain("1 file uploaded and verified");
    expect(onAws).toContain("s3://bkt/builds/42/");
    expect(onAws).toContain("eu-west-1");
    const failed = summaryMarkdown(custom, [result({}), failure]);
    expect(failed.split("\n")[0]).toContain("1 of 2 files failed");
    expect(failed).toContain("http://127.0.0.1:9000");
  });

  it("puts failures first with step, error and fix, then uploaded, then unchanged collapsed", () => {
    const markdown = summaryMarkdown(aws, [unchanged, result({}), failure]);
    const failedAt = markdown.indexOf("broken.bin");
    const uploadedAt = markdown.indexOf("app.zip");
    const unchangedAt = markdown.indexOf("same.txt");
    expect(failedAt).toBeGreaterThan(0);
    expect(failedAt).toBeLessThan(uploadedAt);
    expect(uploadedAt).toBeLessThan(unchangedAt);
    expect(markdown.lastIndexOf("<details>", unchangedAt)).toBeGreaterThan(uploadedAt);
    for (const text of ["UploadPart", "InternalError (HTTP 500)", "Retrying the run is safe."]) {
      expect(markdown).toContain(text);
    }
    // The unchanged files' standard note is the section's heading, not one line per file.
    expect(markdown).not.toContain("The object already exists");
  });

  it("shows an error without step details with the file prefix cut and workspace paths made relative", () => {
    const plain = result({
      ...failure,
      failure: undefined,
      error: `${WORKSPACE}/dist/broken.bin → s3://bkt/builds/42/broken.bin: ${WORKSPACE}/dist/broken.bin changed while it was read`,
    });
    const markdown = summaryMarkdown(aws, [plain]);
    expect(markdown).toContain("dist/broken.bin changed while it was read");
    expect(markdown).not.toContain(WORKSPACE);
  });

  it("escapes file names so they neither inject HTML nor break the table", () => {
    const evil = "<img src=x onerror=alert(1)>|`*_[a](b)\n\n# x.txt";
    const markdown = summaryMarkdown(aws, [
      result({ path: `${WORKSPACE}/${evil}`, key: `builds/42/${evil}` }),
      result({ ...failure, path: `${WORKSPACE}/f|${evil}`, key: `builds/42/f|${evil}` }),
    ]);
    const html = rendered(markdown);
    expect(html).not.toContain("<img");
    expect(html).not.toMatch(/<h1/);
    expect(html).not.toContain("<em>");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;|`*_[a](b)");
    // Each table keeps its one row per file: nothing in the name ended the HTML block early.
    expect(html.match(/<tr>/g)?.length).toBe(4);
  });

  it("links keys to the S3 console on Amazon S3, and shows plain s3:// URIs for other endpoints", () => {
    const onAws = summaryMarkdown(aws, [result({ key: "builds/42/a b+c.zip" })]);
    expect(onAws).toContain(
      'href="https://eu-west-1.console.aws.amazon.com/s3/object/bkt?region=eu-west-1&amp;bucketType=general&amp;prefix=builds%2F42%2Fa%20b%2Bc.zip"',
    );
    expect(onAws).toContain("s3://bkt/builds/42/a b+c.zip");
    const elsewhere = summaryMarkdown(custom, [result({ key: "builds/42/a b+c.zip" })]);
    expect(elsewhere).not.toContain("href=");
    expect(elsewhere).toContain("s3://bkt/builds/42/a b+c.zip");
  });

  it("says what a dry run would do, and when an uploaded file is not verified", () => {
    const dryRun = summaryMarkdown(aws, [
      result({ status: "dry-run", verified: false, notes: ["Dry run: nothing was uploaded."] }),
    ]);
    expect(dryRun.split("\n")[0]).toContain("dry run, 1 file would upload");
    expect(dryRun).toContain("Would upload (dry run, nothing written) (1)");
    const unverified = summaryMarkdown(aws, [result({ verified: false, verification: "none" })]);
    expect(unverified.split("\n")[0]).toContain("⚠️ s3-verified-upload: 1 file uploaded, 1 NOT verified");
    expect(unverified).toContain("⚠️ NOT verified");
  });

  it("lists an uploaded file's notes under its table, with workspace paths relative", () => {
    const markdown = summaryMarkdown(aws, [
      result({ notes: [`Verification fell back to ETag/MD5 for ${WORKSPACE}/dist/app.zip.`] }),
    ]);
    expect(markdown).toContain(
      "<li><code>builds/42/app.zip</code>: Verification fell back to ETag/MD5 for dist/app.zip.</li>",
    );
  });

  it("has a SHA-256 column only when some file has a digest (input sha256)", () => {
    const digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    expect(summaryMarkdown(aws, [result({})])).not.toContain("SHA-256");
    const markdown = summaryMarkdown(aws, [result({ sha256: digest }), result({ key: "b", sha256: null })]);
    expect(markdown).toContain("<th>SHA-256</th>");
    expect(markdown).toContain(`<code>${digest}</code>`);
  });

  it("ends with the totals line", () => {
    const files = [result({}), failure, unchanged];
    const markdown = summaryMarkdown(aws, files);
    expect(markdown.trimEnd().endsWith(`${totalsLine(files, aws.durationMs)}</p>`)).toBe(true);
  });

  it("caps rows for a big run, says how many were left out and points to the manifest", () => {
    const files = [
      ...Array.from({ length: 2500 }, (_, i) =>
        result({ path: `${WORKSPACE}/dist/f${i}.bin`, key: `builds/42/f${i}.bin` }),
      ),
      failure,
    ];
    const markdown = summaryMarkdown(aws, files);
    expect(Buffer.byteLength(markdown)).toBeLessThan(SUMMARY_LIMITS.bytes);
    expect(markdown).toContain("broken.bin");
    const shown = (markdown.match(/<tr>/g)?.length ?? 0) - 2;
    expect(shown).toBe(SUMMARY_LIMITS.rows);
    expect(markdown).toContain(`${(files.length - shown).toLocaleString("en-US")} more files not shown`);
    expect(markdown).toContain("manifest");
  });

  it("stays under its byte budget even when every name is long", () => {
    const long = "x".repeat(1000);
    const files = Array.from({ length: 2000 }, (_, i) =>
      result({ path: `${WORKSPACE}/${long}${i}`, key: `builds/42/${long}${i}` }),
    );
    expect(Buffer.byteLength(summaryMarkdown(aws, files))).toBeLessThan(SUMMARY_LIMITS.bytes);
  });
});

describe("totalsLine", () => {
  it("gives files, bytes, how they were verified and the duration", () => {
    const files = [
      result({}),
      result({ verification: "etag-md5", checksumAlgorithm: null }),
      failure,
      unchanged,
    ];
    expect(totalsLine(files, 2500)).toBe(
      "Totals: 4 files, 2 uploaded (40.0 MiB), 1 unchanged, 1 failed; verified: 2 by CRC64NVME checksum, 1 by ETag/MD5; 2.5s",
    );
  });

  it("says when an uploaded file was not verified, and counts dry runs", () => {
    expect(totalsLine([result({ verified: false, verification: "none" })], 61_000)).toBe(
      "Totals: 1 file, 1 uploaded (20.0 MiB), 0 unchanged, 0 failed; verified: none, 1 NOT verified; 1m01s",
    );
    expect(totalsLine([result({ status: "dry-run", verified: false })], 100)).toBe(
      "Totals: 1 file, dry run, 1 would upload, 0 unchanged, 0 would be refused, 0 failed; verified: none; 0.1s",
    );
  });
});
