// Local inputs the glob cannot judge: base-dir itself, named paths that are not files, unreadable files and
// keys that collide. Each problem is one sentence naming the path and the fix.
import { constants } from "node:fs";
import { access, lstat, readlink, stat } from "node:fs/promises";
import { isDynamicPattern } from "tinyglobby";
import type { LocalFile } from "../engine/types.js";

function errorCode(error: unknown): string {
  return (error as { code?: string }).code ?? String(error);
}

export async function checkBaseDir(given: string, resolved: string): Promise<string | undefined> {
  try {
    if ((await stat(resolved)).isDirectory()) return undefined;
    return `Input "base-dir": "${given}" is not a directory; set it to the directory the keys are relative to.`;
  } catch (error) {
    return `Input "base-dir": "${given}" cannot be used (${errorCode(error)} for ${resolved}); set it to an existing directory that contains the files.`;
  }
}

function kindOf(stats: Awaited<ReturnType<typeof lstat>>): string {
  if (stats.isFIFO()) return "named pipe (FIFO)";
  if (stats.isSocket()) return "socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "device";
  return "special file";
}

/**
 * Why a pattern naming one path (no wildcards) matched nothing the glob would return, when the path is
 * there: broken or looping links and special files. A path that does not exist is left to the no-match rule.
 */
export async function diagnoseNamedPath(pattern: string, absolute: string): Promise<string | undefined> {
  if (pattern.startsWith("!") || isDynamicPattern(pattern)) return undefined;
  let link;
  try {
    link = await lstat(absolute);
  } catch {
    return undefined;
  }
  if (link.isSymbolicLink()) {
    try {
      await stat(absolute);
      return undefined;
    } catch (error) {
      const target = await readlink(absolute).catch(() => "?");
      return errorCode(error) === "ELOOP"
        ? `"${pattern}" is a symbolic link that loops (via "${target}"); fix the link or remove it from "path".`
        : `"${pattern}" is a symbolic link to "${target}", which does not exist; fix the link or remove it from "path".`;
    }
  }
  if (link.isFile() || link.isDirectory()) return undefined;
  return `"${pattern}" is a ${kindOf(link)}, not a regular file; only regular files upload, so remove it from "path".`;
}

export async function checkReadable(filePath: string): Promise<string | undefined> {
  try {
    await access(filePath, constants.R_OK);
    return undefined;
  } catch (error) {
    return `File "${filePath}" cannot be read (${errorCode(error)}); give the job read permission or exclude it with a "!" pattern.`;
  }
}

/** Two files must never race for one object. */
export function checkDuplicateKeys(files: readonly LocalFile[]): string | undefined {
  const byKey = new Map<string, string>();
  for (const file of files) {
    const other = byKey.get(file.key);
    if (other !== undefined) {
      return `Files "${other}" and "${file.path}" both give key "${file.key}"; change "base-dir" or "prefix", or exclude one with a "!" pattern.`;
    }
    byKey.set(file.key, file.path);
  }
  return undefined;
}
