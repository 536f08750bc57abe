// The AWS SDK's own SigV4 signer (@smithy/signature-v4), as the reference our lean signer is held to and as the
// signer of raw test requests. Its node hash (@smithy/hash-node) is not a direct dependency, so a small adapter
// over node:crypto stands in.
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { RequestToSign, SigningCredentials } from "../../src/engine/s3/sigv4.js";

export class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The headers the SDK's signer gives `request` (header names in any case; a host header is required). */
export async function smithySignedHeaders(
  request: RequestToSign,
  credentials: SigningCredentials,
  date: Date,
  region: string,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials,
    region,
    service: "s3",
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const host = Object.entries(request.headers).find(([name]) => name.toLowerCase() === "host")![1];
  const signed = await signer.sign(
    { ...request, protocol: "https:", hostname: host, headers: { ...request.headers } },
    { signingDate: date },
  );
  return signed.headers;
}
