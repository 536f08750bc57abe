import { describe, expect, it } from "vitest";
import { backoffDelay, isRetryable, withRetry } from "../../src/engine/retry.js";

function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

describe("isRetryable", () => {
  it.each([
    [s3Error("InternalError", 500), true],
    [s3Error("ServiceUnavailable", 503), true],
    [s3Error("SlowDown", 503), true],
    [s3Error("TooManyRequests", 429), true],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), true],
    [Object.assign(new Error("socket timed out"), { name: "TimeoutError" }), true],
    [s3Error("BadDigest", 400), false],
    [s3Error("AccessDenied", 403), false],
    [s3Error("NoSuchUpload", 404), false],
    [s3Error("PreconditionFailed", 412), false],
    [Object.assign(new Error("aborted"), { name: "AbortError" }), false],
  ])("%s → %s", (error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });
});

describe("backoffDelay", () => {
  const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };
  it("grows exponentially up to the cap, with full jitter", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, policy, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

describe("withRetry", () => {
  const policy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

  it("retries transient failures, reporting each, until success", async () => {
    const reasons: string[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw s3Error("SlowDown", 503);
        return "done";
      },
      { policy, onRetry: (attempt, reason) => reasons.push(`${attempt} ${reason}`) },
    );
    expect(value).toBe("done");
    expect(reasons).toEqual([
      "1 SlowDown (HTTP 503): SlowDown happened",
      "2 SlowDown (HTTP 503): SlowDown happened",
    ]);
  });

  it("gives up after the attempt bound and does not retry 4xx", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw s3Error("InternalError", 500);
        },
        { policy, onRetry: () => {} },
      ),
    ).rejects.toThrow(/InternalError/);
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw s3Error("BadDigest", 400);
        },
        { policy, onRetry: () => {} },
      ),
    ).rejects.toThrow(/BadDigest/);
    expect(calls).toBe(1);
  });
});
