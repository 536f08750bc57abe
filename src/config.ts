// The one config model: both front ends hand in a name → text lookup and get a typed config or all errors.
import { bufferLimitNote, formatSize, resolveLimits } from "./engine/index.js";
import {
  addressingProblem,
  checksumPairProblem,
  PROVIDER_CHOICES,
  profileLimits,
  providerProfile,
  type ProviderProfile,
} from "./engine/s3/providers.js";
import { defaultChecksumType } from "./engine/checksum/index.js";
import type {
  ChecksumAlgorithm,
  ChecksumType,
  EngineOptions,
  ObjectSettings,
  S3Limits,
} from "./engine/types.js";
import picomatch from "picomatch";
import { checkBucketName } from "./frontend/bucket-name.js";
import { checkEndpoint } from "./frontend/endpoint.js";
import { INPUTS } from "./frontend/inputs.js";
import { readNetwork, type Env } from "./frontend/network-env.js";
import { parseDuration } from "./frontend/duration.js";
import { parseRole, type OidcTokenFetch } from "./frontend/role.js";
import { parseBroker } from "./frontend/broker-inputs.js";
import type { Field } from "./frontend/fields.js";
import { headerValueProblem, parseHeaderRules, type HeaderRule } from "./frontend/header-rules.js";
import { parseBoolean, parseByteSize, parseChoice, parsePairs, parseWholeNumber } from "./frontend/fields.js";

export type Lookup = (name: string) => string | undefined;

export type IfNoFilesFound = "error" | "warn" | "ignore";

/** Engine options without the run-time hooks the front end adds (events, abort signal, test limits). */
export type ConfiguredEngineOptions = Omit<EngineOptions, "signal" | "onEvent" | "limits">;

export interface UploadConfig {
  mode: "upload" | "download" | "cleanup";
  /** Used in cleanup mode only. */
  cleanup: { olderThanMs: number; lifecycleDays: number | undefined };
  /** Used in download mode only; the manifest is read and checked by the run (frontend/expected-manifest.ts). */
  download: { versionId: string | undefined; expectedManifest: string | undefined };
  engine: ConfiguredEngineOptions;
  /** Glob patterns, "!" for excludes, in the order given. */
  patterns: string[];
  prefix: string;
  baseDir: string;
  ifNoFilesFound: IfNoFilesFound;
  includeHiddenFiles: boolean;
  /** Per-pattern headers in the order given; the front end resolves them per file (LocalFile.headers). */
  headerRules: HeaderRule[];
}

export type ConfigResult = { ok: true; config: UploadConfig } | { ok: false; errors: string[] };

const ALGORITHMS = ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256", "none"] as const;
const CHECKSUM_TYPES: readonly ChecksumType[] = ["FULL_OBJECT", "COMPOSITE"];
const SSE_MODES = ["AES256", "aws:kms", "aws:kms:dsse"] as const;

/** "5GiB", as these messages write sizes. */
function compactSize(bytes: number): string {
  return formatSize(bytes).replace(" ", "");
}

/**
 * `givenLimits`: the engine's own (the store's, narrowed to this Node.js's largest Buffer), so a setting that passes
 * here never fails the engine's checks; unset, the provider's row gives them. `env`: where proxy and CA
 * settings come from (HTTPS_PROXY, AWS_CA_BUNDLE…). `oidc`: the action's way to a new GitHub job token for
 * role-to-assume (the CLI reads a token file instead).
 */
export function parseConfig(
  lookup: Lookup,
  givenLimits?: S3Limits,
  env: Env = {},
  oidc?: OidcTokenFetch,
): ConfigResult {
  const errors: string[] = [];
  const text = (name: string): string => {
    const given = lookup(name)?.trim() ?? "";
    return given === "" ? (INPUTS.find((input) => input.name === name)?.default ?? "") : given;
  };
  const take = <T>(field: Field<T>, fallback: T): T => {
    if (field.ok) return field.value;
    errors.push(field.error);
    return fallback;
  };
  const bool = (name: string): boolean => take(parseBoolean(name, text(name)), false);
  const optional = (name: string): string | undefined => text(name) || undefined;

  const bucket = text("bucket");
  const endpoint = optional("endpoint");
  // Read again below, where a bad value is reported; here it only picks the naming rules.
  const pathStyle = parseBoolean("force-path-style", text("force-path-style"));
  const bucketError = checkBucket(bucket, endpoint, pathStyle.ok && pathStyle.value);
  if (bucketError) errors.push(bucketError);
  const provider = providerProfile(
    take(parseChoice("provider", text("provider"), PROVIDER_CHOICES), "auto"),
    endpoint,
  );
  const addressing = addressingProblem(provider, {
    bucket,
    endpoint,
    forcePathStyle: pathStyle.ok && pathStyle.value,
  });
  if (addressing) errors.push(`Input "${addressing.input}": ${addressing.problem}`);
  const limits = givenLimits ?? resolveLimits(profileLimits(provider));

  const mode = take(parseChoice("mode", text("mode"), ["upload", "download", "cleanup"] as const), "upload");
  // Cleanup works on keys under the prefix; no local file is involved.
  const patterns =
    mode === "cleanup"
      ? []
      : text("path")
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => line !== "");
  // The runner passes action.yml's defaults for inputs left out, so only a different value counts as given.
  const given = (name: string): boolean =>
    text(name) !== "" && text(name) !== (INPUTS.find((input) => input.name === name)?.default ?? "");
  errors.push(...modeOnlyErrors(mode, given));
  const versionId = optional("version-id");
  if (mode === "download" && versionId !== undefined) {
    const versionError = checkVersionTarget(versionId, patterns);
    if (versionError) errors.push(versionError);
  }
  if (mode === "upload" && patterns.length === 0) {
    errors.push(
      `Input "path" is required: newline-separated glob patterns of the files to upload, e.g. dist/**.`,
    );
  } else if (mode === "upload" && patterns.every((pattern) => pattern.startsWith("!"))) {
    errors.push(`Input "path": every pattern excludes ("!…"); add at least one pattern that matches files.`);
  }

  const prefix = text("prefix");
  const prefixError = checkPrefix(prefix);
  if (prefixError) errors.push(prefixError);

  const { minPartSize, maxPartSize } = limits;
  // One PutObject holds at most one part's worth: S3's limits are equal, and so is the Buffer's.
  const maxPutSize = maxPartSize;
  const bufferNote = bufferLimitNote(limits, compactSize);
  const partSize = take(parseByteSize("part-size", text("part-size")), minPartSize);
  if (partSize < minPartSize || partSize > maxPartSize) {
    errors.push(
      `Input "part-size": "${text("part-size")}" is outside ` +
        `${bufferNote ? `the part size range this run can use${bufferNote}` : `${partSizeOwner(provider)} part size range`}; ` +
        `use ${compactSize(minPartSize)} to ${compactSize(maxPartSize)} (${minPartSize} to ${maxPartSize} bytes).`,
    );
  }
  const concurrency = take(parseWholeNumber("concurrency", text("concurrency"), 1, 64), 1);

  const algorithmChoice = take(
    parseChoice("checksum-algorithm", text("checksum-algorithm"), ALGORITHMS),
    "none",
  );
  const chosenAlgorithm: ChecksumAlgorithm | null = algorithmChoice === "none" ? null : algorithmChoice;
  const checksumType = optional("checksum-type")
    ? take(parseChoice("checksum-type", text("checksum-type"), CHECKSUM_TYPES), undefined)
    : undefined;
  const typeError = checkChecksumType(chosenAlgorithm, checksumType);
  if (typeError) errors.push(typeError);
  const checksumAlgorithm = storeAlgorithm(provider, chosenAlgorithm, given("checksum-algorithm"));
  if (!typeError && checksumAlgorithm !== null) {
    const problem = checksumPairProblem(
      provider,
      checksumAlgorithm,
      checksumType ?? defaultChecksumType(checksumAlgorithm),
    );
    if (problem) errors.push(`Input "${checksumType ? "checksum-type" : "checksum-algorithm"}": ${problem}`);
  }

  const thresholdText = text("multipart-threshold");
  const multipartThreshold = thresholdText
    ? take(parseByteSize("multipart-threshold", thresholdText), partSize)
    : partSize;
  if (thresholdText && multipartThreshold > maxPutSize) {
    errors.push(
      `Input "multipart-threshold": "${thresholdText}" is above ${compactSize(maxPutSize)}, the largest single ` +
        `PutObject${bufferNote}; use at most ${compactSize(maxPutSize)}.`,
    );
  }

  const region = optional("region");
  if (region !== undefined && !/^[A-Za-z0-9_.-]+$/.test(region)) {
    errors.push(`Input "region": "${region}" is not a region name; use e.g. us-east-1.`);
  }
  const endpointError = endpoint === undefined ? undefined : checkEndpoint(endpoint);
  if (endpointError) errors.push(endpointError);

  const profile = optional("profile");
  if (profile !== undefined && !/^[\w.@+-]+$/.test(profile)) {
    errors.push(
      `Input "profile": "${profile}" is not a profile name; use the name in [profile NAME] of ~/.aws/config.`,
    );
  }
  const broker = parseBroker(
    {
      url: text("broker-url"),
      audience: text("broker-audience"),
      tokenFile: text("web-identity-token-file"),
      mode,
      roleToAssume: text("role-to-assume"),
      profile,
      provider: text("provider"),
      checksumAlgorithm: text("checksum-algorithm"),
    },
    env,
    oidc,
  );
  errors.push(...broker.errors);
  const role = parseRole(
    {
      roleToAssume: text("role-to-assume"),
      sessionName: text("role-session-name"),
      durationSeconds: text("role-duration-seconds"),
      // With broker-url the token file is the broker's (parseBroker).
      tokenFile: text("broker-url") === "" ? text("web-identity-token-file") : "",
      profile,
      region,
    },
    env,
    oidc,
  );
  errors.push(...role.errors);
  const network = readNetwork(env, profile);
  if (!network.ok) errors.push(...network.errors);
  const hasNetwork = network.ok && Object.keys(network.network).length > 0;

  const object = parseObjectSettings(text, take, errors);
  const headerRules = parseHeaderRules("headers", mode === "cleanup" ? "" : text("headers"));
  const requireChecksums = bool("require-checksums");
  if (mode === "download" && requireChecksums && !bool("verify")) {
    errors.push(
      `Input "require-checksums" is true but "verify" is false, so no download would be checked; set verify to true, or require-checksums to false.`,
    );
  }
  // A download checks the checksums the store keeps; checksum-algorithm only says what an upload sends. A store
  // with a CRC of its own (OSS) proves every object by it without one.
  if (
    requireChecksums &&
    checksumAlgorithm === null &&
    mode !== "download" &&
    provider.nativeChecksum === null
  ) {
    errors.push(
      chosenAlgorithm === null
        ? `Input "require-checksums" is true but "checksum-algorithm" is none; choose an algorithm.`
        : `Input "require-checksums" is true but ${provider.label} keeps no x-amz-checksum; set it to false (${provider.label} proves objects by ${provider.proof}).`,
    );
  }

  const lifecycleText = text("lifecycle-abort-days");
  const config: UploadConfig = {
    mode,
    cleanup: {
      olderThanMs: take(parseDuration("older-than", text("older-than")), 0),
      lifecycleDays: lifecycleText
        ? take(parseWholeNumber("lifecycle-abort-days", lifecycleText, 1, 36500), undefined)
        : undefined,
    },
    download: { versionId, expectedManifest: optional("expected-manifest") },
    engine: {
      bucket,
      s3: {
        region,
        endpoint,
        forcePathStyle: bool("force-path-style"),
        provider: provider.name,
        ...(profile !== undefined ? { profile } : {}),
        ...(role.role ? { assumeRole: role.role } : {}),
        ...(network.ok && hasNetwork ? { network: network.network } : {}),
      },
      partSize,
      concurrency,
      checksumAlgorithm,
      checksumType,
      contentMd5: bool("content-md5"),
      multipartThreshold,
      overwrite: bool("overwrite"),
      verify: bool("verify"),
      onFailure: take(parseChoice("on-failure", text("on-failure"), ["abort", "keep"] as const), "abort"),
      ...(broker.broker ? { broker: broker.broker } : {}),
      dryRun: bool("dry-run"),
      requireChecksums,
      sha256: bool("sha256"),
      object,
    },
    patterns,
    prefix,
    baseDir: text("base-dir"),
    ifNoFilesFound: take(
      parseChoice("if-no-files-found", text("if-no-files-found"), ["error", "warn", "ignore"] as const),
      "error",
    ),
    includeHiddenFiles: bool("include-hidden-files"),
    headerRules: headerRules.rules,
  };
  errors.push(...headerRules.errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

function parseObjectSettings(
  text: (name: string) => string,
  take: <T>(field: Field<T>, fallback: T) => T,
  errors: string[],
): ObjectSettings {
  const object: ObjectSettings = {};
  const contentType = text("content-type");
  if (contentType) {
    if (/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType)) object.contentType = contentType;
    else
      errors.push(
        `Input "content-type": "${contentType}" is not a media type; use type/subtype, e.g. application/zip, or leave it empty to guess from the extension.`,
      );
  }
  const contentEncoding = text("content-encoding");
  if (contentEncoding) {
    const problem = headerValueProblem("contentEncoding", contentEncoding);
    if (problem) errors.push(`Input "content-encoding": ${problem}`);
    else object.contentEncoding = contentEncoding;
  }
  if (text("cache-control")) object.cacheControl = text("cache-control");
  const metadata = take(parsePairs("metadata", text("metadata"), { asciiValues: true }), {});
  if (Object.keys(metadata).length > 0) object.metadata = metadata;
  const tags = take(
    parsePairs("tags", text("tags"), { maxPairs: 10, maxKeyLength: 128, maxValueLength: 256 }),
    {},
  );
  if (Object.keys(tags).length > 0) object.tags = tags;

  const storageClass = text("storage-class");
  if (storageClass) {
    if (/^[A-Z][A-Z0-9_]*$/.test(storageClass)) object.storageClass = storageClass;
    else
      errors.push(
        `Input "storage-class": "${storageClass}" is not a storage class name; use upper case, e.g. STANDARD, STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR.`,
      );
  }
  const sse = text("sse") ? take(parseChoice("sse", text("sse"), SSE_MODES), undefined) : undefined;
  if (sse) object.sse = sse;
  const keyId = text("sse-kms-key-id");
  if (keyId) {
    if (sse === "aws:kms" || sse === "aws:kms:dsse") object.sseKmsKeyId = keyId;
    else errors.push(`Input "sse-kms-key-id" needs "sse" set to aws:kms or aws:kms:dsse.`);
  }
  return object;
}

/** Inputs that only one mode reads; each says what it is for. */
const UPLOAD_ONLY = [
  "checksum-algorithm",
  "checksum-type",
  "content-md5",
  "multipart-threshold",
  "include-hidden-files",
  "content-type",
  "content-encoding",
  "cache-control",
  "headers",
  "metadata",
  "tags",
  "storage-class",
  "sse",
  "sse-kms-key-id",
];
const CLEANUP_ONLY = ["older-than", "lifecycle-abort-days"];
const DOWNLOAD_ONLY = ["version-id", "expected-manifest"];

function modeOnlyErrors(mode: UploadConfig["mode"], given: (name: string) => boolean): string[] {
  if (mode === "download") {
    const misplaced = [
      ...UPLOAD_ONLY.filter(given).map((name) => [name, "uploads"]),
      ...CLEANUP_ONLY.filter(given).map((name) => [name, "cleanup"]),
    ];
    return misplaced.map(
      ([name, use]) => `Input "${name}" does not apply to mode download (it is for ${use}); remove it.`,
    );
  }
  return DOWNLOAD_ONLY.filter(given).map(
    (name) => `Input "${name}" is for mode download; remove it, or set "mode" to download.`,
  );
}

/** A version id names one object, so the key must be named outright: listings show only current versions. */
function checkVersionTarget(versionId: string, patterns: readonly string[]): string | undefined {
  const only = patterns.length === 1 ? patterns[0]! : undefined;
  if (only === undefined || only.startsWith("!") || only.endsWith("/") || picomatch.scan(only).isGlob) {
    return (
      `Input "version-id" needs "path" to name exactly one key, relative to "prefix" and without wildcards ` +
      `(e.g. app.tar.gz); a version id belongs to one object.`
    );
  }
  if (!/^[\x21-\x7e]+$/.test(versionId)) {
    return `Input "version-id": "${versionId}" is not a version id; copy it from the object's versions (printable ASCII, no spaces).`;
  }
  return undefined;
}

function checkBucket(
  bucket: string,
  endpoint: string | undefined,
  forcePathStyle: boolean,
): string | undefined {
  if (bucket === "") return `Input "bucket" is required: the name of the S3 bucket to upload to.`;
  if (/^s3:\/\//i.test(bucket) || /^https?:\/\//i.test(bucket)) {
    return `Input "bucket": "${bucket}" is a URL; give only the bucket name, and the key part in "prefix".`;
  }
  if (bucket.includes("/")) {
    return `Input "bucket": "${bucket}" contains "/"; give only the bucket name, and the key part in "prefix".`;
  }
  return checkBucketName(bucket, endpoint, forcePathStyle);
}

function checkPrefix(prefix: string): string | undefined {
  if (prefix.startsWith("/")) {
    return `Input "prefix": "${prefix}" starts with "/"; S3 keys do not, so write it without the leading "/".`;
  }
  if (prefix.split("/").some((segment) => segment === "." || segment === "..")) {
    return `Input "prefix": "${prefix}" has a "." or ".." segment, which S3 keeps literally; write the prefix without it.`;
  }
  return undefined;
}

/** "S3's" for Amazon S3 and stores that follow its rules, else the store's name. */
function partSizeOwner(provider: ProviderProfile): string {
  return provider.name === "aws" || provider.name === "generic" ? "S3's" : `${provider.label}'s`;
}

/**
 * The algorithm a run sends: on a store that keeps no x-amz-checksum the default one is dropped (it would
 * prove nothing there, and some such stores refuse the headers); one asked for outright is checked, and
 * refused, by checksumPairProblem.
 */
function storeAlgorithm(
  provider: ProviderProfile,
  chosen: ChecksumAlgorithm | null,
  givenOutright: boolean,
): ChecksumAlgorithm | null {
  return provider.checksums.length === 0 && !givenOutright ? null : chosen;
}

function checkChecksumType(
  algorithm: ChecksumAlgorithm | null,
  type: ChecksumType | undefined,
): string | undefined {
  if (type === undefined) return undefined;
  if (algorithm === null)
    return `Input "checksum-type" is set but "checksum-algorithm" is none; remove one of them.`;
  if (algorithm === "CRC64NVME" && type === "COMPOSITE") {
    return `Input "checksum-type": CRC64NVME supports only FULL_OBJECT; use FULL_OBJECT, or CRC32/CRC32C for COMPOSITE.`;
  }
  if ((algorithm === "SHA1" || algorithm === "SHA256") && type === "FULL_OBJECT") {
    return `Input "checksum-type": ${algorithm} supports only COMPOSITE; use COMPOSITE, or CRC64NVME/CRC32/CRC32C for FULL_OBJECT.`;
  }
  return undefined;
}
