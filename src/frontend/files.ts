// Glob patterns → the files to upload with their keys, in a stable order.
import { stat } from "node:fs/promises";
import path from "node:path";
import * as glob from "@actions/glob";
import type { LocalFile } from "../engine/types.js";
import type { UploadConfig } from "../config.js";
import { objectKey } from "./keys.js";

export type FilesResult = { ok: true; files: LocalFile[] } | { ok: false; error: string };

type FileSelection = Pick<UploadConfig, "patterns" | "prefix" | "baseDir" | "includeHiddenFiles">;

/** Relative patterns and base-dir are resolved against the process's working directory. */
export async function findFiles(selection: FileSelection): Promise<FilesResult> {
  const globber = await glob.create(selection.patterns.join("\n"), {
    matchDirectories: false,
    implicitDescendants: true,
    excludeHiddenFiles: !selection.includeHiddenFiles,
  });
  const baseDir = path.resolve(selection.baseDir);
  const found = [...new Set(await globber.glob())].sort();
  const files: LocalFile[] = [];
  for (const filePath of found) {
    // matchDirectories: false still lets sockets, FIFOs and devices through; only regular files upload.
    if (!(await stat(filePath)).isFile()) continue;
    const key = objectKey(baseDir, selection.prefix, filePath);
    if (!key.ok) return key;
    files.push({ path: filePath, key: key.key });
  }
  return { ok: true, files };
}
