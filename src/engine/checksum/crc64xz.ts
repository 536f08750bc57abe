// CRC-64/XZ: the CRC Aliyun OSS computes of every object and part and answers in x-oss-hash-crc64ecma (Aliyun
// calls it "ECMA-182": polynomial 0x42F0E1EBA9EA3693 reflected, initial value and final xor all ones; the
// check value of "123456789" is 0x995DC9BBDF1939FA). Same kernel module as CRC-64/NVME, its own instance.
// The instance has its own memory, so bytes from anywhere (hash-memory.ts's buffers included) go through its
// input window: OSS runs pay that copy (~0.2 CPU-s per GiB) that CRC64NVME runs hashing in place do not.
import { crc64NvmeKernel, type Crc64NvmeKernel } from "./crc64nvme.js";
import { CRC64NVME_WASM_BASE64 } from "./crc64nvme-wasm.js";

const REFLECTED_POLYNOMIAL = 0xc96c5795d7870f42n;

let sharedKernel: Crc64NvmeKernel | undefined;

function kernel(): Crc64NvmeKernel {
  return (sharedKernel ??= crc64NvmeKernel(CRC64NVME_WASM_BASE64, undefined, REFLECTED_POLYNOMIAL));
}

/** A streaming CRC-64/XZ: feed bytes in any split, then read the raw 8 bytes (big-endian). */
export class Crc64Xz {
  private readonly kernel = kernel();
  private register = this.kernel.initial;

  update(data: Uint8Array): void {
    this.register = this.kernel.update(this.register, data);
  }

  digest(): Buffer {
    return this.kernel.finish(this.register);
  }
}

/** The 8 raw bytes as x-oss-hash-crc64ecma writes them: a decimal unsigned 64-bit integer. */
export function crc64EcmaHeaderValue(digest: Uint8Array): string {
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).readBigUInt64BE().toString(10);
}

/** The raw 8 bytes of an x-oss-hash-crc64ecma value, or null when it is not a decimal uint64. */
export function crc64EcmaFromHeader(value: string): Buffer | null {
  if (!/^[0-9]{1,20}$/.test(value)) return null;
  const crc = BigInt(value);
  if (crc >= 1n << 64n) return null;
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(crc);
  return out;
}
