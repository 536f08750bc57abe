// The action's outputs (and the CLI's --json totals), computed from a run's results.
import { isIP } from "node:net";
import type { FileResult, RunResult, S3Settings } from "../engine/types.js";

export interface Totals {
  uploaded: number;
  skipped: number;
  failed: number;
  dryRun: number;
  bytes: number;
}

export function totals(files: readonly FileResult[]): Totals {
  const count = (status: FileResult["status"]): number =>
    files.filter((file) => file.status === status).length;
  const bytes = files.filter((file) => file.status === "uploaded").reduce((sum, file) => sum + file.size, 0);
  return {
    uploaded: count("uploaded"),
    skipped: count("unchanged"),
    failed: count("failed"),
    dryRun: count("dry-run"),
    bytes,
  };
}

function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

/**
 * The bucket goes into the host name only where the SDK puts it there too: a single DNS label (a dotted name
 * breaks the TLS wildcard certificate) on a host name (an IP address has no subdomains). Path style otherwise.
 */
function hostsBucket(bucket: string, host: string): boolean {
  const ipAddress = isIP(host) !== 0 || host.startsWith("[");
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && !ipAddress;
}

/** Where the object can be fetched (with credentials); region is the resolved one, needed for Amazon S3. */
export function objectUrl(bucket: string, key: string, s3: S3Settings, region: string): string {
  const path = encodeKey(key);
  const endpoint = new URL(s3.endpoint ?? `https://s3.${region}.amazonaws.com`);
  if (s3.forcePathStyle || !hostsBucket(bucket, endpoint.hostname)) {
    return `${endpoint.origin}/${bucket}/${path}`;
  }
  return `${endpoint.protocol}//${bucket}.${endpoint.host}/${path}`;
}

export function runOutputs(
  run: RunResult,
  s3: S3Settings,
  region: string,
  manifestPath: string | undefined,
): Record<string, string> {
  const sums = totals(run.files);
  const outputs: Record<string, string> = {
    uploaded: String(sums.uploaded),
    skipped: String(sums.skipped),
    bytes: String(sums.bytes),
    keys: JSON.stringify(run.files.filter((file) => file.status !== "failed").map((file) => file.key)),
    results: JSON.stringify(run.files),
  };
  if (manifestPath !== undefined) outputs["manifest"] = manifestPath;
  const only = run.files.length === 1 ? run.files[0] : undefined;
  if (only && only.status !== "failed") {
    outputs["key"] = only.key;
    outputs["etag"] = only.etag;
    outputs["version-id"] = only.versionId ?? "";
    outputs["checksum"] = only.checksumRemote ?? only.checksumLocal ?? "";
    outputs["sha256"] = only.sha256 ?? "";
    outputs["url"] = objectUrl(only.bucket, only.key, s3, region);
  }
  return outputs;
}
