// Issue 13's broker: a local OIDC issuer, the strict emulator and the broker on loopback. The client here holds
// no S3 credentials: it has only tokens, and PUTs parts to the URLs the broker presigns.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { s3ClientFor } from "../emulator/sdk-client.js";
import { referenceChecksum } from "../helpers/checksums.js";
import { AUDIENCE, callBroker, startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";

const PART = 64 * 1024;
let fx: BrokerFixture;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  fx = await startBrokerFixture();
  const claims = (repository: string) => ({
    sub: `repo:${repository}:ref:refs/heads/main`,
    repository,
    repository_owner: "org",
  });
  tokenA = await fx.issuer.token(claims("org/app-a"));
  tokenB = await fx.issuer.token(claims("org/app-b"));
}, 60_000);

afterAll(async () => {
  await fx?.stop();
});

interface SignedPart {
  url: string;
  headers: Record<string, string>;
}

async function create(token: string, key: string) {
  return callBroker(fx.broker, "POST", "/s3/multipart", token, { key, type: "application/octet-stream" });
}

async function sign(
  token: string,
  uploadId: string,
  key: string,
  number: number,
  body: Buffer,
  checksumOf = body,
) {
  const checksum = await referenceChecksum("CRC64NVME", checksumOf);
  const query = new URLSearchParams({
    key,
    size: String(body.length),
    checksumAlgorithm: "CRC64NVME",
    checksum,
  });
  return callBroker(
    fx.broker,
    "GET",
    `/s3/multipart/${encodeURIComponent(uploadId)}/${number}?${query}`,
    token,
  );
}

async function put(signed: SignedPart, body: Buffer, headers = signed.headers) {
  const answer = await fetch(signed.url, { method: "PUT", headers, body });
  const text = await answer.text();
  return { status: answer.status, etag: answer.headers.get("etag") ?? "", text };
}

/** Creates an upload under `key` and puts each of `parts` through presigned URLs; returns the client's part list. */
async function uploadParts(key: string, parts: Buffer[]) {
  const created = await create(tokenA, key);
  expect(created.status).toBe(200);
  const uploadId = created.body.uploadId as string;
  const named: Array<{ PartNumber: number; ETag: string }> = [];
  for (const [index, body] of parts.entries()) {
    const signed = await sign(tokenA, uploadId, key, index + 1, body);
    expect(signed.status).toBe(200);
    const stored = await put(signed.body as unknown as SignedPart, body);
    expect(stored.status).toBe(200);
    named.push({ PartNumber: index + 1, ETag: stored.etag });
  }
  return { uploadId, named };
}

function completePath(uploadId: string, key: string): string {
  return `/s3/multipart/${encodeURIComponent(uploadId)}/complete?${new URLSearchParams({ key })}`;
}

async function objectBytes(key: string): Promise<Buffer> {
  const client = s3ClientFor(fx.emulator!);
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: "artifacts", Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } finally {
    client.destroy();
  }
}

function operations(): string[] {
  return fx.emulator!.requestLog.map((entry) => entry.operation);
}

describe("broker: a client with only a token", () => {
  it("uploads byte-exact through presigned parts, and the store proves the whole-object CRC64NVME", async () => {
    const data = randomBytes(2 * PART + 1000);
    const parts = [data.subarray(0, PART), data.subarray(PART, 2 * PART), data.subarray(2 * PART)];
    const key = "org/app-a/build/app.tar";
    const { uploadId, named } = await uploadParts(key, parts);
    const listed = await callBroker(
      fx.broker,
      "GET",
      `/s3/multipart/${encodeURIComponent(uploadId)}?key=${encodeURIComponent(key)}`,
      tokenA,
    );
    expect(listed.status).toBe(200);
    expect(
      (listed.body as unknown as Array<{ PartNumber: number; Size: number }>).map((part) => [
        part.PartNumber,
        part.Size,
      ]),
    ).toEqual([
      [1, PART],
      [2, PART],
      [3, 1000],
    ]);
    const whole = await referenceChecksum("CRC64NVME", data);
    const done = await callBroker(fx.broker, "POST", completePath(uploadId, key), tokenA, {
      parts: named,
      checksum: whole,
      size: data.length,
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      key,
      size: data.length,
      checksumAlgorithm: "CRC64NVME",
      checksumType: "FULL_OBJECT",
      checksum: whole,
    });
    expect((await objectBytes(key)).equals(data)).toBe(true);
  });

  it("a whole-object checksum that is not the parts' is refused by the store at Complete", async () => {
    const key = "org/app-a/whole.bin";
    const parts = [randomBytes(PART), randomBytes(10)];
    const { uploadId, named } = await uploadParts(key, parts);
    const wrong = await referenceChecksum("CRC64NVME", Buffer.from("something else"));
    const answer = await callBroker(fx.broker, "POST", completePath(uploadId, key), tokenA, {
      parts: named,
      checksum: wrong,
    });
    expect([answer.status, answer.body.error?.code]).toEqual([409, "BadDigest"]);
    await callBroker(
      fx.broker,
      "DELETE",
      `/s3/multipart/${encodeURIComponent(uploadId)}?key=${encodeURIComponent(key)}`,
      tokenA,
    );
  });

  it("a body that differs from its signed checksum is refused by the store, as is a changed checksum header", async () => {
    const key = "org/app-a/tampered.bin";
    const created = await create(tokenA, key);
    const uploadId = created.body.uploadId as string;
    const body = randomBytes(PART);
    const signed = (await sign(tokenA, uploadId, key, 1, body)).body as unknown as SignedPart;
    expect(Object.keys(signed.headers)).toEqual(["x-amz-checksum-crc64nvme"]);
    expect(signed.url).not.toMatch(/checksum-crc64nvme=/i);
    const other = Buffer.from(body);
    other[100] = other[100]! ^ 1;
    const wrongBody = await put(signed, other);
    expect([wrongBody.status, /<Code>([^<]+)/.exec(wrongBody.text)?.[1]]).toEqual([400, "BadDigest"]);
    const otherChecksum = await referenceChecksum("CRC64NVME", other);
    const wrongHeader = await put(signed, other, { "x-amz-checksum-crc64nvme": otherChecksum });
    expect([wrongHeader.status, /<Code>([^<]+)/.exec(wrongHeader.text)?.[1]]).toEqual([
      403,
      "SignatureDoesNotMatch",
    ]);
    const shorter = await put(signed, body.subarray(0, PART - 1));
    expect(shorter.status).toBe(403);
    const right = await put(signed, body);
    expect(right.status).toBe(200);
    await callBroker(
      fx.broker,
      "DELETE",
      `/s3/multipart/${encodeURIComponent(uploadId)}?key=${encodeURIComponent(key)}`,
      tokenA,
    );
  });

  it("takes Uppy's create body (filename, type, metadata) and puts the object under the caller's prefix", async () => {
    const created = await callBroker(fx.broker, "POST", "/s3/multipart", tokenA, {
      filename: "photo.jpg",
      type: "image/jpeg",
      metadata: { name: "photo.jpg" },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      key: "org/app-a/photo.jpg",
      checksumAlgorithm: "CRC64NVME",
      checksumType: "FULL_OBJECT",
    });
    const key = encodeURIComponent("org/app-a/photo.jpg");
    const aborted = await callBroker(
      fx.broker,
      "DELETE",
      `/s3/multipart/${encodeURIComponent(created.body.uploadId as string)}?key=${key}`,
      tokenA,
    );
    expect(aborted.status).toBe(200);
  });

  it("signs no part without its checksum, and keeps to the rule's part number and part size limits", async () => {
    const key = "org/app-a/limits.bin";
    const uploadId = (await create(tokenA, key)).body.uploadId as string;
    const base = `/s3/multipart/${encodeURIComponent(uploadId)}`;
    const noChecksum = await callBroker(
      fx.broker,
      "GET",
      `${base}/1?${new URLSearchParams({ key, size: "10" })}`,
      tokenA,
    );
    expect([noChecksum.status, noChecksum.body.error?.code]).toEqual([400, "InvalidRequest"]);
    const shortDigest = await callBroker(
      fx.broker,
      "GET",
      `${base}/1?${new URLSearchParams({ key, size: "10", checksumAlgorithm: "CRC64NVME", checksum: "AAAA" })}`,
      tokenA,
    );
    expect(shortDigest.status).toBe(400);
    expect((await sign(tokenA, uploadId, key, 9, Buffer.alloc(10))).status).toBe(403);
    expect((await sign(tokenA, uploadId, key, 1, Buffer.alloc(1024 * 1024 + 1))).status).toBe(403);
    const tooBig = await callBroker(fx.broker, "POST", "/s3/multipart", tokenA, {
      key: "org/app-a/huge.bin",
      size: 5 * 1024 * 1024,
    });
    expect(tooBig.status).toBe(403);
  });
});

describe("broker: authorisation by claims", () => {
  it("a token for repository A cannot create, sign, list, complete or abort under repository B's prefix", async () => {
    const keyB = "org/app-b/release.bin";
    const created = await create(tokenB, keyB);
    expect(created.status).toBe(200);
    const uploadId = created.body.uploadId as string;
    const before = fx.emulator!.requestLog.length;
    const body = randomBytes(1000);
    const q = `key=${encodeURIComponent(keyB)}`;
    const path = `/s3/multipart/${encodeURIComponent(uploadId)}`;
    const answers = [
      await create(tokenA, keyB),
      await callBroker(fx.broker, "POST", "/s3/multipart", tokenA, { key: "org/app-a-other/x.bin" }),
      await sign(tokenA, uploadId, keyB, 1, body),
      await callBroker(fx.broker, "GET", `${path}?${q}`, tokenA),
      await callBroker(fx.broker, "POST", `${path}/complete?${q}`, tokenA, {
        parts: [{ PartNumber: 1, ETag: "x" }],
      }),
      await callBroker(fx.broker, "DELETE", `${path}?${q}`, tokenA),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(answers[0]!.body.error?.message).toContain("artifacts/org/app-a/");
    expect(fx.emulator!.requestLog.length).toBe(before);
    const outsider = await fx.issuer.token({ sub: "x", repository: "evil/app", repository_owner: "evil" });
    expect((await create(outsider, "evil/app/x.bin")).status).toBe(403);
  });

  it("expired, wrong-audience, forged, unknown-issuer and missing tokens get 401", async () => {
    const claims = { sub: "s", repository: "org/app-a", repository_owner: "org" };
    const expired = await fx.issuer.token(claims, { expiresIn: Math.floor(Date.now() / 1000) - 120 });
    const wrongAudience = await fx.issuer.token({ ...claims, aud: "sts.amazonaws.com" });
    const forged = await fx.issuer.token(claims, { key: fx.issuer.forgedKey });
    const otherIssuer = await fx.issuer.token({
      ...claims,
      iss: "https://token.actions.githubusercontent.com",
    });
    const before = fx.emulator!.requestLog.length;
    const key = "org/app-a/denied.bin";
    const statuses = [];
    for (const token of [expired, wrongAudience, forged, otherIssuer, "not-a-jwt", undefined]) {
      statuses.push((await callBroker(fx.broker, "POST", "/s3/multipart", token, { key })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect(fx.emulator!.requestLog.length).toBe(before);
    expect(AUDIENCE).not.toBe("sts.amazonaws.com");
  });
});

describe("broker: Complete checks ListParts against the client's parts first", () => {
  it("refuses a missing, an altered or an unnamed part before asking the store to complete", async () => {
    const key = "org/app-a/checked.bin";
    const parts = [randomBytes(PART), randomBytes(500)];
    const { uploadId, named } = await uploadParts(key, parts);
    const completesBefore = operations().filter((op) => op === "CompleteMultipartUpload").length;
    const attempts = [
      [...named, { PartNumber: 3, ETag: named[1]!.ETag }],
      [named[0]!, { PartNumber: 2, ETag: '"0123456789abcdef0123456789abcdef"' }],
      [named[0]!],
      [
        named[0]!,
        { ...named[1]!, ChecksumCRC64NVME: await referenceChecksum("CRC64NVME", Buffer.from("other")) },
      ],
    ];
    for (const attempt of attempts) {
      const answer = await callBroker(fx.broker, "POST", completePath(uploadId, key), tokenA, {
        parts: attempt,
      });
      expect([answer.status, answer.body.error?.code]).toEqual([409, "PartsMismatch"]);
    }
    const wrongSize = await callBroker(fx.broker, "POST", completePath(uploadId, key), tokenA, {
      parts: named,
      size: PART + 501,
    });
    expect([wrongSize.status, wrongSize.body.error?.code]).toEqual([409, "SizeMismatch"]);
    expect(operations().filter((op) => op === "CompleteMultipartUpload").length).toBe(completesBefore);
    const done = await callBroker(fx.broker, "POST", completePath(uploadId, key), tokenA, { parts: named });
    expect(done.status).toBe(200);
    expect((await objectBytes(key)).equals(Buffer.concat(parts))).toBe(true);
  });

  it("does not replace an existing object unless the rule allows overwrite", async () => {
    const key = "org/app-a/once.bin";
    const first = await uploadParts(key, [randomBytes(700)]);
    expect(
      (await callBroker(fx.broker, "POST", completePath(first.uploadId, key), tokenA, { parts: first.named }))
        .status,
    ).toBe(200);
    const second = await uploadParts(key, [randomBytes(700)]);
    const again = await callBroker(fx.broker, "POST", completePath(second.uploadId, key), tokenA, {
      parts: second.named,
    });
    expect([again.status, again.body.error?.code]).toEqual([412, "PreconditionFailed"]);
  });
});

describe("broker: pending uploads of a key, for resume", () => {
  interface Pending {
    uploadId: string;
    key: string;
    initiated: string;
    checksumAlgorithm?: string;
  }

  function listUploads(token: string, key: string) {
    return callBroker(fx.broker, "GET", `/s3/multipart?${new URLSearchParams({ key })}`, token);
  }

  it("lists the in-progress uploads of exactly the key, and ListParts shows when each part was stored", async () => {
    const key = "org/app-a/resume/app.bin";
    const older = (await create(tokenA, key)).body.uploadId as string;
    const newer = (await create(tokenA, key)).body.uploadId as string;
    // A longer key under the same prefix is not this key's upload.
    await create(tokenA, `${key}.sig`);
    fx.emulator!.backdateUploads("artifacts", 60_000, key);
    const mark = fx.emulator!.requestLog.length;
    const listed = await listUploads(tokenA, key);
    expect(listed.status).toBe(200);
    const uploads = listed.body.uploads as Pending[];
    expect(uploads.map((upload) => upload.uploadId).sort()).toEqual([older, newer].sort());
    for (const upload of uploads) {
      expect(upload).toMatchObject({ key, checksumAlgorithm: "CRC64NVME" });
      expect(Number.isNaN(Date.parse(upload.initiated))).toBe(false);
    }
    expect(fx.emulator!.requestLog.slice(mark).map((entry) => entry.operation)).toEqual([
      "ListMultipartUploads",
    ]);
    const body = randomBytes(1000);
    const signed = await sign(tokenA, newer, key, 1, body);
    expect((await put(signed.body as unknown as SignedPart, body)).status).toBe(200);
    const parts = await callBroker(
      fx.broker,
      "GET",
      `/s3/multipart/${encodeURIComponent(newer)}?${new URLSearchParams({ key })}`,
      tokenA,
    );
    const [part] = parts.body as unknown as Array<{ PartNumber: number; LastModified: string }>;
    expect(part!.PartNumber).toBe(1);
    expect(Number.isNaN(Date.parse(part!.LastModified))).toBe(false);
    const none = await listUploads(tokenA, "org/app-a/resume/nothing.bin");
    expect([none.status, none.body.uploads]).toEqual([200, []]);
    const noKey = await callBroker(fx.broker, "GET", "/s3/multipart", tokenA);
    expect([noKey.status, noKey.body.error?.code]).toEqual([400, "InvalidRequest"]);
  });

  it("a token of repository B cannot list or resume A's uploads", async () => {
    const keyA = "org/app-a/resume/secret.bin";
    const uploadId = (await create(tokenA, keyA)).body.uploadId as string;
    const body = randomBytes(1000);
    const signed = await sign(tokenA, uploadId, keyA, 1, body);
    const stored = await put(signed.body as unknown as SignedPart, body);
    const mark = fx.emulator!.requestLog.length;
    const q = new URLSearchParams({ key: keyA });
    const path = `/s3/multipart/${encodeURIComponent(uploadId)}`;
    const denied = [
      await listUploads(tokenB, keyA),
      await callBroker(fx.broker, "GET", `${path}?${q}`, tokenB),
      await sign(tokenB, uploadId, keyA, 2, body),
      await callBroker(fx.broker, "POST", `${path}/complete?${q}`, tokenB, {
        parts: [{ PartNumber: 1, ETag: stored.etag }],
      }),
    ];
    expect(denied.map((answer) => answer.status)).toEqual([403, 403, 403, 403]);
    expect(fx.emulator!.requestLog.length).toBe(mark);
    // A's upload id under B's own key is not A's upload: the store knows it under A's key only.
    const keyB = "org/app-b/resume/secret.bin";
    const qB = new URLSearchParams({ key: keyB });
    const borrowed = [
      await callBroker(fx.broker, "GET", `${path}?${qB}`, tokenB),
      await callBroker(fx.broker, "POST", `${path}/complete?${qB}`, tokenB, {
        parts: [{ PartNumber: 1, ETag: stored.etag }],
      }),
    ];
    expect(borrowed.map((answer) => [answer.status, answer.body.error?.code])).toEqual([
      [404, "NoSuchUpload"],
      [404, "NoSuchUpload"],
    ]);
    expect(((await listUploads(tokenB, keyB)).body.uploads as Pending[]).length).toBe(0);
    expect(((await listUploads(tokenA, keyA)).body.uploads as Pending[]).map((u) => u.uploadId)).toEqual([
      uploadId,
    ]);
  });
});

describe("broker: audit log", () => {
  it("writes one line per call with who, what key and outcome, and never a token or a URL signature", () => {
    expect(fx.audit.length).toBeGreaterThan(20);
    const text = fx.audit.map((line) => JSON.stringify(line)).join("\n");
    expect(text).not.toMatch(/X-Amz-Signature|X-Amz-Credential|eyJ/);
    expect(text).not.toContain(fx.emulator!.credentials.secretAccessKey);
    const denied = fx.audit.find((line) => line.outcome === "denied" && line.key === "org/app-b/release.bin");
    expect(denied).toMatchObject({
      claims: { repository_owner: "org" },
      subject: expect.stringContaining("org/app-a"),
    });
    expect(fx.audit.some((line) => line.outcome === "unauthenticated" && line.status === 401)).toBe(true);
    expect(
      fx.audit.some((line) => line.action === "complete" && line.outcome === "ok" && line.size! > 0),
    ).toBe(true);
  });
});
