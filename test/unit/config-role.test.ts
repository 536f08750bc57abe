// role-to-assume and its companions: every bad value named with its fix; a good one becomes the engine's
// assumeRole with a token source that asks anew each time.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { resolveLimits } from "../../src/engine/index.js";
import { hintFor } from "../../src/engine/errors.js";

const VALID = { bucket: "my-bucket", path: "dist/**" };
const ROLE = "arn:aws:iam::123456789012:role/uploader";
const LIMITS = resolveLimits(undefined, Number.MAX_SAFE_INTEGER);
const GITHUB = {
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.invalid/x",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t",
};
let dir: string;
let tokenFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-role-config-"));
  tokenFile = path.join(dir, "token");
  await writeFile(tokenFile, "header.claims.signature\n");
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

describe("role-to-assume: bad input names the input and the fix", () => {
  it("the CLI without a token file", () => {
    expect(errorsFor({ "role-to-assume": ROLE })).toEqual([
      'Input "role-to-assume" needs "web-identity-token-file" here: the path of a file holding an OIDC token with audience sts.amazonaws.com (GitLab: id_tokens).',
    ]);
  });

  it("the action in a job that may not request a token", () => {
    expect(errorsFor({ "role-to-assume": ROLE }, {}, async () => "x")).toEqual([
      'Input "role-to-assume" needs the job\'s OIDC token, which this job may not request: add "permissions: id-token: write" to the job (or set "web-identity-token-file").',
    ]);
  });

  it("a token file that does not exist", () => {
    const missing = path.join(dir, "nope");
    expect(errorsFor({ "role-to-assume": ROLE, "web-identity-token-file": missing })).toEqual([
      `Input "web-identity-token-file": ${missing} cannot be read (ENOENT); write the job's OIDC token there first (GitLab: id_tokens, then echo "$ID_TOKEN" > ${missing}).`,
    ]);
  });

  it("a token file without a role", () => {
    expect(errorsFor({ "web-identity-token-file": tokenFile })).toEqual([
      'Input "web-identity-token-file" needs "role-to-assume": the role the token is for.',
    ]);
  });

  it("a role that is not an ARN, a session name and duration STS refuses, a profile beside it", () => {
    expect(
      errorsFor({
        "role-to-assume": "uploader",
        "role-session-name": "a b",
        "role-duration-seconds": "60",
        profile: "ci",
        "web-identity-token-file": tokenFile,
      }),
    ).toEqual([
      'Input "role-to-assume": "uploader" is not an IAM role ARN; use arn:aws:iam::ACCOUNT:role/NAME.',
      'Inputs "role-to-assume" and "profile" both choose the credentials; remove one of them.',
      'Input "role-session-name": "a b" is not a session name; use 2 to 64 letters, digits and +=,.@- characters.',
      'Input "role-duration-seconds": "60" is not a whole number from 900 to 43200.',
    ]);
  });

  it("an STS endpoint that is not a URL", () => {
    expect(
      errorsFor(
        { "role-to-assume": ROLE, "web-identity-token-file": tokenFile },
        { AWS_ENDPOINT_URL_STS: "sts" },
      ),
    ).toEqual([
      'AWS_ENDPOINT_URL_STS: "sts" is not an http(s) URL without credentials; use e.g. https://sts.eu-west-1.amazonaws.com.',
    ]);
  });
});

describe("role-to-assume: a good setting", () => {
  it("with a token file: STS of the region, the file read at each renewal", async () => {
    const result = parse({
      "role-to-assume": ROLE,
      "web-identity-token-file": tokenFile,
      region: "eu-west-1",
    });
    if (!result.ok) throw new Error(result.errors.join("\n"));
    const role = result.config.engine.s3.assumeRole!;
    expect(role).toMatchObject({
      roleArn: ROLE,
      sessionName: "s3-verified-upload",
      durationSeconds: 3600,
      stsEndpoint: "https://sts.eu-west-1.amazonaws.com/",
    });
    expect(await role.webIdentityToken()).toBe("header.claims.signature");
    await writeFile(tokenFile, "rotated\n");
    expect(await role.webIdentityToken()).toBe("rotated");
    await writeFile(tokenFile, "");
    await expect(role.webIdentityToken()).rejects.toThrow(`web-identity-token-file ${tokenFile} is empty`);
    await writeFile(tokenFile, "header.claims.signature\n");
  });

  it("in the action: GitHub's token service with audience sts.amazonaws.com, a new token each time", async () => {
    const asked: string[] = [];
    const result = parse(
      { "role-to-assume": ROLE, "role-duration-seconds": "900" },
      GITHUB,
      async (audience) => {
        asked.push(audience);
        return `token-${asked.length}`;
      },
    );
    if (!result.ok) throw new Error(result.errors.join("\n"));
    const role = result.config.engine.s3.assumeRole!;
    expect(role.stsEndpoint).toBe("https://sts.amazonaws.com/");
    expect(role.durationSeconds).toBe(900);
    expect([await role.webIdentityToken(), await role.webIdentityToken()]).toEqual(["token-1", "token-2"]);
    expect(asked).toEqual(["sts.amazonaws.com", "sts.amazonaws.com"]);
  });

  it("AWS_ENDPOINT_URL_STS wins over the region's endpoint", () => {
    const result = parse(
      { "role-to-assume": ROLE, "web-identity-token-file": tokenFile, region: "us-west-2" },
      { AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9000" },
    );
    expect(result.ok && result.config.engine.s3.assumeRole?.stsEndpoint).toBe("http://127.0.0.1:9000/");
  });

  it("none without role-to-assume", () => {
    const result = parse({});
    expect(result.ok && result.config.engine.s3.assumeRole).toBeUndefined();
  });
});

describe("role-to-assume: no token to be had", () => {
  it("GitHub's token service failing names the permission to give", async () => {
    const result = parseConfig(
      (name) => ({ ...VALID, "role-to-assume": ROLE })[name],
      LIMITS,
      GITHUB,
      () => Promise.reject(new Error("Failed to get ID Token. Error Code : 403")),
    );
    if (!result.ok) throw new Error(result.errors.join("\n"));
    const failure = await result.config.engine.s3
      .assumeRole!.webIdentityToken()
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ Code: "OidcTokenUnavailable", service: "sts" });
    expect(hintFor(failure)).toContain("permissions: id-token: write");
    expect((failure as Error).message).toBe(
      "GitHub's token service gave no OIDC token (Failed to get ID Token. Error Code : 403)",
    );
  });
});
