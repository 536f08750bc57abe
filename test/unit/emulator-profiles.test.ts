// The emulator's store profiles against the engine's provider table: every store the engine knows (but "generic",
// which is no store) has a profile, and where both tables state the same fact they agree, so an e2e test against a
// profile tests the row the engine reads.
import { describe, expect, it } from "vitest";
import * as providers from "../../src/engine/s3/providers.js";
import { isChecksumHeader, PROFILES, storeProfile } from "../emulator/profiles.js";
import { virtualHostBucket } from "../emulator/router.js";
import { localhostLookup } from "../emulator/localhost.js";

/** The facts of an engine row that a profile states too (the rest is the engine's own business). */
interface EngineRow {
  addressing: string;
  minPartSize: number;
  equalParts: boolean;
  checksums: readonly { algorithm: string; type: string }[];
  nativeChecksum: string | null;
  conditionalCreate: string | null;
  listMultipartUploads: string;
}

// Filled in by the provider-table work (issue 14); until then only the names can be compared.
const engineRows = (providers as unknown as { PROFILES?: Record<string, EngineRow> }).PROFILES;

describe("emulator store profiles", () => {
  it("has a profile for every store the engine's provider table names", () => {
    const stores = providers.PROVIDERS.filter((name) => name !== "generic");
    expect([...stores].sort()).toEqual([...PROFILES].sort());
    for (const name of PROFILES) expect(storeProfile(name).name).toBe(name);
  });

  it("names the profiles that exist when asked for another", () => {
    expect(() => storeProfile("wasabi")).toThrow(
      /"wasabi" is unknown; use one of aws, oss, r2, gcs, b2, ceph, minio/,
    );
  });

  it.skipIf(engineRows === undefined)("agrees with each engine row on what both state", () => {
    for (const name of PROFILES) {
      const row = engineRows![name]!;
      const profile = storeProfile(name);
      const engineView = {
        virtualHostOnly: row.addressing === "virtual-host",
        minPartSize: row.minPartSize,
        equalParts: row.equalParts,
        keepsChecksums: row.checksums.length > 0,
        crc64ecma: row.nativeChecksum === "crc64ecma",
        ifNoneMatch: row.conditionalCreate === "if-none-match",
        forbidOverwrite: row.conditionalCreate === "x-oss-forbid-overwrite",
        exactKeyListing: row.listMultipartUploads === "exact-key",
      };
      const emulatorView = {
        virtualHostOnly: profile.virtualHostOnly,
        minPartSize: profile.minPartSize,
        equalParts: profile.equalParts,
        keepsChecksums: profile.additionalChecksums === "checked",
        crc64ecma: profile.crc64ecma,
        ifNoneMatch: profile.conditionalWrites,
        forbidOverwrite: profile.forbidOverwriteHeader,
        exactKeyListing: profile.listUploadsPrefix === "exact-key",
      };
      expect(emulatorView, name).toEqual(engineView);
      if (profile.checksumPairs !== null) {
        const pairs = (list: readonly { algorithm: string; type: string }[]) =>
          list.map((pair) => `${pair.algorithm} ${pair.type}`).sort();
        expect(pairs(profile.checksumPairs), name).toEqual(pairs(row.checksums));
      }
    }
  });

  it("knows S3's additional-checksum headers from others", () => {
    for (const name of [
      "x-amz-checksum-crc32",
      "x-amz-checksum-crc64nvme",
      "x-amz-checksum-algorithm",
      "x-amz-checksum-type",
      "x-amz-checksum-mode",
      "x-amz-sdk-checksum-algorithm",
      "x-amz-trailer",
    ])
      expect(isChecksumHeader(name), name).toBe(true);
    for (const name of ["x-amz-content-sha256", "x-amz-date", "content-md5", "x-amz-decoded-content-length"])
      expect(isChecksumHeader(name), name).toBe(false);
  });

  it("takes the bucket from a <bucket>.localhost Host, and nothing from other hosts", () => {
    expect(virtualHostBucket("my-bucket.localhost:9000")).toBe("my-bucket");
    expect(virtualHostBucket("My.Dotted.Bucket.LOCALHOST")).toBe("my.dotted.bucket");
    for (const host of ["localhost:9000", "127.0.0.1:9000", "bucket.example.com", undefined])
      expect(virtualHostBucket(host), String(host)).toBeUndefined();
  });

  it("resolves localhost names to the loopback the emulator listens on", async () => {
    const lookup = (hostname: string, all: boolean) =>
      new Promise<unknown>((resolve, reject) =>
        localhostLookup(hostname, { all }, (error, address) => (error ? reject(error) : resolve(address))),
      );
    expect(await lookup("bucket.localhost", false)).toBe("127.0.0.1");
    expect(await lookup("a.b.localhost.", true)).toEqual([{ address: "127.0.0.1", family: 4 }]);
  });
});
