// Aliyun OSS's own CRC-64 (CRC64ECMA) as its answers carry it: x-oss-hash-crc64ecma, a decimal uint64, on
// UploadPart, PutObject, Complete, Head and Get, and <HashCrc64ecma> per part in ListParts. The AWS SDK reads
// neither, so two middlewares keep them for the calls it makes: the engine compares them like any checksum.
import type { S3Client } from "@aws-sdk/client-s3";
import { crc64EcmaFromHeader } from "../checksum/crc64xz.js";

export const OSS_CRC64_HEADER = "x-oss-hash-crc64ecma";

// Where the middlewares leave what they read, on the SDK command's output.
const ANSWERED = "svuOssHashCrc64ecma";
const LISTED = "svuOssListedCrc64ecma";

/**
 * The checksum form the engine compares (base64 of the 8 raw bytes). A value that is not a decimal uint64
 * stays visible as it came, so it can never equal a local CRC and the mismatch message shows it.
 */
export function crc64EcmaChecksum(headerValue: string): string {
  return (
    crc64EcmaFromHeader(headerValue)?.toString("base64") ?? `unreadable ${OSS_CRC64_HEADER} "${headerValue}"`
  );
}

/** Each listed part's HashCrc64ecma, by part number, from a ListParts answer's XML. */
export function listedPartCrcs(xml: string): Map<number, string> {
  const crcs = new Map<number, string>();
  for (const [, part] of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const number = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(part!)?.[1];
    const crc = /<HashCrc64ecma>([^<]*)<\/HashCrc64ecma>/.exec(part!)?.[1];
    if (number !== undefined && crc !== undefined) crcs.set(Number(number), crc.trim());
  }
  return crcs;
}

/** The CRC64ECMA an SDK answer carried in its headers, in the engine's form; undefined when none. */
export function answeredCrc64(output: object): string | undefined {
  const value = (output as Record<string, unknown>)[ANSWERED];
  return typeof value === "string" ? crc64EcmaChecksum(value) : undefined;
}

/** A ListParts answer's per-part CRC64ECMA, in the engine's form; undefined for a part listed without one. */
export function listedCrc64(output: object, partNumber: number | undefined): string | undefined {
  const listed = (output as Record<string, unknown>)[LISTED];
  if (!(listed instanceof Map) || partNumber === undefined) return undefined;
  const value = (listed as Map<number, string>).get(partNumber);
  return value === undefined ? undefined : crc64EcmaChecksum(value);
}

interface RawResponse {
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

/** Keeps OSS's CRC-64 headers and ListParts' HashCrc64ecma on the outputs of the SDK's commands. */
export function keepOssCrc64(client: S3Client): void {
  // Inside the deserializer: the only place the raw ListParts body can still be read. It is read whole and
  // handed on as bytes, which the SDK's deserializer takes as it would the stream.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== "ListPartsCommand") return result;
      const response = result.response as RawResponse;
      const body = await bodyBytes(response.body);
      response.body = body;
      (context as Record<string, unknown>)[LISTED] = listedPartCrcs(Buffer.from(body).toString("utf8"));
      return result;
    },
    { step: "deserialize", priority: "low", name: "svuOssListedCrc64" },
  );
  // Outside the deserializer: the output exists here.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const output = result.output as unknown as Record<string, unknown> | undefined;
      if (output === undefined) return result;
      const header = (result.response as RawResponse).headers?.[OSS_CRC64_HEADER];
      if (typeof header === "string" && header !== "") output[ANSWERED] = header;
      const listed = (context as Record<string, unknown>)[LISTED];
      if (listed !== undefined) output[LISTED] = listed;
      return result;
    },
    { step: "deserialize", priority: "high", name: "svuOssAnsweredCrc64" },
  );
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (body === undefined || body === null) return new Uint8Array();
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}
