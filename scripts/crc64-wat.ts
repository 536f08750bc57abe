import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import wabt from "wabt";

const watPath = fileURLToPath(new URL("../src/engine/checksum/crc64nvme.wat", import.meta.url));

/** The WebAssembly binary of crc64nvme.wat, as wabt's wat2wasm makes it. */
export async function compileCrc64Wat(): Promise<Uint8Array> {
  const toolkit = await wabt();
  // A shared memory is part of the threads feature.
  const features = { threads: true };
  const module = toolkit.parseWat("crc64nvme.wat", await readFile(watPath, "utf8"), features);
  try {
    // wabt's typings leave out validate's features argument, which its implementation takes.
    (module as unknown as { validate(features: object): void }).validate(features);
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
