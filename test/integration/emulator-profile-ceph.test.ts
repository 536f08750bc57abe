// The emulator's ceph profile against the real Ceph RGW 16.2 (../shared/tools/rgw-up.sh): the same raw requests on
// both, on the points the provider table names for Ceph — additional checksums ignored, aws-chunked with an
// unsigned trailer refused, If-None-Match honoured, Content-MD5 checked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { sendSigned, type RawResponse, type S3Target } from "../helpers/signed-request.js";
import { startRgw } from "../helpers/rgw.js";

const rgwEnv = startRgw();
const BUCKET = `e1-ceph-profile-${process.pid}-${Date.now()}`;
const SHA256_ZERO = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

interface Observed {
  status: number;
  code: string | undefined;
  checksumHeaders: string[];
  body: string;
}

function observe(answer: RawResponse): Observed {
  return {
    status: answer.status,
    code: answer.code,
    checksumHeaders: Object.keys(answer.headers).filter((name) => name.startsWith("x-amz-checksum")),
    body: answer.body.toString(),
  };
}

/** One scenario's answers, in order, from one server. */
async function scenario(target: S3Target): Promise<Observed[]> {
  const path = (key: string) => `/${BUCKET}/${key}`;
  const answers: RawResponse[] = [];
  const send = async (raw: Parameters<typeof sendSigned>[1]) => {
    const answer = await sendSigned(target, raw);
    answers.push(answer);
    return answer;
  };
  await send({
    method: "PUT",
    path: path("wrong"),
    body: "hello",
    headers: { "x-amz-checksum-crc32": "AAAAAA==" },
  });
  await send({
    method: "PUT",
    path: path("malformed"),
    body: "hello",
    headers: { "x-amz-checksum-crc32": "bad" },
  });
  await send({ method: "HEAD", path: path("wrong"), headers: { "x-amz-checksum-mode": "ENABLED" } });
  await send({
    method: "PUT",
    path: path("chunked"),
    headers: {
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": "3",
      "x-amz-trailer": "x-amz-checksum-crc32",
    },
    body: "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n",
  });
  const created = await send({
    method: "POST",
    path: path("multi"),
    query: { uploads: "" },
    headers: { "x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "COMPOSITE" },
  });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString())![1]!;
  const part = await send({
    method: "PUT",
    path: path("multi"),
    query: { partNumber: "1", uploadId },
    body: "part",
    headers: { "x-amz-checksum-sha256": SHA256_ZERO },
  });
  await send({ method: "GET", path: path("multi"), query: { uploadId } });
  await send({
    method: "POST",
    path: path("multi"),
    query: { uploadId },
    body:
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.etag as string}</ETag>` +
      `<ChecksumSHA256>${SHA256_ZERO}</ChecksumSHA256></Part></CompleteMultipartUpload>`,
    headers: { "x-amz-checksum-sha256": SHA256_ZERO },
  });
  await send({ method: "PUT", path: path("wrong"), body: "again", headers: { "if-none-match": "*" } });
  await send({
    method: "PUT",
    path: path("md5"),
    body: "x",
    headers: { "content-md5": "AAAAAAAAAAAAAAAAAAAAAA==" },
  });
  return answers.map(observe);
}

const EXPECTED = [
  { status: 200, code: undefined }, // a wrong x-amz-checksum-crc32 is not checked
  { status: 200, code: undefined }, // nor a malformed one
  { status: 200, code: undefined }, // HEAD with checksum mode
  { status: 400, code: "XAmzContentSHA256Mismatch" }, // aws-chunked with an unsigned trailer
  { status: 200, code: undefined }, // Create naming SHA256 COMPOSITE
  { status: 200, code: undefined }, // a part with a wrong SHA256
  { status: 200, code: undefined }, // ListParts
  { status: 200, code: undefined }, // Complete with wrong part and object checksums
  { status: 412, code: "PreconditionFailed" }, // If-None-Match: * on an existing key
  { status: 400, code: "BadDigest" }, // Content-MD5 of other bytes
];

async function run(target: S3Target, createBucket: boolean): Promise<Observed[]> {
  if (createBucket)
    expect((await sendSigned(target, { method: "PUT", path: `/${BUCKET}` })).status).toBe(200);
  return scenario(target);
}

function checkAgainstExpected(observed: Observed[]): void {
  expect(observed.map(({ status, code }) => ({ status, code }))).toEqual(EXPECTED);
  // No answer carries an additional checksum, and ListParts names none.
  expect(observed.flatMap((answer) => answer.checksumHeaders)).toEqual([]);
  expect(observed[6]!.body).not.toMatch(/<Checksum(SHA256|Algorithm)>/);
}

describe("emulator ceph profile", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ profile: "ceph" });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("answers like RGW 16.2 on checksums, aws-chunked, If-None-Match and Content-MD5", async () => {
    const target = {
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: emulator.credentials,
    };
    checkAgainstExpected(await run(target, true));
  });

  it.skipIf(rgwEnv === null)("and so does the real RGW", async () => {
    const target = {
      endpoint: rgwEnv!.S3_ENDPOINT!,
      region: "us-east-1",
      credentials: {
        accessKeyId: rgwEnv!.AWS_ACCESS_KEY_ID!,
        secretAccessKey: rgwEnv!.AWS_SECRET_ACCESS_KEY!,
      },
    };
    try {
      checkAgainstExpected(await run(target, true));
    } finally {
      for (const key of ["wrong", "malformed", "chunked", "multi", "md5"])
        await sendSigned(target, { method: "DELETE", path: `/${BUCKET}/${key}` });
      await sendSigned(target, { method: "DELETE", path: `/${BUCKET}` });
    }
  });
});
