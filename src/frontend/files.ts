// Glob patterns → the files to upload with their keys, in a stable order.
import path from "node:path";
import { glob } from "tinyglobby";
import type { LocalFile } from "../engine/types.js";
import type { UploadConfig } from "../config.js";
import {
  checkBaseDir,
  checkDuplicateKeys,
  checkReadable,
  describeNotAFile,
  diagnoseNamedPath,
  skippedWarning,
} from "./file-checks.js";
import { workFileOf } from "../engine/download/resume-record.js";
import { revealingFs } from "./glob-fs.js";
import { headerMatcher, unmatchedRuleWarnings } from "./header-rules.js";
import { objectKey } from "./keys.js";

export type FilesResult =
  | {
      ok: true;
      files: LocalFile[];
      /** Matched paths that cannot upload, and header rules that match no file; one sentence each. */
      warnings: string[];
    }
  /** badSetting: a setting is wrong (base-dir), as opposed to a file. */
  | { ok: false; error: string; badSetting?: true };

type FileSelection = Pick<UploadConfig, "patterns" | "prefix" | "baseDir" | "includeHiddenFiles"> &
  Partial<Pick<UploadConfig, "headerRules">>;

/**
 * Patterns and base-dir are relative to cwd. As in actions/upload-artifact, "!" patterns
 * exclude whatever their position, and a pattern naming a directory takes everything below it.
 */
export async function findFiles(selection: FileSelection, cwd: string): Promise<FilesResult> {
  const found = await glob([...selection.patterns], {
    cwd,
    absolute: true,
    onlyFiles: true,
    dot: selection.includeHiddenFiles,
    expandDirectories: true,
    followSymbolicLinks: true,
    fs: revealingFs,
  });
  const baseDir = path.resolve(cwd, selection.baseDir);
  const baseDirError = await checkBaseDir(selection.baseDir, baseDir);
  if (baseDirError) return { ok: false, error: baseDirError, badSetting: true };
  // A path named outright that cannot upload is an error; one a wildcard matched is a warning.
  for (const pattern of selection.patterns) {
    const problem = diagnoseNamedPath(pattern, path.resolve(cwd, pattern));
    if (problem) return { ok: false, error: problem };
  }
  const headerRules = selection.headerRules ?? [];
  const headersOf = headerMatcher(headerRules);
  const relativePaths: string[] = [];
  const files: LocalFile[] = [];
  const warnings: string[] = [];
  const workFiles: string[] = [];
  for (const filePath of [...new Set(found.map((file) => path.resolve(cwd, file)))].sort()) {
    // A download's leftovers are half-written bytes and bookkeeping, never content to publish.
    if (workFileOf(path.basename(filePath)) !== null) {
      workFiles.push(filePath);
      continue;
    }
    const notAFile = describeNotAFile(filePath);
    if (notAFile) {
      warnings.push(skippedWarning(filePath, notAFile));
      continue;
    }
    const key = objectKey(baseDir, selection.prefix, filePath);
    if (!key.ok) return key;
    const unreadable = checkReadable(filePath);
    if (unreadable) return { ok: false, error: unreadable };
    const { relativePath } = key;
    relativePaths.push(relativePath);
    const headers = headersOf(relativePath);
    files.push({ path: filePath, key: key.key, ...(Object.keys(headers).length > 0 ? { headers } : {}) });
  }
  if (workFiles.length > 0) warnings.push(workFilesWarning(workFiles));
  const duplicate = checkDuplicateKeys(files);
  if (duplicate) return { ok: false, error: duplicate };
  warnings.push(...unmatchedRuleWarnings("headers", headerRules, relativePaths, selection.baseDir));
  return { ok: true, files, warnings };
}

function workFilesWarning(paths: readonly string[]): string {
  const count = paths.length === 1 ? "1 work file" : `${paths.length} work files`;
  return (
    `Skipped ${count} of an unfinished s3-verified-upload download (temp file or resume record, named ` +
    `".<name>.s3vu-…"), e.g. "${paths[0]}": they are not part of the folder's content; rerun that download ` +
    "to finish it, or delete them."
  );
}
