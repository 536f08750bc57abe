// The cleanup run both front ends share: config → engine cleanup → lines to log.
import { runCleanup } from "../engine/index.js";
import type { CleanupResult } from "../engine/types.js";
import type { UploadConfig } from "../config.js";
import { formatDuration } from "./format.js";
import { withDefaultRegion } from "./upload.js";

export type CleanupOutcome = { kind: "done"; result: CleanupResult } | { kind: "failed"; message: string };

export async function cleanup(config: UploadConfig, signal?: AbortSignal): Promise<CleanupOutcome> {
  const engine = withDefaultRegion(config, process.env);
  try {
    const result = await runCleanup({
      bucket: engine.bucket,
      s3: engine.s3,
      prefix: config.prefix,
      olderThanMs: config.cleanup.olderThanMs,
      dryRun: engine.dryRun,
      ...(config.cleanup.lifecycleDays !== undefined ? { lifecycleDays: config.cleanup.lifecycleDays } : {}),
      ...(signal ? { signal } : {}),
    });
    return { kind: "done", result };
  } catch (error) {
    return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
  }
}

const ACTION_TEXT = {
  aborted: "aborted",
  "would-abort": "would abort (dry run)",
  "too-young": "kept (younger than older-than)",
  failed: "abort FAILED",
} as const;

/** One line per upload and one for the lifecycle rule, then a total. */
export function cleanupLines(config: UploadConfig, result: CleanupResult): string[] {
  const where = `s3://${config.engine.bucket}/${config.prefix}`;
  const lines = result.uploads.map(
    (upload) =>
      `${ACTION_TEXT[upload.action]}: ${upload.key} (upload ${upload.uploadId}, initiated ${upload.initiated ?? "unknown"})` +
      (upload.error ? `: ${upload.error}` : ""),
  );
  if (result.lifecycle) {
    const rule = result.lifecycle;
    lines.push(
      `lifecycle rule ${rule.ruleId} (abort incomplete uploads after ${rule.days} day(s)): ${rule.action.replace("-", " ")}; ` +
        `${rule.otherRules} other rule(s) kept`,
    );
  }
  const count = (action: keyof typeof ACTION_TEXT): number =>
    result.uploads.filter((upload) => upload.action === action).length;
  lines.push(
    `${where}: ${result.uploads.length} in-progress upload(s) older than ${formatDuration(config.cleanup.olderThanMs)}: ` +
      `${count("aborted")} aborted, ${count("would-abort")} would abort, ${count("too-young")} too young, ${count("failed")} failed`,
  );
  return lines;
}
