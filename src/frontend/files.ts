// Glob patterns → the files to upload with their keys, in a stable order.
import { stat } from "node:fs/promises";
import path from "node:path";
import { glob } from "tinyglobby";
import type { LocalFile } from "../engine/types.js";
import type { UploadConfig } from "../config.js";
import { checkBaseDir, checkDuplicateKeys, checkReadable, diagnoseNamedPath } from "./file-checks.js";
import { objectKey } from "./keys.js";

export type FilesResult = { ok: true; files: LocalFile[] } | { ok: false; error: string };

type FileSelection = Pick<UploadConfig, "patterns" | "prefix" | "baseDir" | "includeHiddenFiles">;

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
  });
  const baseDir = path.resolve(cwd, selection.baseDir);
  const baseDirError = await checkBaseDir(selection.baseDir, baseDir);
  if (baseDirError) return { ok: false, error: baseDirError };
  // The glob silently drops broken links and special files; a path named outright deserves to hear why.
  for (const pattern of selection.patterns) {
    const problem = await diagnoseNamedPath(pattern, path.resolve(cwd, pattern));
    if (problem) return { ok: false, error: problem };
  }
  const files: LocalFile[] = [];
  for (const filePath of [...new Set(found.map((file) => path.resolve(cwd, file)))].sort()) {
    // onlyFiles still lets sockets, FIFOs and devices through; only regular files upload.
    if (!(await stat(filePath)).isFile()) continue;
    const key = objectKey(baseDir, selection.prefix, filePath);
    if (!key.ok) return key;
    const unreadable = await checkReadable(filePath);
    if (unreadable) return { ok: false, error: unreadable };
    files.push({ path: filePath, key: key.key });
  }
  const duplicate = checkDuplicateKeys(files);
  if (duplicate) return { ok: false, error: duplicate };
  return { ok: true, files };
}
