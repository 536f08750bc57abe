// broker-url and broker-audience: the action asks GitHub for a token with the broker's audience, the CLI reads
// the token file for each new token; settings that cannot go through a broker are refused with their fix.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { resolveLimits } from "../../src/engine/index.js";
import { cachedToken } from "../../src/engine/broker/token-cache.js";

const VALID = { bucket: "my-bucket", path: "dist/**" };
const LIMITS = resolveLimits(undefined, Number.MAX_SAFE_INTEGER);
const GITHUB = {
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.invalid/x",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t",
};
let dir: string;
let tokenFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-config-"));
  tokenFile = path.join(dir, "token");
  await writeFile(tokenFile, "first.token.value\n");
});

afterAll(() => rm(dir, { recursive: true, force: true }));

function parse(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  oidc?: (audience: string) => Promise<string>,
) {
  return parseConfig((name) => ({ ...VALID, ...inputs })[name], LIMITS, env, oidc);
}

function errorsFor(...args: Parameters<typeof parse>): string[] {
  const result = parse(...args);
  return result.ok ? [] : result.errors;
}

/** A JWT-shaped token expiring at `exp` (seconds); only its payload is read by the cache. */
function jwt(exp: number, n: number): string {
  return `h.${Buffer.from(JSON.stringify({ exp, n })).toString("base64url")}.s`;
}

describe("broker-url in the action", () => {
  it("asks GitHub for a token with broker-audience on each call, loads no S3 credentials", async () => {
    const audiences: string[] = [];
    const result = parse(
      { "broker-url": "https://broker.example.com", "broker-audience": "my-broker" },
      GITHUB,
      (audience) => {
        audiences.push(audience);
        return Promise.resolve(`token-${audiences.length}`);
      },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const broker = result.config.engine.broker!;
    expect(broker.url).toBe("https://broker.example.com/");
    expect(await broker.token()).toBe("token-1");
    expect(await broker.token()).toBe("token-2");
    expect(audiences).toEqual(["my-broker", "my-broker"]);
    expect(result.config.engine.s3.assumeRole).toBeUndefined();
  });

  it("needs broker-audience and the id-token permission", () => {
    const oidc = () => Promise.resolve("x");
    expect(errorsFor({ "broker-url": "https://b.example.com" }, GITHUB, oidc)).toEqual([
      'Input "broker-url" needs "broker-audience": the audience the broker\'s issuers entry expects for GitHub\'s tokens.',
    ]);
    expect(errorsFor({ "broker-url": "https://b.example.com", "broker-audience": "a" }, {}, oidc)).toEqual([
      'Input "broker-url" needs the job\'s OIDC token, which this job may not request: add "permissions: id-token: write" to the job (or set "web-identity-token-file").',
    ]);
  });
});

describe("broker-url in the CLI", () => {
  it("reads web-identity-token-file for the broker's token (role-to-assume not needed)", async () => {
    const result = parse({ "broker-url": "http://127.0.0.1:8080", "web-identity-token-file": tokenFile });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(await result.config.engine.broker!.token()).toBe("first.token.value");
    await writeFile(tokenFile, "second.token.value\n");
    expect(await result.config.engine.broker!.token()).toBe("second.token.value");
  });

  it("without a token file, and broker-audience without broker-url, are refused with their fix", () => {
    expect(errorsFor({ "broker-url": "https://b.example.com" })).toEqual([
      'Input "broker-url" needs "web-identity-token-file" here: the path of a file holding an OIDC token with the broker\'s audience (GitLab: id_tokens).',
    ]);
    expect(errorsFor({ "broker-audience": "a" })).toEqual([
      'Input "broker-audience" needs "broker-url": the broker the token is for.',
    ]);
    expect(
      errorsFor({
        "broker-url": "https://b.example.com",
        "web-identity-token-file": path.join(dir, "none"),
      })[0],
    ).toContain('Input "web-identity-token-file":');
  });

  it("takes every object setting with broker-url: the broker signs them into Create, its policy decides", () => {
    const base = { "broker-url": "https://b.example.com", "web-identity-token-file": tokenFile };
    expect(
      errorsFor({
        ...base,
        metadata: "team=web",
        tags: "team=web",
        "storage-class": "STANDARD_IA",
        sse: "aws:kms",
        "sse-kms-key-id": "alias/ci",
        "cache-control": "no-cache",
        headers: "*.js | Content-Disposition: inline",
      }),
    ).toEqual([]);
  });

  it("refuses a provider beside it: the broker's configuration chooses the store", () => {
    expect(
      errorsFor({
        "broker-url": "https://b.example.com",
        "web-identity-token-file": tokenFile,
        provider: "oss",
      }),
    ).toContain(
      'Inputs "broker-url" and "provider" both choose the store; remove "provider" (the broker signs for the store in its own configuration).',
    );
    expect(
      errorsFor({
        "broker-url": "https://b.example.com",
        "web-identity-token-file": tokenFile,
        provider: "auto",
      }),
    ).toEqual([]);
  });

  it("refuses role-to-assume beside it", () => {
    expect(
      errorsFor({
        "broker-url": "https://b.example.com",
        "web-identity-token-file": tokenFile,
        "role-to-assume": "arn:aws:iam::123456789012:role/x",
      }),
    ).toContain('Inputs "broker-url" and "role-to-assume" both choose how to reach S3; remove one of them.');
  });
});

describe("the engine's token cache", () => {
  it("reuses a token until two minutes before it expires, then fetches a new one; one fetch at a time", async () => {
    let now = 1_000_000_000_000;
    let fetched = 0;
    const token = cachedToken(
      () => Promise.resolve(jwt(Math.floor(now / 1000) + 600, ++fetched)),
      () => now,
    );
    const [a, b] = await Promise.all([token(), token()]);
    expect(a).toBe(b);
    expect(fetched).toBe(1);
    now += 7 * 60 * 1000;
    expect(await token()).toBe(a);
    now += 2 * 60 * 1000;
    expect(await token()).not.toBe(a);
    expect(fetched).toBe(2);
  });

  it("fetches again for each call when the token shows no expiry", async () => {
    let fetched = 0;
    const token = cachedToken(() => Promise.resolve(`opaque-${++fetched}`));
    await token();
    await token();
    expect(fetched).toBe(2);
  });
});
