// AWS Signature Version 4 verification written from the AWS spec (header and presigned query forms), deliberately
// not reusing any client's signer so that a signing bug in a client cannot be mirrored here.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { S3Error } from "./errors.js";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** The request target exactly as received (path and query, still percent-encoded). */
  url: string;
  /** Node's rawHeaders: alternating names and values, duplicates kept. */
  rawHeaders: string[];
}

export interface AuthResult {
  accessKeyId: string;
  /** Declared payload hash: hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* marker. */
  payloadHash: string;
  presigned: boolean;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** Hashes text whose characters are bytes (Node decodes header values as latin1): the exact bytes received. */
function sha256HexOfBytes(text: string): string {
  return createHash("sha256").update(text, "latin1").digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 3986 encoding as SigV4 defines it: only A-Z a-z 0-9 - _ . ~ stay literal. */
export function uriEncode(text: string, keepSlash: boolean): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char) || (keepSlash && char === "/")) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error("InvalidArgument", `Invalid percent-encoding in request URI: ${text}`);
  }
}

function canonicalUri(rawPath: string): string {
  return rawPath
    .split("/")
    .map((segment) => uriEncode(safeDecode(segment), false))
    .join("/");
}

function queryPairs(rawQuery: string): [string, string][] {
  if (rawQuery === "") return [];
  return rawQuery.split("&").map((part) => {
    const eq = part.indexOf("=");
    const key = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? "" : part.slice(eq + 1);
    return [safeDecode(key), safeDecode(value)];
  });
}

function canonicalQuery(pairs: [string, string][]): string {
  return pairs
    .map(([key, value]) => [uriEncode(key, false), uriEncode(value, false)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}

function headerMap(rawHeaders: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const values = map.get(name) ?? [];
    // Only ASCII blanks: values are latin1-decoded bytes, and \s would also fold 0xA0 inside UTF-8 sequences.
    values.push(rawHeaders[i + 1]!.replace(/^[ \t]+|[ \t]+$/g, "").replace(/[ \t]+/g, " "));
    map.set(name, values);
  }
  return map;
}

function canonicalHeaders(headers: Map<string, string[]>, signed: string[]): string {
  return signed.map((name) => `${name}:${(headers.get(name) ?? []).join(",")}\n`).join("");
}

function signingKey(secret: string, date: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), "s3"), "aws4_request");
}

function parseAmzDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function isoBasic(time: number): string {
  return new Date(time)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * The request time of a header-signed request: x-amz-date, or (SigV4 allows it when x-amz-date is absent) a signed
 * Date header, whose instant the string to sign then carries in ISO 8601 basic form.
 */
function requestTime(headers: Map<string, string[]>, signedHeaders: string[]): number {
  const amzDate = headers.get("x-amz-date")?.[0];
  if (amzDate !== undefined) {
    const time = parseAmzDate(amzDate);
    if (time === undefined) throw new S3Error("AccessDenied", `Invalid x-amz-date: ${amzDate}`);
    return time;
  }
  const date = headers.get("date")?.[0];
  if (date === undefined)
    throw new S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  const time = parseAmzDate(date) ?? (HTTP_DATE.test(date) ? Date.parse(date) : undefined);
  if (time === undefined || Number.isNaN(time)) throw new S3Error("AccessDenied", `Invalid Date: ${date}`);
  if (!signedHeaders.includes("date")) {
    throw new S3Error("AccessDenied", "There were headers present in the request which were not signed", {
      HeadersNotSigned: "date",
    });
  }
  return time;
}

interface ParsedCredential {
  accessKeyId: string;
  date: string;
  region: string;
  scope: string;
}

function parseCredential(credential: string, malformed: (message: string) => S3Error): ParsedCredential {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[3] !== "s3" || parts[4] !== "aws4_request") {
    throw malformed(
      `the Credential '${credential}' is malformed; expecting '<AKID>/YYYYMMDD/REGION/s3/aws4_request'`,
    );
  }
  const [accessKeyId, date, region] = parts as [string, string, string];
  return { accessKeyId, date, region, scope: parts.slice(1).join("/") };
}

interface SignatureInputs {
  method: string;
  rawPath: string;
  pairs: [string, string][];
  headers: Map<string, string[]>;
  signedHeaders: string[];
  payloadHash: string;
  amzDate: string;
  credential: ParsedCredential;
  signature: string;
}

function checkSignature(
  inputs: SignatureInputs,
  creds: Credentials,
  region: string,
  presigned: boolean,
): void {
  const { credential } = inputs;
  if (credential.accessKeyId !== creds.accessKeyId) {
    throw new S3Error(
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
      {
        AWSAccessKeyId: credential.accessKeyId,
      },
    );
  }
  if (credential.region !== region) {
    const code = presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
    throw new S3Error(code, `the region '${credential.region}' is wrong; expecting '${region}'`, {
      Region: region,
    });
  }
  if (!inputs.signedHeaders.includes("host")) {
    throw new S3Error(
      "AccessDenied",
      "There were headers present in the request which were not signed: host",
    );
  }
  // S3 refuses x-amz-* headers the signature does not cover (they change what the request does); it tolerates an
  // unsigned x-amz-content-sha256, which only describes the payload.
  const unsigned = [...inputs.headers.keys()].filter(
    (name) =>
      name.startsWith("x-amz-") && name !== "x-amz-content-sha256" && !inputs.signedHeaders.includes(name),
  );
  if (unsigned.length > 0) {
    throw new S3Error("AccessDenied", "There were headers present in the request which were not signed", {
      HeadersNotSigned: unsigned.join(", "),
    });
  }
  const canonicalRequest = [
    inputs.method,
    canonicalUri(inputs.rawPath),
    canonicalQuery(inputs.pairs),
    canonicalHeaders(inputs.headers, inputs.signedHeaders),
    inputs.signedHeaders.join(";"),
    inputs.payloadHash,
  ].join("\n");
  // Every other part of the canonical request is ASCII by construction; header values are the received bytes.
  const stringToSign = [ALGORITHM, inputs.amzDate, credential.scope, sha256HexOfBytes(canonicalRequest)].join(
    "\n",
  );
  const expected = hmac(signingKey(creds.secretAccessKey, credential.date, region), stringToSign);
  const given = Buffer.from(inputs.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new S3Error(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      {
        AWSAccessKeyId: credential.accessKeyId,
        StringToSign: stringToSign,
        CanonicalRequest: canonicalRequest,
      },
    );
  }
}

function verifyHeaderAuth(
  request: SignedRequest,
  authorization: string,
  headers: Map<string, string[]>,
  pairs: [string, string][],
  rawPath: string,
  creds: Credentials,
  region: string,
  now: number,
): AuthResult {
  const malformed = (message: string) =>
    new S3Error("AuthorizationHeaderMalformed", `The authorization header is malformed; ${message}`);
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw new S3Error(
      "InvalidArgument",
      "Unsupported Authorization Type (only AWS4-HMAC-SHA256 is supported)",
    );
  }
  const fields = new Map<string, string>();
  for (const item of authorization.slice(ALGORITHM.length + 1).split(",")) {
    const eq = item.indexOf("=");
    if (eq > 0) fields.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const credentialText = fields.get("Credential");
  const signedHeadersText = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credentialText || !signedHeadersText || !signature) {
    throw malformed("it must contain Credential, SignedHeaders and Signature");
  }
  const credential = parseCredential(credentialText, malformed);
  const signedHeaders = signedHeadersText.split(";");
  const time = requestTime(headers, signedHeaders);
  const amzDate = isoBasic(time);
  if (Math.abs(now - time) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error(
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
      {
        RequestTime: amzDate,
        ServerTime: new Date(now).toISOString(),
        MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS,
      },
    );
  }
  if (credential.date !== amzDate.slice(0, 8)) {
    throw malformed(
      `incorrect date. Credential date '${credential.date}' does not match '${amzDate.slice(0, 8)}'`,
    );
  }
  const payloadHash = headers.get("x-amz-content-sha256")?.[0];
  if (!payloadHash) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  checkSignature(
    {
      method: request.method,
      rawPath,
      pairs,
      headers,
      signedHeaders,
      payloadHash,
      amzDate,
      credential,
      signature,
    },
    creds,
    region,
    false,
  );
  return { accessKeyId: credential.accessKeyId, payloadHash, presigned: false };
}

function verifyPresigned(
  request: SignedRequest,
  headers: Map<string, string[]>,
  pairs: [string, string][],
  rawPath: string,
  creds: Credentials,
  region: string,
  now: number,
): AuthResult {
  const query = new Map(pairs);
  const malformed = (message: string) =>
    new S3Error(
      "AuthorizationQueryParametersError",
      `Error parsing the X-Amz-Credential parameter; ${message}`,
    );
  if (query.get("X-Amz-Algorithm") !== ALGORITHM) {
    throw new S3Error(
      "AuthorizationQueryParametersError",
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    );
  }
  const required = [
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
  ];
  const missing = required.filter((name) => !query.has(name));
  if (missing.length > 0) {
    throw new S3Error(
      "AuthorizationQueryParametersError",
      `Query-string authentication version 4 requires the ${missing.join(", ")} parameters.`,
    );
  }
  const credential = parseCredential(query.get("X-Amz-Credential")!, malformed);
  const amzDate = query.get("X-Amz-Date")!;
  const time = parseAmzDate(amzDate);
  const expires = Number(query.get("X-Amz-Expires"));
  if (time === undefined || !Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS) {
    throw new S3Error(
      "AuthorizationQueryParametersError",
      "X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z' and X-Amz-Expires an integer from 1 to 604800.",
    );
  }
  if (now > time + expires * 1000) {
    throw new S3Error("AccessDenied", "Request has expired", {
      Expires: new Date(time + expires * 1000).toISOString(),
      ServerTime: new Date(now).toISOString(),
    });
  }
  if (time - now > MAX_CLOCK_SKEW_MS) throw new S3Error("AccessDenied", "Request is not valid yet");
  const payloadHash = query.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD";
  checkSignature(
    {
      method: request.method,
      rawPath,
      pairs: pairs.filter(([key]) => key !== "X-Amz-Signature"),
      headers,
      signedHeaders: query.get("X-Amz-SignedHeaders")!.split(";"),
      payloadHash,
      amzDate,
      credential,
      signature: query.get("X-Amz-Signature")!,
    },
    creds,
    region,
    true,
  );
  return { accessKeyId: credential.accessKeyId, payloadHash, presigned: true };
}

/** Throws the S3Error S3 would answer with; returns what the body check needs. */
export function verifySigV4(
  request: SignedRequest,
  creds: Credentials,
  region: string,
  now = Date.now(),
): AuthResult {
  const queryStart = request.url.indexOf("?");
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const pairs = queryPairs(queryStart === -1 ? "" : request.url.slice(queryStart + 1));
  const headers = headerMap(request.rawHeaders);
  const authorization = headers.get("authorization")?.[0];
  const isPresigned = pairs.some(([key]) => key === "X-Amz-Signature");
  if (authorization && isPresigned) {
    throw new S3Error(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header may be specified",
    );
  }
  if (authorization)
    return verifyHeaderAuth(request, authorization, headers, pairs, rawPath, creds, region, now);
  if (isPresigned) return verifyPresigned(request, headers, pairs, rawPath, creds, region, now);
  throw new S3Error("AccessDenied", "Access Denied");
}
