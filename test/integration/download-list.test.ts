// listRemoteFiles: every object under the prefix, across ListObjectsV2 pages (1,000 keys each).
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listRemoteFiles } from "../../src/engine/download/index.js";
import { mapLimited } from "../../src/engine/pool.js";
import type { Emulator } from "../emulator/index.js";
import { startWorkspace, stopWorkspace } from "../helpers/engine.js";

const BUCKET = "listing";
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace({ buckets: [BUCKET] }, "svu-download-list-"));
});

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

it(
  "lists every key under the prefix across pages, with sizes, and nothing outside it",
  { timeout: 180_000 },
  async () => {
    const keys = Array.from({ length: 1003 }, (_, index) => `in/${String(index).padStart(4, "0")}`);
    await mapLimited([...keys, "other/x", "in"], 16, (key, index) =>
      sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(index % 7) })),
    );
    const listed = await listRemoteFiles({
      bucket: BUCKET,
      prefix: "in/",
      s3: {
        endpoint: emulator.endpoint,
        region: emulator.region,
        forcePathStyle: true,
        credentials: emulator.credentials,
      },
    });
    expect(listed.map((object) => object.key)).toEqual(keys);
    expect(listed.map((object) => object.size)).toEqual(keys.map((_, index) => index % 7));
    expect(emulator.requestLog.filter((entry) => entry.operation === "ListObjectsV2")).toHaveLength(2);
  },
);
