// Reads what a request claims about its payload (Content-MD5, x-amz-checksum-*, trailers) and checks those claims
// against what was actually received, answering with S3's error codes.
import type { IncomingHttpHeaders } from "node:http";
import { S3Error } from "./errors.js";
import {
  ALGORITHMS,
  checksumHeader,
  isWellFormedChecksum,
  parseAlgorithm,
  type Algorithm,
} from "./checksums.js";

export interface ChecksumClaim {
  algorithm: Algorithm;
  /** Value from a header; undefined when it arrives in an aws-chunked trailer or was not sent at all. */
  value: string | undefined;
  inTrailer: boolean;
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The one additional checksum a request carries or announces, if any. */
export function checksumClaim(headers: IncomingHttpHeaders): ChecksumClaim | undefined {
  const inHeaders = ALGORITHMS.filter((alg) => single(headers, checksumHeader(alg)) !== undefined);
  const trailerNames = (single(headers, "x-amz-trailer") ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  const inTrailer = ALGORITHMS.filter((alg) => trailerNames.includes(checksumHeader(alg)));
  const unknownTrailer = trailerNames.find((name) => !ALGORITHMS.some((alg) => checksumHeader(alg) === name));
  if (unknownTrailer)
    throw new S3Error("InvalidRequest", `The value specified in the x-amz-trailer header is not supported`);
  if (inHeaders.length + inTrailer.length > 1) {
    throw new S3Error(
      "InvalidRequest",
      "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
    );
  }
  const sdkAlgorithmText = single(headers, "x-amz-sdk-checksum-algorithm");
  const sdkAlgorithm = sdkAlgorithmText === undefined ? undefined : parseAlgorithm(sdkAlgorithmText);
  if (sdkAlgorithmText !== undefined && sdkAlgorithm === undefined) {
    throw new S3Error("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
  }
  const headerAlg = inHeaders[0];
  if (headerAlg) {
    const value = single(headers, checksumHeader(headerAlg))!;
    if (!isWellFormedChecksum(headerAlg, value)) {
      throw new S3Error("InvalidRequest", `Value for ${checksumHeader(headerAlg)} header is invalid.`);
    }
    if (sdkAlgorithm && sdkAlgorithm !== headerAlg) {
      throw new S3Error("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
    }
    return { algorithm: headerAlg, value, inTrailer: false };
  }
  const trailerAlg = inTrailer[0];
  if (trailerAlg) return { algorithm: trailerAlg, value: undefined, inTrailer: true };
  if (sdkAlgorithm) return { algorithm: sdkAlgorithm, value: undefined, inTrailer: false };
  return undefined;
}

/** Decoded Content-MD5, or undefined when absent; malformed values are InvalidDigest as in S3. */
export function contentMd5(headers: IncomingHttpHeaders): Buffer | undefined {
  const value = single(headers, "content-md5");
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value, "base64");
  if (bytes.length !== 16 || bytes.toString("base64") !== value.trim()) {
    throw new S3Error("InvalidDigest", "The Content-MD5 you specified was invalid.", {
      "Content-MD5": value,
    });
  }
  return bytes;
}

/** S3 answers a mismatch BadDigest; OSS answers InvalidDigest, as for a malformed value. */
export function checkContentMd5(
  expected: Buffer | undefined,
  actual: Buffer,
  code: "BadDigest" | "InvalidDigest" = "BadDigest",
): void {
  if (expected && !expected.equals(actual)) {
    const message =
      code === "BadDigest"
        ? "The Content-MD5 you specified did not match what we received."
        : "The Content-MD5 you specified was invalid.";
    throw new S3Error(code, message, {
      ExpectedDigest: expected.toString("hex"),
      CalculatedDigest: actual.toString("base64"),
    });
  }
}

/** Resolves the claimed value (header or trailer) and compares it with what was computed. */
export function checkChecksumClaim(
  claim: ChecksumClaim,
  trailers: Map<string, string>,
  computed: Buffer,
): void {
  const name = checksumHeader(claim.algorithm);
  const value = claim.inTrailer ? trailers.get(name) : claim.value;
  if (claim.inTrailer && value === undefined) {
    throw new S3Error("InvalidRequest", `The trailer ${name} announced in x-amz-trailer was not sent.`);
  }
  if (value === undefined) return;
  if (!isWellFormedChecksum(claim.algorithm, value)) {
    throw new S3Error("InvalidRequest", `Value for ${name} trailing header is invalid.`);
  }
  if (value !== computed.toString("base64")) {
    throw new S3Error(
      "BadDigest",
      `The ${claim.algorithm} you specified did not match the calculated checksum.`,
    );
  }
}
