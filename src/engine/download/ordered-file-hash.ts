// Digests of a whole file (a single PUT's SHA1/SHA256 or MD5 ETag, the sha256 output) while its ranges
// arrive in parallel and finish in any order. Such a digest must see the bytes in file order, and a range's
// bytes cannot wait in memory for the ranges before it (memory stays concurrency × a small buffer), so the
// hash follows the file: once a range and every range before it are on disk, it reads them back from the temp
// file, through one small buffer, and hashes them. The digest is therefore of the bytes written, which is what
// the proof and the sha256 output must be about. The read-back mostly hits the page cache the writes filled.
import type { FileHandle } from "node:fs/promises";
import type { PartHasher } from "../checksum/index.js";
import type { Segment } from "./proof-plan.js";

const CHUNK = 1024 * 1024;

export class OrderedFileHash {
  private readonly onDisk: boolean[];
  private next = 0;
  private pump: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private buffer: Buffer | null = null;

  constructor(
    private readonly handle: FileHandle,
    private readonly segments: readonly Segment[],
    private readonly hashers: readonly PartHasher[],
  ) {
    this.onDisk = segments.map(() => false);
  }

  /** Segment `index`'s bytes are all on disk: hashes it, and any after it already written, in turn. */
  rangeWritten(index: number): void {
    this.onDisk[index] = true;
    if (index !== this.next) return;
    this.pump = this.pump.then(() => this.catchUp());
  }

  /**
   * Each hasher's digest once every segment is hashed; throws when a read failed or a segment was never
   * written.
   */
  async digests(): Promise<Buffer[]> {
    await this.pump;
    if (this.failure !== null) throw this.failure;
    if (this.next !== this.segments.length) {
      throw new Error(`OrderedFileHash: range ${this.next + 1} of ${this.segments.length} was never written`);
    }
    return this.hashers.map((hasher) => hasher.digest());
  }

  /** Settles once no read is in flight, so the temp file may be closed. */
  async settled(): Promise<void> {
    await this.pump;
  }

  private async catchUp(): Promise<void> {
    while (this.failure === null && this.next < this.segments.length && this.onDisk[this.next]) {
      try {
        await this.hashSegment(this.segments[this.next]!);
      } catch (error) {
        this.failure = error;
        return;
      }
      this.next++;
    }
  }

  private async hashSegment(segment: Segment): Promise<void> {
    this.buffer ??= Buffer.allocUnsafe(CHUNK);
    for (let done = 0; done < segment.size;) {
      const want = Math.min(this.buffer.byteLength, segment.size - done);
      const { bytesRead } = await this.handle.read(this.buffer, 0, want, segment.offset + done);
      if (bytesRead === 0) {
        throw new Error(
          `the temp file ends at byte ${segment.offset + done}, inside a range written in full`,
        );
      }
      const bytes = this.buffer.subarray(0, bytesRead);
      for (const hasher of this.hashers) hasher.update(bytes);
      done += bytesRead;
    }
  }
}
