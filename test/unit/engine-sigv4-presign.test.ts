// Query-string presigning (the broker's presigned UploadPart URLs): AWS's published example, the emulator's
// independent verifier, and the SDK's own presigner told to keep the checksum header a header.
import { describe, expect, it } from "vitest";
import { SignatureV4 } from "@smithy/signature-v4";
import { createPresigner, type RequestToPresign } from "../../src/engine/s3/sigv4.js";
import { verifySigV4 } from "../emulator/sigv4.js";
import { S3Error } from "../emulator/errors.js";
import { NodeSha256 } from "../helpers/smithy-signer.js";

// "Authenticating Requests: Using Query Parameters" in the Amazon S3 API Reference (24 May 2013).
const EXAMPLE_KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const EXAMPLE_QUERY =
  "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
  "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
  "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
const EXAMPLE_DATE = new Date(Date.UTC(2013, 4, 24));

const PART: RequestToPresign = {
  method: "PUT",
  path: "/artifacts/org/app/a%20b.bin",
  query: { partNumber: "3", uploadId: "upload/id+=" },
  headers: {
    host: "127.0.0.1:9000",
    "x-amz-checksum-crc64nvme": "AAAAAAAAAAE=",
    "content-length": "1024",
  },
  expiresSeconds: 900,
};

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
}

/** The request as the store receives it from a client that sends `headers`. */
function received(path: string, query: string, headers: Record<string, string>) {
  return { method: "PUT", url: `${path}?${query}`, rawHeaders: Object.entries(headers).flat() };
}

describe("createPresigner", () => {
  it("reproduces AWS's published presigned GET", () => {
    const presign = createPresigner("us-east-1", "s3");
    const query = presign(
      {
        method: "GET",
        path: "/test.txt",
        query: {},
        headers: { Host: "examplebucket.s3.amazonaws.com" },
        expiresSeconds: 86400,
      },
      EXAMPLE_KEYS,
      EXAMPLE_DATE,
    );
    expect(query).toBe(EXAMPLE_QUERY);
  });

  it("signs the checksum header so the store refuses a request that changes or drops it", () => {
    const keys = { accessKeyId: "AKIDPRESIGN", secretAccessKey: "secret/presign+key" };
    const now = new Date();
    const query = createPresigner("eu-west-1", "s3")(PART, keys, now);
    expect(query).toContain("X-Amz-SignedHeaders=content-length%3Bhost%3Bx-amz-checksum-crc64nvme");
    expect(query).not.toMatch(/checksum-crc64nvme=/i);
    const verify = (headers: Record<string, string>) =>
      codeOf(() => verifySigV4(received(PART.path, query, headers), keys, "eu-west-1", now.getTime()));
    expect(verify(PART.headers)).toBeUndefined();
    expect(verify({ ...PART.headers, "x-amz-checksum-crc64nvme": "AAAAAAAAAAI=" })).toBe(
      "SignatureDoesNotMatch",
    );
    expect(verify({ ...PART.headers, "content-length": "1023" })).toBe("SignatureDoesNotMatch");
    expect(verify({ host: PART.headers.host!, "content-length": "1024" })).toBe("SignatureDoesNotMatch");
    expect(verify({ ...PART.headers, "x-amz-checksum-crc32": "AAAAAA==" })).toBe("AccessDenied");
  });

  it("puts a session token in the signed query", () => {
    const keys = {
      accessKeyId: "ASIATEMP",
      secretAccessKey: "temp-secret",
      sessionToken: "token/with+chars=",
    };
    const now = new Date();
    const query = createPresigner("us-east-1", "s3")(PART, keys, now);
    expect(query).toContain(`X-Amz-Security-Token=${encodeURIComponent(keys.sessionToken)}`);
    const request = received(PART.path, query, PART.headers);
    expect(codeOf(() => verifySigV4(request, keys, "us-east-1", now.getTime()))).toBeUndefined();
    const withoutToken = query.replace(/&?X-Amz-Security-Token=[^&]*/, "");
    expect(
      codeOf(() =>
        verifySigV4(received(PART.path, withoutToken, PART.headers), keys, "us-east-1", now.getTime()),
      ),
    ).toBe("SignatureDoesNotMatch");
  });

  it("matches the SDK's presigner when the SDK is told not to hoist the checksum into the query", async () => {
    const keys = { accessKeyId: "AKIDPRESIGN", secretAccessKey: "secret/presign+key", sessionToken: "tok" };
    const date = new Date(Date.UTC(2026, 10, 30, 19, 0, 0));
    const signer = new SignatureV4({
      credentials: keys,
      region: "eu-west-1",
      service: "s3",
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const sdk = await signer.presign(
      {
        method: PART.method,
        protocol: "http:",
        hostname: "127.0.0.1",
        port: 9000,
        path: PART.path,
        query: { ...PART.query },
        // The SDK reads the payload hash from this header and hoists it into the query.
        headers: { ...PART.headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      },
      {
        signingDate: date,
        expiresIn: PART.expiresSeconds,
        unhoistableHeaders: new Set(["x-amz-checksum-crc64nvme"]),
      },
    );
    const ours = new URLSearchParams(
      createPresigner("eu-west-1", "s3")(
        { ...PART, query: { ...PART.query, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } },
        keys,
        date,
      ),
    );
    expect(ours.get("X-Amz-Signature")).toBe(sdk.query?.["X-Amz-Signature"]);
    expect(ours.get("X-Amz-SignedHeaders")).toBe(sdk.query?.["X-Amz-SignedHeaders"]);
  });
});
