// A local OIDC issuer for tests: an RS256 key made here, its JWKS for the emulator's STS, and signed tokens.
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type JsonWebKey } from "node:crypto";

export interface TestIssuer {
  issuer: string;
  jwks: JsonWebKey[];
  /** A token with these claims over sensible defaults (iss, aud sts.amazonaws.com, 5 minutes, a fresh jti). */
  token(claims?: Record<string, unknown>): string;
}

export function testIssuer(issuer = "https://token.actions.githubusercontent.com"): TestIssuer {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  const key = createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" }));
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return {
    issuer,
    jwks: [jwk],
    token(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      const body = part({
        iss: issuer,
        aud: "sts.amazonaws.com",
        sub: "repo:octo/app:ref:refs/heads/main",
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
        ...claims,
      });
      const head = part({ alg: "RS256", typ: "JWT", kid });
      const signature = sign("RSA-SHA256", Buffer.from(`${head}.${body}`), key).toString("base64url");
      return `${head}.${body}.${signature}`;
    },
  };
}
