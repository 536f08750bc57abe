/** What S3 (or the network) said, in the words the user needs to act on it. */
export interface S3ErrorInfo {
  code: string;
  message: string;
  status?: number;
  requestId?: string;
}

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
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
  return info;
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
    detail: string,
    readonly hint: string,
    cause?: unknown,
  ) {
    super(`${step} failed: ${detail}. ${hint}`, cause === undefined ? undefined : { cause });
    this.name = "StepError";
  }
}

export function stepFailed(step: string, error: unknown, hint: string): StepError {
  if (error instanceof StepError) return error;
  return new StepError(step, describeS3Error(error), hint, error);
}

export const HINTS = {
  access: "Check the bucket name, region, endpoint and that the credentials may write to this bucket.",
  verify:
    "The stored data does not match the local file; rerun the upload. If it repeats, report it with the request ids.",
  retry: "Retrying the run is safe; if it keeps failing, check the store's status and quote the request id.",
} as const;
