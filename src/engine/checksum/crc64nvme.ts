// CRC-64/NVME on a slicing-by-16 WebAssembly kernel (crc64nvme.wat). Portable: WebAssembly runs on every
// OS/arch Node does, and the module (under 1 KiB) is embedded in the bundle. One instance serves every hasher:
// update() is synchronous, so no two hashers ever use the input window at once.
import { CRC64NVME_WASM_BASE64 } from "./crc64nvme-wasm.js";

const REFLECTED_POLYNOMIAL = 0x9a6c9329ac4bc9b5n;
const ALL_ONES = 0xffffffffffffffffn;
// Where crc64nvme.wat expects the input, and how much of it fits.
const WINDOW_OFFSET = 32768;
const WINDOW_BYTES = 65536;

interface Kernel {
  window: Uint8Array;
  /** The register after the first `length` bytes of the window; i64 crosses as a signed BigInt. */
  update(register: bigint, length: number): bigint;
}

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  init(poly: bigint): void;
  update(register: bigint, length: number): bigint;
}

// The project's TypeScript libs (no DOM) do not declare the WebAssembly global; this is the part used here.
const { WebAssembly: wasm } = globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object) => { exports: unknown };
  };
};

let kernel: Kernel | undefined;

function loadKernel(): Kernel {
  if (kernel !== undefined) return kernel;
  // Synchronous compile is fine for a module this small, and keeps the hasher synchronous.
  const module = new wasm.Module(Buffer.from(CRC64NVME_WASM_BASE64, "base64"));
  const exports = new wasm.Instance(module).exports as KernelExports;
  exports.init(REFLECTED_POLYNOMIAL);
  kernel = {
    window: new Uint8Array(exports.memory.buffer, WINDOW_OFFSET, WINDOW_BYTES),
    update: exports.update,
  };
  return kernel;
}

/** A streaming CRC-64/NVME: feed bytes in any split, read the raw 8 bytes (big-endian, as S3 encodes). */
export class Crc64Nvme {
  private readonly kernel = loadKernel();
  private register = ALL_ONES;

  update(data: Uint8Array): void {
    const { window, update } = this.kernel;
    let register = this.register;
    for (let offset = 0; offset < data.byteLength; offset += WINDOW_BYTES) {
      const length = Math.min(WINDOW_BYTES, data.byteLength - offset);
      window.set(data.subarray(offset, offset + length));
      register = update(register, length);
    }
    this.register = register;
  }

  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeBigUInt64BE(BigInt.asUintN(64, this.register) ^ ALL_ONES);
    return out;
  }
}
