// A worker thread that hashes a part lying in the main thread's CRC64NVME kernel memory (hash-memory.ts) reads it
// in place only if its kernel instance runs on that very memory. crc64nvme.wat declares its memory itself, so
// each instance would get its own, and bytes from elsewhere are copied into it 64 KiB at a time (0.2 CPU-s per
// GiB, perf). This turns the declared memory into an import of the same limits, so an instance can be handed
// the main thread's shared memory, without a second copy of the kernel's source to keep in step.

const MEMORY_SECTION = 5;
const IMPORT_SECTION = 2;
const MEMORY_KIND = 2;

function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let next = at;
  for (;;) {
    const byte = bytes[next++];
    if (byte === undefined) throw new Error("WebAssembly module: a section size runs past the end");
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value, next };
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, "utf8")];
  return [...leb(bytes.length), ...bytes];
}

/**
 * The module with its one declared memory replaced by an import `module`.`field` of the same limits (shared and
 * maximum kept). Throws for a module that imports anything already or declares other than one memory: the
 * kernel does neither, so such a module is not the one this was written for.
 */
export function importMemoryInstead(wasm: Uint8Array, module = "env", field = "memory"): Uint8Array {
  const sections: Array<{ id: number; body: Uint8Array }> = [];
  for (let at = 8; at < wasm.byteLength;) {
    const id = wasm[at]!;
    const { value: size, next } = readLeb(wasm, at + 1);
    sections.push({ id, body: wasm.subarray(next, next + size) });
    at = next + size;
  }
  if (sections.some((section) => section.id === IMPORT_SECTION)) {
    throw new Error("importMemoryInstead: the module already has imports");
  }
  const memories = sections.filter((section) => section.id === MEMORY_SECTION);
  if (memories.length !== 1 || memories[0]!.body[0] !== 1) {
    throw new Error("importMemoryInstead: the module must declare exactly one memory");
  }
  const limits = memories[0]!.body.subarray(1);
  const imports = Uint8Array.from([1, ...name(module), ...name(field), MEMORY_KIND, ...limits]);
  const out: number[] = [...wasm.subarray(0, 8)];
  let placed = false;
  for (const section of sections) {
    // Known sections go in ascending id order (custom sections, id 0, may sit anywhere).
    if (!placed && section.id > IMPORT_SECTION) {
      out.push(IMPORT_SECTION, ...leb(imports.byteLength), ...imports);
      placed = true;
    }
    if (section.id === MEMORY_SECTION) continue;
    out.push(section.id, ...leb(section.body.byteLength), ...section.body);
  }
  if (!placed) out.push(IMPORT_SECTION, ...leb(imports.byteLength), ...imports);
  return Uint8Array.from(out);
}
