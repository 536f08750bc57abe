// Presigned UploadPart on the emulator, as on S3: an x-amz-* header the URL does not sign is refused with
// HeadersNotSigned, and a checksum that travels only in the query string (where the SDK's presigner hoists it
// by default) is not enforced — which is why the broker signs the checksum as a header.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateMultipartUploadCommand, ListPartsCommand, type S3Client } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { s3ClientFor } from "../emulator/sdk-client.js";
import { createPresigner } from "../../src/engine/s3/sigv4.js";
import { referenceChecksum } from "../helpers/checksums.js";
import { NodeSha256 } from "../helpers/smithy-signer.js";

let emulator: Emulator;
let client: S3Client;

beforeAll(async () => {
  emulator = await startEmulator({ buckets: ["presign"], minPartSize: 1024 });
  client = s3ClientFor(emulator);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

async function newUpload(key: string): Promise<string> {
  const answer = await client.send(
    new CreateMultipartUploadCommand({ Bucket: "presign", Key: key, ChecksumAlgorithm: "CRC64NVME" }),
  );
  return answer.UploadId!;
}

async function put(pathAndQuery: string, headers: Record<string, string>, body: Buffer) {
  const answer = await fetch(`${emulator.endpoint}${pathAndQuery}`, { method: "PUT", headers, body });
  const text = await answer.text();
  return {
    status: answer.status,
    code: /<Code>([^<]+)/.exec(text)?.[1],
    notSigned: /<HeadersNotSigned>([^<]+)/.exec(text)?.[1],
  };
}

describe("emulator: presigned UploadPart", () => {
  it("refuses an x-amz-checksum header the URL does not sign (403 HeadersNotSigned)", async () => {
    const key = "unsigned-header.bin";
    const uploadId = await newUpload(key);
    const host = new URL(emulator.endpoint).host;
    const path = `/presign/${key}`;
    const query = createPresigner(emulator.region, "s3")(
      { method: "PUT", path, query: { partNumber: "1", uploadId }, headers: { host }, expiresSeconds: 300 },
      emulator.credentials,
      new Date(),
    );
    const body = randomBytes(2048);
    const answer = await put(
      `${path}?${query}`,
      { "x-amz-checksum-crc64nvme": await referenceChecksum("CRC64NVME", body) },
      body,
    );
    expect(answer).toEqual({ status: 403, code: "AccessDenied", notSigned: "x-amz-checksum-crc64nvme" });
    expect((await put(`${path}?${query}`, {}, body)).status).toBe(200);
  });

  it("does not enforce a checksum that is only in the query string, as the SDK's default presign puts it", async () => {
    const key = "query-checksum.bin";
    const uploadId = await newUpload(key);
    const body = randomBytes(2048);
    const wrong = await referenceChecksum("CRC64NVME", Buffer.from("not the body"));
    const signer = new SignatureV4({
      credentials: emulator.credentials,
      region: emulator.region,
      service: "s3",
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const url = new URL(emulator.endpoint);
    const presigned = await signer.presign(
      {
        method: "PUT",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: `/presign/${key}`,
        query: { partNumber: "1", uploadId },
        headers: {
          host: url.host,
          "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
          "x-amz-checksum-crc64nvme": wrong,
        },
      },
      { expiresIn: 300 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    expect(query).toContain("x-amz-checksum-crc64nvme=");
    const answer = await put(`/presign/${key}?${query}`, {}, body);
    expect(answer.status).toBe(200);
    const listed = await client.send(
      new ListPartsCommand({ Bucket: "presign", Key: key, UploadId: uploadId }),
    );
    expect(listed.Parts?.[0]?.ChecksumCRC64NVME).toBe(await referenceChecksum("CRC64NVME", body));
    expect(listed.Parts?.[0]?.ChecksumCRC64NVME).not.toBe(wrong);
  });
});
