// The record that lets a rerun resume a kept download (on-failure: keep): a small file beside the destination
// naming the temp file, the object whose bytes it holds (ETag, version, size) and the range layout, then one
// line per range whose bytes are in the temp file, with the digest they hashed to. A line is appended only
// after its range's bytes were written, so a killed process never leaves a line for bytes it did not write.
// The lines are not fsynced: after a power loss a line may outlive its bytes, which the rerun's re-hash finds
// (the bytes on disk no longer hash to the line's digest) and fetches again. The digests only choose which
// ranges to fetch again; the proof is always computed from the bytes on disk.
import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Segment } from "./proof-plan.js";

const FORMAT = "s3vu-download-resume/1";
/** Far above a record's size (a line of at most ~60 bytes per range): anything larger is not a record. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** What must be the same for a kept temp file's ranges to be reused. */
export interface ResumeIdentity {
  key: string;
  etag: string;
  /** null when the bucket is not versioned. */
  versionId: string | null;
  size: number;
  /** The hash each recorded digest is of (the proof's algorithm). */
  algorithm: string;
  /** How many ranges, and a digest of their offsets and sizes: another part-size or part layout differs. */
  ranges: number;
  layout: string;
}

export interface ResumeHeader extends ResumeIdentity {
  format: typeof FORMAT;
  /** The temp file's name, in the destination's folder. */
  temp: string;
}

export interface ResumeRecord {
  header: ResumeHeader;
  /** Ranges recorded as written, by index, with the digest of their bytes then (the last line wins). */
  written: Map<number, Buffer>;
}

export function resumeRecordPath(destination: string): string {
  return join(dirname(destination), `.${basename(destination)}.s3vu-resume`);
}

export function layoutOf(segments: readonly Segment[]): string {
  const hash = createHash("sha256");
  for (const segment of segments) hash.update(`${segment.offset}+${segment.size},`);
  return hash.digest("hex");
}

function isHeader(value: unknown): value is ResumeHeader {
  const header = value as Partial<ResumeHeader> | null;
  return (
    typeof header === "object" &&
    header !== null &&
    header.format === FORMAT &&
    typeof header.key === "string" &&
    typeof header.etag === "string" &&
    (header.versionId === null || typeof header.versionId === "string") &&
    Number.isSafeInteger(header.size) &&
    typeof header.algorithm === "string" &&
    Number.isSafeInteger(header.ranges) &&
    typeof header.layout === "string" &&
    typeof header.temp === "string"
  );
}

/**
 * The record at `path`: null when there is none, "unreadable" when the file is not a record of this format
 * (e.g. cut short before its header was written). Lines of ranges that do not parse are left out: a range
 * not recorded is fetched again.
 */
export async function readResumeRecord(path: string): Promise<ResumeRecord | "unreadable" | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let text: string;
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_RECORD_BYTES) return "unreadable";
    text = await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
  // Only whole lines count: the last one may have been cut by a crash.
  const lines = text.split("\n").slice(0, -1);
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? "");
  } catch {
    return "unreadable";
  }
  if (!isHeader(header)) return "unreadable";
  const written = new Map<number, Buffer>();
  for (const line of lines.slice(1)) {
    const match = /^(\d+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    const index = Number(match?.[1]);
    if (match && index < header.ranges) written.set(index, Buffer.from(match[2]!, "base64"));
  }
  return { header, written };
}

/** Appends a line per range written, after its bytes are. */
export class ResumeLog {
  private constructor(private readonly handle: FileHandle) {}

  /** A new record for a new temp file, replacing any record at `path`. */
  static async create(path: string, header: Omit<ResumeHeader, "format">): Promise<ResumeLog> {
    const handle = await open(path, "w", 0o644);
    try {
      await handle.writeFile(`${JSON.stringify({ format: FORMAT, ...header })}\n`);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new ResumeLog(handle);
  }

  /** The existing record at `path`, to add the ranges this run writes. */
  static async reopen(path: string): Promise<ResumeLog> {
    return new ResumeLog(await open(path, "a"));
  }

  /** One write per line, in append mode: concurrent ranges never interleave within a line. */
  async written(index: number, digest: Buffer): Promise<void> {
    await this.handle.write(`${index} ${digest.toString("base64")}\n`);
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/**
 * The file name whose download would use `name` as its temp file or resume record (this tool's work files),
 * and which of the two; null for any other name.
 */
export function workFileOf(name: string): { owner: string; kind: "temp file" | "resume record" } | null {
  const match = /^\.(.+)\.s3vu-(?:([0-9a-f]{12}\.part)|resume)$/.exec(name);
  if (match === null) return null;
  return { owner: match[1]!, kind: match[2] === undefined ? "resume record" : "temp file" };
}
