// The shape every handler returns; the server turns it into bytes on the wire.
import { xmlDocument, type XmlNode } from "./xml.js";

export interface FileSegment {
  path: string;
  /** Inclusive byte range inside this file. */
  start: number;
  end: number;
}

export interface S3Response {
  status: number;
  headers: Record<string, string | number>;
  body?: string;
  /**
   * Streamed in order after the headers (GetObject). The handler retains their files in the store (so a write
   * meanwhile cannot remove them); the server releases them once the answer is sent or abandoned.
   */
  segments?: FileSegment[];
}

export function xmlResponse(
  root: string,
  node: XmlNode,
  headers: Record<string, string | number> = {},
): S3Response {
  return {
    status: 200,
    headers: { "content-type": "application/xml", ...headers },
    body: xmlDocument(root, node),
  };
}

export function emptyResponse(status: number, headers: Record<string, string | number> = {}): S3Response {
  return { status, headers };
}

export function s3Time(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, ".000Z");
}

/** The emulator's one AWS account: the owner of every bucket, for x-amz-expected-bucket-owner. */
export const ACCOUNT_ID = "000000000000";

export const OWNER = {
  ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a",
  DisplayName: "emulator",
};
