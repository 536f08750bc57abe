// STS's answer read as AWS writes it; a 200 without a whole session is an error, never half a credential.
import { describe, expect, it } from "vitest";
import { parseAssumeRoleAnswer } from "../../src/engine/s3/credentials/assume-role.js";

const ANSWER = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>repo:octo/app:ref:refs/heads/main</SubjectFromWebIdentityToken>
    <Credentials>
      <SessionToken>FwoG&amp;token</SessionToken>
      <SecretAccessKey>wJalr/secret</SecretAccessKey>
      <Expiration>2026-11-30T21:00:00Z</Expiration>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`;

describe("AssumeRoleWithWebIdentity answer", () => {
  it("reads the four fields, entities decoded, and STS's Date", () => {
    expect(parseAssumeRoleAnswer(ANSWER, "Mon, 30 Nov 2026 20:00:00 GMT")).toEqual({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "wJalr/secret",
      sessionToken: "FwoG&token",
      expiration: new Date("2026-11-30T21:00:00Z"),
      serverDate: new Date("2026-11-30T20:00:00Z"),
    });
  });

  it("a 200 without a session token (or an unreadable expiration) is an error", () => {
    expect(() => parseAssumeRoleAnswer(ANSWER.replace(/<SessionToken>.*<\/SessionToken>/, ""))).toThrow(
      "answered 200 without",
    );
    expect(() => parseAssumeRoleAnswer(ANSWER.replace("2026-11-30T21:00:00Z", "soon"))).toThrow(
      "answered 200 without",
    );
  });
});
