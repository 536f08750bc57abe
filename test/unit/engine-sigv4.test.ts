// Our lean SigV4 signer must produce exactly the headers @smithy/signature-v4 (what the SDK uses) produces.
import { describe, expect, it } from "vitest";
import { createSigner, type RequestToSign, type SigningCredentials } from "../../src/engine/s3/sigv4.js";
import { smithySignedHeaders } from "../helpers/smithy-signer.js";

const KEYS: SigningCredentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

const CASES: Array<{ name: string; request: RequestToSign; credentials: SigningCredentials }> = [
  {
    name: "PutObject with checksum, metadata, cache-control and If-None-Match",
    credentials: KEYS,
    request: {
      method: "PUT",
      path: "/bucket/dir/a%20b%2A%28c%29.bin",
      query: {},
      headers: {
        host: "s3.eu-west-1.amazonaws.com",
        "content-type": "application/octet-stream",
        "content-length": "65536",
        "cache-control": "max-age=60",
        "x-amz-meta-note": "  two   spaces  ",
        "x-amz-checksum-crc64nvme": "AAAAAAAAAAA=",
        "if-none-match": "*",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      },
    },
  },
  {
    name: "UploadPart with a query and session credentials",
    credentials: { ...KEYS, sessionToken: "FwoGZXIvYXdzEJr//////////wEaDAbc+/=" },
    request: {
      method: "PUT",
      path: "/bucket/key.bin",
      query: { uploadId: "2~abc/def+ghi=*", partNumber: "12" },
      headers: {
        host: "s3.eu-west-1.amazonaws.com",
        "content-length": "5242880",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      },
    },
  },
  {
    name: "HeadObject by version",
    credentials: KEYS,
    request: {
      method: "HEAD",
      path: "/bucket/k%C3%A9y",
      query: { versionId: "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" },
      headers: {
        host: "s3.eu-west-1.amazonaws.com",
        "x-amz-checksum-mode": "ENABLED",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      },
    },
  },
];

describe("lean SigV4 signer", () => {
  for (const { name, request, credentials } of CASES) {
    it(`matches the SDK's signer: ${name}`, async () => {
      const date = new Date("2026-11-21T23:59:58.123Z");
      const ours = createSigner("eu-west-1", "s3")(request, credentials, date);
      expect(ours).toEqual(await smithySignedHeaders(request, credentials, date, "eu-west-1"));
    });
  }

  it("derives a new signing key when the day or the secret changes, and a new timestamp each second", async () => {
    const sign = createSigner("eu-west-1", "s3");
    const request = CASES[0]!.request;
    const rotated = { ...KEYS, secretAccessKey: "another/secret" };
    for (const [credentials, date] of [
      [KEYS, new Date("2026-11-21T23:59:59Z")],
      // The timestamp is kept per second: the same second again, then the next ones.
      [KEYS, new Date("2026-11-21T23:59:59.999Z")],
      [KEYS, new Date("2026-11-22T00:00:00.000Z")],
      [KEYS, new Date("2026-11-22T00:00:01Z")],
      [rotated, new Date("2026-11-22T00:00:02Z")],
    ] as const) {
      expect(sign(request, credentials, date)).toEqual(
        await smithySignedHeaders(request, credentials, date, "eu-west-1"),
      );
    }
  });
});
