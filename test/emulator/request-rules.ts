// Which x-amz-* headers and documented query parameters each implemented operation acts on. Anything else answers
// 501 NotImplemented (naming it), so no test can pass against a feature the emulator does not have; headers whose
// S3 answer follows from what the emulator models (no ACLs, no Object Lock, one account) get that answer.
import { S3Error } from "./errors.js";
import { ACCOUNT_ID, OWNER } from "./response.js";
import type { RequestContext } from "./context.js";
import type { Operation } from "./router.js";

/** Throws S3's answer to the header's value; returning means the request may go on. */
type Rule = (value: string) => void;

const ACTED_ON: Rule = () => undefined;

function expectedOwner(value: string): void {
  if (value !== ACCOUNT_ID) throw new S3Error("AccessDenied", "Access Denied");
}

/** `id="<owner>"` grants full control to the bucket owner only: the one grant S3 takes with ACLs disabled. */
function grantsOwnerOnly(value: string): boolean {
  return value
    .split(",")
    .every((grantee) => grantee.trim().replace(/"/g, "").toLowerCase() === `id=${OWNER.ID}`);
}

// New buckets have Object Ownership "bucket owner enforced" (S3's default since April 2023): ACLs are disabled.
const ACL_NOT_SUPPORTED = () =>
  new S3Error("AccessControlListNotSupported", "The bucket does not allow ACLs");

const objectAcl: Rule = (value) => {
  if (value !== "bucket-owner-full-control") throw ACL_NOT_SUPPORTED();
};
const objectGrant: Rule = () => {
  throw ACL_NOT_SUPPORTED();
};
const objectFullControlGrant: Rule = (value) => {
  if (!grantsOwnerOnly(value)) throw ACL_NOT_SUPPORTED();
};

const BUCKET_ACL_REFUSED = () =>
  new S3Error(
    "InvalidBucketAclWithObjectOwnership",
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
  );

const NO_OBJECT_LOCK: Rule = () => {
  // No bucket here can have Object Lock (CreateBucket refuses it), and this is S3's answer for such a bucket.
  throw new S3Error("InvalidRequest", "Bucket is missing Object Lock Configuration");
};

const COMMON: Record<string, Rule> = {
  "x-amz-date": ACTED_ON,
  "x-amz-content-sha256": ACTED_ON,
  // Session credentials for the emulator's one key pair: the token is signed like every x-amz-* header but not
  // validated (there is no STS); tests use it to exercise credential refresh.
  "x-amz-security-token": ACTED_ON,
  // Browser SDKs' stand-in for User-Agent: informational, as in S3.
  "x-amz-user-agent": ACTED_ON,
  "x-amz-expected-bucket-owner": expectedOwner,
  // The only requester is the bucket owner, whom S3 never charges: the header changes nothing.
  "x-amz-request-payer": ACTED_ON,
};

const CHECKSUM_VALUES = [
  "x-amz-checksum-crc32",
  "x-amz-checksum-crc32c",
  "x-amz-checksum-crc64nvme",
  "x-amz-checksum-sha1",
  "x-amz-checksum-sha256",
];

function acted(...names: string[]): Record<string, Rule> {
  return Object.fromEntries(names.map((name) => [name, ACTED_ON]));
}

const PAYLOAD: Record<string, Rule> = acted(
  "x-amz-decoded-content-length",
  "x-amz-trailer",
  "x-amz-sdk-checksum-algorithm",
  ...CHECKSUM_VALUES,
);

const NEW_OBJECT: Record<string, Rule> = {
  ...acted(
    "x-amz-storage-class",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-context",
    "x-amz-server-side-encryption-bucket-key-enabled",
    "x-amz-website-redirect-location",
    "x-amz-tagging",
    "x-amz-checksum-type",
  ),
  "x-amz-acl": objectAcl,
  "x-amz-grant-full-control": objectFullControlGrant,
  "x-amz-grant-read": objectGrant,
  "x-amz-grant-read-acp": objectGrant,
  "x-amz-grant-write-acp": objectGrant,
  "x-amz-object-lock-mode": NO_OBJECT_LOCK,
  "x-amz-object-lock-retain-until-date": NO_OBJECT_LOCK,
  "x-amz-object-lock-legal-hold": NO_OBJECT_LOCK,
};

const BUCKET_CREATION: Record<string, Rule> = {
  "x-amz-acl": (value) => {
    if (value !== "private") throw BUCKET_ACL_REFUSED();
  },
  "x-amz-grant-full-control": (value) => {
    if (!grantsOwnerOnly(value)) throw BUCKET_ACL_REFUSED();
  },
  "x-amz-grant-read": () => {
    throw BUCKET_ACL_REFUSED();
  },
  "x-amz-grant-read-acp": () => {
    throw BUCKET_ACL_REFUSED();
  },
  "x-amz-grant-write": () => {
    throw BUCKET_ACL_REFUSED();
  },
  "x-amz-grant-write-acp": () => {
    throw BUCKET_ACL_REFUSED();
  },
  "x-amz-bucket-object-lock-enabled": (value) => {
    if (value.toLowerCase() === "true")
      throw new S3Error("NotImplemented", "This emulator does not implement Object Lock buckets.");
  },
  "x-amz-object-ownership": (value) => {
    if (value !== "BucketOwnerEnforced") {
      throw new S3Error(
        "NotImplemented",
        `This emulator only models ObjectOwnership BucketOwnerEnforced (ACLs disabled), not ${value}.`,
      );
    }
  },
};

const HEADERS: Partial<Record<Operation, Record<string, Rule>>> = {
  CreateBucket: BUCKET_CREATION,
  PutObject: { ...PAYLOAD, ...NEW_OBJECT },
  CreateMultipartUpload: {
    ...NEW_OBJECT,
    ...acted("x-amz-checksum-algorithm", "x-amz-sdk-checksum-algorithm"),
  },
  UploadPart: PAYLOAD,
  CompleteMultipartUpload: acted(
    ...CHECKSUM_VALUES,
    "x-amz-checksum-type",
    "x-amz-mp-object-size",
    "x-amz-sdk-checksum-algorithm",
  ),
  GetObject: acted("x-amz-checksum-mode"),
  HeadObject: acted("x-amz-checksum-mode"),
  GetObjectAttributes: acted("x-amz-object-attributes", "x-amz-max-parts", "x-amz-part-number-marker"),
  // No object can be locked here, so there is nothing to bypass.
  DeleteObject: acted("x-amz-bypass-governance-retention"),
  PutBucketVersioning: acted("x-amz-sdk-checksum-algorithm", ...CHECKSUM_VALUES),
  PutBucketLifecycleConfiguration: acted(
    "x-amz-sdk-checksum-algorithm",
    "x-amz-transition-default-minimum-object-size",
    ...CHECKSUM_VALUES,
  ),
};

/** Operations that keep user metadata (x-amz-meta-*). */
const KEEP_METADATA = new Set<Operation>(["PutObject", "CreateMultipartUpload"]);

/** Standard headers S3 documents for an operation that the emulator does not act on there. */
const UNIMPLEMENTED_STANDARD_HEADERS: Partial<Record<Operation, string[]>> = {
  DeleteObject: ["if-match"],
};

/** Query parameters S3 documents for an operation that the emulator does not act on. */
const UNIMPLEMENTED_QUERY: Partial<Record<Operation, string[]>> = {
  ListBuckets: ["max-buckets", "continuation-token", "prefix", "bucket-region"],
  ListMultipartUploads: ["delimiter"],
};

function notImplemented(what: string, operation: Operation): S3Error {
  return new S3Error("NotImplemented", `This emulator does not implement ${what} on ${operation}.`);
}

/** Throws S3's answer (or 501) for a header or parameter the operation's handler would otherwise ignore. */
export function checkRequestRules(ctx: RequestContext): void {
  const operation = ctx.route.operation;
  const own = HEADERS[operation] ?? {};
  for (const [name, raw] of Object.entries(ctx.req.headers)) {
    const value = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
    if (UNIMPLEMENTED_STANDARD_HEADERS[operation]?.includes(name))
      throw notImplemented(`the ${name} header`, operation);
    if (!name.startsWith("x-amz-")) continue;
    if (name.startsWith("x-amz-meta-") && KEEP_METADATA.has(operation)) continue;
    const rule = own[name] ?? COMMON[name];
    if (!rule) throw notImplemented(`the ${name} header`, operation);
    rule(value);
  }
  const parameter = UNIMPLEMENTED_QUERY[operation]?.find((name) => ctx.route.query.has(name));
  if (parameter !== undefined) throw notImplemented(`the ${parameter} parameter`, operation);
}
