// Combines per-part CRCs into the CRC of the whole object without re-reading it, using zlib's
// crc32_combine technique (polynomial arithmetic modulo P in the reflected bit order) generalised to
// any reflected CRC whose init equals its final xor, which holds for CRC32, CRC32C, CRC64NVME and CRC64ECMA
// (OSS's CRC-64/XZ).
import { digestLength, type FullObjectAlgorithm } from "./algorithms.js";

interface CrcSpec {
  width: 32 | 64;
  /** Reflected polynomial. */
  poly: bigint;
  /** x^(2^k) mod P for k = 0..63, enough for any byte length below 2^60. */
  powers: bigint[];
}

// Works on two 32-bit halves because BigInt bit-twiddling in the loop is about 20x slower.
function multiplyModP(poly: bigint, width: number, a: bigint, b: bigint): bigint {
  const polyHi = Number(poly >> 32n);
  const polyLo = Number(poly & 0xffffffffn);
  const aHi = Number(a >> 32n);
  const aLo = Number(a & 0xffffffffn);
  let bHi = Number(b >> 32n);
  let bLo = Number(b & 0xffffffffn);
  let productHi = 0;
  let productLo = 0;
  for (let bit = width - 1; bit >= 0; bit--) {
    const set = bit >= 32 ? (aHi >>> (bit - 32)) & 1 : (aLo >>> bit) & 1;
    if (set === 1) {
      productHi ^= bHi;
      productLo ^= bLo;
    }
    const carry = bLo & 1;
    bLo = ((bLo >>> 1) | ((bHi & 1) << 31)) >>> 0;
    bHi >>>= 1;
    if (carry === 1) {
      bHi = (bHi ^ polyHi) >>> 0;
      bLo = (bLo ^ polyLo) >>> 0;
    }
  }
  return (BigInt(productHi >>> 0) << 32n) | BigInt(productLo >>> 0);
}

function makeSpec(width: 32 | 64, poly: bigint): CrcSpec {
  const powers: bigint[] = [1n << BigInt(width - 2)]; // x^1
  for (let k = 1; k < 64; k++) {
    const previous = powers[k - 1]!;
    powers.push(multiplyModP(poly, width, previous, previous));
  }
  return { width, poly, powers };
}

const POLYNOMIALS: Record<FullObjectAlgorithm, { width: 32 | 64; poly: bigint }> = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
  CRC64ECMA: { width: 64, poly: 0xc96c5795d7870f42n },
};

// Built on first use, not at load: the three tables cost ~10 ms before a run's first request, and only a
// multipart upload's completion combines CRCs.
const specs: Partial<Record<FullObjectAlgorithm, CrcSpec>> = {};

function specFor(algorithm: FullObjectAlgorithm): CrcSpec {
  const { width, poly } = POLYNOMIALS[algorithm];
  return (specs[algorithm] ??= makeSpec(width, poly));
}

/** x^(8 * byteLength) mod P: multiplying a CRC by it appends byteLength zero bytes' worth of shift. */
function shiftOperator(spec: CrcSpec, byteLength: number): bigint {
  let result = 1n << BigInt(spec.width - 1); // x^0
  let remaining = byteLength;
  let k = 3; // one byte is x^8 = x^(2^3)
  while (remaining > 0) {
    if (remaining % 2 === 1) result = multiplyModP(spec.poly, spec.width, spec.powers[k]!, result);
    remaining = Math.floor(remaining / 2);
    k++;
  }
  return result;
}

function readCrc(algorithm: FullObjectAlgorithm, digest: Uint8Array, index: number): bigint {
  const expected = digestLength(algorithm);
  if (digest.length !== expected) {
    throw new Error(
      `combineFullObject: part ${index + 1} has a ${digest.length}-byte digest; ${algorithm} digests are ${expected} bytes`,
    );
  }
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  return expected === 8 ? view.getBigUint64(0) : BigInt(view.getUint32(0));
}

/** Whole-object CRC (raw big-endian bytes) from the parts' CRCs and sizes, in part order. */
export function combineFullObject(
  algorithm: FullObjectAlgorithm,
  parts: ReadonlyArray<{ digest: Uint8Array; size: number }>,
): Buffer {
  const spec = specFor(algorithm);
  // Parts almost always share one size, so each distinct size's operator is computed once.
  const operators = new Map<number, bigint>();
  let crc = 0n; // the CRC of zero bytes, because init equals the final xor
  parts.forEach((part, index) => {
    if (!Number.isSafeInteger(part.size) || part.size < 0) {
      throw new Error(
        `combineFullObject: part ${index + 1} has size ${part.size}; expected a byte count ≥ 0`,
      );
    }
    let operator = operators.get(part.size);
    if (operator === undefined) {
      operator = shiftOperator(spec, part.size);
      operators.set(part.size, operator);
    }
    crc = multiplyModP(spec.poly, spec.width, operator, crc) ^ readCrc(algorithm, part.digest, index);
  });
  const out = Buffer.alloc(spec.width / 8);
  if (spec.width === 64) out.writeBigUInt64BE(crc);
  else out.writeUInt32BE(Number(crc));
  return out;
}
