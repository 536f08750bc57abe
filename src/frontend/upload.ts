// The run both front ends share: config → files → engine. Everything else is how each one reports it.
import { runUploads } from "../engine/index.js";
import type { EngineEvent, LocalFile, RunResult } from "../engine/types.js";
import type { UploadConfig } from "../config.js";
import { findFiles } from "./files.js";

export interface RunHooks {
  onEvent: (event: EngineEvent) => void;
  signal?: AbortSignal;
}

export type UploadOutcome =
  | { kind: "done"; files: LocalFile[]; run: RunResult }
  /** level says how the front end reports it: "error" fails the run. */
  | { kind: "no-files"; level: UploadConfig["ifNoFilesFound"]; message: string }
  /** badSetting: a setting must change (exit 2 in the CLI), as opposed to a file or the store failing. */
  | { kind: "failed"; message: string; badSetting?: true };

export async function upload(config: UploadConfig, hooks: RunHooks): Promise<UploadOutcome> {
  let found;
  try {
    found = await findFiles(config, process.cwd());
  } catch (error) {
    return { kind: "failed", message: `Finding files failed: ${errorText(error)}` };
  }
  if (!found.ok) {
    return { kind: "failed", message: found.error, ...(found.badSetting ? { badSetting: true } : {}) };
  }
  for (const message of found.warnings) hooks.onEvent({ type: "warning", message });
  if (found.files.length === 0) {
    const patterns = config.patterns.join(", ");
    return {
      kind: "no-files",
      level: config.ifNoFilesFound,
      message: `No files matched "path" (${patterns}) from ${process.cwd()}; check the patterns, or set "if-no-files-found" to warn or ignore.`,
    };
  }
  try {
    const run = await runUploads(found.files, {
      ...withDefaultRegion(config, process.env),
      onEvent: hooks.onEvent,
      signal: hooks.signal,
    });
    return { kind: "done", files: found.files, run };
  } catch (error) {
    return { kind: "failed", message: errorText(error) };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The region for URLs in outputs: us-east-1 when nothing names one, as for the SDK with a custom endpoint. */
export function resolvedRegion(config: UploadConfig, env: NodeJS.ProcessEnv): string {
  return config.engine.s3.region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1";
}

/**
 * Most S3-compatible stores ignore the region, yet the SDK refuses to sign without one; with a custom endpoint
 * and no region anywhere in the environment, sign for us-east-1 instead of failing.
 */
export function withDefaultRegion(config: UploadConfig, env: NodeJS.ProcessEnv): UploadConfig["engine"] {
  const s3 = config.engine.s3;
  const profile = s3.profile ?? env["AWS_PROFILE"];
  if (s3.region || !s3.endpoint || env["AWS_REGION"] || env["AWS_DEFAULT_REGION"] || profile) {
    return config.engine;
  }
  return { ...config.engine, s3: { ...s3, region: "us-east-1" } };
}

/** Said when SIGINT/SIGTERM arrives, so the log shows what happens to the uploads in flight. */
export function cancelText(config: UploadConfig): string {
  return config.engine.onFailure === "keep"
    ? "Cancelled: stopping; in-progress multipart uploads are kept (on-failure: keep) and a rerun resumes them."
    : "Cancelled: stopping and aborting in-progress multipart uploads (on-failure: abort); nothing is left behind.";
}
