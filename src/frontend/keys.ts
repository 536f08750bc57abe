// How a local file becomes an object key: prefix + path relative to base-dir, always with "/".
import path from "node:path";

export type KeyResult = { ok: true; key: string } | { ok: false; error: string };

export function joinPrefix(prefix: string, relative: string): string {
  if (prefix === "" || prefix.endsWith("/")) return prefix + relative;
  return `${prefix}/${relative}`;
}

/** baseDir and filePath are absolute. */
export function objectKey(baseDir: string, prefix: string, filePath: string): KeyResult {
  const relative = path.relative(baseDir, filePath);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
    return {
      ok: false,
      error: `File "${filePath}" is not inside base-dir "${baseDir}"; set "base-dir" to a directory that contains every matched file.`,
    };
  }
  return { ok: true, key: joinPrefix(prefix, relative.split(path.sep).join("/")) };
}
