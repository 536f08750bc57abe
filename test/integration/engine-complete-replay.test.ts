// A CompleteMultipartUpload whose answer was lost is retried. AWS answers the retry NoSuchUpload (covered in
// engine-proof.test.ts); Ceph RGW and other stores answer it 200 with the first answer again. The emulator's
// completeReplay "same-answer" plays the second kind, so the engine is held to the invariant against both.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type ChecksumAlgorithm } from "../../src/engine/index.js";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import {
  KiB,
  PART,
  emulatorEngineOptions,
  startWorkspace,
  stopWorkspace,
  type EmulatorWorkspace,
} from "../helpers/engine.js";

const BUCKET = "replay";
let workspace: EmulatorWorkspace;
let proxy: FaultProxy;
/** Keys whose first Complete answer the proxy drops after the store acted. */
const loseFirstComplete = new Set<string>();

beforeAll(async () => {
  workspace = await startWorkspace(
    { minPartSize: KiB, buckets: [BUCKET], completeReplay: "same-answer" },
    "svu-replay-",
  );
  proxy = await startFaultProxy(workspace.emulator.endpoint, (request) =>
    request.operation === "CompleteMultipartUpload" &&
    request.key !== undefined &&
    loseFirstComplete.delete(request.key)
      ? { loseResponse: true }
      : undefined,
  );
});

afterAll(async () => {
  await proxy?.stop();
  await stopWorkspace(workspace ?? {});
});

describe("a lost Complete answer against a store that replays the first answer (completeReplay same-answer)", () => {
  const cases: Array<[ChecksumAlgorithm | null, boolean]> = [
    ["CRC64NVME", true],
    ["CRC64NVME", false],
    ["SHA256", false],
    [null, true],
  ];
  for (const [algorithm, overwrite] of cases) {
    it(`ends exact and proven (${algorithm ?? "MD5"}, overwrite ${overwrite}), nothing left behind`, async () => {
      const { emulator, sdk, dir } = workspace;
      const name = `${algorithm ?? "md5"}-${overwrite}.bin`;
      const bytes = randomBytes(3 * PART + 11);
      await writeFile(path.join(dir, name), bytes);
      const key = `r/${name}`;
      loseFirstComplete.add(key);
      const base = emulatorEngineOptions(emulator, BUCKET, {
        checksumAlgorithm: algorithm,
        overwrite,
        tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 15_000 },
      });
      const result = await runUploads([{ path: path.join(dir, name), key }], {
        ...base,
        s3: { ...base.s3, endpoint: proxy.endpoint },
      });
      expect(loseFirstComplete.has(key), "the first Complete answer was dropped").toBe(false);
      const completes = emulator.requestLog.filter(
        (entry) => entry.operation === "CompleteMultipartUpload" && entry.key === key,
      );
      // The retry met the replayed 200, not a NoSuchUpload: this is the path under test.
      expect(completes.map((entry) => entry.status)).toEqual([200, 200]);
      expect(result.files[0]?.error).toBeUndefined();
      expect(result.files[0]).toMatchObject({
        status: "uploaded",
        verified: true,
        verification: algorithm === null ? "etag-md5" : "checksum",
      });
      const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(Buffer.from(await answer.Body!.transformToByteArray()).equals(bytes)).toBe(true);
      const pending = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
      expect(pending.Uploads ?? []).toEqual([]);
    });
  }
});
