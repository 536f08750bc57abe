// STS AssumeRoleWithWebIdentity as AWS answers it, against OIDC tokens signed by a key the test made (RS256,
// checked with node:crypto against the test's JWKS), and the session credentials it hands out, which expire.
import { createPublicKey, randomBytes, verify, type JsonWebKey } from "node:crypto";
import { S3Error } from "./errors.js";
import { escapeXml } from "./xml.js";

export interface StsOptions {
  /** The `iss` tokens must carry. */
  issuer: string;
  /** The issuer's public keys (JWK with `kid`), as its JWKS document lists them. */
  jwks: JsonWebKey[];
  /** The `aud` tokens must carry. Default "sts.amazonaws.com". */
  audience?: string;
  /** Role ARNs whose trust policy accepts this issuer; any other role is AccessDenied. */
  roles: string[];
  /**
   * How long issued credentials live, whatever DurationSeconds asked (tests use seconds; AWS allows 900 and
   * up). Default: DurationSeconds.
   */
  credentialSeconds?: number;
}

/** One AssumeRoleWithWebIdentity that succeeded; tests count refreshes with these. */
export interface IssuedSession {
  accessKeyId: string;
  roleArn: string;
  sessionName: string;
  subject: string;
  /** The token's own `jti` (or its `iat`), so a test can tell a new token from a reused one. */
  tokenId: string;
  expiresAt: number;
}

interface Session {
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
}

export interface StsAnswer {
  status: number;
  body: string;
}

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

class StsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function base64urlJson(part: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    if (typeof value === "object" && value !== null) return value as Record<string, unknown>;
  } catch {
    // Reported below as a malformed token.
  }
  throw new StsError(400, "InvalidIdentityToken", "The web identity token is malformed.");
}

function audiences(claim: unknown): string[] {
  if (typeof claim === "string") return [claim];
  return Array.isArray(claim) ? claim.filter((item): item is string => typeof item === "string") : [];
}

/** A refusal STS answers to the next calls instead of handling them (throttling, an outage). */
export type StsFault = "Throttling" | "ServiceUnavailable";

export class StsService {
  readonly issued: IssuedSession[] = [];
  /** Answered in order, one per call, before any check. */
  readonly faults: StsFault[] = [];
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: StsOptions) {}

  /** The claims of a token whose signature, issuer, audience and expiry hold. */
  private verifyToken(token: string, now: number): Record<string, unknown> {
    const parts = token.split(".");
    if (parts.length !== 3) {
      throw new StsError(400, "InvalidIdentityToken", "The web identity token is malformed.");
    }
    const header = base64urlJson(parts[0]!);
    const claims = base64urlJson(parts[1]!);
    if (header["alg"] !== "RS256") {
      throw new StsError(400, "InvalidIdentityToken", "The token's signing algorithm is not supported.");
    }
    const jwk = this.options.jwks.find((key) => key.kid === header["kid"]);
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2]!, "base64url");
    if (!jwk || !verify("RSA-SHA256", signed, createPublicKey({ key: jwk, format: "jwk" }), signature)) {
      throw new StsError(
        400,
        "InvalidIdentityToken",
        "The web identity token signature could not be verified.",
      );
    }
    if (claims["iss"] !== this.options.issuer) {
      throw new StsError(
        400,
        "InvalidIdentityToken",
        "No OpenIDConnect provider found in your account for the issuer.",
      );
    }
    if (!audiences(claims["aud"]).includes(this.options.audience ?? "sts.amazonaws.com")) {
      throw new StsError(400, "InvalidIdentityToken", "Incorrect token audience");
    }
    const exp = claims["exp"];
    if (typeof exp !== "number" || exp * 1000 <= now) {
      throw new StsError(
        400,
        "ExpiredTokenException",
        "Token expired: current date/time must be before the expiration date/time.",
      );
    }
    return claims;
  }

  /** Answers a form-encoded STS request (POST body or query string). */
  handle(params: URLSearchParams, now = Date.now()): StsAnswer {
    const requestId = randomBytes(16).toString("hex");
    try {
      const fault = this.faults.shift();
      if (fault === "Throttling") throw new StsError(400, "Throttling", "Rate exceeded");
      if (fault === "ServiceUnavailable") {
        throw new StsError(503, "ServiceUnavailable", "Service is unable to handle request.");
      }
      if (params.get("Action") !== "AssumeRoleWithWebIdentity") {
        throw new StsError(400, "InvalidAction", `Could not find operation ${params.get("Action") ?? ""}`);
      }
      const roleArn = params.get("RoleArn") ?? "";
      const sessionName = params.get("RoleSessionName") ?? "";
      const token = params.get("WebIdentityToken") ?? "";
      const duration = Number(params.get("DurationSeconds") ?? "3600");
      if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
        throw new StsError(
          400,
          "ValidationError",
          "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint",
        );
      }
      if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
        throw new StsError(
          400,
          "ValidationError",
          "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint",
        );
      }
      const claims = this.verifyToken(token, now);
      if (!this.options.roles.includes(roleArn)) {
        throw new StsError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
      }
      const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
      const session: Session = {
        secretAccessKey: randomBytes(30).toString("base64"),
        sessionToken: randomBytes(48).toString("base64"),
        expiresAt: now + (this.options.credentialSeconds ?? duration) * 1000,
      };
      this.sessions.set(accessKeyId, session);
      const subject = typeof claims["sub"] === "string" ? claims["sub"] : "";
      this.issued.push({
        accessKeyId,
        roleArn,
        sessionName,
        subject,
        tokenId: String(claims["jti"] ?? claims["iat"] ?? ""),
        expiresAt: session.expiresAt,
      });
      const body =
        `<AssumeRoleWithWebIdentityResponse xmlns="${NS}"><AssumeRoleWithWebIdentityResult>` +
        `<SubjectFromWebIdentityToken>${escapeXml(subject)}</SubjectFromWebIdentityToken>` +
        `<Audience>${escapeXml(this.options.audience ?? "sts.amazonaws.com")}</Audience>` +
        `<AssumedRoleUser><Arn>${escapeXml(roleArn.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/"))}/${escapeXml(sessionName)}</Arn>` +
        `<AssumedRoleId>AROAEMULATOR:${escapeXml(sessionName)}</AssumedRoleId></AssumedRoleUser>` +
        `<Credentials><SessionToken>${session.sessionToken}</SessionToken>` +
        `<SecretAccessKey>${session.secretAccessKey}</SecretAccessKey>` +
        `<Expiration>${new Date(session.expiresAt).toISOString()}</Expiration>` +
        `<AccessKeyId>${accessKeyId}</AccessKeyId></Credentials>` +
        `<Provider>${escapeXml(this.options.issuer)}</Provider></AssumeRoleWithWebIdentityResult>` +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`;
      return { status: 200, body };
    } catch (error) {
      if (!(error instanceof StsError)) throw error;
      const type = error.status >= 500 ? "Receiver" : "Sender";
      const body =
        `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${error.code}</Code>` +
        `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      return { status: error.status, body };
    }
  }

  /**
   * The secret of a session key, checked as S3 checks it when the request arrives: the session token must be
   * the one issued with the key, and the session must not have ended. Undefined for a key STS did not issue.
   */
  sessionSecret(
    accessKeyId: string,
    sessionToken: string | undefined,
    arrivedAt: number,
  ): string | undefined {
    const session = this.sessions.get(accessKeyId);
    if (!session) return undefined;
    if (sessionToken !== session.sessionToken) {
      throw new S3Error("InvalidToken", "The provided token is malformed or otherwise invalid.");
    }
    if (arrivedAt >= session.expiresAt) {
      throw new S3Error("ExpiredToken", "The provided token has expired.");
    }
    return session.secretAccessKey;
  }
}

/** The access key id and session token a signed request names (header or presigned form). */
export function requestIdentity(
  url: string,
  headers: Record<string, string | string[] | undefined>,
): { accessKeyId: string | undefined; sessionToken: string | undefined } {
  const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const authorization = one(headers["authorization"]);
  const query = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
  const credential = authorization
    ? /Credential=([^/,\s]+)/.exec(authorization)?.[1]
    : query.get("X-Amz-Credential")?.split("/")[0];
  return {
    accessKeyId: credential,
    sessionToken: one(headers["x-amz-security-token"]) ?? query.get("X-Amz-Security-Token") ?? undefined,
  };
}
