// The whole-file SHA-256 computed from the parts' reads: parts are read concurrently and finish in any order,
// yet the digest must equal node:crypto's over the whole file; a part re-read for a retry is not hashed again;
// parts this pass does not read (sent first, or kept on resume) are read for the hash alone, checked against
// the digests they are proven with.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, open, rm, writeFile, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { identityOf } from "../../src/engine/upload/file-identity.js";
import { OrderedSha256, type PartProof } from "../../src/engine/checksum/ordered-sha256.js";
import { hashPart, readPart, type OpenFile, type PartDigest } from "../../src/engine/upload/part-reader.js";
import { sendPart, type Sender } from "../../src/engine/upload/part-transfer.js";
import { planUpload, S3_LIMITS, type PlannedPart } from "../../src/engine/upload/plan.js";
import { Limiter, TransferPool } from "../../src/engine/pool.js";
import type { FileContext } from "../../src/engine/run-context.js";
import type { S3Store } from "../../src/engine/s3/s3-client.js";
import type { EngineOptions } from "../../src/engine/types.js";
import { PROFILES } from "../../src/engine/s3/providers.js";

const KiB = 1024;
const PART = 5 * KiB;
let dir: string;
let handle: FileHandle | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-sha256-"));
});
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fileOf(
  name: string,
  size: number,
): Promise<{ file: OpenFile; bytes: Buffer; parts: PlannedPart[] }> {
  const bytes = randomBytes(size);
  const filePath = path.join(dir, name);
  await writeFile(filePath, bytes);
  handle = await open(filePath, "r");
  const planned = planUpload({
    size,
    partSize: PART,
    multipartThreshold: PART,
    limits: { ...S3_LIMITS, minPartSize: KiB },
  });
  if (!planned.ok) throw new Error(planned.error);
  return {
    file: { fd: handle.fd, identity: identityOf(await handle.stat({ bigint: true })) },
    bytes,
    parts: planned.plan.parts,
  };
}

function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function readAndDigest(
  file: OpenFile,
  part: PlannedPart,
): Promise<{ bytes: Buffer; digest: PartDigest }> {
  const bytes = Buffer.alloc(part.size);
  await readPart(file, part, bytes);
  return { bytes, digest: await hashPart(part, bytes, "CRC64NVME", false) };
}

function proofs(digests: Map<number, PartDigest>): PartProof[] {
  return [...digests.values()].sort((a, b) => a.number - b.number);
}

describe("OrderedSha256", () => {
  it("equals node:crypto over the whole file when parts finish their reads in reverse order", async () => {
    const { file, bytes, parts } = await fileOf("reverse.bin", 7 * PART + 123);
    const hasher = new OrderedSha256(file, parts, { algorithm: "CRC64NVME", rereadParts: new Set() });
    const digests = new Map<number, PartDigest>();
    const fed: Array<Promise<void>> = [];
    const order: number[] = [];
    for (const part of [...parts].reverse()) {
      const read = await readAndDigest(file, part);
      digests.set(part.number, read.digest);
      // Each feed waits for the earlier parts; it must not block the later ones being fed meanwhile.
      fed.push(hasher.feed(part, read.bytes, read.digest).then(() => void order.push(part.number)));
    }
    await Promise.all(fed);
    expect(order).toEqual(parts.map((part) => part.number));
    expect(await hasher.finish(proofs(digests))).toBe(sha256Hex(bytes));
  });

  it("hashes a part once: a buffer re-read for a retry after its feed is not hashed again", async () => {
    const { file, bytes, parts } = await fileOf("retry.bin", 3 * PART);
    const hasher = new OrderedSha256(file, parts, { algorithm: "CRC64NVME", rereadParts: new Set() });
    const digests = new Map<number, PartDigest>();
    for (const part of parts) {
      const read = await readAndDigest(file, part);
      digests.set(part.number, read.digest);
      await hasher.feed(part, read.bytes, read.digest);
      // The retry path reads the part into the same buffer again; nothing of it reaches the hash.
      await readPart(file, part, read.bytes);
    }
    expect(await hasher.finish(proofs(digests))).toBe(sha256Hex(bytes));
  });

  it("reads the parts it is not fed (sent first, kept on resume) for the hash alone, in their turn", async () => {
    const { file, bytes, parts } = await fileOf("reread.bin", 6 * PART + 1);
    const last = parts.at(-1)!.number;
    const hasher = new OrderedSha256(file, parts, {
      algorithm: "CRC64NVME",
      rereadParts: new Set([2, 3, last]),
    });
    const digests = new Map<number, PartDigest>();
    for (const part of parts) {
      const read = await readAndDigest(file, part);
      digests.set(part.number, read.digest);
      if (![2, 3, last].includes(part.number)) await hasher.feed(part, read.bytes, read.digest);
    }
    expect(await hasher.finish(proofs(digests))).toBe(sha256Hex(bytes));
  });

  it("refuses a digest when a part read for the hash alone differs from the bytes it is proven with", async () => {
    const { file, parts } = await fileOf("changed.bin", 3 * PART);
    const hasher = new OrderedSha256(file, parts, { algorithm: "CRC64NVME", rereadParts: new Set([3]) });
    const digests = new Map<number, PartDigest>();
    for (const part of parts) {
      const read = await readAndDigest(file, part);
      digests.set(part.number, read.digest);
      if (part.number !== 3) await hasher.feed(part, read.bytes, read.digest);
    }
    const sent = digests.get(3)!;
    digests.set(3, { ...sent, digest: Buffer.alloc(sent.digest!.length) });
    await expect(hasher.finish(proofs(digests))).rejects.toThrow(/part 3 .*changed during the upload/);
  });

  it("refuses a digest when the bytes proven for a part (a repair's read) are not the bytes hashed", async () => {
    const { file, parts } = await fileOf("repair.bin", 2 * PART);
    const hasher = new OrderedSha256(file, parts, { algorithm: null, rereadParts: new Set() });
    const proven: PartProof[] = [];
    for (const part of parts) {
      const bytes = Buffer.alloc(part.size);
      await readPart(file, part, bytes);
      const digest = await hashPart(part, bytes, null, true);
      await hasher.feed(part, bytes, digest);
      proven.push(part.number === 2 ? { ...digest, md5: Buffer.alloc(16) } : digest);
    }
    await expect(hasher.finish(proven)).rejects.toThrow(/part 2 .*changed during the upload/);
  });

  it("after abandon, parts waiting for their turn go on without hashing and nothing is left running", async () => {
    const { file, parts } = await fileOf("abandon.bin", 4 * PART);
    const hasher = new OrderedSha256(file, parts, { algorithm: "CRC64NVME", rereadParts: new Set() });
    const read = await readAndDigest(file, parts[2]!);
    const waiting = hasher.feed(parts[2]!, read.bytes, read.digest);
    // Part 1 failed before its read: the file fails, and part 3 must not wait for it forever.
    hasher.abandon();
    await waiting;
    await hasher.settled();
    await expect(hasher.finish([])).rejects.toThrow(/abandoned/);
  });

  it("is the empty file's digest for a zero-byte file", async () => {
    const { file, bytes, parts } = await fileOf("empty.bin", 0);
    const hasher = new OrderedSha256(file, parts, { algorithm: "CRC64NVME", rereadParts: new Set() });
    const read = await readAndDigest(file, parts[0]!);
    await hasher.feed(parts[0]!, read.bytes, read.digest);
    expect(await hasher.finish([read.digest])).toBe(sha256Hex(bytes));
  });

  it("a read for the hash alone that fails opens every turn: parts fed before and after it go on", async () => {
    const { file, parts } = await fileOf("reread-fails.bin", 4 * PART);
    // The hasher's view of the file is of another version (size differs): its own read is refused.
    const stale: OpenFile = { fd: file.fd, identity: { ...file.identity!, size: file.identity!.size + 1n } };
    const hasher = new OrderedSha256(stale, parts, { algorithm: "CRC64NVME", rereadParts: new Set([1]) });
    const feed = async (part: PlannedPart): Promise<void> => {
      const read = await readAndDigest(file, part);
      await hasher.feed(part, read.bytes, read.digest);
    };
    // Part 4 waits for part 3's turn; parts 2 and 3 come only after the failed read.
    const last = feed(parts[3]!);
    await hasher.settled().catch(() => undefined);
    await Promise.all([feed(parts[1]!), feed(parts[2]!), last]);
    await expect(hasher.finish([])).rejects.toThrow(/the file changed during the upload \(size/);
  });

  // Parts wait in their pool slots for their turn; one failing before its bytes are hashed must release them,
  // or the upload would never finish its running parts (nor abort).
  it("sendPart: a part whose read fails before its feed releases the later part waiting for its turn", async () => {
    const { file, parts } = await fileOf("fails.bin", 2 * PART);
    const hasher = new OrderedSha256(file, parts, { algorithm: "CRC64NVME", rereadParts: new Set() });
    const ctx: FileContext = {
      run: {
        options: { contentMd5: false } as EngineOptions,
        store: {} as S3Store,
        pool: new TransferPool(2),
        smallPuts: new TransferPool(4),
        multipartFiles: new Limiter(4),
        limits: S3_LIMITS,
        provider: PROFILES.generic,
        retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        algorithm: "CRC64NVME",
        checksumType: "FULL_OBJECT",
        listing: {
          lookup: () => Promise.resolve(undefined),
          listAhead: () => undefined,
          listedBefore: () => Promise.resolve(undefined),
        },
        emit: () => undefined,
      },
      file: { path: "fails.bin", key: "k" },
      headers: { contentType: "x" },
      signal: undefined,
    };
    const send: Sender = async (_body, checksums) => ({ etag: "e", checksums });
    // Part 1 as planned, but past the end of the file: its read fails ("the file ended").
    const beyond = { ...parts[0]!, offset: 10 * PART };
    const outcomes = await Promise.allSettled([
      sendPart(ctx, file, beyond, "UploadPart 1", send, false, { sha256: hasher }),
      sendPart(ctx, file, parts[1]!, "UploadPart 2", send, false, { sha256: hasher }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "fulfilled"]);
    await expect(hasher.finish([])).rejects.toThrow(/abandoned/);
  });
});
