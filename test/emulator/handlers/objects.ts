// Single-object operations: PutObject, GetObject/HeadObject (Range, partNumber, checksum mode), DeleteObject,
// GetObjectAttributes.
import { S3Error } from "../errors.js";
import { header, type RequestContext } from "../context.js";
import { emptyResponse, xmlResponse, type FileSegment, type S3Response } from "../response.js";
import { checkKeyLength, echoHeaders, encryptionHeaders, etagIsMd5, objectSettings } from "../metadata.js";
import { checksumHeader, checksumXmlTag, type Algorithm } from "../checksums.js";
import { applyStoredFault, readClaims, storePayload } from "./payload.js";
import { newId, type Bucket, type ObjectVersion } from "../storage.js";
import { checkForbidOverwrite } from "../profile-rules.js";
import type { XmlNode } from "../xml.js";

function versionHeaders(bucket: Bucket, version: ObjectVersion): Record<string, string> {
  return bucket.versioning === undefined ? {} : { "x-amz-version-id": version.versionId };
}

/** OSS's header that carries it: the store's CRC-64 of an object or part. */
export const CRC64ECMA_HEADER = "x-oss-hash-crc64ecma";

/** If-None-Match: * and If-Match on writes, answered as S3 does, and the profile's own no-overwrite header. */
export function checkWriteConditions(ctx: RequestContext, bucket: Bucket, key: string): void {
  checkForbidOverwrite(ctx, ctx.store.exists(bucket, key), bucket.versioning !== undefined);
  const ifNoneMatch = header(ctx, "if-none-match");
  const ifMatch = header(ctx, "if-match");
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== "*")
      throw new S3Error("NotImplemented", "If-None-Match on writes only supports '*'.");
    if (ctx.store.exists(bucket, key)) {
      throw new S3Error(
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        {
          Condition: "If-None-Match",
        },
      );
    }
  }
  if (ifMatch !== undefined) {
    const current = ctx.store.current(bucket, key);
    if (current.etag.replace(/"/g, "") !== ifMatch.replace(/"/g, "")) {
      throw new S3Error(
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        {
          Condition: "If-Match",
        },
      );
    }
  }
}

export async function putObject(ctx: RequestContext): Promise<S3Response> {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const key = ctx.route.key!;
  checkKeyLength(key);
  const settings = objectSettings(ctx.req.headers, ctx.config.defaultEncryption);
  const { claim, md5 } = readClaims(ctx);
  const type = header(ctx, "x-amz-checksum-type");
  if (type !== undefined && type !== "FULL_OBJECT") {
    throw new S3Error("InvalidRequest", `The ${type} checksum type is not supported for PutObject.`);
  }
  checkWriteConditions(ctx, bucket, key);
  // S3 computes a CRC64NVME for every new object that arrives without another checksum.
  const serverAlgorithm: Algorithm | undefined =
    claim?.algorithm ?? (ctx.config.profile.defaultChecksum ? "CRC64NVME" : undefined);
  const received = await storePayload(
    ctx,
    {
      destination: ctx.config.sink ? undefined : ctx.store.objectFile(),
      serverAlgorithm,
      claim,
      md5Etag: etagIsMd5(settings.headers),
    },
    md5,
  );
  const stored = await applyStoredFault(ctx.storedFault, received);
  const algorithm = claim?.algorithm ?? (ctx.config.sink ? undefined : serverAlgorithm);
  const checksumValue = algorithm === undefined ? undefined : received.checksums[algorithm];
  let storedVersionHeaders: Record<string, string> = {};
  if (stored) {
    checkWriteConditions(ctx, bucket, key);
    const storedValue = algorithm === undefined ? undefined : stored.checksums[algorithm];
    const version = await ctx.store.putVersion(bucket, {
      key,
      deleteMarker: false,
      file: stored.file,
      size: stored.size,
      etag: stored.etag,
      lastModified: new Date(),
      headers: settings.headers,
      tagCount: settings.tagCount,
      checksum:
        storedValue === undefined
          ? undefined
          : { algorithm: algorithm!, type: "FULL_OBJECT", value: storedValue },
      parts: undefined,
      ...(stored.crc64ecma === undefined ? {} : { crc64ecma: stored.crc64ecma }),
    });
    storedVersionHeaders = versionHeaders(bucket, version);
  } else if (bucket.versioning !== undefined) {
    // Lost after answering: the answer still names the version the store claimed to create.
    storedVersionHeaders = { "x-amz-version-id": bucket.versioning === "Enabled" ? newId(16) : "null" };
  }
  const headers: Record<string, string> = {
    etag: received.etag,
    ...encryptionHeaders(settings.headers),
    ...storedVersionHeaders,
  };
  if (algorithm !== undefined && checksumValue !== undefined && claim !== undefined) {
    headers[checksumHeader(algorithm)] = checksumValue;
    headers["x-amz-checksum-type"] = "FULL_OBJECT";
  }
  if (received.crc64ecma !== undefined) headers[CRC64ECMA_HEADER] = received.crc64ecma;
  return emptyResponse(200, headers);
}

interface ByteRange {
  start: number;
  end: number;
}

function parseRange(text: string | undefined, size: number): ByteRange | undefined {
  if (text === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(text.trim());
  // S3 ignores Range headers it cannot parse and returns the whole object.
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [, first, last] = match;
  let start: number;
  let end: number;
  if (first === "") {
    start = Math.max(0, size - Number(last));
    end = size - 1;
  } else {
    start = Number(first);
    end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  }
  // A reversed range is invalid syntax, which S3 ignores like any Range it cannot parse.
  if (first !== "" && last !== "" && Number(first) > Number(last)) return undefined;
  if (start >= size || size === 0) {
    throw new S3Error(
      "InvalidRange",
      "The requested range is not satisfiable",
      { RangeRequested: text, ActualObjectSize: size },
      // As RFC 9110 asks of a 416: the size, so the client can ask again for a range that exists.
      { "content-range": `bytes */${size}` },
    );
  }
  return { start, end };
}

function partRange(version: ObjectVersion, partNumber: number): ByteRange {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
    throw new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", {
      ArgumentName: "partNumber",
      ArgumentValue: String(partNumber),
    });
  }
  const parts = version.parts ?? [{ size: version.size }];
  if (partNumber > parts.length) {
    throw new S3Error("InvalidPartNumber", "The requested partnumber is not satisfiable", {
      PartNumberRequested: partNumber,
      ActualPartCount: parts.length,
    });
  }
  const start = parts.slice(0, partNumber - 1).reduce((sum, part) => sum + part.size, 0);
  return { start, end: start + parts[partNumber - 1]!.size - 1 };
}

function segmentsFor(version: ObjectVersion, range: ByteRange): FileSegment[] {
  const files = version.parts
    ? version.parts.map((part) => ({ path: part.file!, size: part.size }))
    : [{ path: version.file!, size: version.size }];
  const segments: FileSegment[] = [];
  let offset = 0;
  for (const file of files) {
    const fileStart = offset;
    const fileEnd = offset + file.size - 1;
    offset += file.size;
    if (fileEnd < range.start || fileStart > range.end || file.size === 0) continue;
    segments.push({
      path: file.path,
      start: Math.max(range.start, fileStart) - fileStart,
      end: Math.min(range.end, fileEnd) - fileStart,
    });
  }
  return segments;
}

/**
 * Checksum-mode headers of a whole-object or partNumber read. A part of a COMPOSITE object has its own checksum;
 * a FULL_OBJECT object has none per part, so S3 answers a part of it with nothing, unless that one part is the
 * whole object (AWS-validated in localstack/localstack#12842).
 */
function checksumModeHeaders(version: ObjectVersion, partNumber: number | undefined): Record<string, string> {
  if (partNumber !== undefined && version.parts) {
    const checksum = version.checksum;
    if (checksum?.type === "FULL_OBJECT" && version.parts.length > 1) return {};
    if (checksum?.type === "COMPOSITE") {
      const value = version.parts[partNumber - 1]?.checksums[checksum.algorithm];
      return value ? { [checksumHeader(checksum.algorithm)]: value, "x-amz-checksum-type": "COMPOSITE" } : {};
    }
  }
  if (!version.checksum) return {};
  return {
    [checksumHeader(version.checksum.algorithm)]: version.checksum.value,
    "x-amz-checksum-type": version.checksum.type,
  };
}

function preconditionFailed(condition: string): S3Error {
  return new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", {
    Condition: condition,
  });
}

/** An HTTP date header as epoch ms; S3, like RFC 7232, ignores one it cannot parse. */
function dateHeader(ctx: RequestContext, name: string): number | undefined {
  const text = header(ctx, name);
  const time = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/**
 * GET/HEAD preconditions in RFC 7232 order, which S3 documents: If-Match decides over If-Unmodified-Since (412),
 * If-None-Match over If-Modified-Since (304); all are evaluated before Range or partNumber.
 */
function readConditions(ctx: RequestContext, version: ObjectVersion): S3Response | undefined {
  const etag = version.etag.replace(/"/g, "");
  const matches = (list: string) => list.split(",").some((item) => item.trim().replace(/"/g, "") === etag);
  // HTTP dates have whole seconds.
  const modified = Math.floor(version.lastModified.getTime() / 1000) * 1000;
  const ifMatch = header(ctx, "if-match");
  if (ifMatch !== undefined) {
    if (ifMatch !== "*" && !matches(ifMatch)) throw preconditionFailed("If-Match");
  } else {
    const unmodifiedSince = dateHeader(ctx, "if-unmodified-since");
    if (unmodifiedSince !== undefined && modified > unmodifiedSince)
      throw preconditionFailed("If-Unmodified-Since");
  }
  const notModified = emptyResponse(304, {
    etag: version.etag,
    "last-modified": version.lastModified.toUTCString(),
  });
  const ifNoneMatch = header(ctx, "if-none-match");
  if (ifNoneMatch !== undefined) return ifNoneMatch === "*" || matches(ifNoneMatch) ? notModified : undefined;
  const modifiedSince = dateHeader(ctx, "if-modified-since");
  return modifiedSince !== undefined && modified <= modifiedSince ? notModified : undefined;
}

const RESPONSE_OVERRIDES: Record<string, string> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

/** S3 lets a signed GET/HEAD choose these answer headers (presigned download links use them); the emulator only takes signed requests. */
function responseOverrides(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [parameter, name] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query.get(parameter);
    // Node writes header strings as latin1: pass the UTF-8 bytes of the decoded value through unchanged.
    if (value !== null) out[name] = Buffer.from(value, "utf8").toString("latin1");
  }
  return out;
}

/** Storage classes whose objects S3 serves only after a restore, which this emulator does not implement. */
const ARCHIVED = ["GLACIER", "DEEP_ARCHIVE"];

function readObject(ctx: RequestContext, withBody: boolean): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const version = ctx.store.current(bucket, ctx.route.key!, ctx.route.query.get("versionId") ?? undefined);
  const notModified = readConditions(ctx, version);
  if (notModified) return notModified;
  const storageClass = version.headers["x-amz-storage-class"] ?? "STANDARD";
  if (withBody && ARCHIVED.includes(storageClass)) {
    throw new S3Error("InvalidObjectState", "The operation is not valid for the object's storage class", {
      StorageClass: storageClass,
    });
  }
  if (withBody && ctx.config.sink) {
    throw new S3Error(
      "NotImplemented",
      "This emulator runs in sink mode: payloads were discarded, so GetObject is unavailable.",
    );
  }
  const rangeHeader = header(ctx, "range");
  const partNumber = ctx.route.partNumber;
  if (rangeHeader !== undefined && partNumber !== undefined) {
    throw new S3Error("InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
  }
  const range =
    partNumber !== undefined ? partRange(version, partNumber) : parseRange(rangeHeader, version.size);
  const headers: Record<string, string | number> = {
    ...echoHeaders(version.headers, version.tagCount),
    etag: version.etag,
    "last-modified": version.lastModified.toUTCString(),
    "accept-ranges": "bytes",
    ...versionHeaders(bucket, version),
    ...responseOverrides(ctx.route.query),
  };
  if (version.parts && partNumber !== undefined) headers["x-amz-mp-parts-count"] = version.parts.length;
  // The whole object's, on ranged reads too (OSS's SDKs check it only on whole-object reads for that reason).
  if (version.crc64ecma !== undefined) headers[CRC64ECMA_HEADER] = version.crc64ecma;
  if (header(ctx, "x-amz-checksum-mode") === "ENABLED" && (range === undefined || partNumber !== undefined)) {
    Object.assign(headers, checksumModeHeaders(version, partNumber));
  }
  const served = range ?? { start: 0, end: version.size - 1 };
  headers["content-length"] = served.end - served.start + 1;
  if (range) headers["content-range"] = `bytes ${range.start}-${range.end}/${version.size}`;
  const status = range ? 206 : 200;
  if (!withBody || version.size === 0) return { status, headers };
  const segments = segmentsFor(version, served);
  ctx.store.retain(segments.map((segment) => segment.path));
  return { status, headers, segments };
}

export function getObject(ctx: RequestContext): S3Response {
  return readObject(ctx, true);
}

export function headObject(ctx: RequestContext): S3Response {
  return readObject(ctx, false);
}

export async function deleteObject(ctx: RequestContext): Promise<S3Response> {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const key = ctx.route.key!;
  const versionId = ctx.route.query.get("versionId") ?? undefined;
  if (versionId !== undefined) {
    const removed = await ctx.store.deleteVersion(bucket, key, versionId);
    const headers: Record<string, string> = { "x-amz-version-id": versionId };
    if (removed?.deleteMarker) headers["x-amz-delete-marker"] = "true";
    return emptyResponse(204, headers);
  }
  if (bucket.versioning === undefined) {
    await ctx.store.deleteVersion(bucket, key, "null");
    return emptyResponse(204);
  }
  const marker = await ctx.store.putVersion(bucket, {
    key,
    deleteMarker: true,
    file: undefined,
    size: 0,
    etag: "",
    lastModified: new Date(),
    headers: {},
    tagCount: 0,
    checksum: undefined,
    parts: undefined,
  });
  return emptyResponse(204, { "x-amz-delete-marker": "true", "x-amz-version-id": marker.versionId });
}

const OBJECT_ATTRIBUTES = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

function intHeader(ctx: RequestContext, name: string, fallback: number): number {
  const text = header(ctx, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new S3Error("InvalidArgument", `${name} must be a non-negative integer`, { ArgumentName: name });
  }
  return value;
}

export function getObjectAttributes(ctx: RequestContext): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const version = ctx.store.current(bucket, ctx.route.key!, ctx.route.query.get("versionId") ?? undefined);
  const wanted = (header(ctx, "x-amz-object-attributes") ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  const unknown = wanted.find((item) => !OBJECT_ATTRIBUTES.includes(item));
  if (wanted.length === 0 || unknown !== undefined) {
    throw new S3Error("InvalidArgument", `Invalid attribute name specified: ${unknown ?? "(none)"}`, {
      ArgumentName: "x-amz-object-attributes",
    });
  }
  const body: XmlNode = {};
  if (wanted.includes("ETag")) body.ETag = version.etag.replace(/"/g, "");
  if (wanted.includes("Checksum") && version.checksum) {
    body.Checksum = {
      // S3 shows a composite checksum here without the "-N" part count that GET/HEAD append.
      [checksumXmlTag(version.checksum.algorithm)]: version.checksum.value.replace(/-\d+$/, ""),
      ChecksumType: version.checksum.type,
    };
  }
  if (wanted.includes("ObjectParts") && version.parts && version.checksum?.type !== "COMPOSITE") {
    // Only COMPOSITE objects have part checksums worth listing; S3 reports just the count for the others.
    body.ObjectParts = { PartsCount: version.parts.length };
  } else if (wanted.includes("ObjectParts") && version.parts) {
    const maxParts = Math.min(intHeader(ctx, "x-amz-max-parts", 1000), 1000);
    const marker = intHeader(ctx, "x-amz-part-number-marker", 0);
    const after = version.parts.filter((part) => part.partNumber > marker);
    const listed = after.slice(0, maxParts);
    const alg = version.checksum!.algorithm;
    body.ObjectParts = {
      PartsCount: version.parts.length,
      PartNumberMarker: marker,
      NextPartNumberMarker: listed.at(-1)?.partNumber ?? marker,
      MaxParts: maxParts,
      IsTruncated: after.length > listed.length,
      Part: listed.map((part) => ({
        PartNumber: part.partNumber,
        Size: part.size,
        [checksumXmlTag(alg)]: part.checksums[alg],
      })),
    };
  }
  if (wanted.includes("StorageClass"))
    body.StorageClass = version.headers["x-amz-storage-class"] ?? "STANDARD";
  if (wanted.includes("ObjectSize")) body.ObjectSize = version.size;
  return xmlResponse("GetObjectAttributesResponse", body, {
    "last-modified": version.lastModified.toUTCString(),
    ...versionHeaders(bucket, version),
  });
}
