// Bucket names: Amazon S3's naming rules where the endpoint is Amazon's, a looser check elsewhere.
import { isIP } from "node:net";

/**
 * Prefixes no Amazon S3 bucket can have. The reserved suffixes -s3alias, --ol-s3 and --x-s3 are not here:
 * no bucket can be created with them, but access point aliases and directory buckets carry them and are
 * addressed exactly like a bucket, so an upload to one is right.
 */
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];

const RULES_HINT = "Use the bucket's exact name.";

/** No endpoint means Amazon S3; an explicit one is Amazon's when its host is under amazonaws.com(.cn). */
export function isAmazonEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return true;
  try {
    const host = new URL(endpoint).hostname.toLowerCase();
    return /(^|\.)amazonaws\.com(\.cn)?$/.test(host);
  } catch {
    return false;
  }
}

/** Said where a name breaks only today's rules: such a bucket may still exist, and path style reaches it. */
const LEGACY_HINT =
  ' (a bucket created in us-east-1 before March 2018 may have up to 255 characters, upper case and "_": ' +
  "set force-path-style to true to address one)";

/** Why Amazon S3 would refuse this name, as "it …", or undefined when it follows every rule. */
function amazonRuleBroken(bucket: string): string | undefined {
  const legacy = compatibleRuleBroken(bucket) === undefined ? LEGACY_HINT : "";
  if (bucket.length < 3 || bucket.length > 63) {
    return `it has ${bucket.length} characters, S3 allows 3 to 63${bucket.length > 63 ? legacy : ""}`;
  }
  const stray = /[^a-z0-9.-]/.exec(bucket);
  if (stray) {
    return `it contains "${stray[0]}", S3 allows only lower-case letters, digits, "." and "-"${legacy}`;
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(bucket)) {
    return `it starts or ends with "." or "-", S3 requires a letter or digit there`;
  }
  if (bucket.includes("..")) return `it has two adjacent dots ".."`;
  if (isIP(bucket) !== 0) return "it is formatted as an IP address";
  const prefix = RESERVED_PREFIXES.find((reserved) => bucket.startsWith(reserved));
  if (prefix) return `it starts with "${prefix}", which S3 reserves`;
  if (bucket.endsWith(".mrap")) {
    return `it ends with ".mrap", which S3 reserves (address a Multi-Region Access Point by its ARN)`;
  }
  return undefined;
}

/**
 * S3-compatible stores differ (Ceph RGW with relaxed names takes upper case, "_" and up to 255 characters,
 * as Amazon S3 did in us-east-1 before 2018), so elsewhere only what no store takes is refused; the store
 * judges the rest.
 */
function compatibleRuleBroken(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 255) return `it has ${bucket.length} characters`;
  const stray = /[^A-Za-z0-9._-]/.exec(bucket);
  if (stray) return `it contains "${stray[0]}"`;
  return undefined;
}

/**
 * The error for a bucket name that cannot work at this endpoint, naming the rule it breaks. On Amazon S3
 * with force-path-style, the legacy rules apply: that is how a bucket named before 2018 is reached.
 */
export function checkBucketName(
  bucket: string,
  endpoint: string | undefined,
  forcePathStyle: boolean,
): string | undefined {
  if (isAmazonEndpoint(endpoint) && !forcePathStyle) {
    const broken = amazonRuleBroken(bucket);
    return broken && `Input "bucket": "${bucket}" breaks S3's bucket naming rules: ${broken}. ${RULES_HINT}`;
  }
  const broken = compatibleRuleBroken(bucket);
  return (
    broken &&
    `Input "bucket": "${bucket}" is not a bucket name: ${broken}; use 3 to 255 letters, digits, ".", "-" and "_" ` +
      `(S3-compatible stores such as Ceph RGW may allow upper case and "_"; Amazon S3 does not).`
  );
}
