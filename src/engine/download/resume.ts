// Resuming a kept download (on-failure: keep): a rerun finds the temp file and record a failed or killed run
// left beside the destination and reuses the ranges on disk, when they are of the same object (ETag, version,
// size) cut into the same ranges and hashed with the same proof; else it removes them and starts over. Each
// reused range is hashed again from disk: a range whose bytes no longer hash to what was recorded (or to its
// part's stored checksum) is fetched again, and the object's proof is computed from the bytes on disk, so the
// record decides only what is fetched, never what is proven.
import { unlink } from "node:fs/promises";
import { basename } from "node:path";
import type { StoredObject } from "../s3/s3-client.js";
import type { ObjectContext } from "./context.js";
import { hashRange } from "./local-proof.js";
import type { ProofAlgorithm, ProofPlan, Segment } from "./proof-plan.js";
import {
  layoutOf,
  readResumeRecord,
  ResumeLog,
  resumeRecordPath,
  type ResumeHeader,
  type ResumeIdentity,
} from "./resume-record.js";
import { createTempFile, discardTempFile, reopenTempFile, tempNamed, type TempFile } from "./temp-file.js";

/** The temp file a transfer writes into, with the ranges a kept download left in it. */
export interface PreparedTemp {
  temp: TempFile;
  /** The resume record beside the temp file; null when there is none. */
  record: string | null;
  /** Ranges a kept download recorded as written, with the digest their bytes had; empty for a new temp file. */
  claimed: ReadonlyMap<number, Buffer>;
  /** Records each range once written; null without on-failure: keep, or when the plan hashes no ranges. */
  log: ResumeLog | null;
  /** What became of a kept download found beside the destination. */
  notes: string[];
  /** Claimed ranges reused from disk, and claimed ranges whose bytes had changed (fetched again). */
  reused: { onDisk: number; changed: number };
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== "ENOENT") throw error;
}

export async function removeRecord(recordPath: string): Promise<void> {
  await unlink(recordPath).catch(ignoreMissing);
}

/**
 * The digest each range's bytes are recorded and re-checked with: the proof's, or CRC32C when the proof is one
 * digest of the whole file, which no range has a part of (the proof is then computed from every byte on disk
 * anyway, so this digest only picks the ranges to fetch again); null when nothing is hashed.
 */
export function rangeDigestAlgorithm(plan: ProofPlan): ProofAlgorithm | null {
  if (plan.algorithm === null) return null;
  return plan.combination === "whole" ? "CRC32C" : plan.algorithm;
}

/** What a kept temp file must have been written for; null when the plan hashes nothing, so nothing is reused. */
function identityOf(ctx: ObjectContext, head: StoredObject, plan: ProofPlan): ResumeIdentity | null {
  const algorithm = rangeDigestAlgorithm(plan);
  if (algorithm === null) return null;
  return {
    key: ctx.file.key,
    etag: head.etag,
    versionId: head.versionId ?? null,
    size: head.size,
    algorithm,
    ranges: plan.segments.length,
    layout: layoutOf(plan.segments),
  };
}

function describeObject(object: Pick<ResumeIdentity, "etag" | "versionId" | "size">): string {
  return `ETag ${object.etag}${object.versionId ? ` version ${object.versionId}` : ""} (${object.size} bytes)`;
}

/** Why a kept download cannot be resumed by this plan; null when it can. */
function misfit(header: ResumeHeader, identity: ResumeIdentity | null): string | null {
  if (identity === null) {
    return "nothing would prove its bytes (verify is off, or the store does not tell the object's part sizes)";
  }
  if (header.key !== identity.key) return `it holds key ${header.key}`;
  if (
    header.etag !== identity.etag ||
    header.versionId !== identity.versionId ||
    header.size !== identity.size
  ) {
    return `the object changed: ${describeObject(header)} then, ${describeObject(identity)} now`;
  }
  if (
    header.algorithm !== identity.algorithm ||
    header.ranges !== identity.ranges ||
    header.layout !== identity.layout
  ) {
    return "its ranges differ from this run's (another part-size, or another proof)";
  }
  return null;
}

/**
 * The temp file to download into: a kept one this plan can resume (when `resume`), else a new one. A kept
 * download that does not fit is removed (temp file and record). With on-failure: keep, a new temp file gets
 * a new record, and ranges are recorded as they are written.
 */
export async function prepareTemp(
  ctx: ObjectContext,
  head: StoredObject,
  plan: ProofPlan,
  resume: boolean,
): Promise<PreparedTemp> {
  const destination = ctx.file.path;
  const recordPath = resumeRecordPath(destination);
  const identity = identityOf(ctx, head, plan);
  const keep = ctx.run.options.onFailure === "keep";
  const notes: string[] = [];
  const reused = { onDisk: 0, changed: 0 };
  const found = await readResumeRecord(recordPath);
  if (found !== null) {
    const kept = found === "unreadable" ? null : found;
    const tempPath = kept === null ? null : tempNamed(destination, kept.header.temp);
    let reason =
      kept === null
        ? "its record is unreadable"
        : tempPath === null
          ? "its record names no temp file of this destination"
          : misfit(kept.header, identity);
    if (resume && reason === null && kept !== null && tempPath !== null) {
      const temp = await reopenTempFile(tempPath, head.size);
      if (temp !== null) {
        let log: ResumeLog | null = null;
        try {
          if (keep) log = await ResumeLog.reopen(recordPath);
        } catch (error) {
          await discardTempFile(temp, true);
          throw error;
        }
        return { temp, record: recordPath, claimed: kept.written, log, notes, reused };
      }
      reason = "its temp file is gone or has another size";
    }
    if (tempPath !== null) await unlink(tempPath).catch(ignoreMissing);
    await removeRecord(recordPath);
    if (resume) notes.push(`A kept partial download was removed, as ${reason}; downloaded from the start.`);
  }
  const temp = await createTempFile(destination, head.size);
  let log: ResumeLog | null = null;
  try {
    if (keep && identity !== null) {
      log = await ResumeLog.create(recordPath, { ...identity, temp: basename(temp.path) });
    }
  } catch (error) {
    await discardTempFile(temp, false);
    throw error;
  }
  return { temp, record: log === null ? null : recordPath, claimed: new Map(), log, notes, reused };
}

/**
 * The digest of a range a kept download recorded, when its bytes on disk still hash to the recorded digest
 * and, for a part with a stored checksum, to that checksum; null when the range must be fetched.
 */
export async function reuseRange(
  prepared: PreparedTemp,
  index: number,
  segment: Segment,
  algorithm: ProofAlgorithm | null,
): Promise<Buffer | null> {
  const claimed = prepared.claimed.get(index);
  if (claimed === undefined || algorithm === null) return null;
  const digest = await hashRange(prepared.temp.handle, segment, algorithm);
  if (
    digest !== null &&
    digest.equals(claimed) &&
    (segment.expected === null || digest.equals(segment.expected))
  ) {
    prepared.reused.onDisk++;
    return digest;
  }
  prepared.reused.changed++;
  return null;
}

/** The result's note on a resumed download; null when nothing was resumed. */
export function resumeNote(prepared: PreparedTemp, ranges: number): string | null {
  if (prepared.claimed.size === 0) return null;
  const { onDisk, changed } = prepared.reused;
  const changedNote =
    changed === 0
      ? ""
      : ` (${changed} of them ${changed === 1 ? "was" : "were"} recorded as written, but the bytes on disk had changed)`;
  return `Resumed a kept download: ${onDisk} of ${ranges} ranges were on disk and re-hashed; ${ranges - onDisk} fetched${changedNote}.`;
}
