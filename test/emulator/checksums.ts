// Checksum calculators, written independently of the engine's: native zlib/crypto where Node has them, hash-wasm otherwise.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { crc32 } from "node:zlib";
import { createCRC32, createCRC64 } from "hash-wasm";

export const ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
export type ChecksumType = "COMPOSITE" | "FULL_OBJECT";

export const DIGEST_BYTES: Record<Algorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

const CRC32C_REFLECTED_POLYNOMIAL = 0x82f63b78;
const CRC64NVME_REFLECTED_POLYNOMIAL = "9a6c9329ac4bc9b5";
// CRC-64/XZ (ECMA-182 polynomial 0x42F0E1EBA9EA3693, reflected), init and xorout all ones: OSS's "crc64ecma".
const CRC64ECMA_REFLECTED_POLYNOMIAL = "c96c5795d7870f42";

/** Digests the emulator computes besides S3's additional checksums: MD5 (ETags, Content-MD5) and OSS's CRC-64. */
export type Digestible = Algorithm | "MD5" | "CRC64ECMA";

export interface Digester {
  update(data: Uint8Array): void;
  digest(): Buffer;
}

export function parseAlgorithm(name: string): Algorithm | undefined {
  const upper = name.trim().toUpperCase();
  return ALGORITHMS.find((alg) => alg === upper);
}

export function checksumHeader(alg: Algorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

export function checksumXmlTag(alg: Algorithm): `Checksum${Algorithm}` {
  return `Checksum${alg}`;
}

/** S3 accepts only canonical base64 of exactly the digest's length. */
export function isWellFormedChecksum(alg: Algorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false;
  const bytes = Buffer.from(value, "base64");
  return bytes.length === DIGEST_BYTES[alg] && bytes.toString("base64") === value;
}

function nodeDigester(name: "md5" | "sha1" | "sha256"): Digester {
  const hash = createHash(name);
  return { update: (data) => hash.update(data), digest: () => hash.digest() };
}

function crc32Digester(): Digester {
  let value = 0;
  return {
    update: (data) => {
      value = crc32(data, value);
    },
    digest: () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out;
    },
  };
}

async function wasmDigester(create: Promise<import("hash-wasm").IHasher>): Promise<Digester> {
  const hasher = await create;
  hasher.init();
  return { update: (data) => hasher.update(data), digest: () => Buffer.from(hasher.digest("binary")) };
}

export async function createDigester(alg: Digestible): Promise<Digester> {
  switch (alg) {
    case "MD5":
      return nodeDigester("md5");
    case "SHA1":
      return nodeDigester("sha1");
    case "SHA256":
      return nodeDigester("sha256");
    case "CRC32":
      return crc32Digester();
    case "CRC32C":
      return wasmDigester(createCRC32(CRC32C_REFLECTED_POLYNOMIAL));
    case "CRC64NVME":
      return wasmDigester(createCRC64(CRC64NVME_REFLECTED_POLYNOMIAL));
    case "CRC64ECMA":
      return wasmDigester(createCRC64(CRC64ECMA_REFLECTED_POLYNOMIAL));
  }
}

export async function checksumOf(alg: Digestible, data: Uint8Array): Promise<Buffer> {
  const digester = await createDigester(alg);
  digester.update(data);
  return digester.digest();
}

/** S3's composite multipart checksum: hash of the concatenated raw part digests, suffixed with the part count. */
export async function compositeChecksum(alg: Algorithm, partChecksumsBase64: string[]): Promise<string> {
  const joined = Buffer.concat(partChecksumsBase64.map((value) => Buffer.from(value, "base64")));
  const digest = await checksumOf(alg, joined);
  return `${digest.toString("base64")}-${partChecksumsBase64.length}`;
}

/** S3's multipart ETag: md5 of the concatenated raw part md5s, suffixed with the part count. */
export function multipartEtag(partEtags: string[]): string {
  const joined = Buffer.concat(partEtags.map((etag) => Buffer.from(etag.replace(/"/g, ""), "hex")));
  return `"${createHash("md5").update(joined).digest("hex")}-${partEtags.length}"`;
}

export async function digestFiles(paths: string[], algs: Digestible[]): Promise<Buffer[]> {
  const digesters = await Promise.all(algs.map((alg) => createDigester(alg)));
  for (const path of paths) {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      for (const digester of digesters) digester.update(chunk);
    }
  }
  return digesters.map((digester) => digester.digest());
}

/** OSS writes its CRC-64 as the decimal digits of the unsigned 64-bit value. */
export function crc64Decimal(digest: Buffer): string {
  return digest.readBigUInt64BE().toString();
}
