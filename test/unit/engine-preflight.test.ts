// The preflight's reading of answers no local server gives (Amazon S3's 301 with x-amz-bucket-region, a
// bodyless 403, a store without ListObjectsV2, a connect timeout), with a stub store: logic only.
import { describe, expect, it } from "vitest";
import { StepError } from "../../src/engine/errors.js";
import { commonPrefix, preflight } from "../../src/engine/s3/preflight.js";
import type { RunContext } from "../../src/engine/run-context.js";
import type { EngineEvent } from "../../src/engine/types.js";

function sdkError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(extra.message ? String(extra.message) : `${name} message`), {
    name,
    $metadata: { httpStatusCode: status, requestId: "REQ1" },
    ...extra,
  });
}

/** A run whose store answers the probe with `answers` in turn (an Error is thrown, undefined succeeds). */
function runWith(
  answers: Array<Error | undefined>,
  endpoint?: string,
): { run: RunContext; probes: string[]; warnings: string[] } {
  const probes: string[] = [];
  const warnings: string[] = [];
  const run = {
    emit: (event: EngineEvent) => {
      if (event.type === "warning") warnings.push(event.message);
    },
    options: { bucket: "artifacts", s3: { region: "us-east-1", ...(endpoint ? { endpoint } : {}) } },
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    store: {
      listObjectsPage: ({ bucket, prefix }: { bucket: string; prefix: string }) => {
        probes.push(`${bucket}/${prefix}`);
        const answer = answers.shift();
        return answer ? Promise.reject(answer) : Promise.resolve({ objects: [] });
      },
    },
  } as unknown as RunContext;
  return { run, probes, warnings };
}

const files = [
  { path: "/w/a.txt", key: "builds/7/a.txt" },
  { path: "/w/b/c.txt", key: "builds/7/b/c.txt" },
];

async function failure(run: RunContext): Promise<StepError> {
  const error: unknown = await preflight(run, files).then(
    () => new Error("preflight passed"),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StepError);
  return error as StepError;
}

describe("commonPrefix", () => {
  it("is the deepest folder every key is under", () => {
    expect(commonPrefix(["builds/7/a.txt", "builds/7/b/c.txt"])).toBe("builds/7/");
    expect(commonPrefix(["builds/7/a.txt", "builds/70/a.txt"])).toBe("builds/");
    expect(commonPrefix(["builds/7/a.txt"])).toBe("builds/7/");
    expect(commonPrefix(["a.txt", "b/c.txt"])).toBe("");
    expect(commonPrefix([])).toBe("");
  });
});

describe("preflight", () => {
  it("lists under the files' common folder", async () => {
    const { run, probes } = runWith([undefined]);
    await preflight(run, files);
    expect(probes).toEqual(["artifacts/builds/7/"]);
  });

  it("Amazon S3's 301 names the bucket's region from x-amz-bucket-region", async () => {
    const redirect = sdkError("PermanentRedirect", 301, {
      $response: { headers: { "x-amz-bucket-region": "eu-west-1" } },
    });
    const error = await failure(runWith([redirect]).run);
    expect(error.message).toContain(
      'bucket "artifacts" at Amazon S3 (us-east-1) is in region eu-west-1, not us-east-1',
    );
    expect(error.message).toMatch(/Set "region" to eu-west-1\.$/);
  });

  it("a 301 without a region says how to find it", async () => {
    const error = await failure(runWith([sdkError("MovedPermanently", 301)]).run);
    expect(error.message).toContain("aws s3api get-bucket-location --bucket artifacts");
  });

  it("a bodyless 403 is read as a denied listing", async () => {
    const error = await failure(runWith([sdkError("Forbidden", 403)]).run);
    expect(error.message).toContain("s3:ListBucket on arn:aws:s3:::artifacts");
  });

  it("ExpiredToken says to refresh the session", async () => {
    const error = await failure(runWith([sdkError("ExpiredToken", 400)]).run);
    expect(error.message).toMatch(/refused the credentials.*session credentials expired/);
  });

  it("a connect timeout is an unreachable endpoint, after the retries", async () => {
    const timeout = () => Object.assign(new Error("connect timed out"), { name: "TimeoutError" });
    const { run, probes } = runWith([timeout(), timeout(), timeout()], "https://s3.internal:9000");
    const error = await failure(run);
    expect(probes).toHaveLength(3);
    expect(error.message).toContain("cannot reach https://s3.internal:9000 (TimeoutError");
  });

  it("retries a transient answer and passes, saying once why it waits", async () => {
    const { run, probes, warnings } = runWith([
      sdkError("SlowDown", 503),
      sdkError("SlowDown", 503),
      undefined,
    ]);
    await preflight(run, files);
    expect(probes).toHaveLength(3);
    expect(warnings).toEqual([
      "preflight: no answer from Amazon S3 (us-east-1) yet (SlowDown (HTTP 503): SlowDown message); retrying up to 2 times",
    ]);
  });

  it("a store without ListObjectsV2 (501) is let through: each file's requests will speak for it", async () => {
    await expect(preflight(runWith([sdkError("NotImplemented", 501)]).run, files)).resolves.toBeUndefined();
  });
});
