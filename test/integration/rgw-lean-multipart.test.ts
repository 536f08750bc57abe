// The multipart control calls on the lean path (no SDK) against Ceph RGW, a real third-party S3 server, beside
// the SDK on the same uploads: Create with headers, ListParts page by page, ListMultipartUploads (keys that
// need escaping, a control character among them), Complete, Abort, and the errors the engine
// reads (NoSuchUpload on a gone upload; If-None-Match on Complete as the SDK meets it).
import { randomBytes, randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineOptions } from "../../src/engine/index.js";
import { createS3Store, type S3Store } from "../../src/engine/s3/s3-client.js";
import { deleteBucketAndClose, openRgwBucket, startRgw } from "../helpers/rgw.js";

const MiB = 1024 * 1024;
const env = startRgw();
const bucket = `svu-lean-mpu-${randomUUID().slice(0, 8)}`;
let dir = "";
let sdk: S3Client;
let s3: EngineOptions["s3"];
let store: S3Store;

const KEYS = ["lean/a\u0001b.bin", "lean/b c+d%e&f<g>.bin", "lean/c.bin"];

async function errorOf(promise: Promise<unknown>): Promise<[string, number | undefined]> {
  const error = (await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  )) as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return [error?.name ?? "no error", error?.$metadata?.httpStatusCode];
}

describe.skipIf(env === null)("lean multipart control calls against Ceph RGW", () => {
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-lean-"));
    store = createS3Store(s3, { maxSockets: 4, stallTimeoutMs: 30_000 });
  });

  afterAll(async () => {
    store?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (!sdk) return;
    const left = await sdk.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const upload of left.Uploads ?? []) {
      await sdk.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
    }
    await deleteBucketAndClose(sdk, bucket);
  });

  it("creates, lists (paged), completes and aborts uploads as the SDK sees them", async () => {
    const ids = new Map<string, string>();
    for (const key of KEYS) {
      ids.set(
        key,
        await store.createMultipartUpload({
          bucket,
          key,
          headers: { contentType: "text/plain", metadata: { build: "7" }, cacheControl: "no-cache" },
          algorithm: "CRC64NVME",
          checksumType: "FULL_OBJECT",
        }),
      );
    }
    // The control character comes back as a character reference, the XML specials as entities.
    const listedAll = await store.listUploadsPage({ bucket, prefix: "lean/" });
    expect(listedAll.uploads.map((upload) => upload.key).sort()).toEqual([...KEYS].sort());
    for (const upload of listedAll.uploads) {
      expect(upload.uploadId).toBe(ids.get(upload.key));
      expect(upload.initiated).toBeInstanceOf(Date);
    }

    const key = KEYS[1]!;
    const uploadId = ids.get(key)!;
    const bodies = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
    const answers = [];
    for (const [index, body] of bodies.entries()) {
      answers.push(
        await store.uploadPart({ bucket, key, uploadId, partNumber: index + 1, body, checksums: {} }),
      );
    }
    const pages = [];
    let marker: string | undefined;
    do {
      const page = await store.listPartsPage({
        bucket,
        key,
        uploadId,
        maxParts: 2,
        ...(marker !== undefined ? { marker } : {}),
      });
      pages.push(page);
      marker = page.nextMarker;
    } while (marker !== undefined);
    expect(pages).toHaveLength(2);
    const parts = pages.flatMap((page) => page.parts);
    expect(parts.map((part) => [part.number, part.size, part.etag])).toEqual(
      answers.map((answer, index) => [index + 1, bodies[index]!.byteLength, answer.etag]),
    );
    const bySdk = await sdk.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    expect(parts.map((part) => [part.number, part.size, part.etag, part.lastModified?.getTime()])).toEqual(
      (bySdk.Parts ?? []).map((part) => [
        part.PartNumber,
        part.Size,
        part.ETag!.replace(/"/g, ""),
        part.LastModified?.getTime(),
      ]),
    );

    const completed = await store.completeMultipartUpload({
      bucket,
      key,
      uploadId,
      parts: parts.map((part) => ({ number: part.number, etag: part.etag, checksums: {} })),
      objectChecksums: {},
      checksumType: null,
      objectSize: 10 * MiB + 1234,
      ifNoneMatch: true,
    });
    const head = await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(10 * MiB + 1234);
    expect(head.ContentType).toBe("text/plain");
    expect(head.CacheControl).toBe("no-cache");
    expect(head.Metadata).toEqual({ build: "7" });
    // RGW 16.2 answers Complete with an empty ETag (rgw-engine.test.ts); HEAD has the multipart one.
    expect(completed.etag).toBe("");
    expect(head.ETag).toMatch(/-3"$/);

    // The upload is gone: what resume and cleanup read (RGW's codes for it, whatever they are, as the SDK's).
    expect(await errorOf(store.listPartsPage({ bucket, key, uploadId }))).toEqual(
      await errorOf(sdk.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))),
    );
    expect(await errorOf(store.abortMultipartUpload({ bucket, key, uploadId }))).toEqual(
      await errorOf(
        sdk.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })),
      ),
    );
    expect((await errorOf(store.abortMultipartUpload({ bucket, key, uploadId })))[1]).toBe(404);

    for (const other of KEYS.filter((name) => name !== key)) {
      await store.abortMultipartUpload({ bucket, key: other, uploadId: ids.get(other)! });
    }
    expect((await store.listUploadsPage({ bucket, prefix: "lean/" })).uploads).toEqual([]);
  });

  it("a Complete with If-None-Match over an existing key ends as the SDK's does (RGW 16.2 ignores it there)", async () => {
    const key = "lean/exists.bin";
    await store.putObject({
      bucket,
      key,
      body: Buffer.from("first"),
      headers: { contentType: "text/plain" },
      checksums: {},
      ifNoneMatch: false,
    });
    const outcomes = [];
    for (const client of ["lean", "sdk"] as const) {
      const uploadId = await store.createMultipartUpload({
        bucket,
        key,
        headers: { contentType: "text/plain" },
        algorithm: null,
        checksumType: null,
      });
      const part = await store.uploadPart({
        bucket,
        key,
        uploadId,
        partNumber: 1,
        body: Buffer.from(client),
        checksums: {},
      });
      outcomes.push(
        await errorOf(
          client === "lean"
            ? store.completeMultipartUpload({
                bucket,
                key,
                uploadId,
                parts: [{ number: 1, etag: part.etag, checksums: {} }],
                objectChecksums: {},
                checksumType: null,
                objectSize: 4,
                ifNoneMatch: true,
              })
            : sdk.send(
                new CompleteMultipartUploadCommand({
                  Bucket: bucket,
                  Key: key,
                  UploadId: uploadId,
                  MultipartUpload: { Parts: [{ PartNumber: 1, ETag: `"${part.etag}"` }] },
                  IfNoneMatch: "*",
                }),
              ),
        ),
      );
      await store.abortMultipartUpload({ bucket, key, uploadId }).catch(() => undefined);
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
  });
});
