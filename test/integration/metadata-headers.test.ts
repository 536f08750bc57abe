// Metadata names as users write them (mixed case) and values with inner runs of spaces must reach the store
// on both paths: the lean signed PutObject (single PUT) and the SDK's CreateMultipartUpload. Stores keep
// metadata names in lower case, so that is what HeadObject gives back.
import { randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUploads, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";

const MiB = 1024 * 1024;
const METADATA = { "Build-Id": "42", COMMIT: "abc123", "x-Note": "two  spaces inside" };
const STORED = { "build-id": "42", commit: "abc123", "x-note": "two  spaces inside" };

interface Store {
  options: (overrides?: Partial<EngineOptions>) => EngineOptions;
  sdk: S3Client;
  bucket: string;
  dir: string;
}

async function localFile(store: Store, name: string, size: number): Promise<LocalFile> {
  const filePath = path.join(store.dir, name);
  await writeFile(filePath, randomBytes(size));
  return { path: filePath, key: `meta/${name}` };
}

function metadataCases(store: () => Store, multipartSize: number): void {
  it("stores mixed-case metadata names on a single PutObject", async () => {
    const file = await localFile(store(), "single.bin", 1000);
    const result = await runUploads([file], store().options({ object: { metadata: METADATA } }));
    expect(result.files[0]?.error).toBeUndefined();
    expect(result.files[0]).toMatchObject({ status: "uploaded", multipart: false, verified: true });
    const head = await store().sdk.send(new HeadObjectCommand({ Bucket: store().bucket, Key: file.key }));
    expect(head.Metadata).toMatchObject(STORED);
  });

  it("stores mixed-case metadata names on a multipart upload", async () => {
    const file = await localFile(store(), "multi.bin", multipartSize);
    const result = await runUploads([file], store().options({ object: { metadata: METADATA } }));
    expect(result.files[0]?.error).toBeUndefined();
    expect(result.files[0]).toMatchObject({ status: "uploaded", multipart: true, verified: true });
    const head = await store().sdk.send(new HeadObjectCommand({ Bucket: store().bucket, Key: file.key }));
    expect(head.Metadata).toMatchObject(STORED);
  });
}

describe("metadata names against the emulator", () => {
  let emulator: Emulator;
  let sdk: S3Client;
  let dir: string;
  const bucket = "metadata";
  beforeAll(async () => {
    ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: 1024, buckets: [bucket] }, "svu-meta-"));
  });
  afterAll(() => stopWorkspace({ emulator, sdk, dir }));

  metadataCases(
    () => ({
      options: (overrides) => emulatorEngineOptions(emulator, bucket, overrides),
      sdk,
      bucket,
      dir,
    }),
    2 * PART + 1,
  );
});

const env = startRgw();

describe.skipIf(env === null)("metadata names against Ceph RGW", () => {
  const bucket = `svu-meta-${randomUUID().slice(0, 8)}`;
  let sdk: S3Client;
  let s3: EngineOptions["s3"];
  let dir = "";
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-meta-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  metadataCases(
    () => ({ options: (overrides) => rgwEngineOptions(bucket, s3, overrides), sdk, bucket, dir }),
    5 * MiB + 1,
  );
});
