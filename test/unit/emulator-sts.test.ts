// The emulator's STS checks what AWS checks of a web identity token, and its sessions end when they say.
import { describe, expect, it } from "vitest";
import { S3Error } from "../emulator/errors.js";
import { StsService } from "../emulator/sts.js";
import { testIssuer } from "../helpers/oidc.js";

const ROLE = "arn:aws:iam::123456789012:role/r";
const issuer = testIssuer("https://gitlab.example.com");
const sts = new StsService({ issuer: issuer.issuer, jwks: issuer.jwks, roles: [ROLE], credentialSeconds: 2 });

function assume(token: string, extra: Record<string, string> = {}, now = Date.now()) {
  return sts.handle(
    new URLSearchParams({
      Action: "AssumeRoleWithWebIdentity",
      RoleArn: ROLE,
      RoleSessionName: "svu",
      WebIdentityToken: token,
      DurationSeconds: "900",
      ...extra,
    }),
    now,
  );
}

function code(answer: { body: string }): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(answer.body)?.[1];
}

const unsigned = (claims: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;

describe("emulator STS", () => {
  it("refuses what AWS refuses, with AWS's codes", () => {
    expect(code(assume(issuer.token({ iss: "https://other.example.com" })))).toBe("InvalidIdentityToken");
    expect(code(assume(issuer.token({ aud: ["a", "b"] })))).toBe("InvalidIdentityToken");
    expect(code(assume(unsigned({ iss: issuer.issuer, aud: "sts.amazonaws.com", exp: 4e9 })))).toBe(
      "InvalidIdentityToken",
    );
    expect(code(assume(issuer.token({ exp: 1 })))).toBe("ExpiredTokenException");
    expect(code(assume(issuer.token(), { RoleArn: "arn:aws:iam::123456789012:role/x" }))).toBe(
      "AccessDenied",
    );
    expect(assume(issuer.token(), { RoleArn: "arn:aws:iam::123456789012:role/x" }).status).toBe(403);
    expect(code(assume(issuer.token(), { DurationSeconds: "60" }))).toBe("ValidationError");
    expect(code(assume(issuer.token(), { RoleSessionName: "a b" }))).toBe("ValidationError");
  });

  it("takes an audience list that names sts.amazonaws.com", () => {
    expect(assume(issuer.token({ aud: ["x", "sts.amazonaws.com"] })).status).toBe(200);
  });

  it("a session key works with its own token until its end, then is ExpiredToken", () => {
    const now = Date.now();
    const answer = assume(issuer.token(), {}, now);
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(answer.body)![1]!;
    const key = field("AccessKeyId");
    expect(new Date(field("Expiration")).getTime()).toBe(now + 2_000);
    expect(sts.sessionSecret(key, field("SessionToken"), now + 1_999)).toBe(field("SecretAccessKey"));
    const failure = (token: string, at: number) => {
      try {
        sts.sessionSecret(key, token, at);
      } catch (error) {
        return (error as S3Error).code;
      }
      return undefined;
    };
    expect(failure(field("SessionToken"), now + 2_000)).toBe("ExpiredToken");
    expect(failure("other", now)).toBe("InvalidToken");
    expect(sts.sessionSecret("AKIAOTHER", undefined, now)).toBeUndefined();
  });
});
