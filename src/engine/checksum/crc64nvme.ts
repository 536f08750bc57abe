// CRC-64/NVME on a slicing-by-16 WebAssembly kernel (crc64nvme.wat). Portable: WebAssembly runs on every
// OS/arch Node does, and the module (under 1 KiB) is embedded in the bundle. The module builds its tables from
// the polynomial it is given, so the same bytes also serve CRC-64/XZ (crc64xz.ts), in an instance of its own.
import { CRC64NVME_WASM_BASE64 } from "./crc64nvme-wasm.js";

export interface Crc64NvmeKernel {
  /** The register before any byte (the CRC's initial value). */
  readonly initial: bigint;
  /** The register after `data`; takes any length. */
  update(register: bigint, data: Uint8Array): bigint;
  /** The CRC of a finished register: raw 8 bytes, big-endian as S3 encodes them. */
  finish(register: bigint): Buffer;
  /** Where the kernel's own data ends in its memory: callers' buffers may start here. */
  readonly firstFreeByte: number;
  /**
   * The kernel's memory grown to at least `end` bytes, or null when it cannot grow that far. Bytes placed in
   * it (through views of the buffer returned) are hashed in place by update(), with no copy.
   */
  memoryUpTo(end: number): SharedArrayBuffer | null;
  /** True when `data` lies in this kernel's memory, where update() reads it in place. */
  holds(data: Uint8Array): boolean;
  /** The kernel's WebAssembly.Memory: another thread's kernel can run on it (hash-workers.ts). */
  readonly wasmMemory: object;
}

/**
 * Instantiates the kernel for a reflected CRC-64 whose initial value and final xor are all ones (CRC-64/NVME
 * by default, CRC-64/XZ with 0xc96c5795d7870f42). Self-contained on purpose (it uses only its arguments and
 * globals): hash-workers.ts ships this function's source text to worker threads. With `importedMemory` (a
 * module from wasm-memory-import.ts and another kernel's wasmMemory) it runs on that kernel's memory and tables:
 * it may then only hash bytes in place (its input window is the other kernel's too), and its polynomial is the
 * other kernel's.
 */
export function crc64NvmeKernel(
  wasmBase64: string,
  importedMemory?: object,
  reflectedPolynomial = 0x9a6c9329ac4bc9b5n,
): Crc64NvmeKernel {
  const allOnes = 0xffffffffffffffffn;
  // Where crc64nvme.wat expects the input, and how much of it fits.
  const windowOffset = 32768;
  const windowBytes = 65536;
  const pageBytes = 65536;
  // V8 runs WebAssembly on its baseline compiler first and switches to optimised code between calls, never
  // within one: calls of this size let the first part switch early (callgrind, a fresh kernel hashing 16 MiB:
  // 6.6 instructions per byte in one call, 6.2 in 1 MiB calls).
  const inPlaceStep = 1024 * 1024;
  // The project's TypeScript libs (no DOM) do not declare the WebAssembly global; this is the part used.
  const wasm = (
    globalThis as unknown as {
      WebAssembly: {
        Module: new (bytes: Uint8Array) => object;
        Instance: new (module: object, imports: object) => { exports: unknown };
      };
    }
  ).WebAssembly;
  // Synchronous compile is fine for a module this small, and keeps hashing synchronous.
  const module = new wasm.Module(Buffer.from(wasmBase64, "base64"));
  const imports = importedMemory === undefined ? {} : { env: { memory: importedMemory } };
  const exports = new wasm.Instance(module, imports).exports as {
    memory: { buffer: SharedArrayBuffer; grow(pages: number): number };
    init(poly: bigint): void;
    // i64 crosses as a signed BigInt
    update(register: bigint, pointer: number, length: number): bigint;
  };
  // The tables live in the memory: a kernel on another's memory finds them made, and must not rewrite them while
  // that one reads them.
  if (importedMemory === undefined) exports.init(reflectedPolynomial);
  const memory = exports.memory;
  const window = new Uint8Array(memory.buffer, windowOffset, windowBytes);
  // Growing a shared memory gives a new, longer SharedArrayBuffer and leaves the earlier ones valid: views
  // of any of them are bytes this kernel reads in place.
  const ownBuffers = new WeakSet<SharedArrayBuffer>([memory.buffer]);
  return {
    initial: allOnes,
    update(register, data) {
      if (ownBuffers.has(data.buffer as SharedArrayBuffer)) {
        for (let offset = 0; offset < data.byteLength; offset += inPlaceStep) {
          const length = Math.min(inPlaceStep, data.byteLength - offset);
          register = exports.update(register, data.byteOffset + offset, length);
        }
        return register;
      }
      for (let offset = 0; offset < data.byteLength; offset += windowBytes) {
        const length = Math.min(windowBytes, data.byteLength - offset);
        window.set(data.subarray(offset, offset + length));
        register = exports.update(register, windowOffset, length);
      }
      return register;
    },
    holds(data) {
      return ownBuffers.has(data.buffer as SharedArrayBuffer);
    },
    firstFreeByte: windowOffset + windowBytes,
    wasmMemory: memory,
    memoryUpTo(end) {
      const missing = end - memory.buffer.byteLength;
      if (missing > 0) {
        try {
          memory.grow(Math.ceil(missing / pageBytes));
        } catch {
          // Past the declared maximum, or the system refused the pages.
          return null;
        }
      }
      const buffer = memory.buffer;
      ownBuffers.add(buffer);
      return buffer;
    },
    finish(register) {
      const out = Buffer.alloc(8);
      out.writeBigUInt64BE(BigInt.asUintN(64, register) ^ allOnes);
      return out;
    },
  };
}

// One instance serves every hasher of this thread: update() is synchronous, so no two hashers ever use the
// input window at once.
let sharedKernel: Crc64NvmeKernel | undefined;

/** This thread's kernel, whose memory also holds the buffers of hash-memory.ts. */
export function crc64NvmeSharedKernel(): Crc64NvmeKernel {
  return (sharedKernel ??= crc64NvmeKernel(CRC64NVME_WASM_BASE64));
}

/** A streaming CRC-64/NVME: feed bytes in any split, then read the raw 8 bytes. */
export class Crc64Nvme {
  private readonly kernel = crc64NvmeSharedKernel();
  private register = this.kernel.initial;

  update(data: Uint8Array): void {
    this.register = this.kernel.update(this.register, data);
  }

  digest(): Buffer {
    return this.kernel.finish(this.register);
  }
}
