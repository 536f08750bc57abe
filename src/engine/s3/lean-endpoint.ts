// A bucket's URL for the common cases without loading the AWS SDK (its endpoint rules come with the whole
// client, ~0.2 CPU-s of parsing before the first request). Only cases where the SDK's rules are plain are
// answered here: a custom endpoint, or an Amazon S3 region of the standard partition, a bucket name of
// lower-case letters, digits, hyphens and dots, and no FIPS, dual-stack or configured endpoint settings
// anywhere. Everything else answers null and the SDK decides; test/unit/engine-lean-endpoint.test.ts
// compares both on every kind of input.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { homedir } from "node:os";
import path from "node:path";
import type { LeanEndpoint } from "./s3-lean-http.js";

/**
 * Why requests to `bucket` at `hostname` are addressed path-style, as the SDK's rules decide it; null when
 * the bucket goes in the host. A name with "." would not match a wildcard certificate, and an IP has no
 * subdomains.
 */
export function pathStyleCause(
  bucket: string,
  hostname: string,
  forcePathStyle: boolean,
): "force-path-style" | "bucket" | "endpoint" | null {
  if (forcePathStyle) return "force-path-style";
  if (bucket.includes(".")) return "bucket";
  if (isIP(hostname.replace(/^\[|\]$/g, "")) !== 0) return "endpoint";
  return null;
}

export interface EndpointSettings {
  endpoint?: string;
  forcePathStyle?: boolean;
  region: string;
}

// The "aws" partition's region pattern in the SDK's partitions table; cn-, us-gov- and the isolated
// partitions have other domains and are left to the SDK.
const STANDARD_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/;

// Region names the SDK's rules map to another signing region or endpoint.
const SPECIAL_REGION = /^(aws-global|s3-external-1)$|fips|^$/;

// Names S3's rules treat as plain: no "--" (S3 Express and other suffixes), no "..", no upper case.
const PLAIN_BUCKET = /^(?!.*--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

// Environment settings the SDK reads for S3's endpoint: any of them sends the choice to the SDK.
const ENDPOINT_VARIABLES = ["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"];
const SERVICE_ENDPOINT_VARIABLES = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"];

/** Whether the shared config file may set an endpoint option for some profile (reading it costs ~0.1 ms). */
function configFileSetsEndpoint(env: NodeJS.ProcessEnv, withEndpointUrl: boolean): boolean {
  const file = env["AWS_CONFIG_FILE"] ?? path.join(homedir(), ".aws", "config");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return false;
  }
  const keys = withEndpointUrl
    ? /use_fips_endpoint|use_dualstack_endpoint|endpoint_url|services/i
    : /use_fips_endpoint|use_dualstack_endpoint/i;
  return keys.test(text);
}

/**
 * The URL requests for `bucket` go to and the region they are signed for, exactly as the SDK's endpoint
 * rules would give them, or null when those rules have more to say than this function knows.
 */
export function plainBucketEndpoint(
  settings: EndpointSettings,
  bucket: string,
  env: NodeJS.ProcessEnv = process.env,
): LeanEndpoint | null {
  if (!PLAIN_BUCKET.test(bucket) || isIP(bucket) !== 0 || SPECIAL_REGION.test(settings.region)) return null;
  if (ENDPOINT_VARIABLES.some((name) => env[name] !== undefined)) return null;
  const custom = settings.endpoint !== undefined;
  if (!custom && SERVICE_ENDPOINT_VARIABLES.some((name) => env[name] !== undefined)) return null;
  let base: URL;
  if (custom) {
    try {
      base = new URL(settings.endpoint!);
    } catch {
      return null;
    }
    if ((base.protocol !== "http:" && base.protocol !== "https:") || base.search || base.hash) return null;
    if (base.username || base.password) return null;
  } else {
    if (!STANDARD_REGION.test(settings.region)) return null;
    base = new URL(`https://s3.${settings.region}.amazonaws.com/`);
  }
  if (configFileSetsEndpoint(env, !custom)) return null;
  const url = new URL(base.href);
  if (pathStyleCause(bucket, base.hostname, settings.forcePathStyle === true) !== null) {
    url.pathname = `${base.pathname.replace(/\/$/, "")}/${bucket}`;
  } else {
    url.hostname = `${bucket}.${base.hostname}`;
  }
  return { url, signingRegion: settings.region, signingName: "s3" };
}
