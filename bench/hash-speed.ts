// Single-core throughput of each part checksum as the engine runs it: 16 MiB buffers fed in 1 MiB
// chunks (about what a file read hands over), through createPartHasher / createMd5Hasher.
import { randomBytes } from "node:crypto";
import { createMd5Hasher, createPartHasher, type PartHasher } from "../src/engine/checksum/index.js";
import type { ChecksumAlgorithm } from "../src/engine/types.js";

const BUFFER_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
const ROUNDS = 8;

const buffer = randomBytes(BUFFER_BYTES);

function feed(hasher: PartHasher): void {
  for (let offset = 0; offset < BUFFER_BYTES; offset += CHUNK_BYTES) {
    hasher.update(buffer.subarray(offset, offset + CHUNK_BYTES));
  }
  hasher.digest();
}

async function megabytesPerSecond(makeHasher: () => Promise<PartHasher>): Promise<number> {
  feed(await makeHasher()); // warm-up: JIT and WASM instantiation
  const started = process.hrtime.bigint();
  for (let round = 0; round < ROUNDS; round++) feed(await makeHasher());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return (BUFFER_BYTES * ROUNDS) / 1e6 / seconds;
}

const algorithms: ChecksumAlgorithm[] = ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256"];
for (const algorithm of algorithms) {
  const speed = await megabytesPerSecond(() => createPartHasher(algorithm));
  console.log(`${algorithm.padEnd(10)} ${speed.toFixed(0).padStart(6)} MB/s`);
}
const md5Speed = await megabytesPerSecond(async () => createMd5Hasher());
console.log(`${"MD5".padEnd(10)} ${md5Speed.toFixed(0).padStart(6)} MB/s`);
