// What a download run reports: outputs, the download manifest, one line per file, the totals line, the error.
import { describe, expect, it } from "vitest";
import type { DownloadResult } from "../../src/engine/download/types.js";
import {
  buildDownloadManifest,
  describeDownload,
  downloadFailureText,
  downloadOutputs,
  downloadTotals,
  downloadTotalsLine,
  staleTempsText,
} from "../../src/frontend/download-report.js";
import { LIST_BUDGET } from "../../src/frontend/outputs.js";

function result(
  key: string,
  status: DownloadResult["status"],
  extra: Partial<DownloadResult> = {},
): DownloadResult {
  return {
    key,
    path: `/w/out/${key}`,
    size: 1024,
    etag: '"0123"',
    checksumAlgorithm: "CRC64NVME",
    checksumType: "FULL_OBJECT",
    checksumRemote: "Q2hlY2s=",
    checksumLocal: "Q2hlY2s=",
    sha256: null,
    verification: "checksum",
    verified: status === "downloaded" || status === "unchanged",
    status,
    notes: [],
    durationMs: 5,
    ...(status === "failed"
      ? {
          error: `${key} → /w/out/${key}: checksum mismatch`,
          failure: { step: "verify", code: null, detail: "checksum mismatch", hint: "download again" },
        }
      : {}),
    ...extra,
  };
}

describe("download totals and outputs", () => {
  it("counts each status and the bytes downloaded", () => {
    const files = [
      result("a", "downloaded"),
      result("b", "unchanged"),
      result("c", "failed"),
      result("d", "dry-run"),
    ];
    expect(downloadTotals(files)).toEqual({ downloaded: 1, skipped: 1, failed: 1, dryRun: 1, bytes: 1024 });
  });

  it("gives single-file outputs only for one file that arrived", () => {
    const one = downloadOutputs(
      { ok: true, files: [result("a", "downloaded", { versionId: "v1", sha256: "ab".repeat(32) })] },
      "/tmp/m.json",
    );
    expect(one).toEqual({
      downloaded: "1",
      skipped: "0",
      bytes: "1024",
      results: JSON.stringify([result("a", "downloaded", { versionId: "v1", sha256: "ab".repeat(32) })]),
      "results-truncated": "false",
      manifest: "/tmp/m.json",
      path: "/w/out/a",
      key: "a",
      etag: '"0123"',
      "version-id": "v1",
      checksum: "Q2hlY2s=",
      sha256: "ab".repeat(32),
    });
    const failed = downloadOutputs({ ok: false, files: [result("a", "failed")] }, undefined);
    expect(failed["path"]).toBeUndefined();
    expect(failed["checksum"]).toBeUndefined();
  });

  it("caps results like uploads, failed files first", () => {
    const files = Array.from({ length: 3000 }, (_, index) => result(`k${index}`, "downloaded"));
    files.push(result("bad", "failed"));
    const outputs = downloadOutputs({ ok: false, files }, undefined);
    expect(outputs["results-truncated"]).toBe("true");
    expect(outputs["results"]!.length).toBeLessThanOrEqual(LIST_BUDGET.results);
    expect((JSON.parse(outputs["results"]!) as DownloadResult[])[0]!.key).toBe("bad");
  });
});

describe("download manifest", () => {
  it("records what was fetched and how it was proven, marked as a download", () => {
    const run = {
      ok: true,
      files: [result("a", "downloaded")],
      staleTempFilesRemoved: ["/w/out/.a.s3vu-0123456789ab.part"],
    };
    const manifest = buildDownloadManifest("bkt", "p", "/w/out", { endpoint: "http://x" }, run, new Date(0));
    expect(manifest).toMatchObject({
      tool: "s3-verified-upload",
      kind: "download",
      createdAt: "1970-01-01T00:00:00.000Z",
      bucket: "bkt",
      prefix: "p",
      baseDir: "/w/out",
      endpoint: "http://x",
      ok: true,
      totals: { downloaded: 1 },
      files: run.files,
      staleTempFilesRemoved: ["/w/out/.a.s3vu-0123456789ab.part"],
    });
  });
});

describe("stale temp files removed", () => {
  it("says nothing when none were, else how many and which, capped", () => {
    expect(staleTempsText([])).toBeNull();
    expect(staleTempsText(["/w/.a.s3vu-0123456789ab.part"])).toBe(
      "Removed 1 stale temp file left by a download that was stopped before it finished (e.g. killed) without on-failure keep: /w/.a.s3vu-0123456789ab.part",
    );
    const many = Array.from({ length: 7 }, (_, index) => `/w/.f${index}.s3vu-0123456789ab.part`);
    expect(staleTempsText(many)).toBe(
      `Removed 7 stale temp files left by downloads that were stopped before they finished (e.g. killed) without on-failure keep: ${many.slice(0, 5).join(", ")} and 2 more`,
    );
  });
});

describe("download lines", () => {
  it("says what happened to each file and how it was proven", () => {
    expect(describeDownload("bkt", result("a", "downloaded"))).toBe(
      "downloaded s3://bkt/a → /w/out/a (1.0 KiB, CRC64NVME FULL_OBJECT Q2hlY2s=, verified by checksum)",
    );
    expect(
      describeDownload("bkt", result("a", "downloaded", { verified: false, verification: "none" })),
    ).toBe("downloaded s3://bkt/a → /w/out/a (1.0 KiB, CRC64NVME FULL_OBJECT Q2hlY2s=, NOT verified)");
    expect(describeDownload("bkt", result("a", "unchanged"))).toBe(
      "unchanged /w/out/a (1.0 KiB, identical to s3://bkt/a: verified by checksum)",
    );
    expect(describeDownload("bkt", result("a", "dry-run"))).toBe(
      "would download s3://bkt/a → /w/out/a (1.0 KiB)",
    );
    expect(describeDownload("bkt", result("a", "failed"))).toBe("FAILED a → /w/out/a: checksum mismatch");
  });

  it("closes with a totals line counting the proofs", () => {
    const files = [
      result("a", "downloaded"),
      result("b", "downloaded", { verification: "etag-md5", checksumAlgorithm: null }),
      result("c", "downloaded", { verification: "none", verified: false }),
      result("d", "unchanged"),
      result("e", "failed"),
    ];
    expect(downloadTotalsLine(files, 1500)).toBe(
      "Totals: 5 files, 3 downloaded (3.0 KiB), 1 unchanged, 1 failed; verified: 2 by CRC64NVME checksum, 1 by ETag/MD5, 1 NOT verified; 1.5s",
    );
    expect(downloadTotalsLine([result("a", "dry-run")], 100)).toBe(
      "Totals: 1 file, dry run, 1 would download, 0 unchanged, 0 failed; verified: none; 0.1s",
    );
  });

  it("lists each failure in the final error, with a count past 20", () => {
    const files = Array.from({ length: 22 }, (_, index) => result(`k${index}`, "failed"));
    const text = downloadFailureText(files, "--json lists every file");
    expect(text.split("\n")[0]).toBe("22 of 22 files failed:");
    expect(text).toContain("- k0 → /w/out/k0: checksum mismatch");
    expect(text).toContain("…and 2 more; --json lists every file.");
  });
});
