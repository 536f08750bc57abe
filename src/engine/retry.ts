import { whenAborted } from "./abort-scope.js";
import { StepError, s3ErrorInfo, stepFailed } from "./errors.js";

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A request whose connection sees no traffic this long is cut and retried (EngineTuning.stallTimeoutMs). */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 20_000 };

const THROTTLING_CODES = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalError",
  "ServiceUnavailable",
]);

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout"]);

/** Transient failures worth another attempt; 4xx answers are not (they would fail the same way again). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "AbortError") return false;
  const info = s3ErrorInfo(error);
  if (info.status !== undefined && (info.status >= 500 || info.status === 429)) return true;
  if (THROTTLING_CODES.has(info.code)) return true;
  const errno = (error as { code?: unknown }).code;
  if (typeof errno === "string" && NETWORK_CODES.has(errno)) return true;
  if (NETWORK_NAMES.has(error.name)) return true;
  return /socket hang up|ECONNRESET|EPIPE|timed? ?out/i.test(error.message) && info.status === undefined;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^(attempt-1))]. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      leave();
      resolve();
    }, ms);
    // Many operations of a run may sleep at once on its signal: one shared listener, not one each.
    const leave = signal
      ? whenAborted(signal, () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        })
      : () => undefined;
  });
}

export interface RetryContext {
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry: (attempt: number, reason: string) => void;
}

export async function withRetry<T>(operation: () => Promise<T>, context: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (context.signal?.aborted || attempt >= context.policy.maxAttempts || !isRetryable(error))
        throw error;
      const info = s3ErrorInfo(error);
      context.onRetry(attempt, `${info.code}${info.status ? ` (HTTP ${info.status})` : ""}: ${info.message}`);
      await sleep(backoffDelay(attempt, context.policy), context.signal);
    }
  }
}

/**
 * One S3 call of a step with the run's retry loop; failures come back as a StepError naming the step and what
 * to do (`rerun` says what a rerun finishes when the run was cancelled).
 */
export async function retryStep<T>(
  step: string,
  hint: string,
  operation: () => Promise<T>,
  context: RetryContext & { rerun: string },
): Promise<T> {
  try {
    return await withRetry(operation, context);
  } catch (error) {
    const { signal } = context;
    if (signal?.aborted) {
      const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
      throw new StepError(step, `cancelled (${reason})`, `Rerun to finish the ${context.rerun}.`, error);
    }
    throw stepFailed(step, error, hint);
  }
}
