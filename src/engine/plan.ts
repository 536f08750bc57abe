import { formatSize } from "./size.js";
import type { S3Limits } from "./types.js";

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

export function resolveLimits(overrides: Partial<S3Limits> | undefined): S3Limits {
  return { ...S3_LIMITS, ...overrides };
}

/** Checked once per run, before any file is touched, so a bad input fails fast with one message. */
export function checkPartSize(partSize: number, limits: S3Limits): string | null {
  if (!Number.isSafeInteger(partSize) || partSize < limits.minPartSize || partSize > limits.maxPartSize) {
    return (
      `part size ${partSize} bytes is outside the allowed range ${formatSize(limits.minPartSize)} – ` +
      `${formatSize(limits.maxPartSize)}; choose a value in that range, e.g. 16MiB.`
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
        `file is ${size} bytes, above the S3 object limit of ${limits.maxObjectSize} bytes ` +
        `(${limits.maxParts} parts × ${formatSize(limits.maxPartSize)}); split it before uploading.`,
    };
  }
  // One PutObject takes at most 5 GiB (the part limit), whatever the threshold says.
  if (size === 0 || (size < input.multipartThreshold && size <= limits.maxPartSize)) {
    return {
      ok: true,
      plan: { size, multipart: false, partSize: size, parts: [{ number: 1, offset: 0, size }] },
    };
  }
  const partSize = Math.min(fitPartSize(size, input.partSize, limits), limits.maxPartSize);
  const count = Math.ceil(size / partSize);
  const parts: PlannedPart[] = [];
  for (let index = 0; index < count; index++) {
    const offset = index * partSize;
    parts.push({ number: index + 1, offset, size: Math.min(partSize, size - offset) });
  }
  return { ok: true, plan: { size, multipart: true, partSize, parts } };
}
