// The broker's one configuration file (JSON): where it listens, which store it signs for, which OIDC issuers it
// trusts and the policy rules. Parsed into values with every refusal naming the field and the fix.
export interface IssuerConfig {
  /** The token's `iss`, exactly (GitHub: https://token.actions.githubusercontent.com). */
  issuer: string;
  /** The `aud` the broker accepts from this issuer. */
  audience: string;
  /** Where the issuer's keys are; default: jwks_uri of <issuer>/.well-known/openid-configuration. */
  jwksUri?: string;
}

export interface PolicyRule {
  /** The issuer whose tokens this rule reads. */
  issuer: string;
  /** Claim name -> pattern; "*" matches any run of characters. Every listed claim must match. */
  claims: Record<string, string>;
  bucket: string;
  /** Keys must start with this; "${claim}" is replaced by that claim's value. */
  prefix: string;
  maxObjectBytes: number;
  maxParts: number;
  maxPartBytes: number;
  /** May a Complete replace an existing object? Default false (If-None-Match: *). */
  overwrite: boolean;
  /** Storage classes a caller may ask for; undefined: any the store takes. */
  storageClasses?: string[];
  /** Server-side encryption modes a caller may ask for; undefined: any (AES256, aws:kms, aws:kms:dsse). */
  sse?: string[];
  /**
   * KMS keys a caller may name for aws:kms / aws:kms:dsse; none by default: the broker's identity may use keys
   * its callers must not choose. Without a key id the bucket's or AWS's default key is used.
   */
  sseKmsKeyIds: string[];
}

/** The broker's own S3 identity: its environment's keys, a shared-config profile, or a role it assumes. */
export type BrokerCredentialSource =
  | { source: "environment" }
  | { source: "profile"; profile: string }
  | {
      source: "role";
      roleArn: string;
      /** A file holding an OIDC token for STS, read again for each assumption (e.g. a projected token). */
      webIdentityTokenFile: string;
      sessionName: string;
      durationSeconds: number;
      stsEndpoint: string;
    };

export interface BrokerConfig {
  listen: { host: string; port: number };
  s3: {
    endpoint?: string;
    region: string;
    forcePathStyle: boolean;
    /**
     * Sign parts only with a Content-MD5 as well: for stores that neither check nor keep x-amz-checksum-*
     * (Ceph RGW), where a signed checksum header alone would let any body through. Default: true with a custom
     * endpoint, false for AWS S3.
     */
    requireContentMd5: boolean;
    /** Where the broker's own S3 credentials come from (default: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). */
    credentials: BrokerCredentialSource;
  };
  /** Lifetime of each presigned part URL. */
  urlExpiresSeconds: number;
  /** Browser origins (Uppy in a web page) allowed to call the broker; none by default. */
  corsOrigins: string[];
  issuers: IssuerConfig[];
  rules: PolicyRule[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const GIB = 1024 ** 3;
const S3_MAX_PART_BYTES = 5 * GIB;
const S3_MAX_PARTS = 10_000;
const S3_MAX_OBJECT_BYTES = 5 * 1024 * GIB;

class ConfigError extends Error {}

function fail(field: string, problem: string, fix: string): never {
  throw new ConfigError(`${field} ${problem}: ${fix}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown, field: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value === "") fail(field, "must be a non-empty string", "set it");
  return value;
}

function count(value: unknown, field: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    fail(field, `must be a whole number from 1 to ${max}`, `got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Tokens are only worth checking against keys fetched over TLS, except from this machine (tests, sidecars). */
function trustedUrl(value: unknown, field: string): string {
  const raw = text(value, field);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(field, "is not a URL", `got ${JSON.stringify(raw)}`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    fail(field, "must be an https URL", `got ${raw} (plain http is accepted only on loopback)`);
  }
  return raw;
}

function parseIssuer(value: unknown, field: string): IssuerConfig {
  if (!isRecord(value)) fail(field, "must be an object", 'write { "issuer": "...", "audience": "..." }');
  const jwksUri = value.jwksUri === undefined ? undefined : trustedUrl(value.jwksUri, `${field}.jwksUri`);
  return {
    issuer: trustedUrl(value.issuer, `${field}.issuer`),
    audience: text(value.audience, `${field}.audience`),
    ...(jwksUri ? { jwksUri } : {}),
  };
}

const SSE_MODES = ["AES256", "aws:kms", "aws:kms:dsse"];

function textList(value: unknown, field: string, example: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    fail(field, "must be a non-empty list", `e.g. ${example}, or leave it out`);
  }
  return value.map((item, index) => text(item, `${field}[${index}]`));
}

function parseRule(value: unknown, field: string, issuers: IssuerConfig[]): PolicyRule {
  if (!isRecord(value)) fail(field, "must be an object", "see the broker section of the README");
  const issuer = text(value.issuer, `${field}.issuer`);
  if (!issuers.some((known) => known.issuer === issuer)) {
    fail(`${field}.issuer`, `names ${issuer}, which is not in "issuers"`, "add it there or fix the name");
  }
  if (!isRecord(value.claims) || Object.keys(value.claims).length === 0) {
    fail(
      `${field}.claims`,
      "must name at least one claim",
      'a rule for every token of an issuer is a mistake; e.g. { "repository": "org/app" }',
    );
  }
  const claims: Record<string, string> = {};
  for (const [name, pattern] of Object.entries(value.claims)) {
    claims[name] = text(pattern, `${field}.claims.${name}`);
  }
  const prefix = text(value.prefix, `${field}.prefix`);
  if (!prefix.endsWith("/")) {
    fail(
      `${field}.prefix`,
      "must end with /",
      `"${prefix}" would also admit keys of a sibling such as "${prefix}-other/..."`,
    );
  }
  const maxPartBytes = count(
    value.maxPartBytes,
    `${field}.maxPartBytes`,
    S3_MAX_PART_BYTES,
    S3_MAX_PART_BYTES,
  );
  if (value.overwrite !== undefined && typeof value.overwrite !== "boolean") {
    fail(`${field}.overwrite`, "must be true or false", `got ${JSON.stringify(value.overwrite)}`);
  }
  const storageClasses = textList(value.storageClasses, `${field}.storageClasses`, '["STANDARD"]');
  const sse = textList(value.sse, `${field}.sse`, '["AES256"]');
  const unknownMode = sse?.find((mode) => !SSE_MODES.includes(mode));
  if (unknownMode !== undefined) {
    fail(`${field}.sse`, `names ${unknownMode}`, `use ${SSE_MODES.join(", ")}`);
  }
  return {
    ...(storageClasses ? { storageClasses } : {}),
    ...(sse ? { sse } : {}),
    sseKmsKeyIds: textList(value.sseKmsKeyIds, `${field}.sseKmsKeyIds`, '["arn:aws:kms:..."]') ?? [],
    issuer,
    claims,
    bucket: text(value.bucket, `${field}.bucket`),
    prefix,
    maxObjectBytes: count(
      value.maxObjectBytes,
      `${field}.maxObjectBytes`,
      S3_MAX_OBJECT_BYTES,
      S3_MAX_OBJECT_BYTES,
    ),
    maxParts: count(value.maxParts, `${field}.maxParts`, S3_MAX_PARTS, S3_MAX_PARTS),
    maxPartBytes,
    overwrite: value.overwrite === true,
  };
}

function parseCredentials(value: unknown, region: string): BrokerCredentialSource {
  if (value === undefined) return { source: "environment" };
  const example =
    '{ "profile": "broker" } or { "roleArn": "arn:aws:iam::…:role/…", "webIdentityTokenFile": "/path" }';
  if (!isRecord(value)) fail("s3.credentials", "must be an object", `e.g. ${example}`);
  if (value.profile !== undefined && value.roleArn !== undefined) {
    fail("s3.credentials", "names both a profile and a role", "keep one of them");
  }
  if (value.profile !== undefined)
    return { source: "profile", profile: text(value.profile, "s3.credentials.profile") };
  if (value.roleArn === undefined)
    fail("s3.credentials", "names neither a profile nor a roleArn", `e.g. ${example}`);
  const roleArn = text(value.roleArn, "s3.credentials.roleArn");
  if (!/^arn:[^:]+:iam::\d{12}:role\/.+$/.test(roleArn)) {
    fail(
      "s3.credentials.roleArn",
      "is not a role ARN",
      `got ${roleArn}; e.g. arn:aws:iam::123456789012:role/broker`,
    );
  }
  return {
    source: "role",
    roleArn,
    webIdentityTokenFile: text(value.webIdentityTokenFile, "s3.credentials.webIdentityTokenFile"),
    sessionName: text(value.sessionName, "s3.credentials.sessionName", "s3-verified-upload-broker"),
    durationSeconds: count(value.durationSeconds, "s3.credentials.durationSeconds", 3600, 43_200),
    stsEndpoint:
      value.stsEndpoint === undefined
        ? `https://sts.${region}.amazonaws.com`
        : trustedUrl(value.stsEndpoint, "s3.credentials.stsEndpoint"),
  };
}

function parseS3(value: unknown): BrokerConfig["s3"] {
  if (value === undefined) {
    return {
      region: "us-east-1",
      forcePathStyle: false,
      requireContentMd5: false,
      credentials: { source: "environment" },
    };
  }
  if (!isRecord(value)) fail("s3", "must be an object", 'e.g. { "region": "eu-west-1" }');
  const endpoint = value.endpoint === undefined ? undefined : text(value.endpoint, "s3.endpoint");
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) {
    fail("s3.endpoint", "must start with http:// or https://", `got ${endpoint}`);
  }
  if (value.forcePathStyle !== undefined && typeof value.forcePathStyle !== "boolean") {
    fail("s3.forcePathStyle", "must be true or false", `got ${JSON.stringify(value.forcePathStyle)}`);
  }
  if (value.requireContentMd5 !== undefined && typeof value.requireContentMd5 !== "boolean") {
    fail("s3.requireContentMd5", "must be true or false", `got ${JSON.stringify(value.requireContentMd5)}`);
  }
  const region = text(value.region, "s3.region", "us-east-1");
  return {
    ...(endpoint ? { endpoint } : {}),
    region,
    credentials: parseCredentials(value.credentials, region),
    // An S3-compatible store may ignore x-amz-checksum-* (RGW does): until told otherwise, MD5 guards the parts.
    requireContentMd5: (value.requireContentMd5 as boolean | undefined) ?? endpoint !== undefined,
    // A custom endpoint is path-style unless told otherwise: most S3-compatible stores want that.
    forcePathStyle: (value.forcePathStyle as boolean | undefined) ?? endpoint !== undefined,
  };
}

function parseListen(value: unknown): BrokerConfig["listen"] {
  if (value === undefined) return { host: "127.0.0.1", port: 8080 };
  if (!isRecord(value)) fail("listen", "must be an object", 'e.g. { "host": "0.0.0.0", "port": 8080 }');
  const port = value.port === undefined ? 8080 : value.port;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    fail("listen.port", "must be a port number from 0 to 65535", `got ${JSON.stringify(port)}`);
  }
  return { host: text(value.host, "listen.host", "127.0.0.1"), port };
}

function parseOrigins(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    fail("corsOrigins", "must be a list of origins", 'e.g. ["https://app.example.com"]');
  return value.map((origin, index) => {
    const raw = text(origin, `corsOrigins[${index}]`);
    let parsed: URL | undefined;
    try {
      parsed = new URL(raw);
    } catch {
      parsed = undefined;
    }
    // An origin is scheme://host[:port] exactly; "*" would let any page spend a visitor's token.
    if (parsed === undefined || parsed.origin !== raw) {
      fail(`corsOrigins[${index}]`, "must be an origin such as https://app.example.com", `got ${raw}`);
    }
    return raw;
  });
}

export function parseBrokerConfig(json: string, source: string): Parsed<BrokerConfig> {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    return { ok: false, error: `${source} is not valid JSON (${(error as Error).message}): fix its syntax` };
  }
  try {
    if (!isRecord(data)) fail("the file", "must hold a JSON object", "see the broker section of the README");
    if (!Array.isArray(data.issuers) || data.issuers.length === 0) {
      fail(
        "issuers",
        "must list at least one trusted OIDC issuer",
        'e.g. [{ "issuer": "https://...", "audience": "..." }]',
      );
    }
    const issuers = data.issuers.map((issuer, index) => parseIssuer(issuer, `issuers[${index}]`));
    if (!Array.isArray(data.rules) || data.rules.length === 0) {
      fail("rules", "must list at least one policy rule", "without rules every call would be refused");
    }
    const rules = data.rules.map((rule, index) => parseRule(rule, `rules[${index}]`, issuers));
    return {
      ok: true,
      value: {
        listen: parseListen(data.listen),
        s3: parseS3(data.s3),
        urlExpiresSeconds: count(data.urlExpiresSeconds, "urlExpiresSeconds", 900, 7 * 24 * 3600),
        corsOrigins: parseOrigins(data.corsOrigins),
        issuers,
        rules,
      },
    };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, error: `${source}: ${error.message}` };
    throw error;
  }
}
