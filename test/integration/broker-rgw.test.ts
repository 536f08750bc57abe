// The broker in front of Ceph RGW. RGW keeps no x-amz-checksum-* of parts and does not check them, so there a
// part's proof on the wire is its signed Content-MD5, and Complete compares ETags (MD5s) with ListParts.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceChecksum } from "../helpers/checksums.js";
import { callBroker, startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";
import { deleteBucketAndClose, openRgwBucket, startRgw } from "../helpers/rgw.js";

const MiB = 1024 * 1024;
const env = startRgw();
const bucket = `svu-broker-${randomUUID().slice(0, 8)}`;
let sdk: S3Client;
let fx: BrokerFixture;
let token: string;

interface SignedPart {
  url: string;
  headers: Record<string, string>;
}

async function signPart(uploadId: string, key: string, number: number, body: Buffer, md5 = true) {
  const query = new URLSearchParams({
    key,
    size: String(body.length),
    checksumAlgorithm: "CRC64NVME",
    checksum: await referenceChecksum("CRC64NVME", body),
    ...(md5 ? { contentMd5: createHash("md5").update(body).digest("base64") } : {}),
  });
  return callBroker(
    fx.broker,
    "GET",
    `/s3/multipart/${encodeURIComponent(uploadId)}/${number}?${query}`,
    token,
  );
}

async function put(signed: SignedPart, body: Buffer) {
  const answer = await fetch(signed.url, { method: "PUT", headers: signed.headers, body });
  const text = await answer.text();
  return {
    status: answer.status,
    etag: answer.headers.get("etag") ?? "",
    code: /<Code>([^<]+)/.exec(text)?.[1],
  };
}

describe.skipIf(env === null)("broker in front of Ceph RGW", () => {
  beforeAll(async () => {
    const opened = await openRgwBucket(env!, bucket, "svu-broker-rgw-");
    sdk = opened.sdk;
    fx = await startBrokerFixture({
      store: {
        endpoint: env!.S3_ENDPOINT!,
        region: "us-east-1",
        credentials: opened.s3.credentials!,
        bucket,
      },
      maxPartBytes: 8 * MiB,
      requireContentMd5: true,
    });
    token = await fx.issuer.token({ sub: "s", repository: "org/app", repository_owner: "org" });
  }, 240_000);

  afterAll(async () => {
    await fx?.stop();
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  it("uploads byte-exact, refuses a part body that is not the signed one, and checks Complete against ListParts", async () => {
    const key = "org/app/rgw.bin";
    const data = randomBytes(5 * MiB + 1000);
    const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)];
    const created = await callBroker(fx.broker, "POST", "/s3/multipart", token, { key });
    expect(created.status).toBe(200);
    const uploadId = created.body.uploadId as string;
    const withoutMd5 = await signPart(uploadId, key, 1, parts[0]!, false);
    expect(withoutMd5.status).toBe(400);
    const named = [];
    for (const [index, body] of parts.entries()) {
      const signed = (await signPart(uploadId, key, index + 1, body)).body as unknown as SignedPart;
      const flipped = Buffer.from(body);
      flipped[0] = flipped[0]! ^ 1;
      const refused = await put(signed, flipped);
      expect([refused.status, refused.code]).toEqual([400, "BadDigest"]);
      const stored = await put(signed, body);
      expect(stored.status).toBe(200);
      expect(stored.etag.replace(/"/g, "")).toBe(createHash("md5").update(body).digest("hex"));
      named.push({ PartNumber: index + 1, ETag: stored.etag });
    }
    const path = `/s3/multipart/${encodeURIComponent(uploadId)}/complete?${new URLSearchParams({ key })}`;
    const altered = await callBroker(fx.broker, "POST", path, token, {
      parts: [named[0], { PartNumber: 2, ETag: '"00000000000000000000000000000000"' }],
    });
    expect([altered.status, altered.body.error?.code]).toEqual([409, "PartsMismatch"]);
    const done = await callBroker(fx.broker, "POST", path, token, { parts: named, size: data.length });
    expect(done.status).toBe(200);
    const answer = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await answer.Body!.transformToByteArray()).equals(data)).toBe(true);
  });
});
