// The state of one upload run through a broker and the calls its steps share: retries of transient
// failures, a broker call that must answer 200, the whole-object checksum of the parts.
import { combineFullObject, compositeChecksum, isFullObjectAlgorithm } from "../checksum/index.js";
import { StepError } from "../errors.js";
import type { Limiter } from "../pool.js";
import type { RetryPolicy } from "../retry.js";
import type { BrokerSettings, ChecksumAlgorithm, ChecksumType, EngineOptions, LocalFile } from "../types.js";
import { brokerRefusal, callBroker, TransientFailure, withTransientRetry } from "./broker-calls.js";

export interface BrokerRun {
  options: EngineOptions;
  broker: BrokerSettings;
  algorithm: ChecksumAlgorithm;
  checksumType: ChecksumType;
  /** At most `concurrency` part buffers in memory across the run. */
  transfers: Limiter;
  retry: RetryPolicy;
  stallTimeoutMs: number;
}

/** A call another attempt may finish (withTransientRetry), each retry reported as the engine's are. */
export function retrying<T>(
  run: BrokerRun,
  file: LocalFile,
  operation: string,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
): Promise<T> {
  return withTransientRetry(
    run.retry,
    signal,
    (number, reason) => run.options.onEvent?.({ type: "retry", file, operation, attempt: number, reason }),
    attempt,
  );
}

export const RERUN = "rerun the upload";
export const DELETE_AND_RERUN =
  "the object was written but is not the file: ask the broker's operator to delete it, then rerun";

export function stripQuotes(etag: string): string {
  return etag.replace(/^"+|"+$/g, "");
}

export function wholeChecksum(
  run: BrokerRun,
  parts: ReadonlyArray<{ digest: Buffer; size: number }>,
): string {
  if (run.checksumType === "FULL_OBJECT" && isFullObjectAlgorithm(run.algorithm)) {
    return combineFullObject(run.algorithm, parts).toString("base64");
  }
  return compositeChecksum(
    run.algorithm,
    parts.map((part) => part.digest),
  );
}

/**
 * A broker call that must answer 200, retried while it fails transiently; `repeatable` false retries only
 * failures that surely did nothing (a create repeated after its answer was lost would leave an upload behind).
 */
export function brokerStep(
  run: BrokerRun,
  file: LocalFile,
  step: string,
  request: Parameters<typeof callBroker>[2],
  signal: AbortSignal | undefined,
  repeatable = true,
): Promise<unknown> {
  return retrying(run, file, step, signal, async () => {
    try {
      const answer = await callBroker(run.broker, step, request, signal);
      if (answer.status !== 200) throw brokerRefusal(step, answer);
      return answer.body;
    } catch (error) {
      if (error instanceof TransientFailure && !repeatable && !error.unacted) {
        throw new StepError(error.step, error.detail, error.hint, error.cause);
      }
      throw error;
    }
  });
}
