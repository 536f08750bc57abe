// Local inputs the glob cannot judge: base-dir itself, named paths that are not files, unreadable files and
// keys that collide. Each problem is one sentence naming the path and the fix.
import { accessSync, constants, lstatSync, readlinkSync, statSync, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
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

function kindOf(stats: Stats): string {
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

function readlinkOr(absolute: string, fallback: string): string {
  try {
    return readlinkSync(absolute);
  } catch {
    return fallback;
  }
}

/**
 * undefined for a regular file, a directory or a working link to either; why it cannot upload otherwise.
 * Synchronous, as are the other per-file checks: asked for every matched file, one after the other, where a
 * hop through the thread pool costs far more than the call (10,000 files: about 0.7 CPU-s more).
 */
export function describeNotAFile(absolute: string): NotAFile | undefined {
  const entry = lstatSync(absolute);
  if (entry.isSymbolicLink()) {
    let target;
    try {
      target = statSync(absolute);
    } catch (error) {
      const via = readlinkOr(absolute, "?");
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
export function diagnoseNamedPath(pattern: string, absolute: string): string | undefined {
  if (pattern.startsWith("!") || isDynamicPattern(pattern)) return undefined;
  let problem: NotAFile | undefined;
  try {
    problem = describeNotAFile(absolute);
  } catch {
    return undefined;
  }
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

export function checkReadable(filePath: string): string | undefined {
  try {
    accessSync(filePath, constants.R_OK);
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
