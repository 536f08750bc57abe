// One cheap request before any file: a bucket that does not exist, credentials the store refuses, a wrong
// region or an endpoint nobody answers at would otherwise fail every file alike, once per file.
//
// ListObjectsV2 (max-keys 1, under the files' common prefix) rather than HeadBucket: both need s3:ListBucket,
// which the README's minimal policy grants, but a HEAD answer has no body, so NoSuchBucket, AccessDenied, a bad
// key and a bad secret would all arrive as a bare 403/404; and a grant scoped to a prefix (an s3:prefix
// condition) allows this listing where it denies HeadBucket.
import { HINTS, StepError, describeS3Error, hintFor, hintForCode, s3ErrorInfo } from "../errors.js";
import { withRetry } from "../retry.js";
import type { RunContext } from "../run-context.js";
import { stsHint } from "./credentials/sts-hints.js";
import { signingRegion } from "./s3-client.js";
import type { FileResult, LocalFile } from "../types.js";

const STEP = "preflight";

const CREDENTIAL_CODES = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "CredentialsProviderError",
]);

/** Redirects to the bucket's region; AuthorizationHeaderMalformed counts only when it names the region. */
function wrongRegion(code: string, status: number | undefined, region: string | undefined): boolean {
  if (code === "AuthorizationHeaderMalformed") return region !== undefined;
  return code === "PermanentRedirect" || code === "MovedPermanently" || status === 301;
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "TimeoutError",
]);

/** The longest folder ("…/") every key is under; "" when the keys share none. */
export function commonPrefix(keys: readonly string[]): string {
  if (keys.length === 0) return "";
  let prefix = keys[0]!;
  for (const key of keys) {
    while (!key.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix.slice(0, prefix.lastIndexOf("/") + 1);
}

/**
 * Throws a StepError naming the bucket, the endpoint and the fix when the store cannot take this run's
 * files; returns when it can, or when the store does not implement the listing (nothing is proven then, and
 * each file's own requests will say what is wrong).
 */
export async function preflight(run: RunContext, files: readonly LocalFile[]): Promise<void> {
  const { bucket, s3, signal } = run.options;
  const prefix = commonPrefix(files.map((file) => file.key));
  try {
    await withRetry(() => run.store.listObjectsPage({ bucket, prefix, maxKeys: 1 }, signal), {
      policy: run.retry,
      signal,
      // One line says why the run waits (a connect timeout can take a minute over all attempts); its
      // outcome, not each attempt, is what the run reports.
      onRetry: (attempt, reason) => {
        if (attempt !== 1) return;
        const where = s3.endpoint ?? `Amazon S3 (${signingRegion(s3)})`;
        run.emit({
          type: "warning",
          message: `preflight: no answer from ${where} yet (${reason}); retrying up to ${run.retry.maxAttempts - 1} times`,
        });
      },
    });
  } catch (error) {
    if (signal?.aborted) throw new StepError(STEP, "cancelled", "Rerun to upload the files.", error);
    const info = s3ErrorInfo(error);
    if (info.status === 501 || info.code === "NotImplemented") return;
    throw explain(error, { bucket, prefix, endpoint: s3.endpoint, region: signingRegion(s3) });
  }
}

/** Failures that may be the whole store's rather than the file's: worth asking the store again. */
const STORE_WIDE_CODES = new Set(["NoSuchBucket", "AccessDenied", ...CREDENTIAL_CODES, ...UNREACHABLE_CODES]);

export interface StoreWatch {
  /** The preflight's error once the store was found lost mid-run: files not started yet are not attempted. */
  lost(): StepError | null;
  /** After a file's result: when its failure may be the store's, runs the preflight again (one at a time). */
  recheck(result: FileResult): Promise<void>;
}

/**
 * A run's watch on its store. A bucket deleted, credentials expired or an endpoint gone mid-run would
 * otherwise fail each remaining file in turn, each with its own retries; the preflight decides whether the
 * cause is the store's. A failure whose cause the preflight has already cleared does not ask again.
 */
export function watchStore(run: RunContext, files: readonly LocalFile[]): StoreWatch {
  let lostWith: StepError | null = null;
  let probing: Promise<void> | null = null;
  const cleared = new Set<string>();
  return {
    lost: () => lostWith,
    async recheck(result) {
      const code = result.failure?.code;
      if (lostWith || result.status !== "failed" || !code || !STORE_WIDE_CODES.has(code)) return;
      const cause = `${result.failure!.step}\0${code}`;
      if (cleared.has(cause)) return;
      probing ??= preflight(run, files).then(
        () => {
          cleared.add(cause);
        },
        (error: unknown) => {
          if (error instanceof StepError && !run.options.signal?.aborted) lostWith = error;
        },
      );
      const current = probing;
      await current;
      if (probing === current) probing = null;
    },
  };
}

interface Target {
  bucket: string;
  prefix: string;
  endpoint: string | undefined;
  region: string;
}

function explain(error: unknown, target: Target): StepError {
  const info = s3ErrorInfo(error);
  const answer = describeS3Error(error);
  // No request reached the store: STS would not give the role's session.
  const roleHint = stsHint(error);
  if (roleHint) return new StepError(STEP, `assuming the role failed (${answer})`, roleHint, error);
  const where = target.endpoint ?? `Amazon S3 (${target.region})`;
  const bucket = `bucket "${target.bucket}"`;
  if (info.code === "NoSuchBucket") {
    return new StepError(
      STEP,
      `${bucket} does not exist at ${where} (${answer})`,
      hintForCode(info.code)!,
      error,
    );
  }
  if (info.code === "AccessDenied" || (info.status === 403 && !CREDENTIAL_CODES.has(info.code))) {
    return new StepError(
      STEP,
      `listing s3://${target.bucket}/${target.prefix} at ${where} was denied (${answer})`,
      `Grant these credentials s3:ListBucket on arn:aws:s3:::${target.bucket}, with the other actions of ` +
        `the README's "Minimal IAM policy"; a bucket policy or SCP can also deny it.`,
      error,
    );
  }
  if (wrongRegion(info.code, info.status, info.region)) {
    const detail = info.region
      ? `${bucket} at ${where} is in region ${info.region}, not ${target.region} (${answer})`
      : `${bucket} at ${where} is in another region than ${target.region} (${answer})`;
    const hint = info.region
      ? `Set "region" to ${info.region}.`
      : `Set "region" to the bucket's (aws s3api get-bucket-location --bucket ${target.bucket}).`;
    return new StepError(STEP, detail, hint, error);
  }
  if (CREDENTIAL_CODES.has(info.code)) {
    return new StepError(
      STEP,
      `the store at ${where} refused the credentials (${answer})`,
      hintForCode(info.code) ??
        "Check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE).",
      error,
    );
  }
  if (UNREACHABLE_CODES.has(info.code)) {
    return new StepError(
      STEP,
      `cannot reach ${where} (${answer})`,
      hintFor(error) ?? 'Check "endpoint" and that the network (proxy, firewall) lets this machine reach it.',
      error,
    );
  }
  return new StepError(
    STEP,
    `listing s3://${target.bucket}/${target.prefix} at ${where} failed (${answer})`,
    hintFor(error) ?? HINTS.retry,
    error,
  );
}
