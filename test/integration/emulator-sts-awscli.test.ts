// The emulator's STS as an independent client sees it: aws-cli v2 assumes the role with a web identity token
// and uses the session keys, which stop working when the session ends.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { testIssuer } from "../helpers/oidc.js";

const run = promisify(execFile);
const AWS = "/usr/bin/aws";
const ROLE = "arn:aws:iam::123456789012:role/cli";
const BUCKET = "sts-cli";
const issuer = testIssuer();
let emulator: Emulator;
let home: string;

beforeAll(async () => {
  emulator = await startEmulator({
    buckets: [BUCKET],
    sts: { issuer: issuer.issuer, jwks: issuer.jwks, roles: [ROLE], credentialSeconds: 4 },
  });
  home = await mkdtemp(path.join(tmpdir(), "svu-sts-cli-"));
});

afterAll(async () => {
  await emulator.stop();
  await rm(home, { recursive: true, force: true });
});

function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_DEFAULT_REGION: emulator.region,
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
}

describe("emulator STS with aws-cli v2", () => {
  it("assume-role-with-web-identity answers keys that sign S3 calls until the session ends", async () => {
    const { stdout } = await run(
      AWS,
      [
        "sts",
        "assume-role-with-web-identity",
        "--endpoint-url",
        emulator.endpoint,
        "--role-arn",
        ROLE,
        "--role-session-name",
        "cli",
        "--web-identity-token",
        issuer.token(),
        "--output",
        "json",
      ],
      { env: cliEnv({}) },
    );
    const credentials = (
      JSON.parse(stdout) as {
        Credentials: {
          AccessKeyId: string;
          SecretAccessKey: string;
          SessionToken: string;
          Expiration: string;
        };
      }
    ).Credentials;
    const keys = {
      AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: credentials.SessionToken,
    };
    const file = path.join(home, "a.txt");
    await writeFile(file, "hello");
    const put = [
      "s3api",
      "put-object",
      "--endpoint-url",
      emulator.endpoint,
      "--bucket",
      BUCKET,
      "--key",
      "a.txt",
      "--body",
      file,
    ];
    await run(AWS, put, { env: cliEnv(keys) });
    const untilEnd = new Date(credentials.Expiration).getTime() - Date.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, untilEnd) + 200));
    const failure = await run(AWS, put, { env: cliEnv(keys) }).then(
      () => "",
      (error: { stderr: string }) => error.stderr,
    );
    expect(failure).toContain("ExpiredToken");
  }, 60_000);

  it("a token for another audience is InvalidIdentityToken", async () => {
    const failure = await run(
      AWS,
      [
        "sts",
        "assume-role-with-web-identity",
        "--endpoint-url",
        emulator.endpoint,
        "--role-arn",
        ROLE,
        "--role-session-name",
        "cli",
        "--web-identity-token",
        issuer.token({ aud: "other" }),
      ],
      { env: cliEnv({}) },
    ).then(
      () => "",
      (error: { stderr: string }) => error.stderr,
    );
    expect(failure).toContain("InvalidIdentityToken");
    expect(failure).toContain("Incorrect token audience");
  }, 60_000);
});
