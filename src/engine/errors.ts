import type { FailureDetail } from "./types.js";
import { stsHint } from "./s3/credentials/sts-hints.js";

/** What S3 (or the network) said, in the words the user needs to act on it. */
export interface S3ErrorInfo {
  code: string;
  message: string;
  status?: number;
  requestId?: string;
  /** The bucket's region, when the store named it (wrong-region answers: header or <Region> element). */
  region?: string;
}

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  /** Fields of the error body, copied onto the exception by the SDK (AuthorizationHeaderMalformed's Region). */
  Region?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
}

export function s3ErrorInfo(error: unknown): S3ErrorInfo {
  if (!(error instanceof Error)) return { code: "Unknown", message: String(error) };
  const shape = error as SdkErrorShape;
  const info: S3ErrorInfo = {
    code: shape.Code ?? shape.code ?? shape.name ?? "Error",
    message: shape.message || "(no message)",
  };
  if (shape.$metadata?.httpStatusCode !== undefined) info.status = shape.$metadata.httpStatusCode;
  if (shape.$metadata?.requestId) info.requestId = shape.$metadata.requestId;
  const region = shape.$response?.headers?.["x-amz-bucket-region"] ?? shape.Region;
  if (region) info.region = region;
  return info;
}

/**
 * A write refused because the key already exists: S3's 412 under If-None-Match, OSS's 409 FileAlreadyExists
 * under x-oss-forbid-overwrite (providers.ts: conditionalCreate). A StepError is judged by its cause.
 */
export function isCreateRefused(error: unknown): boolean {
  const cause = error instanceof StepError ? (error.cause ?? error) : error;
  const code = s3ErrorInfo(cause).code;
  return code === "PreconditionFailed" || code === "FileAlreadyExists";
}

export function describeS3Error(error: unknown): string {
  const info = s3ErrorInfo(error);
  const status = info.status === undefined ? "" : ` (HTTP ${info.status})`;
  const requestId = info.requestId ? `, request id ${info.requestId}` : "";
  return `${info.code}${status}: ${info.message}${requestId}`;
}

/** A failure of one step for one file; the message is complete enough to show the user as is. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly detail: string,
    readonly hint: string,
    cause?: unknown,
  ) {
    super(`${step} failed: ${detail}. ${hint}`, cause === undefined ? undefined : { cause });
    this.name = "StepError";
  }
}

/**
 * The run declines a file by its own rule (the overwrite policy, S3's size limits) rather than a step failing
 * on the store: a dry run reports it as "refused", a real run as failed.
 */
export class Refusal extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
    this.name = "Refusal";
  }
}

/**
 * What a failure is: the step, the store's or the network's error code when there is one (null when the
 * message itself is the cause, e.g. a checksum mismatch) for grouping one cause shared by many files, and
 * what went wrong and the fix apart for the summary.
 */
export function failureOf(error: unknown): FailureDetail {
  const outer = error instanceof Error ? error.message : String(error);
  if (error instanceof Refusal) return { step: error.step, code: null, detail: outer, hint: "" };
  // Cleanup wraps the step's error to say what it left behind; that sentence belongs with the fix.
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (!(cause instanceof StepError)) continue;
    const after = outer.startsWith(cause.message) ? outer.slice(cause.message.length).trim() : "";
    const sdk = cause.cause as SdkErrorShape | undefined;
    const code = sdk?.Code ?? sdk?.code ?? (sdk?.name && sdk.name !== "Error" ? sdk.name : undefined);
    return {
      step: cause.step,
      code: typeof code === "string" ? code : null,
      detail: cause.detail,
      hint: `${cause.hint} ${after}`.trim(),
    };
  }
  return { step: "file", code: null, detail: outer, hint: "" };
}

/** Why an upload this run was using is gone, when the store says NoSuchUpload. */
export const GONE_UPLOAD = "completed or aborted by someone else — is another job uploading the same key?";

const UNTRUSTED_CERTIFICATE =
  "The endpoint's TLS certificate is not trusted here: if a private CA signed it, set AWS_CA_BUNDLE (or ca_bundle in the AWS profile) to that CA's PEM file.";

/** Answers caused by the setup rather than the moment: their fix replaces the step's general hint. */
const HINTS_BY_CODE: Record<string, string> = {
  NoSuchBucket: 'The bucket does not exist at this endpoint: check "bucket", and "region" or "endpoint".',
  AccessDenied:
    'The credentials may not do this: grant the actions of the README\'s "Minimal IAM policy" on this bucket and prefix.',
  InvalidAccessKeyId:
    "The store does not know this access key: check AWS_ACCESS_KEY_ID or the role providing it.",
  SignatureDoesNotMatch: "The secret key does not fit the access key: check AWS_SECRET_ACCESS_KEY.",
  AuthorizationHeaderMalformed:
    'The request was signed for the wrong region: set "region" to the one named above.',
  PermanentRedirect: 'The bucket is in another region: set "region" to it.',
  ExpiredToken:
    'The session credentials expired mid-run: set "role-to-assume" so the run assumes the role itself and renews the session before it ends, or use a longer session, and rerun.',
  CredentialsProviderError:
    "No AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or use aws-actions/configure-aws-credentials.",
  ECONNREFUSED:
    'Nothing answers at the endpoint: check "endpoint" (scheme, host and port) and that the store runs.',
  ENOTFOUND:
    'The endpoint\'s host name does not resolve: check "endpoint" (or "region" for Amazon S3); if only a proxy reaches it, set HTTPS_PROXY (HTTP_PROXY for http:// endpoints).',
  EAI_AGAIN: 'The endpoint\'s host name does not resolve: check "endpoint" and the network.',
  NoSuchUpload: `The multipart upload was ${GONE_UPLOAD} Rerun once it has finished.`,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED_CERTIFICATE,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED_CERTIFICATE,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED_CERTIFICATE,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED_CERTIFICATE,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED_CERTIFICATE,
  CERT_UNTRUSTED: UNTRUSTED_CERTIFICATE,
  CERT_HAS_EXPIRED:
    "The endpoint's TLS certificate has expired (or this machine's clock is wrong): renew the certificate on the store.",
  ERR_TLS_CERT_ALTNAME_INVALID:
    'The endpoint\'s TLS certificate is not issued for this host name: use a name the certificate lists in "endpoint".',
};

/** The proxy's own failures: the fix is in HTTPS_PROXY/HTTP_PROXY/NO_PROXY, not in the store's settings. */
function proxyHint(error: unknown, info: S3ErrorInfo): string | undefined {
  const proxy = (error as { proxy?: unknown }).proxy;
  if (typeof proxy !== "string") {
    // Plain-HTTP endpoints go through the proxy as ordinary requests, so its 407 arrives as the answer.
    return info.status === 407
      ? "The proxy (HTTP_PROXY) wants credentials: give them in the URL, http://user:password@host:port."
      : undefined;
  }
  if (info.status === 407) {
    return `The proxy ${proxy} wants credentials: give them in HTTPS_PROXY/HTTP_PROXY as http://user:password@host:port.`;
  }
  if (info.code === "ProxyConnectRefused") {
    return `The proxy ${proxy} would not connect to the endpoint: allow its host and port on the proxy, or list the host in NO_PROXY if it is reachable directly.`;
  }
  return `The proxy ${proxy} (from HTTPS_PROXY/HTTP_PROXY) cannot be reached: check the variable's host and port, or list the endpoint's host in NO_PROXY to connect directly.`;
}

/** The setup's fix for this error, when the error names one. */
export function hintFor(error: unknown): string | undefined {
  const info = s3ErrorInfo(error);
  return proxyHint(error, info) ?? stsHint(error) ?? HINTS_BY_CODE[info.code];
}

/** The setup fix for an error code, when the code alone says what to fix. */
export function hintForCode(code: string): string | undefined {
  return HINTS_BY_CODE[code];
}

export function isNoSuchUpload(error: unknown): boolean {
  return s3ErrorInfo(error instanceof StepError ? (error.cause ?? error) : error).code === "NoSuchUpload";
}

export function stepFailed(step: string, error: unknown, hint: string): StepError {
  if (error instanceof StepError) return error;
  return new StepError(step, describeS3Error(error), hintFor(error) ?? hint, error);
}

export const HINTS = {
  access: "Check the bucket name, region, endpoint and that the credentials may write to this bucket.",
  verify:
    "The stored data does not match the local file; rerun the upload. If it repeats, report it with the request ids.",
  retry: "Retrying the run is safe; if it keeps failing, check the store's status and quote the request id.",
} as const;
