// Parsers for one setting each; every failure is a sentence naming the input, what was wrong and the fix.
import { parseSize } from "../engine/index.js";

export type Field<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Field<T> => ({ ok: true, value });
const fail = <T>(error: string): Field<T> => ({ ok: false, error });

export function parseBoolean(name: string, text: string): Field<boolean> {
  const lower = text.toLowerCase();
  if (lower === "true") return ok(true);
  if (lower === "false") return ok(false);
  return fail(`Input "${name}": "${text}" is not a boolean; use true or false.`);
}

export function parseChoice<T extends string>(name: string, text: string, choices: readonly T[]): Field<T> {
  const found = choices.find((choice) => choice.toLowerCase() === text.toLowerCase());
  if (found !== undefined) return ok(found);
  return fail(`Input "${name}": "${text}" is not supported; use one of ${choices.join(", ")}.`);
}

export function parseByteSize(name: string, text: string): Field<number> {
  try {
    return ok(parseSize(text));
  } catch {
    return fail(
      `Input "${name}": "${text}" is not a size; use a whole number of bytes or a number with a unit, e.g. 16MiB, 64MB, 16777216.`,
    );
  }
}

export function parseWholeNumber(name: string, text: string, min: number, max: number): Field<number> {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return ok(value);
  return fail(`Input "${name}": "${text}" is not a whole number from ${min} to ${max}.`);
}

// S3 sends user metadata as HTTP headers and tags as a URL-encoded query; keys must survive both.
const KEY_PATTERN = /^[A-Za-z0-9_.-]+$/;

export interface PairLimits {
  maxPairs?: number;
  maxKeyLength?: number;
  maxValueLength?: number;
  asciiValues?: boolean;
}

/** "key=value" lines → record; blank lines are ignored; keys compare case-insensitively. */
export function parsePairs(name: string, text: string, limits: PairLimits): Field<Record<string, string>> {
  const pairs: Record<string, string> = {};
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const equals = line.indexOf("=");
    if (equals <= 0) {
      return fail(
        `Input "${name}": line ${index + 1} "${line}" is not key=value; write one key=value per line.`,
      );
    }
    const key = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    if (!KEY_PATTERN.test(key)) {
      return fail(`Input "${name}": key "${key}" may only contain letters, digits, "-", "_" and ".".`);
    }
    if (seen.has(key.toLowerCase())) {
      return fail(`Input "${name}": key "${key}" appears more than once (keys are case-insensitive).`);
    }
    seen.add(key.toLowerCase());
    if (limits.maxKeyLength !== undefined && key.length > limits.maxKeyLength) {
      return fail(
        `Input "${name}": key "${key.slice(0, 20)}…" is longer than ${limits.maxKeyLength} characters.`,
      );
    }
    if (limits.maxValueLength !== undefined && value.length > limits.maxValueLength) {
      return fail(
        `Input "${name}": the value of "${key}" is longer than ${limits.maxValueLength} characters.`,
      );
    }
    if (limits.asciiValues && !/^[\x20-\x7e]*$/.test(value)) {
      return fail(
        `Input "${name}": the value of "${key}" has non-ASCII or control characters; S3 stores metadata as HTTP headers, so encode it (e.g. URL-encode).`,
      );
    }
    pairs[key] = value;
  }
  const count = Object.keys(pairs).length;
  if (limits.maxPairs !== undefined && count > limits.maxPairs) {
    return fail(`Input "${name}": ${count} entries given; S3 allows at most ${limits.maxPairs}.`);
  }
  return ok(pairs);
}
