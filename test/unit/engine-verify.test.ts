import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkStoredObject, expectedEtag } from "../../src/engine/upload/object-verify.js";
import type { ListedPart, S3Store } from "../../src/engine/s3/s3-client.js";
import {
  compareParts,
  listAllParts,
  verificationMethod,
  type UploadedPart,
} from "../../src/engine/upload/verify-parts.js";

const md5 = (text: string): Buffer => createHash("md5").update(text).digest();

function uploaded(number: number, overrides: Partial<UploadedPart> = {}): UploadedPart {
  return {
    number,
    size: 100,
    etag: `etag${number}`,
    checksum: `c${number}`,
    digest: null,
    md5Hex: null,
    ...overrides,
  };
}

function listed(number: number, overrides: Partial<ListedPart> = {}): ListedPart {
  return { number, size: 100, etag: `etag${number}`, checksums: { CRC64NVME: `c${number}` }, ...overrides };
}

describe("compareParts", () => {
  const expected = [uploaded(1), uploaded(2), uploaded(3)];

  it("accepts parts listed exactly as uploaded", () => {
    expect(compareParts(expected, [listed(1), listed(2), listed(3)], "checksum", "CRC64NVME")).toEqual([]);
  });

  it("names every missing or differing part and why", () => {
    const problems = compareParts(
      expected,
      [listed(1, { size: 99 }), listed(3, { checksums: { CRC64NVME: "other" } })],
      "checksum",
      "CRC64NVME",
    );
    expect(problems).toEqual([
      { number: 1, reason: "size 99 listed, 100 uploaded" },
      { number: 2, reason: "missing from ListParts" },
      { number: 3, reason: "CRC64NVME other listed, local c3" },
    ]);
  });

  it("catches an ETag that differs from UploadPart's answer or from the local MD5", () => {
    const hex = md5("part").toString("hex");
    const problems = compareParts(
      [uploaded(1), uploaded(2, { etag: "0".repeat(32), md5Hex: hex })],
      [listed(1, { etag: "changed" }), listed(2, { etag: "0".repeat(32) })],
      "etag-md5",
      "CRC64NVME",
    );
    expect(problems.map((problem) => problem.number)).toEqual([1, 2]);
    expect(problems[1]?.reason).toMatch(/local MD5/);
  });

  it("does not require ETag = MD5 when checksums prove the part (stores with other ETags pass)", () => {
    const part = uploaded(1, { etag: "opaque", md5Hex: md5("part").toString("hex") });
    expect(compareParts([part], [listed(1, { etag: "opaque" })], "checksum", "CRC64NVME")).toEqual([]);
  });

  it("reads a listed ETag as the hex MD5 it is, whatever its case (OSS writes upper-case hex)", () => {
    const hex = md5("part").toString("hex");
    const part = uploaded(1, { etag: hex.toUpperCase(), md5Hex: hex });
    expect(compareParts([part], [listed(1, { etag: hex.toUpperCase() })], "etag-md5", null)).toEqual([]);
  });

  it("names the checksum first when a stored part shows both another checksum and another ETag", () => {
    const problems = compareParts(
      [uploaded(1, { checksum: "local" })],
      [listed(1, { etag: "stored", checksums: { CRC64ECMA: "remote" } })],
      "checksum",
      "CRC64ECMA",
    );
    expect(problems).toEqual([
      {
        number: 1,
        reason: "CRC64ECMA remote listed, local local; ETag stored listed, UploadPart answered etag1",
      },
    ]);
  });

  it("treats a part without a local MD5 as unproven in the ETag fallback", () => {
    expect(compareParts([uploaded(1)], [listed(1, { checksums: {} })], "etag-md5", "CRC64NVME")).toEqual([
      { number: 1, reason: "no local MD5 to compare the ETag with" },
    ]);
  });
});

describe("verificationMethod", () => {
  it("uses checksums when the store listed any, the ETag fallback when it listed none", () => {
    expect(verificationMethod("CRC32", [listed(1, { checksums: { CRC32: "x" } })])).toBe("checksum");
    expect(verificationMethod("CRC32", [listed(1, { checksums: {} })])).toBe("etag-md5");
    expect(verificationMethod(null, [listed(1)])).toBe("etag-md5");
  });
});

describe("listAllParts", () => {
  it("follows part-number markers until the listing is complete", async () => {
    const markers: Array<string | undefined> = [];
    const store = {
      async listPartsPage(target: { marker?: string }) {
        markers.push(target.marker);
        const start = Number(target.marker ?? 0);
        const parts = [start + 1, start + 2].filter((n) => n <= 5).map((n) => listed(n));
        return start + 2 < 5 ? { parts, nextMarker: String(start + 2) } : { parts };
      },
    } as unknown as S3Store;
    const parts = await listAllParts(store, { bucket: "b", key: "k", uploadId: "u" });
    expect(parts.map((part) => part.number)).toEqual([1, 2, 3, 4, 5]);
    expect(markers).toEqual([undefined, "2", "4"]);
  });

  it("refuses a listing whose marker does not advance", async () => {
    const store = {
      listPartsPage: async () => ({ parts: [listed(1)], nextMarker: "1" }),
    } as unknown as S3Store;
    await expect(listAllParts(store, { bucket: "b", key: "k", uploadId: "u" })).rejects.toThrow(
      /did not advance/,
    );
  });
});

describe("expectedEtag", () => {
  it("is the MD5 for one PUT and MD5-of-MD5s-N for multipart (S3's definition)", () => {
    expect(expectedEtag(false, [md5("abc")])).toBe("900150983cd24fb0d6963f7d28e17f72");
    const parts = [md5("a"), md5("b")];
    const combined = createHash("md5").update(Buffer.concat(parts)).digest("hex");
    expect(expectedEtag(true, parts)).toBe(`${combined}-2`);
    expect(expectedEtag(true, [md5("a"), null])).toBeNull();
  });
});

describe("checkStoredObject", () => {
  const expected = { size: 10, algorithm: "CRC32" as const, checksum: "AAAAAA==", etag: "e-2" };

  it("prefers the checksum, falls back to the ETag, and never counts size alone as proof", () => {
    expect(
      checkStoredObject(expected, { size: 10, etag: "x", checksums: { CRC32: "AAAAAA==" } }),
    ).toMatchObject({
      ok: true,
      method: "checksum",
    });
    expect(checkStoredObject(expected, { size: 10, etag: "e-2", checksums: {} })).toMatchObject({
      ok: true,
      method: "etag-md5",
    });
    expect(
      checkStoredObject({ ...expected, etag: null }, { size: 10, etag: "q", checksums: {} }),
    ).toMatchObject({ ok: false, unprovable: true, problem: expect.stringMatching(/no MD5s/) });
    expect(checkStoredObject(expected, { size: 10, etag: "q", checksums: {}, sse: "aws:kms" })).toMatchObject(
      { ok: false, unprovable: true, problem: expect.stringMatching(/SSE-KMS/) },
    );
    // An ETag equal to the local MD5s is proof even when the answer names SSE-KMS.
    expect(
      checkStoredObject(expected, { size: 10, etag: "e-2", checksums: {}, sse: "aws:kms" }),
    ).toMatchObject({ ok: true, method: "etag-md5" });
  });

  it("fails on a different size, checksum or ETag", () => {
    expect(checkStoredObject(expected, { size: 11, etag: "e-2", checksums: {} })).toMatchObject({
      ok: false,
    });
    expect(
      checkStoredObject(expected, { size: 10, etag: "e-2", checksums: { CRC32: "BBBBBB==" } }),
    ).toMatchObject({
      ok: false,
    });
    expect(checkStoredObject(expected, { size: 10, etag: "e-3", checksums: {} })).toMatchObject({
      ok: false,
    });
  });
});
