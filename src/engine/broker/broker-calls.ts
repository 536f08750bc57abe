// The broker's routes (README "Presigned-part broker") as calls that answer values or throw a StepError naming
// the step, what the broker said and the fix. Each call carries a token from the run's token source, so a long
// run keeps handing over fresh OIDC tokens.
import { StepError } from "../errors.js";
import { backoffDelay, sleep, type RetryPolicy } from "../retry.js";
import type { BrokerSettings } from "../types.js";

const BROKER_DEADLINE_MS = 10 * 60 * 1000;

export interface BrokerAnswer {
  status: number;
  body: unknown;
}

interface BrokerError {
  code?: string;
  message?: string;
  hint?: string;
}

function errorOf(body: unknown): BrokerError {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === "object" && error !== null ? (error as BrokerError) : {};
}

/** What to do about a broker refusal, by status: the broker's own hint when it gave one. */
function hintFor(status: number, error: BrokerError): string {
  if (status === 401) {
    return (
      'the broker refused the OIDC token: check that "broker-audience" is the audience the broker\'s issuers ' +
      "entry expects, and that the token is fresh (GitHub: permissions id-token: write; elsewhere a current " +
      '"web-identity-token-file")'
    );
  }
  if (status === 403) {
    return (
      "the broker's policy does not let this token write there: upload under the prefix its rule grants your " +
      "repository (see the broker's rules), within its size and part limits, or ask the broker's operator"
    );
  }
  if (status === 404 && error.code === "NotFound") {
    return 'check "broker-url": it must be the broker\'s base URL (the one serving /s3/multipart)';
  }
  if (status === 412) {
    return (
      "an object already exists at this key and is not replaced: upload to a new key, or (when replacing is " +
      'intended) set "overwrite: true" and ask the broker\'s operator for a rule with overwrite: true'
    );
  }
  return error.hint ?? "see the broker's audit log for this call, then rerun";
}

/** A failure another attempt may not meet: the network, a 5xx or a 429 (withTransientRetry retries it). */
export class TransientFailure extends StepError {
  /** The call surely did nothing (no connection, or a 429/503 answer): safe to repeat even when not idempotent. */
  unacted = false;
}

export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

export function brokerRefusal(step: string, answer: BrokerAnswer): StepError {
  const error = errorOf(answer.body);
  const said = [error.code, error.message].filter((part) => part !== undefined && part !== "").join(": ");
  const Failure = isTransientStatus(answer.status) ? TransientFailure : StepError;
  const failure = new Failure(
    step,
    `the broker answered ${answer.status}${said ? ` ${said}` : ""}`,
    hintFor(answer.status, error),
  );
  if (failure instanceof TransientFailure) failure.unacted = answer.status === 429 || answer.status === 503;
  return failure;
}

/** One broker call; a broker that cannot be reached or does not answer JSON is a StepError naming broker-url. */
export async function callBroker(
  broker: BrokerSettings,
  step: string,
  request: { method: string; path: string; body?: unknown },
  signal: AbortSignal | undefined,
): Promise<BrokerAnswer> {
  const url = `${broker.url.replace(/\/+$/, "")}${request.path}`;
  const token = await broker.token();
  // A hung broker must not hang the run; a Complete of many parts can take minutes at the store.
  const deadline = AbortSignal.timeout(BROKER_DEADLINE_MS);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: request.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
    });
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = deadline.aborted
      ? `no answer within ${BROKER_DEADLINE_MS / 1000} s`
      : (cause?.code ?? cause?.message ?? String(error));
    const failure = new TransientFailure(
      step,
      `the broker at ${new URL(url).origin} did not answer (${why})`,
      'check "broker-url": the broker must be running and reachable from this job',
      error,
    );
    failure.unacted = cause?.code === "ECONNREFUSED" || cause?.code === "ENOTFOUND";
    throw failure;
  }
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new StepError(
      step,
      `${new URL(url).origin} answered ${response.status} with no JSON (${JSON.stringify(text.slice(0, 80))})`,
      'check "broker-url": it must be the s3-verified-upload broker\'s base URL',
    );
  }
}

/**
 * `attempt` again after a TransientFailure, with the engine's backoff, up to the policy's attempts; other
 * failures and the last transient one are thrown as they are.
 */
export async function withTransientRetry<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  onRetry: (attempt: number, reason: string) => void,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let number = 1; ; number++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof TransientFailure) || number >= policy.maxAttempts || signal?.aborted)
        throw error;
      onRetry(number, error.detail);
      await sleep(backoffDelay(number, policy), signal);
    }
  }
}
