// Reads the small XML bodies of control requests, verifying the signed payload hash and Content-MD5 like S3 does.
import { createHash } from "node:crypto";
import { S3Error } from "../errors.js";
import type { RequestContext } from "../context.js";
import { checkContentMd5, contentMd5 } from "../integrity.js";
import { UNSIGNED_PAYLOAD } from "../body.js";

const MAX_CONTROL_BODY = 16 * 1024 * 1024;

export async function readSmallBody(ctx: RequestContext): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY)
      throw new S3Error("MalformedXML", "The XML you provided was larger than this emulator accepts");
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const { payloadHash } = ctx.auth;
  if (payloadHash !== UNSIGNED_PAYLOAD && createHash("sha256").update(body).digest("hex") !== payloadHash) {
    throw new S3Error(
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  checkContentMd5(
    contentMd5(ctx.req.headers),
    createHash("md5").update(body).digest(),
    ctx.config.profile.md5MismatchCode,
  );
  return body.toString("utf8");
}
