// The broker's configuration parser and policy: refusals name the field and the fix; claims select rules,
// "${claim}" fills prefixes, and nothing widens a prefix.
import { describe, expect, it } from "vitest";
import { parseBrokerConfig, type PolicyRule } from "../../src/broker/config.js";
import { authoriseKey, grantsFor } from "../../src/broker/policy.js";

const ISSUER = "https://token.actions.githubusercontent.com";

function config(overrides: Record<string, unknown> = {}, rule: Record<string, unknown> = {}) {
  return JSON.stringify({
    issuers: [{ issuer: ISSUER, audience: "broker" }],
    rules: [{ issuer: ISSUER, claims: { repository: "org/app" }, bucket: "b", prefix: "org/app/", ...rule }],
    ...overrides,
  });
}

function errorOf(text: string): string {
  const parsed = parseBrokerConfig(text, "broker.json");
  if (parsed.ok) throw new Error("expected a refusal");
  return parsed.error;
}

function rule(overrides: Partial<PolicyRule>): PolicyRule {
  return {
    issuer: ISSUER,
    claims: { repository_owner: "org" },
    bucket: "b",
    prefix: "${repository}/",
    maxObjectBytes: 100,
    maxParts: 10,
    maxPartBytes: 10,
    overwrite: false,
    sseKmsKeyIds: [],
    ...overrides,
  };
}

describe("parseBrokerConfig", () => {
  it("fills defaults: S3 limits, 900 s URLs, loopback:8080, MD5 required only with a custom endpoint", () => {
    const parsed = parseBrokerConfig(config(), "broker.json");
    expect(parsed.ok && parsed.value).toMatchObject({
      listen: { host: "127.0.0.1", port: 8080 },
      s3: { region: "us-east-1", forcePathStyle: false, requireContentMd5: false },
      urlExpiresSeconds: 900,
      rules: [{ maxParts: 10_000, maxPartBytes: 5 * 1024 ** 3, overwrite: false }],
    });
    const custom = parseBrokerConfig(config({ s3: { endpoint: "http://127.0.0.1:7480" } }), "broker.json");
    expect(custom.ok && custom.value.s3).toMatchObject({ forcePathStyle: true, requireContentMd5: true });
  });

  it("names the field and the fix for each bad input", () => {
    expect(errorOf("{")).toMatch(/^broker.json is not valid JSON/);
    expect(errorOf(config({ issuers: [] }))).toContain("issuers must list at least one trusted OIDC issuer");
    expect(errorOf(config({ issuers: [{ issuer: "http://issuer.example", audience: "a" }] }))).toContain(
      "issuers[0].issuer must be an https URL",
    );
    expect(errorOf(config({}, { issuer: "https://other.example" }))).toContain(
      'rules[0].issuer names https://other.example, which is not in "issuers"',
    );
    expect(errorOf(config({}, { claims: {} }))).toContain("rules[0].claims must name at least one claim");
    expect(errorOf(config({}, { prefix: "org/app" }))).toContain("rules[0].prefix must end with /");
    expect(errorOf(config({}, { maxParts: 10_001 }))).toContain(
      "rules[0].maxParts must be a whole number from 1 to 10000",
    );
    expect(errorOf(config({ s3: { endpoint: "minio:9000" } }))).toContain(
      "s3.endpoint must start with http://",
    );
    expect(errorOf(config({ s3: { requireContentMd5: "yes" } }))).toContain(
      "s3.requireContentMd5 must be true or false",
    );
    expect(errorOf(config({ listen: { port: 70000 } }))).toContain("listen.port must be a port number");
    expect(errorOf(config({ corsOrigins: ["*"] }))).toContain("corsOrigins[0] must be an origin");
    expect(errorOf(config({ corsOrigins: ["https://app.example.com/"] }))).toContain(
      "corsOrigins[0] must be an origin",
    );
  });
});

describe("grantsFor and authoriseKey", () => {
  it("fills the prefix from the caller's claims and confines keys to it", () => {
    const grants = grantsFor([rule({})], ISSUER, { repository_owner: "org", repository: "org/app" });
    expect(grants.map((grant) => grant.prefix)).toEqual(["org/app/"]);
    expect(authoriseKey(grants, "org/app/x.bin", undefined)).toMatchObject({ ok: true });
    expect(authoriseKey(grants, "org/app-b/x.bin", undefined)).toMatchObject({ ok: false });
    expect(authoriseKey(grants, "org/app/x.bin", "other-bucket")).toMatchObject({ ok: false });
  });

  it("matches claim patterns with * and needs every listed claim", () => {
    const rules = [rule({ claims: { repository_owner: "org", ref: "refs/tags/v*" }, prefix: "releases/" })];
    expect(grantsFor(rules, ISSUER, { repository_owner: "org", ref: "refs/tags/v1.2" })).toHaveLength(1);
    expect(grantsFor(rules, ISSUER, { repository_owner: "org", ref: "refs/heads/main" })).toHaveLength(0);
    expect(grantsFor(rules, ISSUER, { ref: "refs/tags/v1.2" })).toHaveLength(0);
    expect(
      grantsFor(rules, "https://gitlab.com", { repository_owner: "org", ref: "refs/tags/v1" }),
    ).toHaveLength(0);
    // Regex characters in a pattern are literal.
    const dotted = [rule({ claims: { repository: "org/a.b" }, prefix: "x/" })];
    expect(grantsFor(dotted, ISSUER, { repository: "org/aXb" })).toHaveLength(0);
  });

  it("drops a rule whose prefix claim is missing, empty or holds control characters", () => {
    const rules = [rule({})];
    for (const repository of [undefined, "", "org/a\nb", { nested: true }]) {
      expect(grantsFor(rules, ISSUER, { repository_owner: "org", repository })).toHaveLength(0);
    }
    expect(authoriseKey([], "org/app/x", undefined)).toEqual({
      ok: false,
      reason: "no policy rule matches this token's claims",
    });
  });
});
