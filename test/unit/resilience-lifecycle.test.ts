// The lifecycle merge keeps every rule it did not write, and the cleanup age parser names bad input.
import { describe, expect, it } from "vitest";
import { abortRuleId, mergeAbortRule } from "../../src/engine/cleanup/lifecycle.js";
import { parseDuration } from "../../src/frontend/duration.js";

const OTHER = {
  ID: "expire-logs",
  Status: "Enabled" as const,
  Filter: { Prefix: "logs/" },
  Expiration: { Days: 30 },
};

describe("mergeAbortRule", () => {
  it("adds its rule after the others, untouched", () => {
    const merged = mergeAbortRule([OTHER], "builds/", 7);
    expect(merged.change).toBe("added");
    expect(merged.rules).toEqual([
      OTHER,
      {
        ID: "s3-verified-upload-abort-incomplete:builds/",
        Status: "Enabled",
        Filter: { Prefix: "builds/" },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
  });

  it("updates its own rule in place and leaves an identical one alone", () => {
    const first = mergeAbortRule([OTHER], "", 7).rules;
    const updated = mergeAbortRule(first, "", 2);
    expect(updated.change).toBe("updated");
    expect(updated.rules.map((rule) => rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation)).toEqual([
      undefined,
      2,
    ]);
    expect(mergeAbortRule(updated.rules, "", 2).change).toBe("unchanged");
    // Another prefix is another rule.
    expect(mergeAbortRule(updated.rules, "x/", 2).rules).toHaveLength(3);
  });

  it("keeps rule IDs within S3's 255 characters", () => {
    expect(abortRuleId("p/".repeat(200)).length).toBeLessThanOrEqual(255);
    expect(abortRuleId("a/")).not.toBe(abortRuleId("b/"));
  });
});

describe("parseDuration", () => {
  it.each([
    ["7d", 7 * 86_400_000],
    ["12h", 12 * 3_600_000],
    ["30m", 1_800_000],
    ["0s", 0],
  ])("%s", (text, ms) => expect(parseDuration("older-than", text)).toEqual({ ok: true, value: ms }));

  it.each(["", "7", "1w", "-1d", "1.5h"])("rejects %j", (text) =>
    expect(parseDuration("older-than", text)).toEqual({
      ok: false,
      error: `Input "older-than": "${text}" is not a duration; use a whole number with s, m, h or d, e.g. 7d, 12h, 30m.`,
    }),
  );
});
