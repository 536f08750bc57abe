import { extname } from "node:path";
import mime from "mime";

// Build artifacts the database has no type for; anything else unknown is served as bytes, always safe.
const MISSING: Record<string, string> = {
  tgz: "application/gzip",
  zst: "application/zstd",
  sha256: "text/plain",
};

/**
 * The type of the file's own bytes: "app.js.gz" is application/gzip (aws s3 cp would say text/javascript,
 * which serves gzip bytes as script); a header rule sets text/javascript with Content-Encoding gzip.
 * Text types say UTF-8: without a charset browsers read text/plain and text/html as windows-1252.
 */
export function guessContentType(path: string): string {
  // extname, not mime.getType(path): that takes a bare "txt" or "Makefile" for an extension.
  const extension = extname(path).slice(1).toLowerCase();
  const type = extension === "" ? null : (MISSING[extension] ?? mime.getType(extension));
  if (type === null) return "application/octet-stream";
  return type.startsWith("text/") ? `${type}; charset=utf-8` : type;
}
