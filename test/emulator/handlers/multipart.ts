// Multipart upload operations with S3's rules on part numbers, checksum algorithms/types and completion.
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { S3Error } from "../errors.js";
import { header, type RequestContext } from "../context.js";
import { emptyResponse, OWNER, s3Time, xmlResponse, type S3Response } from "../response.js";
import { checkKeyLength, encryptionHeaders, etagIsMd5, objectSettings } from "../metadata.js";
import {
  ALGORITHMS,
  checksumHeader,
  checksumXmlTag,
  compositeChecksum,
  crc64Decimal,
  createDigester,
  multipartEtag,
  parseAlgorithm,
  type Algorithm,
  type ChecksumType,
} from "../checksums.js";
import { uriEncode } from "../sigv4.js";
import { applyStoredFault, quotedEtag, readClaims, storePayload } from "./payload.js";
import { readSmallBody } from "./small-body.js";
import { checkWriteConditions, CRC64ECMA_HEADER } from "./objects.js";
import { checkForbidOverwrite } from "../profile-rules.js";
import { childBlocks, childText, isRootedAt, type XmlNode } from "../xml.js";
import { newId, type Bucket, type PartRecord, type StoredChecksum, type Upload } from "../storage.js";
import { compareKeys } from "../key-order.js";

const MAX_PART_NUMBER = 10000;
const MAX_OBJECT_SIZE = 10000 * 5 * 1024 ** 3;

function checksumTypeRules(
  algorithm: Algorithm | undefined,
  typeText: string | undefined,
): ChecksumType | undefined {
  if (typeText !== undefined && typeText !== "COMPOSITE" && typeText !== "FULL_OBJECT") {
    throw new S3Error("InvalidRequest", `Value for x-amz-checksum-type header is invalid: ${typeText}`);
  }
  if (algorithm === undefined) {
    if (typeText !== undefined) {
      throw new S3Error(
        "InvalidRequest",
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
      );
    }
    return undefined;
  }
  if (typeText === "COMPOSITE" && algorithm === "CRC64NVME") {
    throw new S3Error(
      "InvalidRequest",
      "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.",
    );
  }
  if (typeText === "FULL_OBJECT" && (algorithm === "SHA1" || algorithm === "SHA256")) {
    throw new S3Error(
      "InvalidRequest",
      `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    );
  }
  return typeText ?? (algorithm === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE");
}

/** A store that takes fewer pairs than S3 (R2) refuses the others, naming the header, as for any it lacks. */
function checkStorePair(
  ctx: RequestContext,
  algorithm: Algorithm | undefined,
  type: ChecksumType | undefined,
  typeText: string | undefined,
): void {
  const pairs = ctx.config.profile.checksumPairs;
  if (!pairs || algorithm === undefined) return;
  if (pairs.some((pair) => pair.algorithm === algorithm && pair.type === type)) return;
  const [name, value] =
    typeText === undefined ? ["x-amz-checksum-algorithm", algorithm] : ["x-amz-checksum-type", typeText];
  throw new S3Error("NotImplemented", `Header '${name}' with value '${value}' not implemented`);
}

export function createMultipartUpload(ctx: RequestContext): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const key = ctx.route.key!;
  checkKeyLength(key);
  checkForbidOverwrite(ctx, ctx.store.exists(bucket, key), bucket.versioning !== undefined);
  // A store without additional checksums keeps no algorithm, whatever the request names.
  const checked = ctx.config.profile.additionalChecksums === "checked";
  const algorithmText = checked ? header(ctx, "x-amz-checksum-algorithm") : undefined;
  const algorithm = algorithmText === undefined ? undefined : parseAlgorithm(algorithmText);
  if (algorithmText !== undefined && algorithm === undefined) {
    throw new S3Error(
      "InvalidRequest",
      `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${ALGORITHMS.join(", ")}]`,
    );
  }
  const typeText = checked ? header(ctx, "x-amz-checksum-type") : undefined;
  const checksumType = checksumTypeRules(algorithm, typeText);
  checkStorePair(ctx, algorithm, checksumType, typeText);
  const settings = objectSettings(ctx.req.headers, ctx.config.defaultEncryption);
  const upload: Upload = {
    uploadId: newId(24),
    key,
    initiated: new Date(),
    checksumAlgorithm: algorithm,
    checksumType,
    headers: settings.headers,
    tagCount: settings.tagCount,
    parts: new Map(),
  };
  bucket.uploads.set(upload.uploadId, upload);
  const headers: Record<string, string> = { ...encryptionHeaders(settings.headers) };
  if (algorithm) headers["x-amz-checksum-algorithm"] = algorithm;
  if (checksumType) headers["x-amz-checksum-type"] = checksumType;
  return xmlResponse(
    "InitiateMultipartUploadResult",
    { Bucket: bucket.name, Key: key, UploadId: upload.uploadId },
    headers,
  );
}

function checkPartNumber(value: number | undefined): number {
  if (value === undefined || !Number.isInteger(value) || value < 1 || value > MAX_PART_NUMBER) {
    throw new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", {
      ArgumentName: "partNumber",
      ArgumentValue: String(value),
    });
  }
  return value;
}

export async function uploadPart(ctx: RequestContext): Promise<S3Response> {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const partNumber = checkPartNumber(ctx.route.partNumber);
  const upload = ctx.store.upload(bucket, ctx.route.key!, ctx.route.uploadId!);
  const { claim, md5 } = readClaims(ctx);
  if (upload.checksumAlgorithm && claim && claim.algorithm !== upload.checksumAlgorithm) {
    throw new S3Error(
      "InvalidRequest",
      `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${claim.algorithm.toLowerCase()}`,
    );
  }
  const received = await storePayload(
    ctx,
    {
      destination: ctx.config.sink ? undefined : ctx.store.partFile(),
      serverAlgorithm: upload.checksumAlgorithm,
      claim,
      md5Etag: etagIsMd5(upload.headers),
    },
    md5,
  );
  if (bucket.uploads.get(upload.uploadId) !== upload) {
    if (received.file) await rm(received.file, { force: true });
    ctx.store.upload(bucket, ctx.route.key!, ctx.route.uploadId!);
  }
  const stored = await applyStoredFault(ctx.storedFault, received);
  if (stored) {
    const previous = upload.parts.get(partNumber);
    upload.parts.set(partNumber, {
      partNumber,
      size: stored.size,
      etag: stored.etag,
      lastModified: new Date(),
      file: stored.file,
      checksums: stored.checksums,
      ...(stored.crc64ecma === undefined ? {} : { crc64ecma: stored.crc64ecma }),
    });
    if (previous?.file) await rm(previous.file, { force: true });
  }
  const headers: Record<string, string> = { etag: received.etag, ...encryptionHeaders(upload.headers) };
  if (received.crc64ecma !== undefined) headers[CRC64ECMA_HEADER] = received.crc64ecma;
  for (const [alg, value] of Object.entries(received.checksums)) {
    if (alg === upload.checksumAlgorithm || alg === claim?.algorithm)
      headers[checksumHeader(alg as Algorithm)] = value;
  }
  return emptyResponse(200, headers);
}

function parseLimit(text: string | null, name: string, fallback: number): number {
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) {
    throw new S3Error("InvalidArgument", `Provided ${name} not an integer or within integer range`, {
      ArgumentName: name,
      ArgumentValue: text,
    });
  }
  return value;
}

function partEntry(part: PartRecord): XmlNode {
  const entry: XmlNode = {
    PartNumber: part.partNumber,
    LastModified: s3Time(part.lastModified),
    ETag: part.etag,
    Size: part.size,
  };
  for (const alg of ALGORITHMS) {
    const value = part.checksums[alg];
    if (value !== undefined) entry[checksumXmlTag(alg)] = value;
  }
  // OSS lists each part's CRC-64 (its SDK v2 ListParts results read Part/HashCrc64ecma).
  if (part.crc64ecma !== undefined) entry.HashCrc64ecma = part.crc64ecma;
  return entry;
}

export function listParts(ctx: RequestContext): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const upload = ctx.store.upload(bucket, ctx.route.key!, ctx.route.uploadId!);
  const maxParts = Math.min(parseLimit(ctx.route.query.get("max-parts"), "max-parts", 1000), 1000);
  const marker = parseLimit(ctx.route.query.get("part-number-marker"), "part-number-marker", 0);
  const after = [...upload.parts.values()]
    .filter((part) => part.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const listed = after.slice(0, maxParts);
  const encode =
    ctx.route.query.get("encoding-type") === "url"
      ? (text: string) => uriEncode(text, true)
      : (text: string) => text;
  return xmlResponse("ListPartsResult", {
    Bucket: bucket.name,
    Key: encode(upload.key),
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: listed.at(-1)?.partNumber ?? marker,
    MaxParts: maxParts,
    IsTruncated: after.length > listed.length,
    Part: listed.map(partEntry),
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: upload.headers["x-amz-storage-class"] ?? "STANDARD",
    ChecksumAlgorithm: upload.checksumAlgorithm,
    ChecksumType: upload.checksumType,
  });
}

export function listMultipartUploads(ctx: RequestContext): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const query = ctx.route.query;
  const prefix = query.get("prefix") ?? "";
  const keyMarker = query.get("key-marker") ?? "";
  const uploadIdMarker = query.get("upload-id-marker") ?? "";
  const maxUploads = Math.min(parseLimit(query.get("max-uploads"), "max-uploads", 1000), 1000);
  const exactKey = ctx.config.profile.listUploadsPrefix === "exact-key" && prefix !== "";
  const ordered = [...bucket.uploads.values()]
    .filter((upload) => (exactKey ? upload.key === prefix : upload.key.startsWith(prefix)))
    .sort((a, b) => compareKeys(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime());
  let start = 0;
  if (keyMarker !== "") {
    const markerIndex =
      uploadIdMarker === ""
        ? -1
        : ordered.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker);
    start =
      markerIndex !== -1
        ? markerIndex + 1
        : ordered.findIndex((u) => compareKeys(u.key, keyMarker) > 0) === -1
          ? ordered.length
          : ordered.findIndex((u) => compareKeys(u.key, keyMarker) > 0);
  }
  const listed = ordered.slice(start, start + maxUploads);
  const truncated = start + listed.length < ordered.length;
  const encode =
    query.get("encoding-type") === "url" ? (text: string) => uriEncode(text, true) : (text: string) => text;
  return xmlResponse("ListMultipartUploadsResult", {
    Bucket: bucket.name,
    KeyMarker: encode(keyMarker),
    UploadIdMarker: uploadIdMarker,
    NextKeyMarker: truncated ? encode(listed.at(-1)!.key) : undefined,
    NextUploadIdMarker: truncated ? listed.at(-1)!.uploadId : undefined,
    Prefix: encode(prefix),
    EncodingType: query.get("encoding-type") ?? undefined,
    MaxUploads: maxUploads,
    IsTruncated: truncated,
    Upload: listed.map((upload) => ({
      Key: encode(upload.key),
      UploadId: upload.uploadId,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: upload.headers["x-amz-storage-class"] ?? "STANDARD",
      Initiated: s3Time(upload.initiated),
      ChecksumAlgorithm: upload.checksumAlgorithm,
      ChecksumType: upload.checksumType,
    })),
  });
}

export function abortMultipartUpload(ctx: RequestContext): Promise<S3Response> {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const upload = ctx.store.upload(bucket, ctx.route.key!, ctx.route.uploadId!);
  return ctx.store.removeUpload(bucket, upload).then(() => emptyResponse(204));
}

interface RequestedPart {
  partNumber: number;
  etag: string;
  checksums: Partial<Record<Algorithm, string>>;
}

const MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema";

function parseCompleteBody(xml: string, withChecksums: boolean): RequestedPart[] {
  if (!isRootedAt(xml, "CompleteMultipartUpload")) throw new S3Error("MalformedXML", MALFORMED);
  const parts = childBlocks(xml, "Part").map((block) => {
    const partNumber = Number(childText(block, "PartNumber"));
    const etag = childText(block, "ETag");
    if (!Number.isInteger(partNumber) || etag === undefined) throw new S3Error("MalformedXML", MALFORMED);
    const checksums: Partial<Record<Algorithm, string>> = {};
    for (const alg of withChecksums ? ALGORITHMS : []) {
      const value = childText(block, checksumXmlTag(alg));
      if (value !== undefined) checksums[alg] = value;
    }
    return { partNumber, etag: etag.replace(/"/g, ""), checksums };
  });
  if (parts.length === 0) throw new S3Error("MalformedXML", MALFORMED);
  return parts;
}

function invalidPart(upload: Upload, requested: RequestedPart, why: string): S3Error {
  return new S3Error(
    "InvalidPart",
    `One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag. (${why})`,
    { UploadId: upload.uploadId, PartNumber: requested.partNumber, ETag: requested.etag },
  );
}

/** R2: every part but the last has one size, and the last no more. */
function checkEqualParts(parts: PartRecord[]): void {
  const size = parts[0]?.size ?? 0;
  const uneven = parts.some((part, index) =>
    index < parts.length - 1 ? part.size !== size : part.size > size,
  );
  if (uneven) throw new S3Error("InvalidPart", "All non-trailing parts must have the same length.");
}

function matchParts(upload: Upload, requested: RequestedPart[], minPartSize: number): PartRecord[] {
  const alg = upload.checksumAlgorithm;
  const matched = requested.map((req, index) => {
    if (index > 0 && req.partNumber <= requested[index - 1]!.partNumber) {
      throw new S3Error(
        "InvalidPartOrder",
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
        {
          UploadId: upload.uploadId,
        },
      );
    }
    const part = upload.parts.get(req.partNumber);
    if (!part) throw invalidPart(upload, req, "part not uploaded");
    if (part.etag.replace(/"/g, "") !== req.etag) throw invalidPart(upload, req, "ETag mismatch");
    for (const [given, value] of Object.entries(req.checksums)) {
      if (given !== alg) {
        throw new S3Error(
          "InvalidRequest",
          `The upload was created using ${alg ?? "no"} checksum; part ${req.partNumber} carries a ${given} checksum.`,
        );
      }
      if (part.checksums[given] !== value) throw invalidPart(upload, req, `${given} checksum mismatch`);
    }
    if (alg && upload.checksumType === "COMPOSITE" && req.checksums[alg] === undefined) {
      throw new S3Error(
        "InvalidRequest",
        `The upload was created using a ${alg.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${req.partNumber} in the request.`,
      );
    }
    return part;
  });
  // Documented for CompletedPart.PartNumber: with additional checksums, numbers start at 1 and are consecutive.
  if (alg && matched.some((part, index) => part.partNumber !== index + 1)) {
    throw new S3Error(
      "InvalidPartOrder",
      "Uploads with additional checksums require part numbers that start at 1 and are consecutive.",
      { UploadId: upload.uploadId },
    );
  }
  matched.slice(0, -1).forEach((part, index) => {
    if (part.size < minPartSize) {
      throw new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", {
        ProposedSize: part.size,
        MinSizeAllowed: minPartSize,
        PartNumber: part.partNumber,
        ETag: requested[index]!.etag,
      });
    }
  });
  return matched;
}

/** Full-object digest read back from the stored parts: an independent path from the client's CRC combination. */
async function storedPartsDigest(alg: Algorithm | "CRC64ECMA", parts: PartRecord[]): Promise<Buffer> {
  const digester = await createDigester(alg);
  for (const part of parts) {
    if (!part.file) continue;
    for await (const chunk of createReadStream(part.file, {
      highWaterMark: 1 << 20,
    }) as AsyncIterable<Buffer>) {
      digester.update(chunk);
    }
  }
  return digester.digest();
}

async function fullObjectChecksum(alg: Algorithm, parts: PartRecord[]): Promise<string> {
  return (await storedPartsDigest(alg, parts)).toString("base64");
}

/** OSS's CRC-64 of a completed object: only when every part has one, as OSS documents for Complete. */
async function objectCrc64ecma(parts: PartRecord[]): Promise<string | undefined> {
  if (parts.some((part) => part.crc64ecma === undefined)) return undefined;
  return crc64Decimal(await storedPartsDigest("CRC64ECMA", parts));
}

async function objectChecksum(
  ctx: RequestContext,
  upload: Upload,
  parts: PartRecord[],
): Promise<StoredChecksum | undefined> {
  const alg = upload.checksumAlgorithm;
  if (ctx.config.profile.additionalChecksums !== "checked") return undefined;
  const claimedType = header(ctx, "x-amz-checksum-type");
  if (claimedType !== undefined && claimedType !== upload.checksumType) {
    throw new S3Error(
      "InvalidRequest",
      `The upload was created using the ${upload.checksumType ?? "no"} checksum type; the request says ${claimedType}.`,
    );
  }
  const claimed = ALGORITHMS.find((candidate) => header(ctx, checksumHeader(candidate)) !== undefined);
  if (claimed !== undefined && claimed !== alg) {
    throw new S3Error(
      "InvalidRequest",
      `The upload was created using ${alg ?? "no"} checksum; the request carries ${claimed}.`,
    );
  }
  if (!alg) {
    // S3 gives objects uploaded without a checksum its default: a full-object CRC64NVME.
    if (ctx.config.sink || !ctx.config.profile.defaultChecksum) return undefined;
    return {
      algorithm: "CRC64NVME",
      type: "FULL_OBJECT",
      value: await fullObjectChecksum("CRC64NVME", parts),
    };
  }
  const claimedValue = header(ctx, checksumHeader(alg));
  let value: string;
  if (ctx.config.sink) {
    if (upload.checksumType === "COMPOSITE")
      value = await compositeChecksum(
        alg,
        parts.map((p) => p.checksums[alg] ?? ""),
      );
    else if (claimedValue !== undefined) value = claimedValue;
    else return undefined;
  } else if (upload.checksumType === "COMPOSITE") {
    value = await compositeChecksum(
      alg,
      parts.map((part) => part.checksums[alg]!),
    );
  } else {
    value = await fullObjectChecksum(alg, parts);
  }
  if (claimedValue !== undefined && claimedValue !== value && claimedValue !== value.replace(/-\d+$/, "")) {
    throw new S3Error("BadDigest", `The ${alg} you specified did not match the calculated checksum.`);
  }
  return { algorithm: alg, type: upload.checksumType!, value };
}

function checkObjectSize(ctx: RequestContext, total: number): void {
  const declared = header(ctx, "x-amz-mp-object-size");
  if (declared !== undefined && Number(declared) !== total) {
    throw new S3Error(
      "InvalidRequest",
      `The provided 'x-amz-mp-object-size' header value ${declared} does not match what was computed: ${total}`,
    );
  }
  if (total > MAX_OBJECT_SIZE) {
    throw new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
      ProposedSize: total,
      MaxSizeAllowed: MAX_OBJECT_SIZE,
    });
  }
}

/** The first answer again, when replay is on and the object that Complete made is still the key's current one. */
async function replayedCompletion(ctx: RequestContext, bucket: Bucket): Promise<S3Response | undefined> {
  if (ctx.config.completeReplay !== "same-answer" || bucket.uploads.has(ctx.route.uploadId!))
    return undefined;
  const completed = bucket.completed.get(ctx.route.uploadId!);
  if (
    !completed ||
    completed.key !== ctx.route.key ||
    bucket.objects.get(completed.key)?.at(-1) !== completed.version
  )
    return undefined;
  parseCompleteBody(await readSmallBody(ctx), false);
  return { ...completed.answer, headers: { ...completed.answer.headers } };
}

/** The object's URL in the addressing style the request used. */
function objectLocation(ctx: RequestContext, bucket: string, key: string): string {
  const path = uriEncode(key, true);
  if (ctx.route.addressing === "path") return `${ctx.config.endpoint}/${bucket}/${path}`;
  const endpoint = new URL(ctx.config.endpoint);
  return `${endpoint.protocol}//${bucket}.localhost:${endpoint.port}/${path}`;
}

export async function completeMultipartUpload(ctx: RequestContext): Promise<S3Response> {
  const bucket: Bucket = ctx.store.bucket(ctx.route.bucket!);
  const key = ctx.route.key!;
  const replayed = await replayedCompletion(ctx, bucket);
  if (replayed) return replayed;
  const upload = ctx.store.upload(bucket, key, ctx.route.uploadId!);
  const requested = parseCompleteBody(
    await readSmallBody(ctx),
    ctx.config.profile.additionalChecksums === "checked",
  );
  const parts = matchParts(upload, requested, ctx.config.minPartSize);
  if (ctx.config.profile.equalParts) checkEqualParts(parts);
  const total = parts.reduce((sum, part) => sum + part.size, 0);
  checkObjectSize(ctx, total);
  checkWriteConditions(ctx, bucket, key);
  const checksum = await objectChecksum(ctx, upload, parts);
  const crc64ecma = await objectCrc64ecma(parts);
  // The upload may have been completed or aborted by a concurrent request while the checksum was read.
  ctx.store.upload(bucket, key, upload.uploadId);
  const etag = quotedEtag(ctx, multipartEtag(parts.map((part) => part.etag)).replace(/"/g, ""));
  const version = await ctx.store.putVersion(bucket, {
    key,
    deleteMarker: false,
    file: undefined,
    size: total,
    etag,
    lastModified: new Date(),
    headers: upload.headers,
    tagCount: upload.tagCount,
    checksum,
    parts,
    ...(crc64ecma === undefined ? {} : { crc64ecma }),
  });
  await ctx.store.removeUpload(
    bucket,
    upload,
    new Set(parts.flatMap((part) => (part.file ? [part.file] : []))),
  );
  const headers: Record<string, string> = { ...encryptionHeaders(upload.headers) };
  if (bucket.versioning !== undefined) headers["x-amz-version-id"] = version.versionId;
  if (crc64ecma !== undefined) headers[CRC64ECMA_HEADER] = crc64ecma;
  const answer = xmlResponse(
    "CompleteMultipartUploadResult",
    {
      Location: objectLocation(ctx, bucket.name, key),
      Bucket: bucket.name,
      Key: key,
      ETag: etag,
      ...(checksum
        ? { [checksumXmlTag(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }
        : {}),
    },
    headers,
  );
  if (ctx.config.completeReplay === "same-answer")
    bucket.completed.set(upload.uploadId, { key, version, answer });
  return answer;
}
