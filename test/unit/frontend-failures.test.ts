// A cause shared by many files is reported once with a count; causes of one file keep their own line.
import { describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/types.js";
import { failureText, groupFailures, repeatedFailures } from "../../src/frontend/failures.js";

function result(index: number, overrides: Partial<FileResult> = {}): FileResult {
  const path = `/work/dist/f${index}.txt`;
  const key = `builds/f${index}.txt`;
  return {
    path,
    key,
    bucket: "artifacts",
    size: 10,
    partSize: 10,
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
    status: "failed",
    error:
      `${path} → s3://artifacts/${key}: PutObject failed: NoSuchBucket (HTTP 404): The specified bucket does ` +
      `not exist, request id R${index}. The bucket does not exist at this endpoint: check "bucket".`,
    failure: {
      step: "PutObject",
      code: "NoSuchBucket",
      detail: "NoSuchBucket (HTTP 404): The specified bucket does not exist",
      hint: 'The bucket does not exist at this endpoint: check "bucket".',
    },
    durationMs: 1,
    bytesPerSecond: 0,
    ...overrides,
  };
}

const noSuchBucket = Array.from({ length: 2500 }, (_, index) => result(index));
const refused = result(9001, {
  error: "/work/dist/f9001.txt → s3://artifacts/builds/f9001.txt: overwrite check failed: already exists",
  failure: { step: "overwrite check", code: null, detail: "already exists", hint: "" },
});
const uploaded = result(9002, { status: "uploaded", verified: true, verification: "checksum" });
delete uploaded.error;
delete uploaded.failure;

describe("failures grouped by step and code", () => {
  it("2,500 files failing with NoSuchBucket are one group; a refusal is its own", () => {
    const groups = groupFailures([...noSuchBucket, uploaded, refused]);
    expect(groups.map((group) => group.files.length)).toEqual([2500, 1]);
    expect(groups[0]).toMatchObject({ step: "PutObject", code: "NoSuchBucket" });
  });

  it("errors without a code group only when the whole message is the same", () => {
    const planFailure = (index: number, message: string): FileResult =>
      result(index, {
        error: `/work/dist/f${index}.txt → s3://artifacts/builds/f${index}.txt: plan: ${message}`,
        failure: { step: "plan", code: null, detail: message, hint: "" },
      });
    const [a, b, c] = [planFailure(1, "too big"), planFailure(2, "too big"), planFailure(3, "other")];
    expect(groupFailures([a, b, c]).map((group) => group.files.length)).toEqual([2, 1]);
  });

  it("the final text is short: the shared cause once, with a count and an example file", () => {
    const text = failureText([...noSuchBucket, uploaded, refused], "--json lists every file");
    const lines = text.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("2,501 of 2,502 files failed:");
    expect(lines[1]).toBe(
      "- 2,500 files (same cause): PutObject failed: NoSuchBucket (HTTP 404): The specified bucket does not exist, " +
        'request id R0. The bucket does not exist at this endpoint: check "bucket". First: /work/dist/f0.txt → ' +
        "s3://artifacts/builds/f0.txt; --json lists every file.",
    );
    expect(lines[2]).toBe(`- ${refused.error}`);
  });

  it("a single failure reads as before", () => {
    expect(failureText([refused, uploaded], "--json lists every file")).toBe(
      `1 of 2 files failed:\n- ${refused.error}`,
    );
  });

  it("the live log shows the first failure of each cause; later ones of that cause are repeats", () => {
    const repeated = repeatedFailures();
    expect([noSuchBucket[0]!, refused, noSuchBucket[1]!, noSuchBucket[2]!].map(repeated)).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(repeated(uploaded)).toBe(false);
  });
});
