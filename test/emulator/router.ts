// Maps a request (method, bucket from the path or the Host, key, sub-resource query) to the S3 operation it names.
import type { IncomingHttpHeaders } from "node:http";
import { S3Error } from "./errors.js";

export type Operation =
  | "ListBuckets"
  | "CreateBucket"
  | "HeadBucket"
  | "DeleteBucket"
  | "ListObjectsV2"
  | "ListObjects"
  | "ListMultipartUploads"
  | "GetBucketVersioning"
  | "PutBucketVersioning"
  | "GetBucketLocation"
  | "GetBucketLifecycleConfiguration"
  | "PutBucketLifecycleConfiguration"
  | "DeleteBucketLifecycle"
  | "DeleteObjects"
  | "PutObjectTagging"
  | "DeleteObjectTagging"
  | "PostObject"
  | "PutObject"
  | "CopyObject"
  | "GetObject"
  | "HeadObject"
  | "DeleteObject"
  | "GetObjectAttributes"
  | "GetObjectTagging"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "UploadPartCopy"
  | "ListParts"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload";

export interface Route {
  operation: Operation;
  bucket: string | undefined;
  key: string | undefined;
  query: URLSearchParams;
  partNumber: number | undefined;
  uploadId: string | undefined;
  /** "virtual-host": the bucket came from a `<bucket>.localhost` Host header, and the whole path is the key. */
  addressing: "virtual-host" | "path";
}

/**
 * The bucket of a virtual-hosted request: Host `<bucket>.localhost[:port]`. Names under localhost are the loopback
 * (RFC 6761 §6.3), so a client reaches the emulator at any of them without DNS or /etc/hosts entries.
 */
export function virtualHostBucket(host: string | undefined): string | undefined {
  const match = /^(.+)\.localhost(?::\d+)?$/i.exec(host ?? "");
  return match ? match[1]!.toLowerCase() : undefined;
}

function bucketOperation(method: string, query: URLSearchParams): Operation | undefined {
  switch (method) {
    case "PUT":
      if (query.has("lifecycle")) return "PutBucketLifecycleConfiguration";
      return query.has("versioning") ? "PutBucketVersioning" : "CreateBucket";
    case "HEAD":
      return "HeadBucket";
    case "DELETE":
      return query.has("lifecycle") ? "DeleteBucketLifecycle" : "DeleteBucket";
    case "POST":
      // Without ?delete this is a browser form upload (POST Object).
      return query.has("delete") ? "DeleteObjects" : "PostObject";
    case "GET":
      if (query.has("uploads")) return "ListMultipartUploads";
      if (query.has("versioning")) return "GetBucketVersioning";
      if (query.has("location")) return "GetBucketLocation";
      if (query.has("lifecycle")) return "GetBucketLifecycleConfiguration";
      return query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
    default:
      return undefined;
  }
}

function objectOperation(
  method: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): Operation | undefined {
  const copy = headers["x-amz-copy-source"] !== undefined;
  switch (method) {
    case "PUT":
      if (query.has("uploadId")) return copy ? "UploadPartCopy" : "UploadPart";
      if (query.has("tagging")) return "PutObjectTagging";
      return copy ? "CopyObject" : "PutObject";
    case "GET":
      if (query.has("uploadId")) return "ListParts";
      if (query.has("attributes")) return "GetObjectAttributes";
      if (query.has("tagging")) return "GetObjectTagging";
      return "GetObject";
    case "HEAD":
      return "HeadObject";
    case "POST":
      if (query.has("uploads")) return "CreateMultipartUpload";
      if (query.has("uploadId")) return "CompleteMultipartUpload";
      return undefined;
    case "DELETE":
      if (query.has("tagging")) return "DeleteObjectTagging";
      return query.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    default:
      return undefined;
  }
}

// S3 sub-resources this emulator does not model; without this check they would fall through to a listing or GET.
const UNMODELLED_SUBRESOURCES = [
  "acl",
  "policy",
  "policyStatus",
  "cors",
  "website",
  "logging",
  "notification",
  "replication",
  "encryption",
  "ownershipControls",
  "publicAccessBlock",
  "accelerate",
  "requestPayment",
  "analytics",
  "inventory",
  "metrics",
  "intelligent-tiering",
  "object-lock",
  "legal-hold",
  "retention",
  "restore",
  "select",
  "torrent",
  "versions",
  "session",
  "metadataTable",
  "metadataConfiguration",
];

// Sub-resources modelled as object operations (answered 501 by dispatch) but not on buckets.
const UNMODELLED_BUCKET_SUBRESOURCES = ["tagging"];

export function routeRequest(method: string, url: string, headers: IncomingHttpHeaders): Route {
  const queryStart = url.indexOf("?");
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? "" : url.slice(queryStart + 1));
  const hostBucket = virtualHostBucket(typeof headers.host === "string" ? headers.host : undefined);
  // Virtual-hosted: the whole path is the key. Path-style: its first segment is the bucket.
  const slash = hostBucket === undefined ? rawPath.indexOf("/", 1) : 0;
  const bucketPart = slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash);
  const keyPart = slash === -1 ? "" : rawPath.slice(slash + 1);
  let bucket: string | undefined;
  let key: string | undefined;
  try {
    bucket = hostBucket ?? (bucketPart === "" ? undefined : decodeURIComponent(bucketPart));
    key = keyPart === "" ? undefined : decodeURIComponent(keyPart);
  } catch {
    throw new S3Error("InvalidArgument", `Invalid percent-encoding in request path: ${rawPath}`);
  }
  const unmodelled = [
    ...UNMODELLED_SUBRESOURCES,
    ...(key === undefined ? UNMODELLED_BUCKET_SUBRESOURCES : []),
  ].find((name) => query.has(name));
  if (unmodelled !== undefined) {
    throw new S3Error("NotImplemented", `This emulator does not implement the ?${unmodelled} sub-resource.`);
  }
  let operation: Operation | undefined;
  if (bucket === undefined) operation = method === "GET" ? "ListBuckets" : undefined;
  else if (key === undefined) operation = bucketOperation(method, query);
  else operation = objectOperation(method, query, headers);
  if (!operation)
    throw new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
  const partText = query.get("partNumber");
  return {
    operation,
    bucket,
    key,
    query,
    partNumber: partText === null ? undefined : Number(partText),
    uploadId: query.get("uploadId") ?? undefined,
    addressing: hostBucket === undefined ? "path" : "virtual-host",
  };
}
