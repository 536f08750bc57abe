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

/** What a path is when it is not a regular file (or a working link to one); `link` says the link is broken. */
export interface NotAFile {
  what: string;
  link: boolean;
}

/** undefined for a regular file, a directory or a working link to either; why it cannot upload otherwise. */
export async function describeNotAFile(absolute: string): Promise<NotAFile | undefined> {
  const entry = await lstat(absolute);
  if (entry.isSymbolicLink()) {
    let target;
    try {
      target = await stat(absolute);
    } catch (error) {
      const via = await readlink(absolute).catch(() => "?");
      return errorCode(error) === "ELOOP"
        ? { what: `a symbolic link that loops (via "${via}")`, link: true }
        : { what: `a symbolic link to "${via}", which does not exist`, link: true };
    }
    if (target.isFile() || target.isDirectory()) return undefined;
    return { what: `a symbolic link to a ${kindOf(target)}, not a regular file`, link: false };
  }
  if (entry.isFile() || entry.isDirectory()) return undefined;
  return { what: `a ${kindOf(entry)}, not a regular file`, link: false };
}

/**
 * Why a pattern naming one path (no wildcards) matched nothing the glob would return, when the path is
 * there: broken or looping links and special files. A path that does not exist is left to the no-match rule.
 */
export async function diagnoseNamedPath(pattern: string, absolute: string): Promise<string | undefined> {
  if (pattern.startsWith("!") || isDynamicPattern(pattern)) return undefined;
  const problem = await describeNotAFile(absolute).catch(() => undefined);
  if (problem === undefined) return undefined;
  const fix = problem.link ? "fix the link or remove it" : "only regular files upload, so remove it";
  return `"${pattern}" is ${problem.what}; ${fix} from "path".`;
}

/** The warning for a path a wildcard matched that cannot upload: the run goes on without it. */
export function skippedWarning(filePath: string, problem: NotAFile): string {
  const fix = problem.link
    ? `fix the link or exclude it with a "!" pattern`
    : `only regular files upload, so exclude it with a "!" pattern`;
  return `Skipped "${filePath}": it is ${problem.what}; ${fix}.`;
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
