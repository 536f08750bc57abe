// In-memory catalogue of buckets, object versions and multipart uploads; payload bytes live in files under dataDir.
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { S3Error } from "./errors.js";
import { SortedKeys } from "./key-order.js";
import type { Algorithm, ChecksumType } from "./checksums.js";

export interface StoredChecksum {
  algorithm: Algorithm;
  type: ChecksumType;
  /** base64, with "-N" for composite multipart checksums. */
  value: string;
}

export interface PartRecord {
  partNumber: number;
  size: number;
  /** Quoted, as S3 shows it. */
  etag: string;
  lastModified: Date;
  /** undefined in sink mode. */
  file: string | undefined;
  checksums: Partial<Record<Algorithm, string>>;
  /** OSS's CRC-64 of the stored bytes, decimal, under profiles that keep one. */
  crc64ecma?: string;
}

/** Headers S3 stores with an object and echoes on GET/HEAD (content-*, cache-control, x-amz-meta-*, SSE, class). */
export type StoredHeaders = Record<string, string>;

export interface ObjectVersion {
  key: string;
  versionId: string;
  deleteMarker: boolean;
  /** Payload of a single-part object; multipart objects keep their bytes in their parts' files. */
  file: string | undefined;
  size: number;
  etag: string;
  lastModified: Date;
  headers: StoredHeaders;
  tagCount: number;
  checksum: StoredChecksum | undefined;
  /** Present for multipart objects: sizes and checksums per part, in part order. */
  parts: PartRecord[] | undefined;
  /** OSS's CRC-64 of the object, decimal: single PUTs, and multipart objects all of whose parts had one. */
  crc64ecma?: string;
}

export interface Upload {
  uploadId: string;
  key: string;
  initiated: Date;
  checksumAlgorithm: Algorithm | undefined;
  checksumType: ChecksumType | undefined;
  headers: StoredHeaders;
  tagCount: number;
  parts: Map<number, PartRecord>;
}

export interface Bucket {
  name: string;
  created: Date;
  versioning: "Enabled" | "Suspended" | undefined;
  /** Versions per key, oldest first; the last one is current. */
  objects: Map<string, ObjectVersion[]>;
  /** The keys of `objects` in listing order. */
  keys: SortedKeys;
  uploads: Map<string, Upload>;
  /** The LifecycleConfiguration document as last PUT; S3 replaces it whole on every PUT. */
  lifecycle: string | undefined;
  /** x-amz-transition-default-minimum-object-size of that PUT; S3 resets it to its default when absent. */
  lifecycleMinimumObjectSize?: string;
  /** Completed uploads by id, kept only with the `completeReplay: "same-answer"` option. */
  completed: Map<string, CompletedUpload>;
}

/** What a repeated CompleteMultipartUpload answers while `version` is still the key's current version. */
export interface CompletedUpload {
  key: string;
  version: ObjectVersion;
  answer: { status: number; headers: Record<string, string | number>; body?: string };
}

/** Files holding an object's bytes, in order. */
export function filesOf(version: ObjectVersion): string[] {
  if (version.parts) return version.parts.flatMap((part) => (part.file ? [part.file] : []));
  return version.file ? [version.file] : [];
}

const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function newId(bytes = 16): string {
  return randomBytes(bytes).toString("hex");
}

export class Store {
  readonly buckets = new Map<string, Bucket>();
  /** Files that GETs under way still read, with how many read each; S3 finishes such a GET with the old bytes. */
  private readonly readers = new Map<string, number>();
  /** Files a write or delete dropped while they were being read: removed when the last reader releases them. */
  private readonly doomed = new Set<string>();

  constructor(readonly dataDir: string) {}

  async init(): Promise<void> {
    await Promise.all(
      ["tmp", "objects", "parts"].map((dir) => mkdir(join(this.dataDir, dir), { recursive: true })),
    );
  }

  tempFile(): string {
    return join(this.dataDir, "tmp", newId());
  }

  objectFile(): string {
    return join(this.dataDir, "objects", newId());
  }

  partFile(): string {
    return join(this.dataDir, "parts", newId());
  }

  /** Marks files as being read, so replacing or deleting their version does not cut a GET under way. */
  retain(files: string[]): void {
    for (const file of files) this.readers.set(file, (this.readers.get(file) ?? 0) + 1);
  }

  async release(files: string[]): Promise<void> {
    const free: string[] = [];
    for (const file of files) {
      const left = (this.readers.get(file) ?? 1) - 1;
      if (left > 0) {
        this.readers.set(file, left);
        continue;
      }
      this.readers.delete(file);
      if (this.doomed.delete(file)) free.push(file);
    }
    await Promise.all(free.map((file) => rm(file, { force: true })));
  }

  private async removeFiles(files: string[]): Promise<void> {
    const free = files.filter((file) => {
      if (!this.readers.has(file)) return true;
      this.doomed.add(file);
      return false;
    });
    await Promise.all(free.map((file) => rm(file, { force: true })));
  }

  createBucket(name: string): Bucket {
    if (!BUCKET_NAME.test(name) || name.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
      throw new S3Error("InvalidBucketName", "The specified bucket is not valid.", { BucketName: name });
    }
    if (this.buckets.has(name)) {
      throw new S3Error(
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
        { BucketName: name },
      );
    }
    const bucket: Bucket = {
      name,
      created: new Date(),
      versioning: undefined,
      objects: new Map(),
      keys: new SortedKeys(),
      uploads: new Map(),
      lifecycle: undefined,
      completed: new Map(),
    };
    this.buckets.set(name, bucket);
    return bucket;
  }

  bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket)
      throw new S3Error("NoSuchBucket", "The specified bucket does not exist", { BucketName: name });
    return bucket;
  }

  async deleteBucket(name: string): Promise<void> {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0 || bucket.uploads.size > 0) {
      throw new S3Error("BucketNotEmpty", "The bucket you tried to delete is not empty", {
        BucketName: name,
      });
    }
    this.buckets.delete(name);
  }

  /** Current version of a key, ignoring delete markers; NoSuchKey otherwise. */
  current(bucket: Bucket, key: string, versionId?: string): ObjectVersion {
    const versions = bucket.objects.get(key) ?? [];
    if (versionId !== undefined) {
      const version = versions.find((v) => v.versionId === versionId);
      if (!version) {
        throw new S3Error("NoSuchVersion", "The specified version does not exist.", {
          Key: key,
          VersionId: versionId,
        });
      }
      if (version.deleteMarker)
        throw new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
      return version;
    }
    const latest = versions[versions.length - 1];
    if (!latest || latest.deleteMarker)
      throw new S3Error("NoSuchKey", "The specified key does not exist.", { Key: key });
    return latest;
  }

  exists(bucket: Bucket, key: string): boolean {
    const latest = bucket.objects.get(key)?.at(-1);
    return latest !== undefined && !latest.deleteMarker;
  }

  /** Adds a version as S3 does: appended when versioning is on, replacing the "null" version otherwise. */
  async putVersion(bucket: Bucket, version: Omit<ObjectVersion, "versionId">): Promise<ObjectVersion> {
    const versions = bucket.objects.get(version.key) ?? [];
    const versionId = bucket.versioning === "Enabled" ? newId(16) : "null";
    const replaced = versionId === "null" ? versions.filter((v) => v.versionId === "null") : [];
    const kept = versions.filter((v) => !replaced.includes(v));
    const stored: ObjectVersion = { ...version, versionId };
    kept.push(stored);
    bucket.objects.set(version.key, kept);
    bucket.keys.add(version.key);
    await this.removeFiles(replaced.flatMap(filesOf));
    return stored;
  }

  async deleteVersion(bucket: Bucket, key: string, versionId: string): Promise<ObjectVersion | undefined> {
    const versions = bucket.objects.get(key) ?? [];
    const victim = versions.find((v) => v.versionId === versionId);
    if (!victim) return undefined;
    const rest = versions.filter((v) => v !== victim);
    if (rest.length > 0) bucket.objects.set(key, rest);
    else {
      bucket.objects.delete(key);
      bucket.keys.remove(key);
    }
    await this.removeFiles(filesOf(victim));
    return victim;
  }

  upload(bucket: Bucket, key: string, uploadId: string): Upload {
    const upload = bucket.uploads.get(uploadId);
    if (!upload || upload.key !== key) {
      throw new S3Error(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        { UploadId: uploadId },
      );
    }
    return upload;
  }

  async removeUpload(bucket: Bucket, upload: Upload, keepFiles: Set<string> = new Set()): Promise<void> {
    bucket.uploads.delete(upload.uploadId);
    await Promise.all(
      [...upload.parts.values()].map((part) =>
        part.file && !keepFiles.has(part.file) ? rm(part.file, { force: true }) : undefined,
      ),
    );
  }
}
