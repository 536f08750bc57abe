// Failures as people read them: a cause shared by many files (credentials expired, bucket deleted, endpoint
// gone mid-run) once with a count, not once per file. Each file's own error stays in --json, results, manifest.
import type { FileResult } from "../engine/types.js";
import { failureDetail } from "./format.js";

export interface FailureGroup {
  step: string;
  /** The store's or network's error code; null when the message itself is the cause. */
  code: string | null;
  files: FileResult[];
}

/** A file the run did not (or, in a dry run, would not) put in the store. */
export const failedOrRefused = (file: FileResult): boolean =>
  file.status === "failed" || file.status === "refused";

/** The error without the "path → s3://bucket/key: " the engine puts before it. */
function cause(file: FileResult): string {
  const error = file.error ?? "failed without an error message";
  const prefix = `${file.path} → s3://${file.bucket}/${file.key}: `;
  return error.startsWith(prefix) ? error.slice(prefix.length) : error;
}

/** Same step and error code; without a code (checksum mismatch, refusal) only the very same message. */
function causeKey(file: FileResult): string {
  const step = file.failure?.step ?? "";
  const code = file.failure?.code;
  return code ? `${step}\0${code}` : `${step}\0\0${cause(file)}`;
}

/** Failed and refused files by cause, in the order each cause first appears. */
export function groupFailures(files: readonly FileResult[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const file of files.filter(failedOrRefused)) {
    const key = causeKey(file);
    const group = groups.get(key);
    if (group) group.files.push(file);
    else groups.set(key, { step: file.failure?.step ?? "", code: file.failure?.code ?? null, files: [file] });
  }
  return [...groups.values()];
}

/** 2500 → "2,500", without relying on the runtime's ICU data. */
const count = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/**
 * The final error: one line per cause. `perFile` says where every file's own error is (e.g. "--json lists
 * every file"), for causes shared by several files.
 */
export function failureText(files: readonly FileResult[], perFile: string): string {
  const groups = groupFailures(files);
  const failed = groups.reduce((sum, group) => sum + group.files.length, 0);
  const refusedOnly = groups.every((group) => group.files.every((file) => file.status === "refused"));
  const verb = refusedOnly ? "would be refused" : "failed";
  const lines = groups.map((group) => {
    const first = group.files[0]!;
    if (group.files.length === 1) return `- ${failureDetail(first)}`;
    const where = `${first.path} → s3://${first.bucket}/${first.key}`;
    return `- ${count(group.files.length)} files (same cause): ${cause(first)} First: ${where}; ${perFile}.`;
  });
  return [`${count(failed)} of ${count(files.length)} files ${verb}:`, ...lines].join("\n");
}

/**
 * For a live log: true for a failure whose cause an earlier failure of this run already showed. Each call
 * makes a fresh tracker, so runs never share it.
 */
export function repeatedFailures(): (result: FileResult) => boolean {
  const seen = new Set<string>();
  return (result) => {
    if (!failedOrRefused(result)) return false;
    const key = causeKey(result);
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  };
}
