// Presigned UploadPart URLs made with the project's own signer: the part's checksum header and its length are
// signed headers, so the store refuses a body that is not the one the client declared. (The SDK's presigner
// hoists x-amz-checksum-* into the query string, where S3 ignores it, and from 3.729 bakes in the empty body's
// CRC32.)
import { encodeKey } from "../engine/s3/s3-lean-http.js";
import { createPresigner, type SigningCredentials } from "../engine/s3/sigv4.js";
import type { BrokerConfig } from "./config.js";

export interface PartToSign {
  bucket: string;
  key: string;
  uploadId: string;
  partNumber: number;
  size: number;
  checksumHeader: string;
  checksum: string;
  /** Base64 MD5 of the part, signed as Content-MD5 when given. */
  contentMd5?: string;
}

export interface SignedPart {
  url: string;
  /** Headers the client must send as given (content-length, which browsers set themselves, is signed too). */
  headers: Record<string, string>;
  expires: number;
}

/** Base URL and path of the bucket: path-style on custom endpoints and dotted names, virtual-hosted otherwise. */
function bucketLocation(s3: BrokerConfig["s3"], bucket: string): { origin: URL; path: string } {
  const base = new URL(s3.endpoint ?? `https://s3.${s3.region}.amazonaws.com`);
  const basePath = base.pathname.replace(/\/$/, "");
  if (s3.forcePathStyle || bucket.includes(".")) return { origin: base, path: `${basePath}/${bucket}` };
  const origin = new URL(base.href);
  origin.hostname = `${bucket}.${base.hostname}`;
  return { origin, path: basePath };
}

export function objectUrl(s3: BrokerConfig["s3"], bucket: string, key: string): string {
  const { origin, path } = bucketLocation(s3, bucket);
  return `${origin.protocol}//${origin.host}${path}/${encodeKey(key)}`;
}

export function createPartSigner(s3: BrokerConfig["s3"], expiresSeconds: number) {
  const presign = createPresigner(s3.region, "s3");
  return (part: PartToSign, credentials: SigningCredentials, now: Date): SignedPart => {
    const { origin, path } = bucketLocation(s3, part.bucket);
    const objectPath = `${path}/${encodeKey(part.key)}`;
    const sent: Record<string, string> = {
      [part.checksumHeader]: part.checksum,
      ...(part.contentMd5 ? { "content-md5": part.contentMd5 } : {}),
    };
    const query = presign(
      {
        method: "PUT",
        path: objectPath,
        query: { partNumber: String(part.partNumber), uploadId: part.uploadId },
        headers: { host: origin.host, "content-length": String(part.size), ...sent },
        expiresSeconds,
      },
      credentials,
      now,
    );
    return {
      url: `${origin.protocol}//${origin.host}${objectPath}?${query}`,
      headers: sent,
      expires: expiresSeconds,
    };
  };
}
