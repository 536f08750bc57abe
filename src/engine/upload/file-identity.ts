// Which version of a file is being uploaded. Size and mtime alone miss a rewrite in place that restores the
// mtime (cp -p, rsync -t, tar, touch -r), so the identity also holds the inode and the ctime, which every
// write and every utimes moves and which nothing but the clock can set. Taken at open and compared after
// every read of the file and before Complete, it keeps two versions of a file out of one object.
//
// A path replaced by rename (rsync, editors) leaves the open descriptor on the old file, whose bytes stay
// consistent; but the unlink moves that file's ctime too, and the run fails rather than upload a version the
// path no longer names. Timestamps are only as fine as the file system keeps them (often a few ms).
import { fstatSync, type BigIntStats } from "node:fs";

export interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  nlink: bigint;
}

export function identityOf(stats: BigIntStats): FileIdentity {
  return {
    dev: stats.dev,
    ino: stats.ino,
    size: stats.size,
    mtimeNs: stats.mtimeNs,
    ctimeNs: stats.ctimeNs,
    nlink: stats.nlink,
  };
}

function isoOf(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

/** What changed between two identities of one open file, in words; null when nothing did. */
function describeChange(opened: FileIdentity, now: FileIdentity): string | null {
  if (now.nlink === 0n) return "it was deleted or replaced by another file";
  if (now.size !== opened.size) return `size ${opened.size} → ${now.size}`;
  if (now.mtimeNs !== opened.mtimeNs) return `modified ${isoOf(opened.mtimeNs)} → ${isoOf(now.mtimeNs)}`;
  if (now.ctimeNs !== opened.ctimeNs) {
    return `same size and modification time, but its status changed ${isoOf(opened.ctimeNs)} → ${isoOf(now.ctimeNs)}: rewritten in place with the time restored`;
  }
  return null;
}

/**
 * How the open file differs from the version opened, in words; null when it is that version. Synchronous:
 * one fstat costs microseconds, less than a hop through the thread pool, and it runs once per part read.
 */
export function changeSinceOpen(fd: number, opened: FileIdentity): string | null {
  return describeChange(opened, identityOf(fstatSync(fd, { bigint: true })));
}
