import { constants as bufferConstants } from "node:buffer";
import { formatSize } from "../size.js";
import type { S3Limits } from "../types.js";

const MiB = 1024 * 1024;

export const S3_LIMITS: S3Limits = {
  minPartSize: 5 * MiB,
  maxPartSize: 5 * 1024 * MiB,
  maxParts: 10_000,
  maxObjectSize: 10_000 * 5 * 1024 * MiB,
};

export interface PlannedPart {
  number: number;
  offset: number;
  size: number;
}

export interface UploadPlan {
  size: number;
  multipart: boolean;
  partSize: number;
  parts: PlannedPart[];
}

export type PlanOutcome = { ok: true; plan: UploadPlan } | { ok: false; error: string };

export interface PlanInput {
  size: number;
  partSize: number;
  multipartThreshold: number;
  limits: S3Limits;
}

/**
 * The limits a run plans with, computed here only (the engine and the config validation both call this): S3's,
 * with a part (and a single PutObject) narrowed to the largest Buffer this Node.js allocates (4 GiB before
 * Node.js 22), in whole MiB as parts are planned, and an object to maxParts such parts.
 */
export function resolveLimits(
  overrides: Partial<S3Limits> | undefined,
  maxBuffer: number = bufferConstants.MAX_LENGTH,
): S3Limits {
  const limits = { ...S3_LIMITS, ...overrides };
  const maxPartSize = Math.min(limits.maxPartSize, Math.floor(maxBuffer / MiB) * MiB);
  return {
    ...limits,
    maxPartSize,
    maxObjectSize: Math.min(limits.maxObjectSize, limits.maxParts * maxPartSize),
  };
}

/** Why parts are smaller than S3 allows, as " (…)", when they are; empty otherwise. */
export function bufferLimitNote(limits: S3Limits, format: (bytes: number) => string = formatSize): string {
  return limits.maxPartSize < S3_LIMITS.maxPartSize
    ? ` (S3 allows ${format(S3_LIMITS.maxPartSize)}, but this Node.js ${process.version} holds at most ` +
        `${format(limits.maxPartSize)} in one buffer; Node.js 22 or later reaches S3's limit)`
    : "";
}

/** Checked once per run, before any file is touched, so a bad input fails fast with one message. */
export function checkPartSize(partSize: number, limits: S3Limits): string | null {
  if (!Number.isSafeInteger(partSize) || partSize < limits.minPartSize || partSize > limits.maxPartSize) {
    return (
      `part size ${partSize} bytes is outside the allowed range ${formatSize(limits.minPartSize)} – ` +
      `${formatSize(limits.maxPartSize)}${bufferLimitNote(limits)}; choose a value in that range, e.g. 16MiB.`
    );
  }
  return null;
}

/** Smallest whole MiB (or the requested size, if larger) that keeps the part count within the limit. */
function fitPartSize(size: number, requested: number, limits: S3Limits): number {
  if (Math.ceil(size / requested) <= limits.maxParts) return requested;
  return Math.ceil(size / limits.maxParts / MiB) * MiB;
}

export function planUpload(input: PlanInput): PlanOutcome {
  const { size, limits } = input;
  const partSizeError = checkPartSize(input.partSize, limits);
  if (partSizeError) return { ok: false, error: partSizeError };
  if (size > limits.maxObjectSize) {
    return {
      ok: false,
      error:
        `file is ${size} bytes, above the ${bufferLimitNote(limits) ? "" : "S3 "}object limit of ` +
        `${limits.maxObjectSize} bytes ` +
        `(${limits.maxParts} parts × ${formatSize(limits.maxPartSize)})${bufferLimitNote(limits)}; ` +
        `split it before uploading.`,
    };
  }
  // One PutObject takes at most a part's limit (5 GiB, or the largest Buffer), whatever the threshold says.
  if (size === 0 || (size < input.multipartThreshold && size <= limits.maxPartSize)) {
    return {
      ok: true,
      plan: { size, multipart: false, partSize: size, parts: [{ number: 1, offset: 0, size }] },
    };
  }
  const partSize = fitPartSize(size, input.partSize, limits);
  const count = Math.ceil(size / partSize);
  // Unreachable with resolveLimits' limits (maxObjectSize ≤ maxParts × maxPartSize); a guard for any other.
  if (partSize > limits.maxPartSize || count > limits.maxParts) {
    return {
      ok: false,
      error:
        `file is ${size} bytes; it needs more than ${limits.maxParts} parts of at most ` +
        `${formatSize(limits.maxPartSize)}${bufferLimitNote(limits)}; split it before uploading.`,
    };
  }
  const parts: PlannedPart[] = [];
  for (let index = 0; index < count; index++) {
    const offset = index * partSize;
    parts.push({ number: index + 1, offset, size: Math.min(partSize, size - offset) });
  }
  return { ok: true, plan: { size, multipart: true, partSize, parts } };
}
