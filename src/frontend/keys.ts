// How a local file becomes an object key: prefix + path relative to base-dir, always with "/".
import path from "node:path";

const MAX_KEY_BYTES = 1024;
// S3 stores them, but XML listings need encoding-type=url for them and many tools break on such keys.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** relativePath: the file's path under base-dir with "/", the key without its prefix. */
export type KeyResult = { ok: true; key: string; relativePath: string } | { ok: false; error: string };

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
  const relativePath = path.sep === "/" ? relative : relative.split(path.sep).join("/");
  const key = joinPrefix(prefix, relativePath);
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES) {
    return {
      ok: false,
      error: `File "${filePath}" gives a key of ${bytes} bytes; S3 keys are at most ${MAX_KEY_BYTES} bytes (UTF-8), so shorten "prefix" or the path.`,
    };
  }
  const control = CONTROL_CHARACTER.exec(key);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    return {
      ok: false,
      error: `File "${filePath}" gives a key with control character U+${code}, which S3 lists only URL-encoded and many tools mishandle; rename the file or exclude it with a "!" pattern.`,
    };
  }
  return { ok: true, key, relativePath };
}
