// Object keys → local paths for a download: base-dir + the key without the prefix, and nothing else. A key
// that could write outside base-dir, or onto another key's file, is refused by name before anything is written.
import { lstat } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";
import { workFileOf } from "../engine/download/index.js";
import { joinPrefix } from "./keys.js";

export interface KeyObject {
  key: string;
  size: number;
}

export interface MappedFile extends KeyObject {
  /** Absolute destination. */
  path: string;
}

export type MapResult =
  | {
      ok: true;
      files: MappedFile[];
      /** Directory markers ("…/", zero bytes): nothing to write. */ skipped: string[];
    }
  | { ok: false; errors: string[] };

/** Platforms whose default file systems fold case and Unicode normalization (APFS, NTFS). */
export type PathPlatform = NodeJS.Platform;

const MAX_ERRORS = 20;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

const FIX = 'exclude it with a "!" pattern in "path", or rename the object';

/** The key folder under which an upload with this prefix put its files (the upload adds the same "/"). */
export function keyFolder(prefix: string): string {
  return joinPrefix(prefix, "");
}

function foldsNames(platform: PathPlatform): boolean {
  return platform === "darwin" || platform === "win32";
}

/** Why the path part of a key (the key without its folder) cannot be a local path, or undefined. */
function unsafeReason(relative: string, platform: PathPlatform): string | undefined {
  const control = CONTROL_CHARACTER.exec(relative);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    return `has control character U+${code}`;
  }
  if (relative.includes("\\")) return "has a backslash, a path separator on Windows";
  for (const segment of relative.split("/")) {
    if (segment === "") return 'has an empty segment (a leading or doubled "/")';
    if (segment === "." || segment === "..") return `has a "${segment}" segment`;
    if (platform === "win32") {
      if (WINDOWS_FORBIDDEN.test(segment)) return `has a character Windows forbids in names (<>:"|?*)`;
      if (WINDOWS_RESERVED.test(segment)) return `has "${segment}", a name Windows reserves for a device`;
      if (/[. ]$/.test(segment))
        return `has "${segment}", which Windows stores without its trailing dot or space`;
    }
  }
  return undefined;
}

/**
 * objects: keys listed under keyFolder(prefix); baseDir absolute. Keys differing only in case or Unicode
 * normalization collide on macOS and Windows (one file would overwrite the other), so they are refused there
 * and accepted elsewhere, where they are distinct files.
 */
export function mapKeys(
  objects: readonly KeyObject[],
  prefix: string,
  baseDir: string,
  platform: PathPlatform = process.platform,
): MapResult {
  const folder = keyFolder(prefix);
  const fold = foldsNames(platform)
    ? (text: string): string => text.normalize("NFC").toLowerCase()
    : (text: string): string => text;
  const errors: string[] = [];
  const refuse = (key: string, why: string): void => {
    errors.push(`Key ${JSON.stringify(key)} ${why}; ${FIX}.`);
  };
  const files: MappedFile[] = [];
  const skipped: string[] = [];
  const fileByPath = new Map<string, string>();
  const accepted: { object: KeyObject; relative: string }[] = [];
  for (const object of objects) {
    const key = object.key;
    if (!key.startsWith(folder)) {
      refuse(key, `is not under the prefix's folder "${folder}"`);
      continue;
    }
    const relative = key.slice(folder.length);
    if (relative === "" || relative.endsWith("/")) {
      if (object.size === 0) skipped.push(key);
      else refuse(key, `ends in "/" yet holds ${object.size} bytes, so it cannot be a file`);
      continue;
    }
    const reason = unsafeReason(relative, platform);
    if (reason) {
      refuse(key, reason);
      continue;
    }
    const folded = fold(relative);
    const other = fileByPath.get(folded);
    if (other !== undefined) {
      refuse(key, `and key ${JSON.stringify(other)} would be the same local file on this system`);
      continue;
    }
    fileByPath.set(folded, key);
    accepted.push({ object, relative });
  }
  // A key named like another key's temp file or resume record: that key's download would replace or remove it.
  const acceptedPaths = new Map(accepted.map(({ object, relative }) => [fold(relative), object.key]));
  const workFiles = new Set<string>();
  for (const { object, relative } of accepted) {
    const slash = relative.lastIndexOf("/");
    const work = workFileOf(relative.slice(slash + 1));
    const owner = work && acceptedPaths.get(fold(relative.slice(0, slash + 1) + work.owner));
    if (!work || owner === undefined) continue;
    const article = work.kind === "temp file" ? "a" : "the";
    refuse(
      object.key,
      `is named like ${article} ${work.kind} of key ${JSON.stringify(owner)}'s download, which that download would replace or remove`,
    );
    workFiles.add(object.key);
  }
  // A key whose path is a folder of another key's path: one of the two cannot be written.
  const folderOwner = new Map<string, string>();
  for (const { object, relative } of accepted) {
    const segments = fold(relative).split("/");
    for (let depth = 1; depth < segments.length; depth++) {
      const dir = segments.slice(0, depth).join("/");
      if (!folderOwner.has(dir)) folderOwner.set(dir, object.key);
    }
  }
  for (const { object, relative } of accepted) {
    if (workFiles.has(object.key)) continue;
    const needsFolder = folderOwner.get(fold(relative));
    if (needsFolder !== undefined) {
      refuse(object.key, `would be a file where key ${JSON.stringify(needsFolder)} needs a directory`);
      continue;
    }
    const destination = path.join(baseDir, ...relative.split("/"));
    const inside = path.relative(baseDir, destination);
    // Unreachable after the checks above; kept so a future change to them cannot write outside base-dir.
    if (inside === "" || inside.startsWith("..") || path.isAbsolute(inside)) {
      refuse(object.key, `would be written outside base-dir "${baseDir}"`);
      continue;
    }
    files.push({ key: object.key, size: object.size, path: destination });
  }
  if (errors.length === 0) return { ok: true, files, skipped };
  return { ok: false, errors: capped(errors) };
}

/** The first refusals and a count: one cause often refuses thousands of keys. */
function capped(errors: string[]): string[] {
  const shown = errors.slice(0, MAX_ERRORS);
  if (errors.length > MAX_ERRORS) shown.push(`…and ${errors.length - MAX_ERRORS} more keys refused.`);
  return shown;
}

/**
 * Keys whose folder below base-dir already exists as a symbolic link: the engine would write through it,
 * possibly outside base-dir. Folders that do not exist yet are created by the download, never as links.
 */
export async function linkedFolderErrors(files: readonly MappedFile[], baseDir: string): Promise<string[]> {
  const linked = new Map<string, Promise<boolean>>();
  const isLink = (folder: string): Promise<boolean> => {
    let answer = linked.get(folder);
    if (answer === undefined) {
      answer = lstat(folder).then(
        (stats) => stats.isSymbolicLink(),
        () => false,
      );
      linked.set(folder, answer);
    }
    return answer;
  };
  const errors: string[] = [];
  for (const file of files) {
    const segments = path.relative(baseDir, path.dirname(file.path)).split(path.sep).filter(Boolean);
    for (let depth = 1; depth <= segments.length; depth++) {
      const folder = path.join(baseDir, ...segments.slice(0, depth));
      if (await isLink(folder)) {
        errors.push(
          `Key ${JSON.stringify(file.key)} would be written through ${folder}, a symbolic link, possibly outside ` +
            `base-dir; remove the link, exclude the key with a "!" pattern in "path", or choose another base-dir.`,
        );
        break;
      }
    }
  }
  return capped(errors);
}

function cleanPattern(pattern: string): string {
  return pattern.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}

/** A pattern matches a key path, or, naming a folder, everything below it. */
function matcher(patterns: readonly string[]): (relative: string) => boolean {
  const expanded = patterns.map(cleanPattern).flatMap((pattern) => [pattern, `${pattern}/**`]);
  // Keys have no hidden files: a "." name is as much a part of the backup as any other.
  return expanded.length === 0 ? () => false : picomatch(expanded, { dot: true });
}

/**
 * The keys the patterns select, in listing order: globs are relative to the prefix's folder, "!" excludes
 * whatever its position (as for uploads), and with no including pattern everything under the prefix is taken.
 */
export function selectKeys<T extends KeyObject>(
  objects: readonly T[],
  prefix: string,
  patterns: readonly string[],
): T[] {
  const folder = keyFolder(prefix);
  const includes = patterns.filter((pattern) => !pattern.startsWith("!"));
  const included = includes.length === 0 ? () => true : matcher(includes);
  const excluded = matcher(
    patterns.filter((pattern) => pattern.startsWith("!")).map((pattern) => pattern.slice(1)),
  );
  return objects.filter((object) => {
    const relative = object.key.startsWith(folder) ? object.key.slice(folder.length) : object.key;
    return included(relative) && !excluded(relative);
  });
}
