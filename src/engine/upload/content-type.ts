import { extname } from "node:path";
import otherTypes from "mime/types/other.js";
import standardTypes from "mime/types/standard.js";

// Build artifacts the database has no type for; anything else unknown is served as bytes, always safe.
const MISSING: Record<string, string> = {
  tgz: "application/gzip",
  zst: "application/zstd",
  sha256: "text/plain",
};

let typeByExtension: Map<string, string> | undefined;

/**
 * mime's database as mime.getType reads it (a "*" extension names a type without claiming the extension).
 * Built on first use: `import mime from "mime"` builds its tables while the bundle loads, ~15 ms of every
 * start-up, --version and --help included.
 */
function databaseType(extension: string): string | null {
  if (typeByExtension === undefined) {
    typeByExtension = new Map();
    for (const types of [standardTypes, otherTypes]) {
      for (const [type, extensions] of Object.entries(types)) {
        for (const name of extensions) if (!name.startsWith("*")) typeByExtension.set(name, type);
      }
    }
  }
  return typeByExtension.get(extension) ?? null;
}

/**
 * The type of the file's own bytes: "app.js.gz" is application/gzip (aws s3 cp would say text/javascript,
 * which serves gzip bytes as script); a header rule sets text/javascript with Content-Encoding gzip.
 * Text types say UTF-8: without a charset browsers read text/plain and text/html as windows-1252.
 */
export function guessContentType(path: string): string {
  // extname, not a lookup of the whole path: that takes a bare "txt" or "Makefile" for an extension.
  const extension = extname(path).slice(1).toLowerCase();
  const type = extension === "" ? null : (MISSING[extension] ?? databaseType(extension));
  if (type === null) return "application/octet-stream";
  return type.startsWith("text/") ? `${type}; charset=utf-8` : type;
}
