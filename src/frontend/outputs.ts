// The action's outputs (and the CLI's --json totals), computed from a run's results.
import { isIP } from "node:net";
import type { FileResult, RunResult, S3Settings } from "../engine/types.js";
import { failedOrRefused } from "./failures.js";

export interface Totals {
  uploaded: number;
  skipped: number;
  failed: number;
  dryRun: number;
  /** Dry run only: files the real run would refuse. */
  refused: number;
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
    refused: count("refused"),
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

/**
 * GitHub refuses an output over 1 MB, counting it as UTF-16 (two bytes per character; 2,500 files' results once
 * made 1,045,020 bytes). The two lists that grow with the run get at most this many characters each, so
 * together with the small outputs they stay under 1 MB even counted as one.
 */
export const LIST_BUDGET = { results: 256 * 1024, keys: 192 * 1024 };

/** A JSON array of as many items, in order, as fit the budget. */
export function cappedJsonArray(items: readonly unknown[], budget: number): { json: string; kept: number } {
  const whole = JSON.stringify(items);
  if (whole.length <= budget) return { json: whole, kept: items.length };
  const kept: string[] = [];
  let length = 2;
  for (const item of items) {
    const text = JSON.stringify(item);
    const added = text.length + (kept.length > 0 ? 1 : 0);
    if (length + added > budget) break;
    kept.push(text);
    length += added;
  }
  return { json: `[${kept.join(",")}]`, kept: kept.length };
}

/** Said in the log for each list that was cut: how much it holds and where the rest is. */
export function truncationNotices(outputs: Record<string, string>, run: RunResult): string[] {
  const manifest = outputs["manifest"]
    ? `the manifest, ${outputs["manifest"]} (output "manifest")`
    : "the manifest";
  const kept = (name: string): number => (JSON.parse(outputs[name] ?? "[]") as unknown[]).length;
  const notices: string[] = [];
  if (outputs["results-truncated"] === "true") {
    notices.push(
      `The "results" output lists ${kept("results")} of ${run.files.length} files (failed ones first) to stay ` +
        `under GitHub's 1 MB output limit; every file is in ${manifest}.`,
    );
  }
  if (outputs["keys-truncated"] === "true") {
    const stored = run.files.filter((file) => file.status !== "failed").length;
    notices.push(
      `The "keys" output lists ${kept("keys")} of ${stored} keys to stay under GitHub's 1 MB output limit; ` +
        `every key is in ${manifest}.`,
    );
  }
  return notices;
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
  };
  const stored = run.files.filter((file) => !failedOrRefused(file)).map((file) => file.key);
  const keys = cappedJsonArray(stored, LIST_BUDGET.keys);
  outputs["keys"] = keys.json;
  outputs["keys-truncated"] = String(keys.kept < stored.length);
  // Failed files first: they are what a later step acts on.
  const failedFirst = [
    ...run.files.filter(failedOrRefused),
    ...run.files.filter((file) => !failedOrRefused(file)),
  ];
  const results = cappedJsonArray(failedFirst, LIST_BUDGET.results);
  // Whole, it keeps the run's order.
  outputs["results"] = results.kept === run.files.length ? JSON.stringify(run.files) : results.json;
  outputs["results-truncated"] = String(results.kept < run.files.length);
  if (manifestPath !== undefined) outputs["manifest"] = manifestPath;
  const only = run.files.length === 1 ? run.files[0] : undefined;
  if (only && !failedOrRefused(only)) {
    outputs["key"] = only.key;
    outputs["etag"] = only.etag;
    outputs["version-id"] = only.versionId ?? "";
    outputs["checksum"] = only.checksumRemote ?? only.checksumLocal ?? "";
    outputs["sha256"] = only.sha256 ?? "";
    outputs["url"] = objectUrl(only.bucket, only.key, s3, region);
  }
  return outputs;
}
