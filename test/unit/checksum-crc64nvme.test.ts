import { Crc64Nvme as AwsCrc64Nvme } from "@aws-sdk/crc64-nvme";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Crc64Nvme } from "../../src/engine/checksum/crc64nvme.js";
import { CRC64NVME_WASM_BASE64 } from "../../src/engine/checksum/crc64nvme-wasm.js";
import { compileCrc64Wat } from "../../scripts/crc64-wat.js";

async function reference(data: Uint8Array): Promise<string> {
  const hasher = new AwsCrc64Nvme();
  hasher.update(data);
  return Buffer.from(await hasher.digest()).toString("hex");
}

function ours(data: Uint8Array, cuts: number[]): string {
  const hasher = new Crc64Nvme();
  let from = 0;
  for (const cut of [...cuts.map((c) => c % (data.length + 1))].sort((a, b) => a - b)) {
    hasher.update(data.subarray(from, Math.max(from, cut)));
    from = Math.max(from, cut);
  }
  hasher.update(data.subarray(from));
  return hasher.digest().toString("hex");
}

describe("Crc64Nvme (WebAssembly kernel)", () => {
  it("gives the catalogue check value of 123456789", () => {
    expect(ours(Buffer.from("123456789"), [])).toBe("ae8b14860a799888");
  });

  it("agrees with @aws-sdk/crc64-nvme on random data fed in random splits", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Lengths around the 32-byte rounds and past the 64 KiB input window.
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 65_000, maxLength: 100_000 })),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (data, cuts) => {
          expect(ours(data, cuts)).toBe(await reference(data));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("keeps concurrent hashers apart although they share one kernel", async () => {
    const left = Buffer.alloc(100_000, 1);
    const right = Buffer.alloc(70_000, 2);
    const a = new Crc64Nvme();
    const b = new Crc64Nvme();
    a.update(left.subarray(0, 33_333));
    b.update(right);
    a.update(left.subarray(33_333));
    expect(a.digest().toString("hex")).toBe(await reference(left));
    expect(b.digest().toString("hex")).toBe(await reference(right));
  });

  it("embeds exactly the module crc64nvme.wat compiles to (run npm run build:crc64-wasm after editing it)", async () => {
    const compiled = Buffer.from(await compileCrc64Wat()).toString("base64");
    expect(CRC64NVME_WASM_BASE64).toBe(compiled);
  });
});
