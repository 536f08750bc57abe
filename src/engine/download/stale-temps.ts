// Temp files a stopped download left without a resume record (SIGKILL or power loss under on-failure: abort,
// which never writes a record) would otherwise pile up beside their destinations forever. A run removes those
// of its own destinations once no live download can still be writing them:
// - only names of this tool's temp files (`.<name>.s3vu-<12 hex>.part`) whose <name> this run downloads into
//   the same folder, so nothing else in the folder is ever touched;
// - never one a resume record names: the resume decides about those (resume.ts);
// - only when unmodified for STALE_TEMP_AGE_MS. A live download writes its temp file as bytes arrive, but one
//   waiting for a transfer slot or a stalled GET can leave it untouched for minutes, hence the wide margin.
// Should the age still guess wrong about a concurrent run, that run cannot produce a wrong file: its temp file
// is unlinked, so its final rename or link finds nothing and it fails naming the file.
import { lstat, readdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { readResumeRecord, resumeRecordPath, workFileOf } from "./resume-record.js";
import type { DownloadEvent, RemoteFile } from "./types.js";

export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

async function namesIn(folder: string): Promise<string[]> {
  return readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
    throw error;
  });
}

/** The temp file name the destination's resume record names; null without a readable record. */
async function recordedTemp(destination: string): Promise<string | null> {
  const record = await readResumeRecord(resumeRecordPath(destination));
  return record === null || record === "unreadable" ? null : record.header.temp;
}

/**
 * Removes the stale temp files of `files`' destinations and returns their paths; a temp file too recent to
 * be stale gets a warning. `now` is the run's start.
 */
export async function removeStaleTemps(
  files: readonly RemoteFile[],
  now: number,
  emit: (event: DownloadEvent) => void,
): Promise<string[]> {
  const byFolder = new Map<string, Map<string, RemoteFile>>();
  for (const file of files) {
    const folder = dirname(file.path);
    const owners = byFolder.get(folder) ?? new Map<string, RemoteFile>();
    owners.set(basename(file.path), file);
    byFolder.set(folder, owners);
  }
  const removed: string[] = [];
  for (const [folder, owners] of byFolder) {
    for (const name of await namesIn(folder)) {
      const work = workFileOf(name);
      const file = work?.kind === "temp file" ? owners.get(work.owner) : undefined;
      if (file === undefined || (await recordedTemp(file.path)) === name) continue;
      const path = join(folder, name);
      const stat = await lstat(path).catch(() => null);
      if (stat === null || !stat.isFile()) continue;
      if (now - stat.mtimeMs < STALE_TEMP_AGE_MS) {
        emit({
          type: "warning",
          file,
          message: `${path} looks like the temp file of a download still running or stopped less than ${STALE_TEMP_AGE_MS / 60_000} minutes ago, so it was left in place; a later run removes it once it is older, or delete it when no download is running.`,
        });
        continue;
      }
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
      removed.push(path);
    }
  }
  return removed;
}
