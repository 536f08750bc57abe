// The file a download is written into: beside its destination (same directory, so the final rename is atomic
// and never crosses file systems), hidden, and named so a leftover is recognisably this tool's.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { link, mkdir, open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { openDirectWrites, type DirectWrites } from "./direct-writes.js";

export interface TempFile {
  path: string;
  handle: FileHandle;
  /** Writes past the page cache (direct-writes.ts); null where the platform or file system has none. */
  direct: DirectWrites | null;
}

export function tempPathFor(destination: string): string {
  return join(dirname(destination), `.${basename(destination)}.s3vu-${randomBytes(6).toString("hex")}.part`);
}

/** The path of `name` when it is a temp file name of `destination` (so a record can never name another file). */
export function tempNamed(destination: string, name: string): string | null {
  const prefix = `.${basename(destination)}.s3vu-`;
  const random = name.startsWith(prefix) && name.endsWith(".part") ? name.slice(prefix.length, -5) : "";
  return /^[0-9a-f]{12}$/.test(random) ? join(dirname(destination), name) : null;
}

/** A kept temp file, to write its missing ranges; null when it is gone or is not `size` bytes. */
export async function reopenTempFile(path: string, size: number): Promise<TempFile | null> {
  // Not through a symbolic link: the bytes go only where a temp file of this tool was.
  const flags = constants.O_RDWR | (constants.O_NOFOLLOW ?? 0);
  const handle = await open(path, flags).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ELOOP") return null;
    throw error;
  });
  if (handle === null) return null;
  const stat = await handle.stat().catch(async (error: unknown) => {
    await handle.close();
    throw error;
  });
  if (!stat.isFile() || stat.size !== size) {
    await handle.close();
    return null;
  }
  return { path, handle, direct: await openDirectWrites(path, handle) };
}

/** A new temp file of `size` bytes (sparse until written) beside `destination`; creates the directory. */
export async function createTempFile(destination: string, size: number): Promise<TempFile> {
  await mkdir(dirname(destination), { recursive: true });
  const path = tempPathFor(destination);
  const handle = await open(path, "wx+", 0o644);
  let direct: DirectWrites | null = null;
  try {
    await handle.truncate(size);
    direct = await openDirectWrites(path, handle);
  } catch (error) {
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw error;
  }
  return { path, handle, direct };
}

/** Writes all of `bytes` at `position` (a positional write may write fewer bytes than asked). */
export async function writeAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const directory = await open(path, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** Hard-links `from` as `to`; false where the file system has no hard links (checked absent just before). */
async function linked(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") return false;
    throw error;
  }
}

/**
 * Makes the verified temp file the destination, durably: its data, then the name, then the directory entry.
 * Without overwrite, a hard link refuses a destination created meanwhile (EEXIST) instead of replacing it.
 */
export async function commitTempFile(temp: TempFile, destination: string, overwrite: boolean): Promise<void> {
  await temp.direct?.close();
  // The inode's fsync, whichever descriptor wrote: it also flushes the device's cache of the direct writes.
  await temp.handle.sync();
  await temp.handle.close();
  if (overwrite || !(await linked(temp.path, destination))) {
    await rename(temp.path, destination);
  } else {
    await unlink(temp.path);
  }
  await fsyncDirectory(dirname(destination));
}

/** Closes the temp file and deletes it unless `keep` (on-failure: keep). */
export async function discardTempFile(temp: TempFile, keep: boolean): Promise<void> {
  await temp.direct?.close().catch(() => undefined);
  await temp.handle.close().catch(() => undefined);
  if (!keep) await unlink(temp.path).catch(() => undefined);
}
