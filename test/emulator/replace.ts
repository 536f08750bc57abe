// The "replace-after" fault: another writer overwrites an object, as a concurrent PutObject on S3 would.
import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { checksumOf, crc64Decimal } from "./checksums.js";
import type { StoreProfile } from "./profiles.js";
import { etagIsMd5, objectSettings } from "./metadata.js";
import { filesOf, type Store } from "./storage.js";

/** The current bytes with every byte inverted: same size, other content, so only a content check tells them apart. */
async function invertedBytes(store: Store, bucketName: string, key: string): Promise<Buffer> {
  const current = store.current(store.bucket(bucketName), key);
  const bytes = Buffer.concat(await Promise.all(filesOf(current).map((file) => readFile(file))));
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = bytes[i]! ^ 0xff;
  return bytes;
}

/**
 * Stores `body` (default: the current bytes inverted) as a new single-PUT version of the key, with the ETag and
 * checksums the profile's store gives a PutObject without headers (S3: its default CRC64NVME; OSS: its CRC-64).
 * Does nothing when the key has no current object.
 */
export async function replaceObject(
  store: Store,
  bucketName: string,
  key: string,
  body: Buffer | string | undefined,
  defaultEncryption: string,
  profile: StoreProfile,
): Promise<void> {
  const bucket = store.buckets.get(bucketName);
  if (!bucket || !store.exists(bucket, key)) return;
  const bytes = body === undefined ? await invertedBytes(store, bucketName, key) : Buffer.from(body);
  const file = store.objectFile();
  await writeFile(file, bytes);
  const settings = objectSettings({}, defaultEncryption);
  // Under SSE-KMS an ETag is not the MD5 of the bytes, as for every other write.
  const etag = etagIsMd5(settings.headers) ? createHash("md5").update(bytes).digest() : randomBytes(16);
  const hex = etag.toString("hex");
  await store.putVersion(bucket, {
    key,
    deleteMarker: false,
    file,
    size: bytes.length,
    etag: `"${profile.upperCaseEtags ? hex.toUpperCase() : hex}"`,
    lastModified: new Date(),
    headers: settings.headers,
    tagCount: settings.tagCount,
    checksum: profile.defaultChecksum
      ? {
          algorithm: "CRC64NVME",
          type: "FULL_OBJECT",
          value: (await checksumOf("CRC64NVME", bytes)).toString("base64"),
        }
      : undefined,
    parts: undefined,
    ...(profile.crc64ecma ? { crc64ecma: crc64Decimal(await checksumOf("CRC64ECMA", bytes)) } : {}),
  });
}
