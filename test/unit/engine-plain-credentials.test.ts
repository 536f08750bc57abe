// plainCredentials answers without the SDK only where the SDK's default chain would pick the same keys: the
// caller's, or the environment's when no profile is named (a profile makes the chain skip the environment).
import { describe, expect, it } from "vitest";
import { plainCredentials } from "../../src/engine/s3/plain-credentials.js";

const KEYS = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };

describe("plainCredentials", () => {
  it("the caller's credentials win", () => {
    const given = { accessKeyId: "A", secretAccessKey: "S" };
    expect(plainCredentials({ credentials: given }, KEYS)).toBe(given);
  });

  it("the environment's keys, with the session token when there is one", () => {
    expect(plainCredentials({}, KEYS)).toEqual({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" });
    expect(plainCredentials({}, { ...KEYS, AWS_SESSION_TOKEN: "token" })).toEqual({
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
    });
  });

  it("a profile (setting or AWS_PROFILE), or keys missing or half set: the SDK's chain decides", () => {
    expect(plainCredentials({ profile: "ci" }, KEYS)).toBeNull();
    expect(plainCredentials({}, { ...KEYS, AWS_PROFILE: "ci" })).toBeNull();
    expect(plainCredentials({}, {})).toBeNull();
    expect(plainCredentials({}, { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE" })).toBeNull();
    expect(plainCredentials({}, { ...KEYS, AWS_SECRET_ACCESS_KEY: "" })).toBeNull();
  });
});
