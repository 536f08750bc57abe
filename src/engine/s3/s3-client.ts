// The only module that talks to the AWS SDK: everything else sees plain data and these few calls. The SDK
// (~1.4 MB of code, ~0.2 CPU-s to parse) is loaded by the first call that needs it: a run whose requests
// all go through the lean path (s3-lean-http.ts) never loads it.
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { Agent as HttpsAgent } from "node:https";
import type { LifecycleRule, S3Client, TransitionDefaultMinimumObjectSize } from "@aws-sdk/client-s3";
import { createAgents, type Agents } from "./network.js";
import { withChildSignal } from "../abort-scope.js";
import { AMZ_CHECKSUM_ALGORITHMS as ALGORITHMS } from "../checksum/algorithms.js";
import { eachBodyChunk, type BodySink } from "./body-sink.js";
import { webIdentityCredentials } from "./credentials/index.js";
import type { CredentialProvider } from "./credentials/role-credentials.js";
import { plainBucketEndpoint } from "./lean-endpoint.js";
import { plainCredentials } from "./plain-credentials.js";
import { providerProfile, type ProviderProfile } from "./providers.js";
import { createLeanHttp, type LeanAnswer, type LeanCredentials, type LeanEndpoint } from "./s3-lean-http.js";
import {
  completeBody,
  parseComplete,
  parseInitiate,
  parseListParts,
  parseListUploads,
  saysUrlEncoded,
  urlDecodedKey,
  xmlBlocks,
  xmlField,
  type ListedParts,
  type ListedUploads,
} from "./s3-xml.js";
import { servedFromHeaderLines } from "../upload/served-headers.js";
import { isStoreComputed } from "../checksum/algorithms.js";
import {
  answeredCrc64,
  crc64EcmaChecksum,
  keepOssCrc64,
  listedCrc64,
  listedPartCrcs,
  OSS_CRC64_HEADER,
} from "./oss-crc64.js";
import type { ChecksumAlgorithm, ChecksumType, S3Settings, ServedHeaders } from "../types.js";

/** Passed through untouched: rules we did not write must come back exactly as they were. */
export type { LifecycleRule } from "@aws-sdk/client-s3";

/** A bucket's lifecycle configuration: the rules, and the bucket-wide setting PUT must carry back. */
export interface Lifecycle {
  rules: LifecycleRule[];
  transitionDefaultMinimumObjectSize?: TransitionDefaultMinimumObjectSize;
}

/** Base64 checksum values by algorithm, as S3 reports or accepts them. */
export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

type ChecksumFields = { [A in ChecksumAlgorithm as `Checksum${A}`]?: string | undefined };

function toFields(checksums: Checksums): ChecksumFields {
  const fields: ChecksumFields = {};
  for (const algorithm of ALGORITHMS) {
    const value = checksums[algorithm];
    if (value !== undefined) fields[`Checksum${algorithm}`] = value;
  }
  return fields;
}

function fromFields(fields: ChecksumFields): Checksums {
  const checksums: Checksums = {};
  for (const algorithm of ALGORITHMS) {
    const value = fields[`Checksum${algorithm}`];
    if (value) checksums[algorithm] = value;
  }
  return checksums;
}

/**
 * The fields PutObject, CompleteMultipartUpload and HeadObject answers share; `crc64` is OSS's CRC-64 from the
 * answer's headers, in the engine's form.
 */
function writeAnswerFrom(
  answer: ChecksumFields & {
    ETag?: string;
    VersionId?: string;
    ChecksumType?: ChecksumType;
    ServerSideEncryption?: string;
  },
  crc64: string | undefined,
): WriteAnswer {
  return {
    etag: stripQuotes(answer.ETag),
    ...(answer.VersionId ? { versionId: answer.VersionId } : {}),
    checksums: { ...fromFields(answer), ...(crc64 !== undefined ? { CRC64ECMA: crc64 } : {}) },
    ...(answer.ChecksumType ? { checksumType: answer.ChecksumType } : {}),
    ...(answer.ServerSideEncryption ? { sse: answer.ServerSideEncryption } : {}),
  };
}

/** Headers that describe the stored object, passed through to PutObject and CreateMultipartUpload. */
export interface ObjectHeaders extends ServedHeaders {
  contentType: string;
  metadata?: Record<string, string>;
  tagging?: string;
  storageClass?: string;
  sse?: string;
  sseKmsKeyId?: string;
}

/** The same headers as raw HTTP, for the lean PutObject path. */
function objectHeaderLines(headers: ObjectHeaders): Record<string, string> {
  const lines: Record<string, string> = { "content-type": headers.contentType };
  if (headers.contentEncoding !== undefined) lines["content-encoding"] = headers.contentEncoding;
  if (headers.cacheControl !== undefined) lines["cache-control"] = headers.cacheControl;
  if (headers.contentDisposition !== undefined) lines["content-disposition"] = headers.contentDisposition;
  if (headers.contentLanguage !== undefined) lines["content-language"] = headers.contentLanguage;
  for (const [name, value] of Object.entries(headers.metadata ?? {})) lines[`x-amz-meta-${name}`] = value;
  if (headers.tagging !== undefined) lines["x-amz-tagging"] = headers.tagging;
  if (headers.storageClass !== undefined) lines["x-amz-storage-class"] = headers.storageClass;
  if (headers.sse !== undefined) lines["x-amz-server-side-encryption"] = headers.sse;
  if (headers.sseKmsKeyId !== undefined) {
    lines["x-amz-server-side-encryption-aws-kms-key-id"] = headers.sseKmsKeyId;
  }
  return lines;
}

function checksumHeaderLines(checksums: Checksums, contentMd5: string | undefined): Record<string, string> {
  const lines: Record<string, string> = contentMd5 ? { "content-md5": contentMd5 } : {};
  for (const algorithm of ALGORITHMS) {
    const value = checksums[algorithm];
    if (value !== undefined) lines[`x-amz-checksum-${algorithm.toLowerCase()}`] = value;
  }
  return lines;
}

function answerFromHeaders(headers: IncomingHttpHeaders): WriteAnswer {
  const one = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const checksums: Checksums = {};
  for (const algorithm of ALGORITHMS) {
    const value = one(`x-amz-checksum-${algorithm.toLowerCase()}`);
    if (value !== undefined) checksums[algorithm] = value;
  }
  const crc64 = one(OSS_CRC64_HEADER);
  if (crc64 !== undefined) checksums.CRC64ECMA = crc64EcmaChecksum(crc64);
  const versionId = one("x-amz-version-id");
  const checksumType = one("x-amz-checksum-type");
  const sse = one("x-amz-server-side-encryption");
  return {
    etag: stripQuotes(one("etag")),
    ...(versionId ? { versionId } : {}),
    checksums,
    ...(checksumType === "FULL_OBJECT" || checksumType === "COMPOSITE" ? { checksumType } : {}),
    ...(sse ? { sse } : {}),
  };
}

/** Whether a Complete carries any x-amz-checksum, for the object or a part. */
function namesAmzChecksum(input: {
  parts: Array<{ checksums: Checksums }>;
  objectChecksums: Checksums;
}): boolean {
  const named = (checksums: Checksums): boolean => Object.keys(toFields(checksums)).length > 0;
  return named(input.objectChecksums) || input.parts.some((part) => named(part.checksums));
}

/**
 * The header of a write that must not replace an existing key, as the store spells it (providers.ts); none on
 * a store without one, where the check before the write is all there is.
 */
function createGuard(provider: ProviderProfile): Record<string, string> {
  switch (provider.conditionalCreate) {
    case "if-none-match":
      return { "if-none-match": "*" };
    case "x-oss-forbid-overwrite":
      return { "x-oss-forbid-overwrite": "true" };
    case null:
      return {};
  }
}

const GUARDED_COMMANDS = new Set(["PutObjectCommand", "CompleteMultipartUploadCommand"]);

function headerFields(headers: ObjectHeaders) {
  return {
    ContentType: headers.contentType,
    ContentEncoding: headers.contentEncoding,
    CacheControl: headers.cacheControl,
    ContentDisposition: headers.contentDisposition,
    ContentLanguage: headers.contentLanguage,
    Metadata: headers.metadata,
    Tagging: headers.tagging,
    // The SDK types these as string unions; the store is the judge of which values it accepts.
    StorageClass: headers.storageClass as never,
    ServerSideEncryption: headers.sse as never,
    SSEKMSKeyId: headers.sseKmsKeyId,
  };
}

export interface ObjectTarget {
  bucket: string;
  key: string;
}

export interface VersionTarget extends ObjectTarget {
  versionId?: string;
}

export interface StoredObject {
  size: number;
  etag: string;
  versionId?: string;
  checksums: Checksums;
  checksumType?: ChecksumType;
  /** x-amz-server-side-encryption as the store answered it; under "aws:kms*" the ETag is not an MD5. */
  sse?: string;
  /** The svu-plan metadata a multipart upload of this tool records (upload-multipart.ts). */
  planRecord?: string;
  /** The headers it is served with, as HEAD shows them. */
  served?: ServedHeaders;
  /** x-amz-mp-parts-count: given by a HEAD with partNumber of a multipart object. */
  partsCount?: number;
  /** Encrypted with a customer-provided key (SSE-C): the ETag is not an MD5. */
  sseCustomer?: boolean;
}

/** Which keys a ListObjectsV2 page lists. */
export interface ListInput {
  bucket: string;
  prefix: string;
  continuationToken?: string;
  startAfter?: string;
  maxKeys?: number;
}

/** One page of ListObjectsV2. */
export interface ObjectsPage {
  objects: Array<{ key: string; size: number; etag: string }>;
  /** The continuation token of the next page; absent on the last one. */
  next?: string;
}

/** A byte range of one version of an object: bytes start..end inclusive, only while its ETag is ifMatch. */
export interface RangeTarget extends VersionTarget {
  start: number;
  end: number;
  ifMatch: string;
}

export interface ListedPart {
  number: number;
  size: number;
  etag: string;
  checksums: Checksums;
  /** When the store took the part; resume leaves alone an upload that was written to a moment ago. */
  lastModified?: Date;
}

export interface PartsPage {
  parts: ListedPart[];
  nextMarker?: string;
  /** The upload's own algorithm and type, as ListParts reports them (absent on stores that keep none). */
  checksumAlgorithm?: string;
  checksumType?: string;
  storageClass?: string;
}

/** An in-progress multipart upload as ListMultipartUploads shows it. */
export interface PendingUpload {
  key: string;
  uploadId: string;
  initiated: Date | undefined;
  storageClass?: string;
  checksumAlgorithm?: string;
  checksumType?: string;
}

export interface UploadsPage {
  uploads: PendingUpload[];
  next?: { keyMarker: string; uploadIdMarker: string };
}

export interface WriteAnswer {
  etag: string;
  versionId?: string;
  checksums: Checksums;
  checksumType?: ChecksumType;
  /** x-amz-server-side-encryption as the store answered it; under "aws:kms*" the ETag is not an MD5. */
  sse?: string;
}

export interface S3Store {
  /** With partNumber: that part's size (and, in checksum mode, its checksum) and the parts count. */
  headObject(
    target: VersionTarget & { partNumber?: number },
    signal?: AbortSignal,
  ): Promise<StoredObject | null>;
  /**
   * GetObject of a byte range; `onChunk` gets the body as it arrives (each chunk lent for the call only) and
   * the call settles once all of it was taken. A changed object fails with PreconditionFailed (412).
   */
  getObjectRange(target: RangeTarget, onChunk: BodySink, signal?: AbortSignal): Promise<void>;
  /**
   * One ListObjectsV2 page (keys after `startAfter`, in UTF-8 binary order), on the lean path where it can
   * be; maxKeys 1 is the preflight's "does the bucket answer these credentials here?".
   */
  listObjectsPage(input: ListInput, signal?: AbortSignal): Promise<ObjectsPage>;
  /** listObjectsPage with a page size, for the engine's own key lookups (upload/key-listing.ts). */
  listKeysPage(
    input: {
      bucket: string;
      prefix: string;
      continuationToken?: string;
      startAfter?: string;
      maxKeys: number;
    },
    signal?: AbortSignal,
  ): Promise<ObjectsPage>;
  putObject(
    target: ObjectTarget & {
      body: Buffer;
      headers: ObjectHeaders;
      checksums: Checksums;
      contentMd5?: string;
      ifNoneMatch: boolean;
      /** Replace only the object with this ETag (a repair of this run's own write). */
      ifMatch?: string;
    },
    signal?: AbortSignal,
  ): Promise<WriteAnswer>;
  /** Deletes the object, or with a versionId exactly that version. */
  deleteObject(target: VersionTarget, signal?: AbortSignal): Promise<void>;
  createMultipartUpload(
    target: ObjectTarget & {
      headers: ObjectHeaders;
      algorithm: ChecksumAlgorithm | null;
      checksumType: ChecksumType | null;
    },
    signal?: AbortSignal,
  ): Promise<string>;
  uploadPart(
    target: ObjectTarget & {
      uploadId: string;
      partNumber: number;
      body: Buffer;
      checksums: Checksums;
      contentMd5?: string;
    },
    signal?: AbortSignal,
  ): Promise<WriteAnswer>;
  listPartsPage(
    target: ObjectTarget & { uploadId: string; marker?: string; maxParts?: number },
    signal?: AbortSignal,
  ): Promise<PartsPage>;
  completeMultipartUpload(
    target: ObjectTarget & {
      uploadId: string;
      parts: Array<{ number: number; etag: string; checksums: Checksums }>;
      objectChecksums: Checksums;
      checksumType: ChecksumType | null;
      objectSize: number;
      ifNoneMatch: boolean;
    },
    signal?: AbortSignal,
  ): Promise<WriteAnswer>;
  abortMultipartUpload(target: ObjectTarget & { uploadId: string }, signal?: AbortSignal): Promise<void>;
  listUploadsPage(
    input: { bucket: string; prefix: string; keyMarker?: string; uploadIdMarker?: string },
    signal?: AbortSignal,
  ): Promise<UploadsPage>;
  /** No rules when the bucket has no lifecycle configuration. */
  getLifecycle(bucket: string, signal?: AbortSignal): Promise<Lifecycle>;
  putLifecycle(bucket: string, lifecycle: Lifecycle, signal?: AbortSignal): Promise<void>;
  /**
   * The credentials requests are signed with now (a renewed session once the last one nears its end), for
   * signing outside this client: the broker's presigned part URLs.
   */
  signingCredentials(): Promise<LeanCredentials>;
  destroy(): void;
}

export interface ClientTuning {
  /** Sockets kept alive: the part pool plus a few for control calls running beside it. */
  maxSockets: number;
  /** A request whose socket sees no traffic for this long is cut and retried. */
  stallTimeoutMs: number;
}

const UNSIGNED_PAYLOAD_COMMANDS = new Set(["UploadPartCommand", "PutObjectCommand"]);

/** The region requests are signed for: the setting, else the environment's, else us-east-1. */
export function signingRegion(settings: S3Settings): string {
  return settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
}

type SdkModule = typeof import("@aws-sdk/client-s3");

/** The SDK's module and a client on the run's agents, loaded by the first call that needs them. */
interface Sdk {
  s3: SdkModule;
  client: S3Client;
}

function createSdkClient(
  s3: SdkModule,
  settings: S3Settings,
  tuning: ClientTuning,
  agents: Agents,
  credentials: LeanCredentials | CredentialProvider | null,
  provider: ProviderProfile,
): S3Client {
  const client = new s3.S3Client({
    region: signingRegion(settings),
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle ?? false,
    // The lean path's own, when it has them, so both paths sign alike.
    ...(credentials ? { credentials } : {}),
    // Credentials and region from this profile of the shared AWS files, as AWS_PROFILE would pick it.
    ...(settings.profile ? { profile: settings.profile } : {}),
    // We compute and send checksums ourselves; letting the SDK do it would switch to aws-chunked bodies,
    // which S3-compatible stores reject (aws-sdk-js-v3 #6810).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // Retries are ours (retry.ts): one loop that knows about re-reading parts and reports each attempt.
    maxAttempts: 1,
    requestHandler: {
      httpAgent: agents.http,
      // A proxy agent is an http.Agent that speaks TLS inside its tunnel; the SDK only needs an Agent.
      httpsAgent: agents.https as HttpsAgent,
      connectionTimeout: 10_000,
      socketTimeout: tuning.stallTimeoutMs,
    },
  });
  // SigV4 would otherwise hash every body once more; integrity is carried by our checksums and Content-MD5.
  client.middlewareStack.add(
    (next, context) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (UNSIGNED_PAYLOAD_COMMANDS.has(context.commandName ?? "") && request.headers) {
        request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
      }
      return next(args);
    },
    { step: "build", name: "svuUnsignedPayload" },
  );
  keepOssCrc64(client);
  // The SDK knows only If-None-Match; a store with another guard gets its own header instead (before signing).
  const guard = createGuard(provider);
  if (provider.conditionalCreate !== "if-none-match") {
    client.middlewareStack.add(
      (next, context) => (args) => {
        const request = args.request as { headers?: Record<string, string> };
        // The SDK writes it "If-None-Match".
        const entries = Object.entries(request.headers ?? {});
        const others = entries.filter(([name]) => name.toLowerCase() !== "if-none-match");
        if (GUARDED_COMMANDS.has(context.commandName ?? "") && others.length < entries.length) {
          request.headers = { ...Object.fromEntries(others), ...guard };
        }
        return next(args);
      },
      { step: "build", name: "svuCreateGuard" },
    );
  }
  return client;
}

/**
 * A ListObjectsV2 answer asked with encoding-type=url: only what key lookups need (keys decoded only when the
 * answer says they were encoded, s3-xml.ts).
 */
export function parseKeysPage(xml: string): ObjectsPage {
  const { blocks, rest } = xmlBlocks(xml, "Contents");
  const encoded = saysUrlEncoded(rest);
  const objects: ObjectsPage["objects"] = [];
  for (const entry of blocks) {
    const key = xmlField(entry, "Key");
    if (key === undefined) continue;
    objects.push({
      key: urlDecodedKey(key, encoded),
      size: Number(xmlField(entry, "Size") ?? 0),
      etag: stripQuotes(xmlField(entry, "ETag")),
    });
  }
  const next = xmlField(rest, "IsTruncated") === "true" ? xmlField(rest, "NextContinuationToken") : undefined;
  return next ? { objects, next } : { objects };
}

/**
 * A ListParts page from the SDK's output or the lean path's parse of the same XML; `crc64Of` gives a part's
 * OSS CRC-64 in the engine's form.
 */
function partsPageFrom(
  answer: ListedParts,
  crc64Of: (partNumber: number | undefined) => string | undefined,
): PartsPage {
  const parts = (answer.Parts ?? []).map((part) => {
    const crc64 = crc64Of(part.PartNumber);
    return {
      number: part.PartNumber ?? 0,
      size: part.Size ?? -1,
      etag: stripQuotes(part.ETag),
      checksums: { ...fromFields(part), ...(crc64 !== undefined ? { CRC64ECMA: crc64 } : {}) },
      ...(part.LastModified ? { lastModified: part.LastModified } : {}),
    };
  });
  const nextMarker = answer.IsTruncated ? answer.NextPartNumberMarker : undefined;
  return {
    parts,
    ...(nextMarker ? { nextMarker } : {}),
    ...(answer.ChecksumAlgorithm ? { checksumAlgorithm: answer.ChecksumAlgorithm } : {}),
    ...(answer.ChecksumType ? { checksumType: answer.ChecksumType } : {}),
    ...(answer.StorageClass ? { storageClass: answer.StorageClass } : {}),
  };
}

/** A ListMultipartUploads page from the SDK's output or the lean path's parse of the same XML. */
function uploadsPageFrom(answer: ListedUploads): UploadsPage {
  const uploads = (answer.Uploads ?? []).flatMap((upload) =>
    upload.Key !== undefined && upload.UploadId
      ? [
          {
            key: upload.Key,
            uploadId: upload.UploadId,
            initiated: upload.Initiated,
            ...(upload.StorageClass ? { storageClass: upload.StorageClass } : {}),
            ...(upload.ChecksumAlgorithm ? { checksumAlgorithm: upload.ChecksumAlgorithm } : {}),
            ...(upload.ChecksumType ? { checksumType: upload.ChecksumType } : {}),
          },
        ]
      : [],
  );
  const next =
    answer.IsTruncated && answer.NextKeyMarker !== undefined
      ? { keyMarker: answer.NextKeyMarker, uploadIdMarker: answer.NextUploadIdMarker ?? "" }
      : undefined;
  return next ? { uploads, next } : { uploads };
}

/** A header of a lean answer, as the SDK reads it into its output: absent when empty. */
function headerValue(answer: LeanAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A CompleteMultipartUpload answer on the lean path: the body's fields and the headers' (as the SDK's). */
function leanCompleteAnswer(answer: LeanAnswer): WriteAnswer {
  const versionId = headerValue(answer, "x-amz-version-id");
  const sse = headerValue(answer, "x-amz-server-side-encryption");
  const crc64 = headerValue(answer, OSS_CRC64_HEADER);
  return writeAnswerFrom(
    {
      ...parseComplete(documentOf(answer)),
      ...(versionId !== undefined ? { VersionId: versionId } : {}),
      ...(sse !== undefined ? { ServerSideEncryption: sse } : {}),
    },
    crc64 !== undefined ? crc64EcmaChecksum(crc64) : undefined,
  );
}

function createdUploadId(uploadId: string | undefined): string {
  if (!uploadId) throw new Error("CreateMultipartUpload answered without an UploadId");
  return uploadId;
}

function documentOf(answer: LeanAnswer): string {
  return (answer.body ?? Buffer.alloc(0)).toString("utf8");
}

function stripQuotes(etag: string | undefined): string {
  return (etag ?? "").replace(/^"+|"+$/g, "");
}

function isNotFound(error: unknown): boolean {
  const shape = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return shape.name === "NotFound" || shape.name === "NoSuchKey" || shape.$metadata?.httpStatusCode === 404;
}

/**
 * A HEAD answer has no body, so a 400 or 403 arrives without its code (wrong region, unknown key, bad
 * secret, denied all look alike). The same request as a 1-byte GET carries the code; that error replaces it.
 */
async function explainHeadError(
  sdk: () => Promise<Sdk>,
  bucket: string,
  key: string,
  error: unknown,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== 400 && status !== 403) return error;
  try {
    const { client, s3 } = await sdk();
    await sdkSend(signal, async (options) => {
      const answer = await client.send(
        new s3.GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=0-0" }),
        options,
      );
      await answer.Body?.transformToByteArray();
    });
    return error;
  } catch (explained) {
    const code = (explained as { name?: string }).name;
    return code && code !== "NoSuchKey" && code !== "InvalidRange" && code !== "Unknown" ? explained : error;
  }
}

/**
 * The SDK's own endpoint rules, for what plainBucketEndpoint leaves to them (FIPS, dual-stack, configured
 * endpoints, other partitions); null for anything not plain SigV4 (S3 Express, multi-region access points),
 * which the SDK then sends itself.
 */
async function sdkBucketEndpoint(
  { client }: Sdk,
  settings: S3Settings,
  bucket: string,
): Promise<LeanEndpoint | null> {
  const config = client.config;
  const region = await config.region();
  const endpoint = settings.endpoint ?? (await config.serviceConfiguredEndpoint?.());
  const resolved = config.endpointProvider({
    Bucket: bucket,
    Region: region,
    UseFIPS: await config.useFipsEndpoint(),
    UseDualStack: await config.useDualstackEndpoint(),
    Accelerate: config.useAccelerateEndpoint ?? false,
    ForcePathStyle: settings.forcePathStyle ?? false,
    ...(endpoint ? { Endpoint: endpoint } : {}),
  });
  const scheme = (resolved.properties?.authSchemes as Array<Record<string, unknown>> | undefined)?.[0];
  if (scheme?.name !== "sigv4") return null;
  return {
    url: new URL(resolved.url.toString()),
    signingRegion: typeof scheme.signingRegion === "string" ? scheme.signingRegion : region,
    signingName: typeof scheme.signingName === "string" ? scheme.signingName : "s3",
  };
}

/** Where the requests go, for the proxy choice: the endpoint, or Amazon S3's regional host. */
function storeUrl(settings: S3Settings): URL {
  return new URL(settings.endpoint ?? `https://s3.${settings.region ?? "us-east-1"}.amazonaws.com`);
}

/**
 * One SDK call; the SDK adds a listener of its own to the signal it is given, so it gets a child of the run's
 * signal: the store's callers may hand every request the one run signal (abort-scope.ts).
 */
async function sdkSend<T>(
  signal: AbortSignal | undefined,
  send: (options: { abortSignal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  return withChildSignal(signal, (child) => send(child === undefined ? {} : { abortSignal: child }));
}

export function createS3Store(settings: S3Settings, tuning: ClientTuning): S3Store {
  const provider = providerProfile(settings.provider, settings.endpoint);
  // A store without x-amz-checksum may refuse even the header that asks for them (B2: "Unsupported header").
  const keepsChecksums = provider.checksums.length > 0;
  const checksumMode: Record<string, string> = keepsChecksums ? { "x-amz-checksum-mode": "ENABLED" } : {};
  const agents = createAgents(storeUrl(settings), settings.network ?? {}, tuning);
  // Awaited by each request, which reports a failure to load the proxy agents; not a crash before that.
  agents.catch(() => undefined);
  // A role the run assumes itself renews its sessions; both paths ask it per request.
  const credentials: LeanCredentials | CredentialProvider | null = settings.assumeRole
    ? webIdentityCredentials(settings.assumeRole, settings.network ?? {}, tuning.stallTimeoutMs)
    : plainCredentials(settings);
  let loaded: Sdk | undefined;
  let loading: Promise<Sdk> | undefined;
  const sdk = (): Promise<Sdk> =>
    (loading ??= Promise.all([import("@aws-sdk/client-s3"), agents]).then(([s3, ready]) => {
      loaded = { s3, client: createSdkClient(s3, settings, tuning, ready, credentials, provider) };
      return loaded;
    }));
  const signingCredentials = async (): Promise<LeanCredentials> =>
    typeof credentials === "function"
      ? credentials()
      : (credentials ?? (await sdk()).client.config.credentials());
  const region = signingRegion(settings);
  const lean = createLeanHttp(
    {
      endpointFor: async (bucket) =>
        plainBucketEndpoint({ ...settings, region }, bucket) ??
        sdkBucketEndpoint(await sdk(), settings, bucket),
      credentials: signingCredentials,
      clockOffsetMs: () => loaded?.client.config.systemClockOffset ?? 0,
      network: settings.network ?? {},
    },
    agents,
    tuning.stallTimeoutMs,
    tuning.maxSockets,
  );

  /** One ListObjectsV2 page: lean, keys URL-encoded so no key (control characters included) upsets the XML. */
  async function listPage(input: ListInput, signal?: AbortSignal): Promise<ObjectsPage> {
    const leanAnswer = await lean(
      {
        method: "GET",
        bucket: input.bucket,
        key: "",
        query: {
          "list-type": "2",
          prefix: input.prefix,
          ...(input.maxKeys !== undefined ? { "max-keys": String(input.maxKeys) } : {}),
          "encoding-type": "url",
          ...(input.continuationToken !== undefined
            ? { "continuation-token": input.continuationToken }
            : input.startAfter !== undefined
              ? { "start-after": input.startAfter }
              : {}),
        },
        headers: {},
        document: "expected",
      },
      signal,
    );
    return leanAnswer === null ? sdkListPage(input, signal) : parseKeysPage(documentOf(leanAnswer));
  }

  async function sdkListPage(
    { bucket, prefix, continuationToken, startAfter, maxKeys }: ListInput,
    signal?: AbortSignal,
  ): Promise<ObjectsPage> {
    const { client, s3 } = await sdk();
    const answer = await sdkSend(signal, (options) =>
      client.send(
        new s3.ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ContinuationToken: continuationToken,
          StartAfter: startAfter,
          MaxKeys: maxKeys,
        }),
        options,
      ),
    );
    const objects = (answer.Contents ?? []).flatMap((object) =>
      object.Key !== undefined
        ? [{ key: object.Key, size: object.Size ?? 0, etag: stripQuotes(object.ETag) }]
        : [],
    );
    const next = answer.IsTruncated ? answer.NextContinuationToken : undefined;
    return next ? { objects, next } : { objects };
  }

  return {
    async headObject({ bucket, key, versionId, partNumber }, signal) {
      try {
        const leanAnswer = await lean(
          {
            method: "HEAD",
            bucket,
            key,
            query: {
              ...(versionId ? { versionId } : {}),
              ...(partNumber !== undefined ? { partNumber: String(partNumber) } : {}),
            },
            headers: checksumMode,
          },
          signal,
        );
        if (leanAnswer?.status === 404) return null;
        if (leanAnswer) {
          const size = Number(leanAnswer.headers["content-length"] ?? 0);
          const planRecord = leanAnswer.headers["x-amz-meta-svu-plan"];
          const partsCount = Number(leanAnswer.headers["x-amz-mp-parts-count"] ?? Number.NaN);
          return {
            size,
            ...answerFromHeaders(leanAnswer.headers),
            ...(typeof planRecord === "string" ? { planRecord } : {}),
            served: servedFromHeaderLines(leanAnswer.headers),
            ...(Number.isInteger(partsCount) ? { partsCount } : {}),
            ...(leanAnswer.headers["x-amz-server-side-encryption-customer-algorithm"]
              ? { sseCustomer: true }
              : {}),
          };
        }
        const { client, s3 } = await sdk();
        const head = await sdkSend(signal, (options) =>
          client.send(
            new s3.HeadObjectCommand({
              Bucket: bucket,
              Key: key,
              VersionId: versionId,
              PartNumber: partNumber,
              ...(keepsChecksums ? { ChecksumMode: "ENABLED" as const } : {}),
            }),
            options,
          ),
        );
        const planRecord = head.Metadata?.["svu-plan"];
        return {
          size: head.ContentLength ?? 0,
          ...writeAnswerFrom(head, answeredCrc64(head)),
          ...(planRecord !== undefined ? { planRecord } : {}),
          served: servedFromHeaderLines({
            "content-type": head.ContentType,
            "content-encoding": head.ContentEncoding,
            "cache-control": head.CacheControl,
            "content-disposition": head.ContentDisposition,
            "content-language": head.ContentLanguage,
          }),
          ...(head.PartsCount !== undefined ? { partsCount: head.PartsCount } : {}),
          ...(head.SSECustomerAlgorithm ? { sseCustomer: true } : {}),
        };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw await explainHeadError(sdk, bucket, key, error, signal);
      }
    },

    async getObjectRange({ bucket, key, versionId, start, end, ifMatch }, onChunk, signal) {
      const range = `bytes=${start}-${end}`;
      const leanAnswer = await lean(
        {
          method: "GET",
          bucket,
          key,
          query: versionId ? { versionId } : {},
          headers: { range, "if-match": `"${ifMatch}"` },
          onBody: onChunk,
        },
        signal,
      );
      if (leanAnswer !== null) return;
      const { client, s3 } = await sdk();
      // The body streams under the same child signal: an abort must stop it too.
      await sdkSend(signal, async (options) => {
        const answer = await client.send(
          new s3.GetObjectCommand({
            Bucket: bucket,
            Key: key,
            VersionId: versionId,
            Range: range,
            IfMatch: `"${ifMatch}"`,
          }),
          options,
        );
        await eachBodyChunk(answer.Body as Readable, onChunk);
      });
    },

    listObjectsPage: listPage,
    listKeysPage: listPage,

    async putObject(input, signal) {
      const leanAnswer = await lean(
        {
          method: "PUT",
          bucket: input.bucket,
          key: input.key,
          query: {},
          headers: {
            ...objectHeaderLines(input.headers),
            ...checksumHeaderLines(input.checksums, input.contentMd5),
            ...(input.ifNoneMatch ? createGuard(provider) : {}),
            ...(input.ifMatch !== undefined ? { "if-match": `"${input.ifMatch}"` } : {}),
          },
          body: input.body,
        },
        signal,
      );
      if (leanAnswer !== null) return answerFromHeaders(leanAnswer.headers);
      const { client, s3 } = await sdk();
      const answer = await sdkSend(signal, (options) =>
        client.send(
          new s3.PutObjectCommand({
            Bucket: input.bucket,
            Key: input.key,
            Body: input.body,
            ContentLength: input.body.byteLength,
            ContentMD5: input.contentMd5,
            IfNoneMatch: input.ifNoneMatch ? "*" : undefined,
            IfMatch: input.ifMatch !== undefined ? `"${input.ifMatch}"` : undefined,
            ...headerFields(input.headers),
            ...toFields(input.checksums),
          }),
          options,
        ),
      );
      return writeAnswerFrom(answer, answeredCrc64(answer));
    },

    async deleteObject({ bucket, key, versionId }, signal) {
      const query: Record<string, string> = versionId ? { versionId } : {};
      if ((await lean({ method: "DELETE", bucket, key, query, headers: {} }, signal)) !== null) return;
      const { client, s3 } = await sdk();
      await sdkSend(signal, (options) =>
        client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }), options),
      );
    },

    async createMultipartUpload(input, signal) {
      // A checksum the store computes itself (OSS's CRC64ECMA) is named in no request.
      const named = input.algorithm !== null && !isStoreComputed(input.algorithm) ? input.algorithm : null;
      const leanAnswer = await lean(
        {
          method: "POST",
          bucket: input.bucket,
          key: input.key,
          query: { uploads: "" },
          headers: {
            ...objectHeaderLines(input.headers),
            ...(named !== null ? { "x-amz-checksum-algorithm": named } : {}),
            ...(named !== null && input.checksumType ? { "x-amz-checksum-type": input.checksumType } : {}),
          },
          document: "expected",
        },
        signal,
      );
      if (leanAnswer !== null) return createdUploadId(parseInitiate(documentOf(leanAnswer)));
      const { client, s3 } = await sdk();
      const answer = await sdkSend(signal, (options) =>
        client.send(
          new s3.CreateMultipartUploadCommand({
            Bucket: input.bucket,
            Key: input.key,
            ...headerFields(input.headers),
            ...(named !== null
              ? { ChecksumAlgorithm: named, ChecksumType: input.checksumType ?? undefined }
              : {}),
          }),
          options,
        ),
      );
      return createdUploadId(answer.UploadId);
    },

    async uploadPart(input, signal) {
      const leanAnswer = await lean(
        {
          method: "PUT",
          bucket: input.bucket,
          key: input.key,
          query: { partNumber: String(input.partNumber), uploadId: input.uploadId },
          headers: checksumHeaderLines(input.checksums, input.contentMd5),
          body: input.body,
        },
        signal,
      );
      if (leanAnswer !== null) {
        const { etag, checksums, sse } = answerFromHeaders(leanAnswer.headers);
        return { etag, checksums, ...(sse ? { sse } : {}) };
      }
      const { client, s3 } = await sdk();
      const answer = await sdkSend(signal, (options) =>
        client.send(
          new s3.UploadPartCommand({
            Bucket: input.bucket,
            Key: input.key,
            UploadId: input.uploadId,
            PartNumber: input.partNumber,
            Body: input.body,
            ContentLength: input.body.byteLength,
            ContentMD5: input.contentMd5,
            ...toFields(input.checksums),
          }),
          options,
        ),
      );
      const crc64 = answeredCrc64(answer);
      return {
        etag: stripQuotes(answer.ETag),
        checksums: { ...fromFields(answer), ...(crc64 !== undefined ? { CRC64ECMA: crc64 } : {}) },
        ...(answer.ServerSideEncryption ? { sse: answer.ServerSideEncryption } : {}),
      };
    },

    async listPartsPage(input, signal) {
      const leanAnswer = await lean(
        {
          method: "GET",
          bucket: input.bucket,
          key: input.key,
          query: {
            uploadId: input.uploadId,
            ...(input.marker !== undefined ? { "part-number-marker": input.marker } : {}),
            ...(input.maxParts !== undefined ? { "max-parts": String(input.maxParts) } : {}),
          },
          headers: {},
          document: "expected",
        },
        signal,
      );
      if (leanAnswer !== null) {
        const xml = documentOf(leanAnswer);
        const crcs = listedPartCrcs(xml);
        return partsPageFrom(parseListParts(xml), (number) => {
          const crc = number === undefined ? undefined : crcs.get(number);
          return crc === undefined ? undefined : crc64EcmaChecksum(crc);
        });
      }
      const { client, s3 } = await sdk();
      const answer = await sdkSend(signal, (options) =>
        client.send(
          new s3.ListPartsCommand({
            Bucket: input.bucket,
            Key: input.key,
            UploadId: input.uploadId,
            PartNumberMarker: input.marker,
            MaxParts: input.maxParts,
          }),
          options,
        ),
      );
      return partsPageFrom(answer, (number) => listedCrc64(answer, number));
    },

    async completeMultipartUpload(input, signal) {
      // Named only beside an x-amz-checksum: a store's own CRC (OSS) has no type to send.
      const checksumType = namesAmzChecksum(input) ? (input.checksumType ?? undefined) : undefined;
      const leanAnswer = await lean(
        {
          method: "POST",
          bucket: input.bucket,
          key: input.key,
          query: { uploadId: input.uploadId },
          headers: {
            "content-type": "application/xml",
            ...checksumHeaderLines(input.objectChecksums, undefined),
            ...(checksumType !== undefined ? { "x-amz-checksum-type": checksumType } : {}),
            "x-amz-mp-object-size": String(input.objectSize),
            ...(input.ifNoneMatch ? createGuard(provider) : {}),
          },
          body: completeBody(input.parts),
          document: "required",
        },
        signal,
      );
      if (leanAnswer !== null) return leanCompleteAnswer(leanAnswer);
      const { client, s3 } = await sdk();
      const answer = await sdkSend(signal, (options) =>
        client.send(
          new s3.CompleteMultipartUploadCommand({
            Bucket: input.bucket,
            Key: input.key,
            UploadId: input.uploadId,
            MultipartUpload: {
              Parts: input.parts.map((part) => ({
                PartNumber: part.number,
                ETag: `"${part.etag}"`,
                ...toFields(part.checksums),
              })),
            },
            ...toFields(input.objectChecksums),
            ChecksumType: checksumType,
            MpuObjectSize: input.objectSize,
            IfNoneMatch: input.ifNoneMatch ? "*" : undefined,
          }),
          options,
        ),
      );
      return writeAnswerFrom(answer, answeredCrc64(answer));
    },

    async abortMultipartUpload({ bucket, key, uploadId }, signal) {
      const query = { uploadId };
      if ((await lean({ method: "DELETE", bucket, key, query, headers: {} }, signal)) !== null) return;
      const { client, s3 } = await sdk();
      await sdkSend(signal, (options) =>
        client.send(
          new s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
          options,
        ),
      );
    },

    async listUploadsPage(input, signal) {
      const leanAnswer = await lean(
        {
          method: "GET",
          bucket: input.bucket,
          key: "",
          query: {
            uploads: "",
            prefix: input.prefix,
            // No encoding-type=url: Ceph RGW 16.2 then encodes the keys but neither says so nor encodes the
            // next key marker. A control character comes back as a character reference (&#x01;), which this
            // parser (unlike the SDK's) reads.
            ...(input.keyMarker !== undefined ? { "key-marker": input.keyMarker } : {}),
            ...(input.uploadIdMarker !== undefined ? { "upload-id-marker": input.uploadIdMarker } : {}),
          },
          headers: {},
          document: "expected",
        },
        signal,
      );
      if (leanAnswer !== null) return uploadsPageFrom(parseListUploads(documentOf(leanAnswer)));
      const { client, s3 } = await sdk();
      const answer = await sdkSend(signal, (options) =>
        client.send(
          new s3.ListMultipartUploadsCommand({
            Bucket: input.bucket,
            Prefix: input.prefix,
            KeyMarker: input.keyMarker,
            UploadIdMarker: input.uploadIdMarker,
          }),
          options,
        ),
      );
      return uploadsPageFrom(answer);
    },

    async getLifecycle(bucket, signal) {
      try {
        const { client, s3 } = await sdk();
        const answer = await sdkSend(signal, (options) =>
          client.send(new s3.GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), options),
        );
        const minimumObjectSize = answer.TransitionDefaultMinimumObjectSize;
        return {
          rules: answer.Rules ?? [],
          ...(minimumObjectSize ? { transitionDefaultMinimumObjectSize: minimumObjectSize } : {}),
        };
      } catch (error) {
        if ((error as { name?: string }).name === "NoSuchLifecycleConfiguration") return { rules: [] };
        throw error;
      }
    },

    async putLifecycle(bucket, lifecycle, signal) {
      const { client, s3 } = await sdk();
      await sdkSend(signal, (options) =>
        client.send(
          new s3.PutBucketLifecycleConfigurationCommand({
            Bucket: bucket,
            LifecycleConfiguration: { Rules: lifecycle.rules },
            // A PUT without it resets the bucket's setting to S3's default; send back what GET said.
            ...(lifecycle.transitionDefaultMinimumObjectSize
              ? { TransitionDefaultMinimumObjectSize: lifecycle.transitionDefaultMinimumObjectSize }
              : {}),
          }),
          options,
        ),
      );
    },

    signingCredentials,

    destroy() {
      lean.destroy();
      // The SDK's handler would destroy the agents too; a run that never loaded it still has to.
      if (loaded) loaded.client.destroy();
      else
        void loading?.then(
          ({ client }) => client.destroy(),
          () => undefined,
        );
      void agents.then(
        (made) => made.destroy(),
        () => undefined,
      );
    },
  };
}
