// Receives an object or part payload, checks every integrity claim, and applies stored-bytes faults afterwards.
import { createHash, randomBytes } from "node:crypto";
import { open, rm } from "node:fs/promises";
import { S3Error } from "../errors.js";
import { header, type RequestContext } from "../context.js";
import { receiveBody } from "../body.js";
import {
  checkChecksumClaim,
  checkContentMd5,
  checksumClaim,
  contentMd5,
  type ChecksumClaim,
} from "../integrity.js";
import { checksumHeader, crc64Decimal, digestFiles, type Algorithm, type Digestible } from "../checksums.js";

export const MAX_SINGLE_UPLOAD = 5 * 1024 ** 3;

export interface StoredPayload {
  file: string | undefined;
  size: number;
  /** Quoted. */
  etag: string;
  checksums: Partial<Record<Algorithm, string>>;
  /** OSS's CRC-64 as a decimal string, under profiles that keep one (and not in sink mode). */
  crc64ecma?: string;
}

export interface PayloadRequest {
  destination: string | undefined;
  /** The checksum the server must know besides the client's claim (upload algorithm, or S3's CRC64NVME default). */
  serverAlgorithm: Algorithm | undefined;
  claim: ChecksumClaim | undefined;
  /** False under SSE-KMS: the ETag is then an opaque value, not the MD5 of the payload. */
  md5Etag?: boolean;
}

/**
 * Parses integrity headers up front so malformed ones fail before any byte is read, as in S3. A store without
 * additional checksums never looks at x-amz-checksum-*: no claim.
 */
export function readClaims(ctx: RequestContext): {
  claim: ChecksumClaim | undefined;
  md5: Buffer | undefined;
} {
  const claim =
    ctx.config.profile.additionalChecksums === "checked" ? checksumClaim(ctx.req.headers) : undefined;
  return { claim, md5: contentMd5(ctx.req.headers) };
}

/** An ETag as the profile's store writes it: quoted hex, upper case on OSS. */
export function quotedEtag(ctx: RequestContext, hex: string): string {
  return `"${ctx.config.profile.upperCaseEtags ? hex.toUpperCase() : hex}"`;
}

/** S3 needs the payload size up front: Content-Length, or x-amz-decoded-content-length for aws-chunked bodies. */
function declaredSize(ctx: RequestContext): number {
  const text = header(ctx, "x-amz-decoded-content-length") ?? header(ctx, "content-length");
  if (text === undefined) {
    throw new S3Error("MissingContentLength", "You must provide the Content-Length HTTP header.");
  }
  const size = Number(text);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new S3Error("InvalidArgument", `The declared payload length '${text}' is not a valid size.`);
  }
  return size;
}

function sinkEtag(ctx: RequestContext, md5: Buffer | undefined, size: number): string {
  // Without hashing payloads the ETag can only be the client's Content-MD5 or an opaque stand-in.
  const opaque = md5 ?? createHash("md5").update(`${size}:${process.hrtime.bigint()}`).digest();
  return quotedEtag(ctx, opaque.toString("hex"));
}

export async function storePayload(
  ctx: RequestContext,
  request: PayloadRequest,
  md5: Buffer | undefined,
): Promise<StoredPayload> {
  const size = declaredSize(ctx);
  if (size > MAX_SINGLE_UPLOAD) {
    throw new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
      ProposedSize: size,
      MaxSizeAllowed: MAX_SINGLE_UPLOAD,
    });
  }
  const { claim, serverAlgorithm, destination } = request;
  const algorithms = [...new Set([claim?.algorithm, serverAlgorithm].filter((alg) => alg !== undefined))];
  const hash = !ctx.config.sink;
  const received = await receiveBody(ctx.req as AsyncIterable<Buffer>, {
    payloadHash: ctx.auth.payloadHash,
    headers: ctx.req.headers,
    algorithms,
    crc64ecma: ctx.config.profile.crc64ecma,
    destination,
    hash,
  });
  if (!hash) {
    const checksums: Partial<Record<Algorithm, string>> = {};
    if (claim) {
      const value = claim.inTrailer ? received.trailers.get(checksumHeader(claim.algorithm)) : claim.value;
      if (value !== undefined) checksums[claim.algorithm] = value;
    }
    return { file: undefined, size: received.size, etag: sinkEtag(ctx, md5, received.size), checksums };
  }
  try {
    checkContentMd5(md5, received.md5!, ctx.config.profile.md5MismatchCode);
    if (claim) checkChecksumClaim(claim, received.trailers, received.checksums.get(claim.algorithm)!);
  } catch (error) {
    if (destination) await rm(destination, { force: true });
    throw error;
  }
  const checksums: Partial<Record<Algorithm, string>> = {};
  for (const [alg, digest] of received.checksums) checksums[alg] = digest.toString("base64");
  const etag = request.md5Etag === false ? randomBytes(16) : received.md5!;
  return {
    file: destination,
    size: received.size,
    etag: quotedEtag(ctx, etag.toString("hex")),
    checksums,
    ...(received.crc64ecma ? { crc64ecma: crc64Decimal(received.crc64ecma) } : {}),
  };
}

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, "base64");
  bytes[0] = bytes[0]! ^ 0xff;
  return bytes.toString("base64");
}

/** Returns what ends up recorded after the fault: corrupted values, or undefined when the payload was dropped. */
export async function applyStoredFault(
  fault: RequestContext["storedFault"],
  payload: StoredPayload,
): Promise<StoredPayload | undefined> {
  if (fault === undefined) return payload;
  if (fault === "drop-stored") {
    if (payload.file) await rm(payload.file, { force: true });
    return undefined;
  }
  const algorithms = Object.keys(payload.checksums) as Algorithm[];
  // The recorded ETag keeps the case the store writes (upper on OSS).
  const sameCase = (hex: string) => (/[A-F]/.test(payload.etag) ? hex.toUpperCase() : hex);
  if (!payload.file || payload.size === 0) {
    const checksums = Object.fromEntries(
      algorithms.map((alg) => [alg, flipFirstByte(payload.checksums[alg]!)]),
    );
    const hex = payload.etag.replace(/"/g, "");
    const flipped = (parseInt(hex[0] ?? "0", 16) ^ 0xf).toString(16);
    const crc64ecma =
      payload.crc64ecma === undefined ? {} : { crc64ecma: (BigInt(payload.crc64ecma) ^ 1n).toString() };
    return { ...payload, etag: `"${sameCase(flipped)}${hex.slice(1)}"`, checksums, ...crc64ecma };
  }
  const handle = await open(payload.file, "r+");
  try {
    const position = Math.floor(payload.size / 2);
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, position);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, position);
  } finally {
    await handle.close();
  }
  const native: Digestible[] = payload.crc64ecma === undefined ? [] : ["CRC64ECMA"];
  const digests = await digestFiles([payload.file], ["MD5", ...native, ...algorithms]);
  const checksums = Object.fromEntries(
    algorithms.map((alg, index) => [alg, digests[index + 1 + native.length]!.toString("base64")]),
  );
  const crc64ecma = native.length === 0 ? {} : { crc64ecma: crc64Decimal(digests[1]!) };
  return { ...payload, etag: `"${sameCase(digests[0]!.toString("hex"))}"`, checksums, ...crc64ecma };
}
