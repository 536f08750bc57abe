// ListMultipartUploads on the lean path past one page (the store's 1,000): the next key and upload-id markers
// the store wrote are carried back as it wrote them, so every pending upload is found exactly once, keys that
// need escaping (a control character, a space, "+", "&", "%") among them and on the page boundary.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listPendingUploads } from "../../src/engine/cleanup/cleanup.js";
import { createS3Store, type S3Store } from "../../src/engine/s3/s3-client.js";
import { startEmulator, type Emulator } from "../emulator/index.js";

const BUCKET = "paging";
let emulator: Emulator;
let store: S3Store;

beforeAll(async () => {
  emulator = await startEmulator({ buckets: [BUCKET] });
  store = createS3Store(
    {
      endpoint: emulator.endpoint,
      region: emulator.region,
      forcePathStyle: true,
      credentials: emulator.credentials,
    },
    { maxSockets: 8, stallTimeoutMs: 30_000 },
  );
});

afterAll(async () => {
  store?.destroy();
  await emulator?.stop();
});

describe("ListMultipartUploads pages on the lean path", () => {
  it(
    "finds all 1,004 pending uploads across two pages, the boundary inside one control-character key",
    { timeout: 120_000 },
    async () => {
      // In key order the two uploads of the control-character key are entries 1,000 and 1,001: the first page
      // ends between them, so the next page starts from that key and its first upload's id.
      const odd = ["p/0000a.bin", "p/0998 \u0001x.bin", "p/0998 \u0001x.bin", "p/0999 a+b&c%.bin"];
      const plain = Array.from({ length: 1000 }, (_, index) => `p/${String(index).padStart(4, "0")}.bin`);
      const keys = [...plain, ...odd];
      const created: Array<{ key: string; uploadId: string }> = [];
      for (let at = 0; at < keys.length; at += 8) {
        const batch = keys.slice(at, at + 8);
        const ids = await Promise.all(
          batch.map((key) =>
            store.createMultipartUpload({
              bucket: BUCKET,
              key,
              headers: { contentType: "application/octet-stream" },
              algorithm: "CRC64NVME",
              checksumType: "FULL_OBJECT",
            }),
          ),
        );
        created.push(...batch.map((key, index) => ({ key, uploadId: ids[index]! })));
      }
      const first = await store.listUploadsPage({ bucket: BUCKET, prefix: "p/" });
      expect(first.uploads).toHaveLength(1000);
      expect(first.next?.keyMarker).toBe("p/0998 \u0001x.bin");
      const mark = emulator.requestLog.length;
      const listed = await listPendingUploads(store, BUCKET, "p/", (operation) => operation());
      const pages = emulator.requestLog
        .slice(mark)
        .filter((entry) => entry.operation === "ListMultipartUploads");
      expect(pages).toHaveLength(2);
      const page2 = emulator.requestLog
        .slice(mark)
        .filter((entry) => entry.operation === "ListMultipartUploads")[1];
      expect(page2?.status).toBe(200);
      const byId = (a: { uploadId: string }, b: { uploadId: string }) => (a.uploadId < b.uploadId ? -1 : 1);
      expect(listed.map(({ key, uploadId }) => ({ key, uploadId })).sort(byId)).toEqual(created.sort(byId));
      expect(listed.every((upload) => upload.initiated instanceof Date)).toBe(true);
      expect(listed.every((upload) => upload.checksumAlgorithm === "CRC64NVME")).toBe(true);
    },
  );
});
