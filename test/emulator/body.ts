// Streams a request body to disk (or nowhere, in sink mode) while computing exactly the digests the request needs.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { once } from "node:events";
import type { IncomingHttpHeaders } from "node:http";
import { S3Error } from "./errors.js";
import { decodeAwsChunked } from "./aws-chunked.js";
import { createDigester, type Algorithm, type Digester } from "./checksums.js";

export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

export interface ReceiveOptions {
  /** x-amz-content-sha256 as signed (or UNSIGNED-PAYLOAD for presigned URLs). */
  payloadHash: string;
  headers: IncomingHttpHeaders;
  /** Additional checksums to compute over the decoded payload. */
  algorithms: Algorithm[];
  /** Also compute OSS's CRC-64 (CRC-64/XZ) of the decoded payload. */
  crc64ecma: boolean;
  /** File to write the payload to; undefined discards it (sink mode). */
  destination: string | undefined;
  /** false in sink mode: nothing is hashed, not even the signed payload hash. */
  hash: boolean;
}

export interface ReceivedBody {
  size: number;
  md5: Buffer | undefined;
  checksums: Map<Algorithm, Buffer>;
  /** Present when asked for and hashing. */
  crc64ecma: Buffer | undefined;
  trailers: Map<string, string>;
}

function isHexSha256(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

function declaredDecodedLength(headers: IncomingHttpHeaders): number | undefined {
  const text = headers["x-amz-decoded-content-length"];
  if (text === undefined || Array.isArray(text)) return undefined;
  return Number(text);
}

async function* hashRaw(source: AsyncIterable<Buffer>, sha256: ReturnType<typeof createHash>) {
  for await (const chunk of source) {
    sha256.update(chunk);
    yield chunk;
  }
}

export async function receiveBody(
  source: AsyncIterable<Buffer>,
  options: ReceiveOptions,
): Promise<ReceivedBody> {
  const { payloadHash, headers } = options;
  const chunked = payloadHash === STREAMING_UNSIGNED_TRAILER;
  if (payloadHash.startsWith("STREAMING-") && !chunked) {
    throw new S3Error(
      "NotImplemented",
      `This emulator does not implement signed aws-chunked payloads (${payloadHash}).`,
    );
  }
  if (!chunked && payloadHash !== UNSIGNED_PAYLOAD && !isHexSha256(payloadHash)) {
    throw new S3Error(
      "InvalidArgument",
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid sha256 value.",
    );
  }
  const rawSha256 = options.hash && isHexSha256(payloadHash) ? createHash("sha256") : undefined;
  const trailers = new Map<string, string>();
  let payload: AsyncIterable<Buffer> = rawSha256 ? hashRaw(source, rawSha256) : source;
  if (chunked) payload = decodeAwsChunked(payload, trailers);

  const md5 = options.hash ? createHash("md5") : undefined;
  const digesters: [Algorithm, Digester][] = options.hash
    ? await Promise.all(
        options.algorithms.map(async (alg) => [alg, await createDigester(alg)] as [Algorithm, Digester]),
      )
    : [];
  const crc64ecma = options.hash && options.crc64ecma ? await createDigester("CRC64ECMA") : undefined;
  const file = options.destination ? createWriteStream(options.destination) : undefined;
  let size = 0;
  try {
    for await (const chunk of payload) {
      size += chunk.length;
      md5?.update(chunk);
      for (const [, digester] of digesters) digester.update(chunk);
      crc64ecma?.update(chunk);
      if (file && !file.write(chunk)) await once(file, "drain");
    }
    if (file) {
      file.end();
      await once(file, "finish");
    }
  } catch (error) {
    // A write still in flight fails once the stream is destroyed; that is this same failure, not a new one.
    file?.on("error", () => undefined).destroy();
    if (options.destination) await rm(options.destination, { force: true });
    throw error;
  }
  const discard = async () => {
    if (options.destination) await rm(options.destination, { force: true });
  };
  if (rawSha256 && rawSha256.digest("hex") !== payloadHash) {
    await discard();
    throw new S3Error(
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      {
        ClientComputedContentSHA256: payloadHash,
      },
    );
  }
  const decodedLength = declaredDecodedLength(headers);
  if (chunked && decodedLength !== undefined && decodedLength !== size) {
    await discard();
    throw new S3Error(
      "IncompleteBody",
      "You did not provide the number of bytes specified by the x-amz-decoded-content-length header.",
    );
  }
  return {
    size,
    md5: md5?.digest(),
    checksums: new Map(digesters.map(([alg, digester]) => [alg, digester.digest()])),
    crc64ecma: crc64ecma?.digest(),
    trailers,
  };
}

/** Reads and discards what is left of a body so that an error answer reaches the client instead of a reset. */
export async function drain(source: AsyncIterable<Buffer>): Promise<void> {
  try {
    for await (const _chunk of source) {
      // discarding on purpose
    }
  } catch {
    // the client went away; nothing to answer
  }
}
