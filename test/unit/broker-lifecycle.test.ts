// Logic of Complete that no emulator run reaches: a store that lists parts without checksums. A stub store
// stands in (unit test of the decision only); the integration suites cover the real stores.
import { describe, expect, it, vi } from "vitest";
import { parseBrokerConfig } from "../../src/broker/config.js";
import { createLifecycle, type Caller } from "../../src/broker/lifecycle.js";
import type { S3Store } from "../../src/engine/s3/s3-client.js";

const ISSUER = "https://issuer.example";

function lifecycleFor(requireContentMd5: boolean) {
  const parsed = parseBrokerConfig(
    JSON.stringify({
      s3: { endpoint: "http://127.0.0.1:7480", requireContentMd5 },
      issuers: [{ issuer: ISSUER, audience: "a" }],
      rules: [{ issuer: ISSUER, claims: { repository: "org/app" }, bucket: "b", prefix: "org/app/" }],
    }),
    "test",
  );
  if (!parsed.ok) throw new Error(parsed.error);
  const completeMultipartUpload = vi.fn(() => Promise.resolve({ etag: "e-2", checksums: {} }));
  const store = {
    listPartsPage: () =>
      Promise.resolve({
        // What RGW answers: the upload's algorithm, but parts without checksums.
        checksumAlgorithm: "CRC64NVME",
        parts: [{ number: 1, size: 5, etag: "0cc175b9c0f1b6a831c399e269772661", checksums: {} }],
      }),
    completeMultipartUpload,
  } as unknown as S3Store;
  const lifecycle = createLifecycle({
    config: parsed.value,
    store,
    credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "s" }),
    signPart: () => ({ url: "", headers: {}, expires: 1 }),
    objectUrl: () => "http://127.0.0.1:7480/b/org/app/x",
    now: () => new Date(),
  });
  const caller: Caller = {
    issuer: ISSUER,
    subject: "s",
    claims: { repository: "org/app" },
    grants: parsed.value.rules,
  };
  return { lifecycle, caller, completeMultipartUpload };
}

const INPUT = {
  query: new URLSearchParams({ key: "org/app/x" }),
  uploadId: "u",
  body: { parts: [{ PartNumber: 1, ETag: '"0cc175b9c0f1b6a831c399e269772661"' }] },
};

describe("Complete on a store that keeps no part checksums", () => {
  it("refuses when parts were not required to carry a signed Content-MD5, without asking the store", async () => {
    const { lifecycle, caller, completeMultipartUpload } = lifecycleFor(false);
    const answer = await lifecycle.complete(caller, INPUT);
    expect([answer.status, (answer.body as { error: { code: string } }).error.code]).toEqual([
      409,
      "ChecksumMissing",
    ]);
    expect(completeMultipartUpload).not.toHaveBeenCalled();
  });

  it("completes by ETag when every part was signed with its Content-MD5, and says so", async () => {
    const { lifecycle, caller, completeMultipartUpload } = lifecycleFor(true);
    const answer = await lifecycle.complete(caller, INPUT);
    expect(answer.status).toBe(200);
    expect((answer.body as { proof: string }).proof).toContain("Content-MD5");
    expect(completeMultipartUpload).toHaveBeenCalledWith(
      expect.objectContaining({
        parts: [{ number: 1, etag: "0cc175b9c0f1b6a831c399e269772661", checksums: {} }],
      }),
    );
  });

  it("signs no part without a Content-MD5 when the store is not trusted with checksums", async () => {
    const { lifecycle, caller } = lifecycleFor(true);
    const query = new URLSearchParams({
      key: "org/app/x",
      size: "5",
      checksumAlgorithm: "CRC64NVME",
      checksum: "AAAAAAAAAAA=",
    });
    const answer = await lifecycle.signPart(caller, {
      query,
      uploadId: "u",
      partNumber: "1",
      body: undefined,
    });
    expect(answer.status).toBe(400);
    query.set("contentMd5", "DMF1ucDxtqgxw5niaXcmYQ==");
    expect(
      (await lifecycle.signPart(caller, { query, uploadId: "u", partNumber: "1", body: undefined })).status,
    ).toBe(200);
  });
});
