// Verified download against the strict emulator: objects this tool uploaded with every algorithm and type,
// by single PutObject and multipart, and with no checksum, come back byte-exact with the expected proof; a
// damaged stored object, a transient GET fault and an object replaced mid-download end in an exact file or a
// failure that leaves nothing at the destination.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runUploads, type ChecksumAlgorithm, type ChecksumType } from "../../src/engine/index.js";
import { runDownloads, type DownloadOptions, type RemoteFile } from "../../src/engine/download/index.js";
import type { Emulator } from "../emulator/index.js";
import { startFaultProxy, type ProxiedRequest, type ProxyAction } from "../helpers/fault-proxy.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "downloads";
/** Ranges smaller than the uploads' parts, so FULL_OBJECT proofs combine ranges that are not parts. */
const RANGE = 16 * KiB;

let emulator: Emulator;
let sdk: S3Client;
let dir: string;
let dataDir: string;
let caseNumber = 0;
let caseDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "svu-download-store-"));
  ({ emulator, sdk, dir } = await startWorkspace(
    { minPartSize: KiB, buckets: [BUCKET], dataDir },
    "svu-download-",
  ));
});

afterAll(async () => {
  await stopWorkspace({ emulator, sdk, dir });
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  emulator.faults.clear();
  caseDir = path.join(dir, `case-${++caseNumber}`);
  await mkdir(path.join(caseDir, "src"), { recursive: true });
  await mkdir(path.join(caseDir, "out"), { recursive: true });
});

function downloadOptions(overrides: Partial<DownloadOptions> = {}): DownloadOptions {
  const base = emulatorEngineOptions(emulator, BUCKET);
  return {
    bucket: BUCKET,
    s3: base.s3,
    concurrency: 4,
    partSize: RANGE,
    overwrite: false,
    verify: true,
    requireChecksums: false,
    dryRun: false,
    onFailure: "abort",
    tuning: { retryBaseDelayMs: 5 },
    ...overrides,
  };
}

/** Uploads `size` random bytes with this tool and returns them and where they download to. */
async function uploaded(
  name: string,
  size: number,
  algorithm: ChecksumAlgorithm | null,
  checksumType?: ChecksumType,
  bytes: Buffer = randomBytes(size),
): Promise<{ bytes: Buffer; remote: RemoteFile }> {
  const source = path.join(caseDir, "src", name);
  await writeFile(source, bytes);
  const key = `case-${caseNumber}/${name}`;
  const upload = await runUploads(
    [{ path: source, key }],
    emulatorEngineOptions(emulator, BUCKET, {
      checksumAlgorithm: algorithm,
      ...(checksumType ? { checksumType } : {}),
    }),
  );
  expect(upload.files[0]?.error).toBeUndefined();
  return { bytes, remote: { key, path: path.join(caseDir, "out", name) } };
}

/** Bit rot on the store: flips one byte of the stored payload file (object or part) holding exactly `bytes`. */
async function damageStored(bytes: Buffer): Promise<void> {
  for (const kind of ["objects", "parts"]) {
    const folder = path.join(dataDir, kind);
    for (const name of await readdir(folder)) {
      const file = path.join(folder, name);
      const stored = await readFile(file);
      if (!stored.equals(bytes)) continue;
      stored[7]! ^= 0xff;
      await writeFile(file, stored);
      return;
    }
  }
  throw new Error("no stored payload holds these bytes");
}

async function putObject(key: string, body: Buffer): Promise<void> {
  await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ChecksumAlgorithm: "CRC32" }));
}

/** Runs `task` against a fault proxy in front of the emulator that acts as `decide` says per request. */
async function throughProxy<T>(
  decide: (request: ProxiedRequest) => ProxyAction | undefined,
  task: (endpoint: string) => Promise<T>,
): Promise<T> {
  const proxy = await startFaultProxy(emulator.endpoint, decide);
  try {
    return await task(proxy.endpoint);
  } finally {
    await proxy.stop();
  }
}

async function outFiles(): Promise<string[]> {
  return (await readdir(path.join(caseDir, "out"))).sort();
}

describe("objects uploaded by this tool download byte-exact with the expected proof", () => {
  const cases: Array<[ChecksumAlgorithm | null, ChecksumType | undefined, string]> = [
    ["CRC64NVME", "FULL_OBJECT", "FULL_OBJECT"],
    ["CRC32", "FULL_OBJECT", "FULL_OBJECT"],
    ["CRC32C", "FULL_OBJECT", "FULL_OBJECT"],
    ["SHA1", "COMPOSITE", "COMPOSITE"],
    ["SHA256", "COMPOSITE", "COMPOSITE"],
    ["CRC32", "COMPOSITE", "COMPOSITE"],
  ];
  for (const [algorithm, type, multipartType] of cases) {
    for (const [shape, size] of [
      ["single PutObject", PART - 100],
      ["multipart", 3 * PART + 1234],
    ] as const) {
      it(`${algorithm} ${type}, ${shape}`, async () => {
        const { bytes, remote } = await uploaded("file.bin", size, algorithm, type);
        const run = await runDownloads([remote], downloadOptions());
        const result = run.files[0]!;
        expect(result.error).toBeUndefined();
        expect(run.ok).toBe(true);
        expect(result).toMatchObject({
          status: "downloaded",
          verification: "checksum",
          verified: true,
          checksumAlgorithm: algorithm,
          checksumType: shape === "multipart" ? multipartType : "FULL_OBJECT",
          size,
        });
        expect(result.checksumLocal).toBe(result.checksumRemote);
        if (shape === "multipart" && multipartType === "COMPOSITE") {
          expect(result.checksumRemote).toMatch(/-4$/);
        }
        expect((await readFile(remote.path)).equals(bytes)).toBe(true);
        expect(await outFiles()).toEqual(["file.bin"]);
      });
    }
  }

  // S3 (and the emulator) give an object sent without a checksum its own CRC64NVME: that is the proof.
  // Objects with none at all (Ceph RGW) are proven by ETag in download-rgw.test.ts.
  for (const [shape, size] of [
    ["single PutObject", 5000],
    ["multipart", 2 * PART + 77],
  ] as const) {
    it(`no checksum sent, ${shape}: proven by the store's default CRC64NVME`, async () => {
      const { bytes, remote } = await uploaded("plain.bin", size, null);
      const result = (await runDownloads([remote], downloadOptions())).files[0]!;
      expect(result).toMatchObject({
        status: "downloaded",
        verification: "checksum",
        verified: true,
        checksumAlgorithm: "CRC64NVME",
      });
      expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    });
  }
  it("an empty object", async () => {
    const { remote } = await uploaded("empty.bin", 0, "CRC64NVME");
    const result = (await runDownloads([remote], downloadOptions())).files[0]!;
    expect(result).toMatchObject({ status: "downloaded", verified: true, size: 0 });
    expect((await readFile(remote.path)).byteLength).toBe(0);
  });
});

describe("a damaged or changing object never reaches the destination", () => {
  it("a stored byte flipped under a CRC64NVME checksum fails with no file at the destination", async () => {
    const { bytes, remote } = await uploaded("damaged.bin", 40 * KiB, "CRC64NVME");
    await damageStored(bytes);
    const run = await runDownloads([remote], downloadOptions());
    expect(run.ok).toBe(false);
    expect(run.files[0]).toMatchObject({ status: "failed", verified: false, verification: "checksum" });
    expect(run.files[0]!.error).toMatch(/verify .*damaged\.bin failed: .*CRC64NVME/);
    // Fetched twice (damage on the way heals on a second fetch; damage in the store does not).
    const gets = emulator.requestLog.filter(
      (entry) => entry.operation === "GetObject" && entry.key === remote.key,
    );
    expect(gets).toHaveLength(2 * 3);
    expect(await outFiles()).toEqual([]);
  });

  it("a stored byte flipped in part 2 of a SHA256 COMPOSITE object fails on that part, with no file at the destination", async () => {
    const { bytes, remote } = await uploaded("damaged-mp.bin", 2 * PART + 5, "SHA256");
    await damageStored(bytes.subarray(PART, 2 * PART));
    const run = await runDownloads([remote], downloadOptions());
    expect(run.files[0]).toMatchObject({
      status: "failed",
      verification: "checksum",
      checksumType: "COMPOSITE",
    });
    expect(run.files[0]!.error).toMatch(/part 2 \(bytes 65536-131071\) has SHA256/);
    expect(await outFiles()).toEqual([]);
  });

  it("on-failure keep leaves the temp file and its resume record beside the destination, never the destination", async () => {
    const { bytes, remote } = await uploaded("kept.bin", 20 * KiB, "CRC32C");
    await damageStored(bytes);
    const run = await runDownloads([remote], downloadOptions({ onFailure: "keep" }));
    expect(run.files[0]!.status).toBe("failed");
    const left = await outFiles();
    expect(left).toHaveLength(2);
    expect(left[0]).toMatch(/^\.kept\.bin\.s3vu-[0-9a-f]+\.part$/);
    expect(left[1]).toBe(".kept.bin.s3vu-resume");
  });
  it("a reset and a 500 on GETs are retried from the range's start: the file is exact", async () => {
    const { bytes, remote } = await uploaded("flaky.bin", 5 * RANGE + 3, "CRC64NVME");
    emulator.faults.add({ operation: "GetObject", action: "reset", calls: [2] });
    emulator.faults.add({ operation: "GetObject", action: "500", calls: [4] });
    const run = await runDownloads([remote], downloadOptions());
    expect(emulator.faults.fired).toEqual([1, 1]);
    expect(run.files[0]).toMatchObject({ status: "downloaded", verified: true });
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
  });

  it("a GET that never answers is cut after the stall timeout and retried: the file is exact", async () => {
    const { bytes, remote } = await uploaded("stalled.bin", 3 * RANGE, "CRC32C");
    emulator.faults.add({ operation: "GetObject", action: "stall", calls: [2] });
    const run = await runDownloads(
      [remote],
      downloadOptions({ tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 1000 } }),
    );
    expect(emulator.faults.fired).toEqual([1]);
    expect(run.files[0]).toMatchObject({ status: "downloaded", verified: true });
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
  });

  it("an object replaced after its HEAD: the GETs fail If-Match (412), the download starts over on the new version", async () => {
    const { remote } = await uploaded("replaced.bin", 4 * RANGE, "CRC64NVME");
    const replacement = randomBytes(3 * RANGE + 11);
    let replaced = 0;
    // Another writer replaces the object just before the first GET reaches the store.
    const result = await throughProxy(
      (request) =>
        request.operation === "GetObject" && replaced++ === 0
          ? { before: () => putObject(remote.key, replacement) }
          : undefined,
      async (endpoint) =>
        (await runDownloads([remote], downloadOptions({ s3: { ...downloadOptions().s3, endpoint } })))
          .files[0]!,
    );
    expect(emulator.requestLog.some((entry) => entry.operation === "GetObject" && entry.status === 412)).toBe(
      true,
    );
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: "downloaded", verified: true, checksumAlgorithm: "CRC32" });
    expect(result.notes[0]).toMatch(/changed during the download/);
    expect((await readFile(remote.path)).equals(replacement)).toBe(true);
    expect(await outFiles()).toEqual(["replaced.bin"]);
  });

  it("an object replaced again after the restart fails with no file at the destination", async () => {
    const { remote } = await uploaded("churn.bin", 4 * RANGE, "CRC64NVME");
    let writes = 0;
    const seen = new Set<string>();
    // Before the first GET of each attempt (after each HEAD), another writer stores new bytes.
    const result = await throughProxy(
      (request) => {
        if (request.operation === "HeadObject") seen.delete("get");
        if (request.operation !== "GetObject" || seen.has("get")) return undefined;
        seen.add("get");
        writes++;
        return { before: () => putObject(remote.key, randomBytes(RANGE)) };
      },
      async (endpoint) =>
        (await runDownloads([remote], downloadOptions({ s3: { ...downloadOptions().s3, endpoint } })))
          .files[0]!,
    );
    expect(writes).toBe(2);
    expect(result).toMatchObject({ status: "failed" });
    expect(result.failure?.code).toBe("PreconditionFailed");
    expect(await outFiles()).toEqual([]);
  });

  it("a GET body corrupted in transit fails the proof; the object is fetched again once and is exact", async () => {
    // ASCII content: the proxy answers with a string body.
    const ascii = Buffer.from(randomBytes((3 * RANGE) / 2).toString("hex"));
    const { bytes, remote } = await uploaded("transit.bin", ascii.length, "CRC64NVME", undefined, ascii);
    const corrupted = Buffer.from(bytes.subarray(0, RANGE));
    corrupted[500]! ^= 0x10;
    let gets = 0;
    // One connection: the first GET is the first range, answered with one byte flipped.
    const result = await throughProxy(
      (request) =>
        request.operation === "GetObject" && gets++ === 0
          ? {
              answer: {
                status: 206,
                headers: { "content-range": `bytes 0-${RANGE - 1}/${bytes.length}`, etag: `"x"` },
                body: corrupted.toString("latin1"),
              },
            }
          : undefined,
      async (endpoint) =>
        (
          await runDownloads(
            [remote],
            downloadOptions({ concurrency: 1, s3: { ...downloadOptions().s3, endpoint } }),
          )
        ).files[0]!,
    );
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: "downloaded", verification: "checksum", verified: true });
    expect(result.notes[0]).toMatch(/did not prove out .*CRC64NVME.*downloaded again once/);
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    expect(await outFiles()).toEqual(["transit.bin"]);
  });
});

describe("the emulator's GET body faults: each ends in an exact file or a failure with no file", () => {
  const gets = (key: string) =>
    emulator.requestLog.filter((entry) => entry.operation === "GetObject" && entry.key === key);

  it("a body cut mid-range is fetched again from the range's start: the file is exact", async () => {
    const { bytes, remote } = await uploaded("cut.bin", 4 * RANGE, "CRC64NVME");
    emulator.faults.add({
      operation: "GetObject",
      action: "cut-body",
      key: remote.key,
      offset: 1000,
      times: 1,
    });
    const run = await runDownloads([remote], downloadOptions());
    expect(run.files[0]).toMatchObject({ status: "downloaded", verified: true });
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    await vi.waitFor(() => expect(gets(remote.key).length).toBe(5));
  });

  it("a body that stalls mid-range is cut after the stall timeout and fetched again: the file is exact", async () => {
    const { bytes, remote } = await uploaded("stall.bin", 4 * RANGE, "CRC64NVME");
    emulator.faults.add({
      operation: "GetObject",
      action: "stall-body",
      key: remote.key,
      offset: 500,
      times: 1,
    });
    const run = await runDownloads(
      [remote],
      downloadOptions({ tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 1000 } }),
    );
    expect(run.files[0]).toMatchObject({ status: "downloaded", verified: true });
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
  });

  it("a binary body corrupted in transit on every GET fails the proof twice, with no file", async () => {
    const { remote } = await uploaded("flipped.bin", 4 * RANGE, "CRC64NVME");
    emulator.faults.add({ operation: "GetObject", action: "corrupt-body", key: remote.key, offset: 7 });
    const run = await runDownloads([remote], downloadOptions());
    expect(run.ok).toBe(false);
    expect(run.files[0]).toMatchObject({ status: "failed", verified: false, verification: "checksum" });
    expect(await outFiles()).toEqual([]);
  });

  it("an object replaced between two ranges: the next range's If-Match fails (412), the download restarts on the new version", async () => {
    const { remote } = await uploaded("between.bin", 4 * RANGE, "CRC64NVME");
    const replacement = randomBytes(4 * RANGE);
    emulator.faults.add({
      operation: "GetObject",
      action: "replace-after",
      key: remote.key,
      body: replacement,
      times: 1,
    });
    const run = await runDownloads([remote], downloadOptions({ concurrency: 1 }));
    expect(run.files[0]).toMatchObject({ status: "downloaded", verified: true });
    expect(run.files[0]!.notes[0]).toMatch(/changed during the download/);
    expect((await readFile(remote.path)).equals(replacement)).toBe(true);
  });
});

describe("expected-manifest: the object must be the one the upload stored", () => {
  it("matches the upload's stored checksum and downloads; a same-size replacement fails before any GET, with no file", async () => {
    const { bytes, remote } = await uploaded("manifested.bin", 40 * KiB, "CRC64NVME");
    const head = await sdk.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: remote.key, ChecksumMode: "ENABLED" }),
    );
    const expected = {
      size: bytes.length,
      checksumAlgorithm: "CRC64NVME" as const,
      checksumType: "FULL_OBJECT" as const,
      checksum: head.ChecksumCRC64NVME!,
      etag: head.ETag!,
    };
    const good = await runDownloads([{ ...remote, expected }], downloadOptions());
    expect(good.files[0]).toMatchObject({ status: "downloaded", verified: true });
    expect(await readFile(remote.path)).toEqual(bytes);

    const other = Buffer.from(bytes);
    other[5]! ^= 0xff;
    await sdk.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: remote.key, Body: other, ChecksumAlgorithm: "CRC64NVME" }),
    );
    const elsewhere = { ...remote, path: path.join(caseDir, "out", "again.bin") };
    const before = emulator.requestLog.length;
    const bad = await runDownloads([{ ...elsewhere, expected }], downloadOptions());
    expect(bad.files[0]).toMatchObject({ status: "failed", verified: false });
    expect(bad.files[0]!.error).toMatch(
      /expected-manifest .*manifested\.bin failed: its CRC64NVME is .*the manifest records/,
    );
    const gets = emulator.requestLog
      .slice(before)
      .filter((entry) => entry.operation === "GetObject" && entry.key === remote.key);
    expect(gets).toEqual([]);
    expect(await outFiles()).toEqual(["manifested.bin"]);
  });
});

describe("the overwrite policy and dry run", () => {
  it("an identical local file is unchanged (by checksum); a different one fails without overwrite and is left as it was", async () => {
    const { bytes, remote } = await uploaded("same.bin", 2 * PART + 9, "SHA256");
    await writeFile(remote.path, bytes);
    const before = emulator.requestLog.length;
    const same = (await runDownloads([remote], downloadOptions())).files[0]!;
    expect(same).toMatchObject({ status: "unchanged", verified: true, verification: "checksum" });
    expect(emulator.requestLog.slice(before).filter((entry) => entry.operation === "GetObject")).toEqual([]);

    const other = Buffer.from(bytes);
    other[100]! ^= 1;
    await writeFile(remote.path, other);
    const refused = (await runDownloads([remote], downloadOptions())).files[0]!;
    expect(refused.status).toBe("failed");
    expect(refused.error).toMatch(/differs from the object.*overwrite/);
    expect((await readFile(remote.path)).equals(other)).toBe(true);

    const replaced = (await runDownloads([remote], downloadOptions({ overwrite: true }))).files[0]!;
    expect(replaced).toMatchObject({ status: "downloaded", verified: true });
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
    expect(await outFiles()).toEqual(["same.bin"]);
  });

  it("a file created at the destination during the download is not replaced without overwrite", async () => {
    const { remote } = await uploaded("raced.bin", 3 * RANGE, "CRC64NVME");
    const run = await runDownloads(
      [remote],
      downloadOptions({
        onEvent: (event) => {
          if (event.type === "file-start") writeFileSync(remote.path, "someone else's");
        },
      }),
    );
    expect(run.files[0]!.status).toBe("failed");
    expect(run.files[0]!.error).toMatch(/write .*raced\.bin failed: EEXIST.*overwrite: true/);
    expect(await readFile(remote.path, "utf8")).toBe("someone else's");
    expect(await outFiles()).toEqual(["raced.bin"]);
  });

  it("a dry run GETs no body and writes nothing", async () => {
    const { remote } = await uploaded("dry.bin", 3000, "CRC64NVME");
    const before = emulator.requestLog.length;
    const result = (await runDownloads([remote], downloadOptions({ dryRun: true }))).files[0]!;
    expect(result).toMatchObject({ status: "dry-run", verification: "checksum", verified: false });
    expect(emulator.requestLog.slice(before).map((entry) => entry.operation)).toEqual(["HeadObject"]);
    expect(await outFiles()).toEqual([]);
  });
});

describe("part-aligned proofs find the parts without a HEAD per part when the upload recorded them", () => {
  const partHeads = (key: string, before: number) =>
    emulator.requestLog
      .slice(before)
      .filter(
        (entry) => entry.operation === "HeadObject" && entry.key === key && entry.partNumber !== undefined,
      );

  it("a SHA256 COMPOSITE object this tool uploaded: no part HEADs, every part proven by the composite", async () => {
    const { bytes, remote } = await uploaded("recorded.bin", 5 * PART + 9, "SHA256");
    const before = emulator.requestLog.length;
    const result = (await runDownloads([remote], downloadOptions())).files[0]!;
    expect(result).toMatchObject({
      status: "downloaded",
      verified: true,
      checksumType: "COMPOSITE",
    });
    expect(result.checksumLocal).toBe(result.checksumRemote);
    expect(result.checksumRemote).toMatch(/-6$/);
    expect(partHeads(remote.key, before)).toEqual([]);
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
  });

  it("a record that fits the part count but not the part sizes fails the proof, then the store's part sizes prove it", async () => {
    const key = `case-${caseNumber}/misrecorded.bin`;
    const sizes = [3 * KiB, 3 * KiB, KiB];
    const bytes = randomBytes(sizes.reduce((a, b) => a + b, 0));
    // Uniform 2.5 KiB parts would also be 3 parts of this object, but not its parts.
    const record = `${bytes.byteLength},${2.5 * KiB}`;
    const upload = await sdk.send(
      new CreateMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        ChecksumAlgorithm: "SHA256",
        Metadata: { "svu-plan": record },
      }),
    );
    const parts: CompletedPart[] = [];
    let offset = 0;
    for (const [index, size] of sizes.entries()) {
      const answer = await sdk.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId: upload.UploadId,
          PartNumber: index + 1,
          Body: bytes.subarray(offset, offset + size),
          ChecksumAlgorithm: "SHA256",
        }),
      );
      parts.push({ PartNumber: index + 1, ETag: answer.ETag, ChecksumSHA256: answer.ChecksumSHA256 });
      offset += size;
    }
    await sdk.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const remote = { key, path: path.join(caseDir, "out", "misrecorded.bin") };
    const before = emulator.requestLog.length;
    const result = (await runDownloads([remote], downloadOptions())).files[0]!;
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: "downloaded", verified: true, checksumType: "COMPOSITE" });
    expect(result.notes[0]).toMatch(/did not prove out .*SHA256 COMPOSITE.*downloaded again once/);
    expect(partHeads(key, before).map((entry) => entry.partNumber)).toEqual([1, 2, 3]);
    expect((await readFile(remote.path)).equals(bytes)).toBe(true);
  });
});
