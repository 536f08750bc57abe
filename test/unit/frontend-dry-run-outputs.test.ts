// A dry run's refused files are not among the keys it reports, nor the single-file outputs.
import { describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/types.js";
import { runOutputs, totals } from "../../src/frontend/outputs.js";

function result(key: string, status: FileResult["status"]): FileResult {
  return {
    path: `/w/${key}`,
    key,
    bucket: "bkt",
    size: 3,
    partSize: 3,
    parts: 1,
    multipart: false,
    etag: "",
    checksumAlgorithm: "CRC64NVME",
    checksumType: "FULL_OBJECT",
    checksumLocal: null,
    checksumRemote: null,
    sha256: null,
    verification: "none",
    verified: false,
    notes: [],
    status,
    ...(status === "refused"
      ? { error: `/w/${key} → s3://bkt/${key}: overwrite check failed: differs` }
      : {}),
    durationMs: 0,
    bytesPerSecond: 0,
  };
}

describe("dry-run outputs", () => {
  it("keys list what would be uploaded, not what would be refused", () => {
    const files = [result("a.txt", "dry-run"), result("b.txt", "refused")];
    const outputs = runOutputs({ files, ok: false }, {}, "us-east-1", undefined);
    expect(outputs["keys"]).toBe('["a.txt"]');
    expect(totals(files)).toMatchObject({ dryRun: 1, refused: 1, failed: 0 });
  });

  it("a single refused file gives no key, etag or url", () => {
    const outputs = runOutputs(
      { files: [result("b.txt", "refused")], ok: false },
      {},
      "us-east-1",
      undefined,
    );
    expect(outputs["key"]).toBeUndefined();
    expect(outputs["url"]).toBeUndefined();
  });
});
