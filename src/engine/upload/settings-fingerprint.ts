// A short digest of the object settings a multipart upload was created with. S3 shows none of them on an
// in-progress upload (only storage class and checksum settings), so they cannot be compared before resuming
// one; recorded in the svu-plan metadata, they can be read from the finished object.
import { createHash } from "node:crypto";
import type { ObjectHeaders } from "../s3/s3-client.js";

export function settingsFingerprint(headers: ObjectHeaders): string {
  const { metadata, ...rest } = headers;
  const ownMetadata = Object.entries(metadata ?? {})
    .filter(([name]) => name !== "svu-plan")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fields = Object.entries(rest)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256")
    .update(JSON.stringify([fields, ownMetadata]))
    .digest("hex")
    .slice(0, 16);
}
