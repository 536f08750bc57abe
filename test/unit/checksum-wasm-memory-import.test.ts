import { randomFillSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CRC64NVME_WASM_BASE64 } from "../../src/engine/checksum/crc64nvme-wasm.js";
import { crc64NvmeKernel } from "../../src/engine/checksum/crc64nvme.js";
import { importMemoryInstead } from "../../src/engine/checksum/wasm-memory-import.js";

const kernelBytes = Buffer.from(CRC64NVME_WASM_BASE64, "base64");

// The project's TypeScript libs (no DOM) do not declare the WebAssembly global; this is the part used.
interface ModuleStatics {
  new (bytes: Uint8Array): object;
  imports(module: object): unknown;
  exports(module: object): unknown;
}
const { Module } = (globalThis as unknown as { WebAssembly: { Module: ModuleStatics } }).WebAssembly;

describe("a kernel module that runs on another kernel's memory", () => {
  it("imports one memory of the same limits and keeps the kernel's exports", () => {
    const module = new Module(importMemoryInstead(kernelBytes));
    expect(Module.imports(module)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
    expect(Module.exports(module)).toEqual(Module.exports(new Module(kernelBytes)));
  });

  it("hashes bytes in the other kernel's memory in place, to the same CRC, after that memory grew", () => {
    const main = crc64NvmeKernel(CRC64NVME_WASM_BASE64);
    const importing = Buffer.from(importMemoryInstead(kernelBytes)).toString("base64");
    const onMain = crc64NvmeKernel(importing, main.wasmMemory);
    const start = main.firstFreeByte;
    const length = 5 * 1024 * 1024 + 13;
    const memory = main.memoryUpTo(start + length)!;
    const bytes = new Uint8Array(memory, start, length);
    randomFillSync(bytes);
    const expected = main.finish(main.update(main.initial, bytes)).toString("hex");
    const view = new Uint8Array(onMain.memoryUpTo(start + length)!, start, length);
    expect(onMain.holds(view)).toBe(true);
    expect(onMain.finish(onMain.update(onMain.initial, view)).toString("hex")).toBe(expected);
    // The check value of CRC-64/NVME, placed in the shared memory.
    const check = new Uint8Array(onMain.memoryUpTo(start + 9)!, start, 9);
    check.set(Buffer.from("123456789"));
    expect(onMain.finish(onMain.update(onMain.initial, check)).toString("hex")).toBe("ae8b14860a799888");
  });

  it("refuses a module that is not shaped like the kernel", () => {
    // A module with no memory at all: magic and version only.
    const empty = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(() => importMemoryInstead(empty)).toThrow(/exactly one memory/);
  });
});
