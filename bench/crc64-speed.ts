// CRC64NVME kernels side by side on one core: hash-wasm's createCRC64 (slicing-by-8, the engine's kernel
// before crc64nvme.wat) and the engine's Crc64Nvme (slicing-by-16). Alternated 1 MiB rounds; the median and
// the best round, since other load on a shared machine only ever slows a round down.
//   npx tsx bench/crc64-speed.ts
// Instructions per byte (stable under load): run one kernel over N MiB under callgrind for two N and divide
// the difference, e.g.
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null --smc-check=all-non-file \
//     node --import tsx bench/crc64-speed.ts --only wasm-slicing-16 --mib 32    (then --mib 0)
import { randomBytes } from "node:crypto";
import { createCRC64 } from "hash-wasm";
import { Crc64Nvme } from "../src/engine/checksum/crc64nvme.js";

const ROUND_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const ROUNDS = 200;

const data = randomBytes(ROUND_BYTES);
const hashWasm = await createCRC64("9a6c9329ac4bc9b5");

const kernels: Record<string, () => string> = {
  "hash-wasm slicing-8": () => {
    hashWasm.init();
    for (let at = 0; at < data.length; at += CHUNK_BYTES)
      hashWasm.update(data.subarray(at, at + CHUNK_BYTES));
    return hashWasm.digest("hex");
  },
  "wasm-slicing-16": () => {
    const crc = new Crc64Nvme();
    for (let at = 0; at < data.length; at += CHUNK_BYTES) crc.update(data.subarray(at, at + CHUNK_BYTES));
    return crc.digest().toString("hex");
  },
};

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const only = option("only");
if (only !== undefined) {
  const kernel = kernels[only];
  if (kernel === undefined)
    throw new Error(`--only ${only}: expected one of ${Object.keys(kernels).join(", ")}`);
  for (let round = 0; round < 64; round++) kernel(); // warm-up and tier-up, counted in both runs alike
  const mib = Number(option("mib") ?? "32");
  for (let round = 0; round < mib; round++) kernel();
} else {
  const digests = new Set(Object.values(kernels).map((kernel) => kernel()));
  if (digests.size !== 1) throw new Error(`the kernels disagree: ${[...digests].join(" ")}`);
  const speeds: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, kernel] of Object.entries(kernels)) {
      const started = process.hrtime.bigint();
      kernel();
      const nanoseconds = Number(process.hrtime.bigint() - started);
      (speeds[name] ??= []).push((ROUND_BYTES / nanoseconds) * 1e3);
    }
  }
  for (const [name, values] of Object.entries(speeds)) {
    values.sort((a, b) => a - b);
    const median = values[Math.floor(values.length / 2)]!;
    console.log(
      `${name.padEnd(20)} median ${median.toFixed(0)} MB/s, best ${values.at(-1)!.toFixed(0)} MB/s`,
    );
  }
}
