// OIDC bearer tokens: signature against the issuer's JWKS, issuer, audience and expiry, checked by jose.
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from "jose";
import type { IssuerConfig } from "./config.js";

export type TokenCheck = { ok: true; issuer: string; claims: JWTPayload } | { ok: false; reason: string };

export type TokenVerifier = (token: string) => Promise<TokenCheck>;

// Asymmetric only: an HS256 token would be checked with a key the issuer publishes, i.e. forgeable by anyone.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];
const CLOCK_TOLERANCE_SECONDS = 5;

async function discoverJwksUri(issuer: string): Promise<URL> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const answer = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
  const document = (await answer.json()) as { jwks_uri?: unknown };
  if (typeof document.jwks_uri !== "string") throw new Error(`${url} names no jwks_uri`);
  return new URL(document.jwks_uri);
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the token has expired";
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the issuer matches the token";
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's signing algorithm is not accepted";
  if (error instanceof errors.JOSEError) return `the token is not valid (${error.code})`;
  return `the issuer's keys could not be fetched (${(error as Error).message})`;
}

export function createTokenVerifier(issuers: readonly IssuerConfig[]): TokenVerifier {
  // One key set per issuer, made on first use; jose caches the keys and refetches on an unknown kid.
  const keySets = new Map<string, Promise<ReturnType<typeof createRemoteJWKSet>>>();
  const keySetFor = (config: IssuerConfig) => {
    let keySet = keySets.get(config.issuer);
    if (keySet === undefined) {
      const uri = config.jwksUri ? Promise.resolve(new URL(config.jwksUri)) : discoverJwksUri(config.issuer);
      keySet = uri.then((url) => createRemoteJWKSet(url));
      // A failed discovery is tried again on the next call rather than remembered.
      keySet.catch(() => keySets.delete(config.issuer));
      keySets.set(config.issuer, keySet);
    }
    return keySet;
  };

  return async (token) => {
    let unverifiedIssuer: unknown;
    try {
      unverifiedIssuer = decodeJwt(token).iss;
    } catch {
      return { ok: false, reason: "the bearer token is not a JWT" };
    }
    const config = issuers.find((candidate) => candidate.issuer === unverifiedIssuer);
    if (!config) return { ok: false, reason: "the token's issuer is not trusted by this broker" };
    try {
      const { payload } = await jwtVerify(token, await keySetFor(config), {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ["exp"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      return { ok: true, issuer: config.issuer, claims: payload };
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    }
  };
}
