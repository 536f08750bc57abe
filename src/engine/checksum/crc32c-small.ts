// A synchronous CRC32C for the few kilobytes of a composite checksum's input (concatenated part
// digests). hash-wasm only hands out hashers asynchronously, and this input is too small for speed
// to matter; bulk data goes through hash-wasm in part-hasher.ts.
const TABLE = buildTable(0x82f63b78);

function buildTable(reflectedPolynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reflectedPolynomial : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

export function crc32cSmall(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
