// The checksums-file output: one `<sha256>  <name>` line per file stored (or, downloading, written), as
// sha256sum writes them. Names are the keys without their prefix, which keys.ts makes of the path relative to
// base-dir with "/" (and a download maps back the same way): so `sha256sum -c` run in base-dir checks the
// local files, and a release page lists the names people download. actions/attest-build-provenance reads
// the same lines as subject-checksums, splitting on the OS's line end, so the file ends lines with os.EOL
// (GNU sha256sum accepts CRLF too). Names are written as they are, never in sha256sum's backslash escape,
// which the attest action does not read; keys.ts and download-paths.ts refuse names with control characters,
// so no name needs it.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { EOL } from "node:os";
import path from "node:path";
import type { DownloadResult } from "../engine/download/types.js";
import type { FileResult } from "../engine/types.js";
import { joinPrefix } from "./keys.js";

/** What a line needs of an upload's or a download's result. */
type ListedFile = Pick<FileResult, "key" | "sha256"> & {
  status: FileResult["status"] | DownloadResult["status"];
};

// A download's key maps to base-dir + the key without the prefix (download-paths.ts): the same names.
const LISTED = new Set<ListedFile["status"]>(["uploaded", "downloaded", "unchanged"]);

/**
 * The file's text, or null when no file stored (uploads) or written (downloads) has a SHA-256 (sha256 off,
 * or nothing done).
 */
export function checksumsText(files: readonly ListedFile[], prefix: string): string | null {
  const keyStart = joinPrefix(prefix, "");
  const lines = files
    .filter((file) => LISTED.has(file.status) && file.sha256 !== null)
    .map((file) => {
      if (!file.key.startsWith(keyStart)) {
        throw new Error(`checksumsText: key ${file.key} does not start with the prefix "${keyStart}"`);
      }
      return `${file.sha256}  ${file.key.slice(keyStart.length)}${EOL}`;
    });
  return lines.length === 0 ? null : lines.join("");
}

/** Writes into dir under a fresh name (several steps of a job may upload) and returns the path. */
export async function writeChecksumsFile(dir: string, text: string): Promise<string> {
  const file = path.join(dir, `s3-verified-upload-${randomUUID()}.sha256`);
  await writeFile(file, text);
  return file;
}
