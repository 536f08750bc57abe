// The multipart lifecycle the broker serves for an authenticated caller: create, sign a part, list parts,
// complete (only after ListParts agrees with the client's parts) and abort. Each returns the answer as a value,
// with what the audit line says about it.
import type { ChecksumAlgorithm, ChecksumType } from "../engine/types.js";
import {
  AMZ_CHECKSUM_ALGORITHMS as ALGORITHMS,
  checksumHeaderName,
  checksumTypeAllowed,
  defaultChecksumType,
  digestLength,
  sdkChecksumField,
} from "../engine/checksum/algorithms.js";
import { listPendingUploads } from "../engine/cleanup/cleanup.js";
import type { Checksums, ListedPart, S3Store } from "../engine/s3/s3-client.js";
import type { SigningCredentials } from "../engine/s3/sigv4.js";
import type { BrokerConfig } from "./config.js";
import { objectSettings } from "./object-settings.js";
import { authoriseKey, type Claims, type Grant } from "./policy.js";
import type { SignedPart, PartToSign } from "./part-url.js";

export interface Caller {
  issuer: string;
  subject: string;
  claims: Claims;
  grants: Grant[];
}

export interface AuditTarget {
  bucket?: string;
  key?: string;
  uploadId?: string;
  partNumber?: number;
  size?: number;
}

export interface Answer {
  status: number;
  body: unknown;
  outcome: "ok" | "denied" | "refused" | "failed";
  reason?: string;
  target: AuditTarget;
}

export interface LifecycleDeps {
  config: BrokerConfig;
  store: S3Store;
  credentials: () => Promise<SigningCredentials>;
  signPart: (part: PartToSign, credentials: SigningCredentials, now: Date) => SignedPart;
  objectUrl: (bucket: string, key: string) => string;
  now: () => Date;
}

export interface CallInput {
  query: URLSearchParams;
  body: unknown;
  uploadId?: string;
  partNumber?: string;
}

const S3_MAX_PARTS = 10_000;

function refuse(status: number, code: string, message: string, target: AuditTarget, hint?: string): Answer {
  const outcome = status === 403 ? "denied" : status >= 500 ? "failed" : "refused";
  return {
    status,
    body: { error: { code, message, ...(hint ? { hint } : {}) } },
    outcome,
    reason: message,
    target,
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function stripQuotes(etag: string): string {
  return etag.replace(/^"+|"+$/g, "");
}

function parseAlgorithm(value: unknown): ChecksumAlgorithm | undefined {
  const upper = typeof value === "string" ? value.toUpperCase() : undefined;
  return ALGORITHMS.find((algorithm) => algorithm === upper);
}

/** A base64 digest of exactly the algorithm's length, so a wrong or truncated value fails here, not at S3. */
function validDigest(algorithm: ChecksumAlgorithm, value: unknown): value is string {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]+=*$/.test(value)) return false;
  const bytes = Buffer.from(value, "base64");
  return bytes.length === digestLength(algorithm) && bytes.toString("base64") === value;
}

/** How the parts (and the whole object) were proven, for the client's result. */
function proofOf(algorithm: ChecksumAlgorithm | undefined, objectChecksums: Checksums): string {
  if (algorithm === undefined) {
    return "each part's signed Content-MD5 checked by the store; part ETags matched ListParts";
  }
  const whole = objectChecksums[algorithm] ? ` and the whole object's ${algorithm}` : "";
  return `each part's signed ${algorithm}${whole} checked by the store; parts matched ListParts`;
}

function validMd5(value: string): boolean {
  return /^[A-Za-z0-9+/]{22}==$/.test(value);
}

/**
 * The store's error as the broker's answer, its code kept: NoSuchUpload 404, PreconditionFailed 412, another
 * refusal of what the client sent (BadDigest, InvalidPart, EntityTooSmall…) 409, the store failing 502.
 */
function storeFailure(error: unknown, step: string, target: AuditTarget): Answer {
  const shape = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = shape.name ?? "Error";
  const storeStatus = shape.$metadata?.httpStatusCode ?? 0;
  const status =
    code === "NoSuchUpload"
      ? 404
      : code === "PreconditionFailed"
        ? 412
        : storeStatus >= 400 && storeStatus < 500 && storeStatus !== 403
          ? 409
          : 502;
  return refuse(status, code, `${step}: the store answered ${code}: ${shape.message ?? ""}`.trim(), target);
}

type Access = { answer: Answer } | { grant: Grant; key: string };

/** Whether the caller may write `key`; on success the audit `target` also names the granted bucket. */
function authorised(caller: Caller, key: unknown, bucket: unknown, target: AuditTarget): Access {
  if (typeof key !== "string" || key === "") {
    return { answer: refuse(400, "InvalidRequest", "the object key is missing: pass ?key=<key>", target) };
  }
  const check = authoriseKey(
    caller.grants,
    key,
    typeof bucket === "string" && bucket !== "" ? bucket : undefined,
  );
  if (!check.ok) return { answer: refuse(403, "AccessDenied", `${key}: ${check.reason}`, target) };
  target.bucket = check.grant.bucket;
  return { grant: check.grant, key };
}

export function createLifecycle(deps: LifecycleDeps) {
  async function create(caller: Caller, input: CallInput): Promise<Answer> {
    const body = record(input.body);
    // Uppy sends a filename; the object then goes under the caller's first prefix.
    const key =
      typeof body.key === "string"
        ? body.key
        : typeof body.filename === "string" && caller.grants[0]
          ? `${caller.grants[0].prefix}${body.filename}`
          : undefined;
    const target: AuditTarget = { key };
    const access = authorised(caller, key, body.bucket, target);
    if ("answer" in access) return access.answer;
    const { grant } = access;
    const algorithm =
      body.checksumAlgorithm === undefined ? "CRC64NVME" : parseAlgorithm(body.checksumAlgorithm);
    if (!algorithm) {
      return refuse(
        400,
        "InvalidRequest",
        "checksumAlgorithm must be one of " + ALGORITHMS.join(", "),
        target,
      );
    }
    const checksumType = (body.checksumType ?? defaultChecksumType(algorithm)) as ChecksumType;
    if (checksumType !== "FULL_OBJECT" && checksumType !== "COMPOSITE") {
      return refuse(400, "InvalidRequest", "checksumType must be FULL_OBJECT or COMPOSITE", target);
    }
    if (!checksumTypeAllowed(algorithm, checksumType)) {
      return refuse(400, "InvalidRequest", `${algorithm} cannot be used with ${checksumType}`, target);
    }
    if (body.size !== undefined) {
      if (typeof body.size !== "number" || !Number.isSafeInteger(body.size) || body.size < 0) {
        return refuse(400, "InvalidRequest", "size must be the object's length in bytes", target);
      }
      target.size = body.size;
      if (body.size > grant.maxObjectBytes) {
        return refuse(
          403,
          "AccessDenied",
          `${body.size} bytes is over this prefix's limit of ${grant.maxObjectBytes}`,
          target,
        );
      }
    }
    const settings = objectSettings(body, grant);
    if (!settings.ok) {
      return refuse(
        settings.status,
        settings.status === 403 ? "AccessDenied" : "InvalidRequest",
        `${access.key}: ${settings.message}`,
        target,
      );
    }
    try {
      const uploadId = await deps.store.createMultipartUpload({
        bucket: grant.bucket,
        key: access.key,
        headers: settings.headers,
        algorithm,
        checksumType,
      });
      target.uploadId = uploadId;
      return {
        status: 200,
        body: { key: access.key, uploadId, bucket: grant.bucket, checksumAlgorithm: algorithm, checksumType },
        outcome: "ok",
        target,
      };
    } catch (error) {
      return storeFailure(error, "CreateMultipartUpload", target);
    }
  }

  async function signPart(caller: Caller, input: CallInput): Promise<Answer> {
    const key = input.query.get("key");
    const target: AuditTarget = { key: key ?? undefined, uploadId: input.uploadId };
    const access = authorised(caller, key, input.query.get("bucket"), target);
    if ("answer" in access) return access.answer;
    const { grant } = access;
    const partNumber = Number(input.partNumber);
    const maxParts = Math.min(grant.maxParts, S3_MAX_PARTS);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > maxParts) {
      return refuse(
        403,
        "AccessDenied",
        `part number must be from 1 to ${maxParts} under this prefix`,
        target,
      );
    }
    target.partNumber = partNumber;
    const sizeText = input.query.get("size");
    // 0 is an empty file's one part.
    const size = sizeText === null || sizeText === "" ? NaN : Number(sizeText);
    if (!Number.isSafeInteger(size) || size < 0) {
      return refuse(
        400,
        "InvalidRequest",
        "size is missing: pass ?size=<the part's length in bytes>",
        target,
        "the URL signs the part's length, so the store takes no other body",
      );
    }
    target.size = size;
    if (size > grant.maxPartBytes) {
      return refuse(
        403,
        "AccessDenied",
        `${size} bytes is over this prefix's part limit of ${grant.maxPartBytes}`,
        target,
      );
    }
    const algorithm = parseAlgorithm(input.query.get("checksumAlgorithm"));
    const checksum = input.query.get("checksum");
    if (!algorithm || !validDigest(algorithm, checksum)) {
      return refuse(
        400,
        "InvalidRequest",
        "a part is signed only with its checksum: pass ?checksumAlgorithm=<the upload's algorithm>&checksum=<base64 digest of the part>",
        target,
        "the URL signs the checksum header, so the store refuses a body that does not match it",
      );
    }
    const contentMd5 = input.query.get("contentMd5") ?? undefined;
    if (contentMd5 !== undefined && !validMd5(contentMd5)) {
      return refuse(400, "InvalidRequest", "contentMd5 must be the part's base64 MD5 (16 bytes)", target);
    }
    if (contentMd5 === undefined && deps.config.s3.requireContentMd5) {
      return refuse(
        400,
        "InvalidRequest",
        "this store is not trusted to check x-amz-checksum-*: pass ?contentMd5=<base64 MD5 of the part> too",
        target,
        "the URL then signs Content-MD5, which the store does check",
      );
    }
    const signed = deps.signPart(
      {
        bucket: grant.bucket,
        key: access.key,
        uploadId: input.uploadId ?? "",
        partNumber,
        size,
        checksumHeader: checksumHeaderName(algorithm),
        checksum,
        ...(contentMd5 ? { contentMd5 } : {}),
      },
      await deps.credentials(),
      deps.now(),
    );
    return { status: 200, body: signed, outcome: "ok", target };
  }

  async function listAllParts(bucket: string, key: string, uploadId: string) {
    const parts: ListedPart[] = [];
    let marker: string | undefined;
    let algorithm: string | undefined;
    let checksumType: string | undefined;
    do {
      const page = await deps.store.listPartsPage({ bucket, key, uploadId, ...(marker ? { marker } : {}) });
      parts.push(...page.parts);
      algorithm ??= page.checksumAlgorithm;
      checksumType ??= page.checksumType;
      marker = page.nextMarker;
    } while (marker);
    return { parts, algorithm: parseAlgorithm(algorithm), checksumType };
  }

  function uppyPart(part: ListedPart) {
    const checksums = Object.fromEntries(
      Object.entries(part.checksums).map(([algorithm, value]) => [
        sdkChecksumField(algorithm as ChecksumAlgorithm),
        value,
      ]),
    );
    return {
      PartNumber: part.number,
      Size: part.size,
      ETag: part.etag,
      // Resume leaves alone an upload written to a moment ago: it may be another job's, still running.
      ...(part.lastModified ? { LastModified: part.lastModified.toISOString() } : {}),
      ...checksums,
    };
  }

  /**
   * The in-progress uploads of exactly this key (not of longer keys under it), for a client resuming one: only
   * a caller who may write the key sees them, as only such a caller may sign, complete or abort them.
   */
  async function listUploads(caller: Caller, input: CallInput): Promise<Answer> {
    const key = input.query.get("key");
    const target: AuditTarget = { key: key ?? undefined };
    const access = authorised(caller, key, input.query.get("bucket"), target);
    if ("answer" in access) return access.answer;
    try {
      const pending = await listPendingUploads(deps.store, access.grant.bucket, access.key, (list) => list());
      const uploads = pending
        .filter((upload) => upload.key === access.key)
        .map((upload) => ({
          key: upload.key,
          uploadId: upload.uploadId,
          ...(upload.initiated ? { initiated: upload.initiated.toISOString() } : {}),
          ...(upload.storageClass ? { storageClass: upload.storageClass } : {}),
          ...(upload.checksumAlgorithm ? { checksumAlgorithm: upload.checksumAlgorithm } : {}),
          ...(upload.checksumType ? { checksumType: upload.checksumType } : {}),
        }));
      return { status: 200, body: { uploads }, outcome: "ok", target };
    } catch (error) {
      return storeFailure(error, "ListMultipartUploads", target);
    }
  }

  async function listParts(caller: Caller, input: CallInput): Promise<Answer> {
    const key = input.query.get("key");
    const target: AuditTarget = { key: key ?? undefined, uploadId: input.uploadId };
    const access = authorised(caller, key, input.query.get("bucket"), target);
    if ("answer" in access) return access.answer;
    try {
      const listed = await listAllParts(access.grant.bucket, access.key, input.uploadId ?? "");
      return { status: 200, body: listed.parts.map(uppyPart), outcome: "ok", target };
    } catch (error) {
      return storeFailure(error, "ListParts", target);
    }
  }

  /** Why the client's parts and the store's differ, or undefined when they agree part for part. */
  function partsMismatch(
    claimed: unknown,
    listed: ListedPart[],
    /** Undefined when the store keeps no part checksums and signed Content-MD5s proved the parts. */
    algorithm: ChecksumAlgorithm | undefined,
  ): string | undefined {
    if (!Array.isArray(claimed) || claimed.length === 0)
      return "the body names no parts: send { parts: [{ PartNumber, ETag }] }";
    const stored = new Map(listed.map((part) => [part.number, part]));
    const named = new Set<number>();
    for (const entry of claimed.map(record)) {
      const number = entry.PartNumber;
      if (typeof number !== "number" || typeof entry.ETag !== "string")
        return "each part needs PartNumber and ETag";
      if (named.has(number)) return `part ${number} is named twice`;
      named.add(number);
      const part = stored.get(number);
      if (!part) return `part ${number} is not in the store's ListParts`;
      if (stripQuotes(entry.ETag) !== part.etag) return `part ${number}'s ETag differs from the store's`;
      if (algorithm === undefined) continue;
      const claimedChecksum = entry[sdkChecksumField(algorithm)];
      if (claimedChecksum !== undefined && claimedChecksum !== part.checksums[algorithm]) {
        return `part ${number}'s ${algorithm} differs from the store's`;
      }
    }
    const extra = listed.find((part) => !named.has(part.number));
    if (extra) return `the store holds part ${extra.number}, which the client did not name`;
    return undefined;
  }

  /**
   * The final check after Complete: the object the store now holds, as HeadObject shows it (some stores, Ceph
   * RGW among them, answer Complete without a usable ETag). Null when the HEAD fails or finds nothing: the
   * client then cannot prove the object and says so; Complete itself has succeeded, so it is not a failure here.
   */
  async function storedObject(
    bucket: string,
    key: string,
    versionId: string | undefined,
    algorithm: ChecksumAlgorithm | undefined,
  ): Promise<{ size: number; etag: string; checksum?: string; planRecord?: string } | null> {
    try {
      const head = await deps.store.headObject({ bucket, key, ...(versionId ? { versionId } : {}) });
      if (!head) return null;
      const checksum = algorithm ? head.checksums[algorithm] : undefined;
      return {
        size: head.size,
        etag: head.etag,
        ...(checksum ? { checksum } : {}),
        // The client's record of the settings it created the upload with: a resumed upload's are checked here.
        ...(head.planRecord ? { planRecord: head.planRecord } : {}),
      };
    } catch {
      return null;
    }
  }

  async function complete(caller: Caller, input: CallInput): Promise<Answer> {
    const key = input.query.get("key");
    const uploadId = input.uploadId ?? "";
    const target: AuditTarget = { key: key ?? undefined, uploadId };
    const access = authorised(caller, key, input.query.get("bucket"), target);
    if ("answer" in access) return access.answer;
    const { grant } = access;
    const body = record(input.body);
    let listed: Awaited<ReturnType<typeof listAllParts>>;
    try {
      listed = await listAllParts(grant.bucket, access.key, uploadId);
    } catch (error) {
      return storeFailure(error, "ListParts", target);
    }
    const storeKeptChecksums =
      listed.algorithm !== undefined &&
      listed.parts.every((part) => part.checksums[listed.algorithm!] !== undefined);
    if (!storeKeptChecksums && !deps.config.s3.requireContentMd5) {
      return refuse(
        409,
        "ChecksumMissing",
        "not completed: the store lists the parts without checksums, so nothing proves them",
        target,
        "for a store that ignores x-amz-checksum-* (Ceph RGW) set s3.requireContentMd5: true in the broker config",
      );
    }
    const algorithm = storeKeptChecksums ? listed.algorithm : undefined;
    const mismatch = partsMismatch(body.parts, listed.parts, algorithm);
    if (mismatch) {
      return refuse(
        409,
        "PartsMismatch",
        `not completed: ${mismatch}`,
        target,
        "upload the missing or changed parts again, or abort the upload",
      );
    }
    const size = listed.parts.reduce((total, part) => total + part.size, 0);
    target.size = size;
    if (body.size !== undefined && body.size !== size) {
      return refuse(
        409,
        "SizeMismatch",
        `not completed: the parts hold ${size} bytes, the client declared ${String(body.size)}`,
        target,
      );
    }
    if (size > grant.maxObjectBytes || listed.parts.length > grant.maxParts) {
      return refuse(
        403,
        "AccessDenied",
        `not completed: ${size} bytes in ${listed.parts.length} parts is over this prefix's limits`,
        target,
      );
    }
    const objectChecksums: Checksums = {};
    if (body.checksum !== undefined && algorithm !== undefined) {
      if (!validDigest(algorithm, body.checksum)) {
        return refuse(400, "InvalidRequest", `checksum must be the object's base64 ${algorithm}`, target);
      }
      objectChecksums[algorithm] = body.checksum;
    }
    const checksumType =
      algorithm !== undefined &&
      (listed.checksumType === "COMPOSITE" || listed.checksumType === "FULL_OBJECT")
        ? listed.checksumType
        : null;
    try {
      const answer = await deps.store.completeMultipartUpload({
        bucket: grant.bucket,
        key: access.key,
        uploadId,
        parts: [...listed.parts]
          .sort((a, b) => a.number - b.number)
          .map((part) => ({
            number: part.number,
            etag: part.etag,
            checksums: algorithm ? { [algorithm]: part.checksums[algorithm] } : {},
          })),
        objectChecksums,
        checksumType,
        objectSize: size,
        // The client may ask for If-None-Match where the rule allows overwriting, never drop it.
        ifNoneMatch: !grant.overwrite || body.ifNoneMatch === true,
      });
      const stored = await storedObject(grant.bucket, access.key, answer.versionId, algorithm);
      return {
        status: 200,
        body: {
          location: deps.objectUrl(grant.bucket, access.key),
          bucket: grant.bucket,
          key: access.key,
          size,
          etag: answer.etag,
          ...(answer.versionId ? { versionId: answer.versionId } : {}),
          ...(algorithm
            ? {
                checksumAlgorithm: algorithm,
                checksumType: answer.checksumType ?? checksumType,
                checksum: answer.checksums[algorithm],
              }
            : {}),
          proof: proofOf(algorithm, objectChecksums),
          stored,
        },
        outcome: "ok",
        target,
      };
    } catch (error) {
      return storeFailure(error, "CompleteMultipartUpload", target);
    }
  }

  async function abort(caller: Caller, input: CallInput): Promise<Answer> {
    const key = input.query.get("key");
    const target: AuditTarget = { key: key ?? undefined, uploadId: input.uploadId };
    const access = authorised(caller, key, input.query.get("bucket"), target);
    if ("answer" in access) return access.answer;
    try {
      await deps.store.abortMultipartUpload({
        bucket: access.grant.bucket,
        key: access.key,
        uploadId: input.uploadId ?? "",
      });
      return { status: 200, body: {}, outcome: "ok", target };
    } catch (error) {
      return storeFailure(error, "AbortMultipartUpload", target);
    }
  }

  /**
   * What is stored at a key the caller may write: its size, ETag and checksums, so a client can find its file
   * already uploaded ("unchanged") instead of uploading it again. { exists: false } when nothing is there.
   */
  async function head(caller: Caller, input: CallInput): Promise<Answer> {
    const key = input.query.get("key");
    const target: AuditTarget = { key: key ?? undefined };
    const access = authorised(caller, key, input.query.get("bucket"), target);
    if ("answer" in access) return access.answer;
    try {
      const stored = await deps.store.headObject({ bucket: access.grant.bucket, key: access.key });
      const body = stored
        ? {
            exists: true,
            size: stored.size,
            etag: stored.etag,
            checksums: stored.checksums,
            ...(stored.checksumType ? { checksumType: stored.checksumType } : {}),
            ...(stored.versionId ? { versionId: stored.versionId } : {}),
          }
        : { exists: false };
      return { status: 200, body, outcome: "ok", target };
    } catch (error) {
      return storeFailure(error, "HeadObject", target);
    }
  }

  return { create, listUploads, signPart, listParts, complete, abort, head };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
