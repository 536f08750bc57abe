// Bucket-level operations: create/head/delete, listing, versioning.
import { S3Error } from "../errors.js";
import type { RequestContext } from "../context.js";
import { emptyResponse, OWNER, s3Time, xmlResponse, type S3Response } from "../response.js";
import { childBlocks, childText, escapeXml, isRootedAt, type XmlNode } from "../xml.js";
import { readSmallBody } from "./small-body.js";
import { uriEncode } from "../sigv4.js";
import type { Bucket, ObjectVersion } from "../storage.js";
import { compareKeys } from "../key-order.js";

/** A single-region server: S3's answers for a LocationConstraint naming another region, or us-east-1 by name. */
function checkBucketConfiguration(body: string, region: string): void {
  if (body.trim() === "") return;
  if (!isRootedAt(body, "CreateBucketConfiguration")) {
    throw new S3Error(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    );
  }
  const other = ["Location", "Bucket", "Tags"].find((tag) => childBlocks(body, tag).length > 0);
  if (other !== undefined) {
    throw new S3Error(
      "NotImplemented",
      `This emulator does not implement CreateBucketConfiguration/${other}.`,
    );
  }
  const constraint = childText(body, "LocationConstraint");
  if (constraint === undefined || constraint === "") return;
  if (constraint === "us-east-1")
    throw new S3Error("InvalidLocationConstraint", "The specified location-constraint is not valid");
  if (constraint !== region) {
    throw new S3Error(
      "IllegalLocationConstraintException",
      `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
}

export async function createBucket(ctx: RequestContext): Promise<S3Response> {
  checkBucketConfiguration(await readSmallBody(ctx), ctx.config.region);
  // Documented legacy behaviour: in us-east-1 re-creating an own bucket answers 200 (and resets its ACL, which
  // here is always the owner's); every other region answers BucketAlreadyOwnedByYou.
  const exists = ctx.store.buckets.has(ctx.route.bucket!);
  if (!(exists && ctx.config.region === "us-east-1")) ctx.store.createBucket(ctx.route.bucket!);
  return emptyResponse(200, { location: `/${ctx.route.bucket}` });
}

export function headBucket(ctx: RequestContext): S3Response {
  ctx.store.bucket(ctx.route.bucket!);
  return emptyResponse(200, { "x-amz-bucket-region": ctx.config.region });
}

export async function deleteBucket(ctx: RequestContext): Promise<S3Response> {
  await ctx.store.deleteBucket(ctx.route.bucket!);
  return emptyResponse(204);
}

export function listBuckets(ctx: RequestContext): S3Response {
  const buckets = [...ctx.store.buckets.values()].map((b) => ({
    Name: b.name,
    CreationDate: s3Time(b.created),
  }));
  return xmlResponse("ListAllMyBucketsResult", { Owner: OWNER, Buckets: { Bucket: buckets } });
}

export function getBucketLocation(ctx: RequestContext): S3Response {
  ctx.store.bucket(ctx.route.bucket!);
  // us-east-1 is the one region S3 reports as an empty constraint.
  const location = ctx.config.region === "us-east-1" ? "" : escapeXml(ctx.config.region);
  return {
    status: 200,
    headers: { "content-type": "application/xml" },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${location}</LocationConstraint>`,
  };
}

export function getBucketVersioning(ctx: RequestContext): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  return xmlResponse("VersioningConfiguration", { Status: bucket.versioning });
}

export async function putBucketVersioning(ctx: RequestContext): Promise<S3Response> {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const body = await readSmallBody(ctx);
  const status = childText(body, "Status");
  if (!isRootedAt(body, "VersioningConfiguration") || (status !== "Enabled" && status !== "Suspended")) {
    throw new S3Error(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    );
  }
  // MFA delete needs an MFA device the emulator does not have; "Disabled" is the state every bucket is in.
  const mfaDelete = childText(body, "MfaDelete");
  if (mfaDelete !== undefined && mfaDelete !== "Disabled")
    throw new S3Error("NotImplemented", "This emulator does not implement MFA delete.");
  bucket.versioning = status;
  return emptyResponse(200);
}

export function getBucketLifecycle(ctx: RequestContext): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  if (bucket.lifecycle === undefined) {
    throw new S3Error("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", {
      BucketName: bucket.name,
    });
  }
  return {
    status: 200,
    headers: {
      "content-type": "application/xml",
      [MINIMUM_OBJECT_SIZE]: bucket.lifecycleMinimumObjectSize ?? DEFAULT_MINIMUM_OBJECT_SIZE,
    },
    body: bucket.lifecycle,
  };
}

const MINIMUM_OBJECT_SIZE = "x-amz-transition-default-minimum-object-size";
/** What S3 applies when a lifecycle PUT does not say (since September 2024). */
const DEFAULT_MINIMUM_OBJECT_SIZE = "all_storage_classes_128K";
const MINIMUM_OBJECT_SIZES = new Set([DEFAULT_MINIMUM_OBJECT_SIZE, "varies_by_storage_class"]);

/** Kept as sent: tests read back exactly which rules a client wrote. S3 requires an integrity header here. */
export async function putBucketLifecycle(ctx: RequestContext): Promise<S3Response> {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const headers = ctx.req.headers;
  const hasIntegrity =
    headers["content-md5"] !== undefined ||
    Object.keys(headers).some((name) => name.startsWith("x-amz-checksum-"));
  if (!hasIntegrity) {
    throw new S3Error(
      "InvalidRequest",
      "Missing required header for this request: Content-MD5 or x-amz-checksum-*",
    );
  }
  const body = await readSmallBody(ctx);
  if (!isRootedAt(body, "LifecycleConfiguration") || childBlocks(body, "Rule").length === 0) {
    throw new S3Error(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    );
  }
  const minimumObjectSize = headers[MINIMUM_OBJECT_SIZE] ?? DEFAULT_MINIMUM_OBJECT_SIZE;
  if (typeof minimumObjectSize !== "string" || !MINIMUM_OBJECT_SIZES.has(minimumObjectSize)) {
    throw new S3Error("InvalidArgument", `Invalid ${MINIMUM_OBJECT_SIZE}`, {
      ArgumentName: MINIMUM_OBJECT_SIZE,
    });
  }
  bucket.lifecycle = body;
  bucket.lifecycleMinimumObjectSize = minimumObjectSize;
  return emptyResponse(200, { [MINIMUM_OBJECT_SIZE]: minimumObjectSize });
}

export function deleteBucketLifecycle(ctx: RequestContext): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  bucket.lifecycle = undefined;
  bucket.lifecycleMinimumObjectSize = undefined;
  return emptyResponse(204);
}

function parseMaxKeys(text: string | null, name: string): number {
  if (text === null) return 1000;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new S3Error("InvalidArgument", `Provided ${name} not an integer or within integer range`, {
      ArgumentName: name,
    });
  }
  return Math.min(value, 1000);
}

interface Listing {
  contents: ObjectVersion[];
  commonPrefixes: string[];
  truncated: boolean;
  lastItem: string | undefined;
}

/** Walks current keys after `marker` as S3 does, folding keys that share a delimiter-bounded prefix. */
function listKeys(
  bucket: Bucket,
  prefix: string,
  delimiter: string,
  marker: string,
  maxKeys: number,
): Listing {
  // S3 answers max-keys=0 with an empty page that is not truncated (a truncated one without a token loops paginators).
  if (maxKeys === 0) return { contents: [], commonPrefixes: [], truncated: false, lastItem: undefined };
  const contents: ObjectVersion[] = [];
  const commonPrefixes: string[] = [];
  let lastItem: string | undefined;
  for (const key of bucket.keys.after(prefix, marker)) {
    const latest = bucket.objects.get(key)!.at(-1)!;
    if (latest.deleteMarker) continue;
    const cut = delimiter === "" ? -1 : key.indexOf(delimiter, prefix.length);
    const common = cut === -1 ? undefined : key.slice(0, cut + delimiter.length);
    if (common !== undefined && (common === commonPrefixes.at(-1) || compareKeys(common, marker) <= 0))
      continue;
    if (contents.length + commonPrefixes.length >= maxKeys)
      return { contents, commonPrefixes, truncated: true, lastItem };
    if (common !== undefined) commonPrefixes.push(common);
    else contents.push(latest);
    lastItem = common ?? key;
  }
  return { contents, commonPrefixes, truncated: false, lastItem };
}

function objectEntry(version: ObjectVersion, encode: (text: string) => string): XmlNode {
  return {
    Key: encode(version.key),
    LastModified: s3Time(version.lastModified),
    ETag: version.etag,
    ChecksumAlgorithm: version.checksum?.algorithm,
    ChecksumType: version.checksum?.type,
    Size: version.size,
    StorageClass: version.headers["x-amz-storage-class"] ?? "STANDARD",
  };
}

function encoderFor(ctx: RequestContext): {
  encode: (text: string) => string;
  encodingType: string | undefined;
} {
  const encodingType = ctx.route.query.get("encoding-type") ?? undefined;
  if (encodingType !== undefined && encodingType !== "url") {
    throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request", {
      ArgumentName: "encoding-type",
    });
  }
  return { encode: encodingType === "url" ? (text) => uriEncode(text, true) : (text) => text, encodingType };
}

export function listObjectsV2(ctx: RequestContext): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const query = ctx.route.query;
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const token = query.get("continuation-token") ?? undefined;
  const startAfter = query.get("start-after") ?? undefined;
  const maxKeys = parseMaxKeys(query.get("max-keys"), "max-keys");
  let marker = startAfter ?? "";
  if (token !== undefined) {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    if (!decoded.startsWith("k:"))
      throw new S3Error("InvalidArgument", "The continuation token provided is incorrect", {
        ArgumentName: "continuation-token",
      });
    marker = decoded.slice(2);
  }
  const fetchOwner = query.get("fetch-owner") === "true";
  const { encode, encodingType } = encoderFor(ctx);
  const listing = listKeys(bucket, prefix, delimiter, marker, maxKeys);
  return xmlResponse("ListBucketResult", {
    Name: bucket.name,
    Prefix: encode(prefix),
    Delimiter: delimiter === "" ? undefined : encode(delimiter),
    MaxKeys: maxKeys,
    EncodingType: encodingType,
    KeyCount: listing.contents.length + listing.commonPrefixes.length,
    IsTruncated: listing.truncated,
    ContinuationToken: token,
    NextContinuationToken:
      listing.truncated && listing.lastItem !== undefined
        ? Buffer.from(`k:${listing.lastItem}`).toString("base64url")
        : undefined,
    StartAfter: startAfter === undefined ? undefined : encode(startAfter),
    Contents: listing.contents.map((version) => ({
      ...objectEntry(version, encode),
      Owner: fetchOwner ? OWNER : undefined,
    })),
    CommonPrefixes: listing.commonPrefixes.map((item) => ({ Prefix: encode(item) })),
  });
}

export function listObjects(ctx: RequestContext): S3Response {
  const bucket = ctx.store.bucket(ctx.route.bucket!);
  const query = ctx.route.query;
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const marker = query.get("marker") ?? "";
  const maxKeys = parseMaxKeys(query.get("max-keys"), "max-keys");
  const { encode, encodingType } = encoderFor(ctx);
  const listing = listKeys(bucket, prefix, delimiter, marker, maxKeys);
  return xmlResponse("ListBucketResult", {
    Name: bucket.name,
    Prefix: encode(prefix),
    Marker: encode(marker),
    NextMarker:
      listing.truncated && delimiter !== "" && listing.lastItem ? encode(listing.lastItem) : undefined,
    MaxKeys: maxKeys,
    Delimiter: delimiter === "" ? undefined : encode(delimiter),
    EncodingType: encodingType,
    IsTruncated: listing.truncated,
    Contents: listing.contents.map((version) => ({ ...objectEntry(version, encode), Owner: OWNER })),
    CommonPrefixes: listing.commonPrefixes.map((item) => ({ Prefix: encode(item) })),
  });
}
