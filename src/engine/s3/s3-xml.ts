// The XML documents of S3's control calls on the lean path, read into the shapes the SDK's own parser gives
// (its output types), so s3-client.ts maps both paths' answers with one function each. Only the fields the
// engine reads are kept. Values are taken as the SDK takes them: text as it stands (not trimmed), entities
// and character references decoded; test/unit/engine-s3-xml.test.ts compares both parsers on the same bytes.
import type {
  CompleteMultipartUploadOutput,
  ListMultipartUploadsOutput,
  ListPartsOutput,
  MultipartUpload,
  Part,
} from "@aws-sdk/client-s3";
import type { ChecksumAlgorithm } from "../types.js";

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** XML text as the SDK's parser gives it: entities and character references decoded. */
export function xmlText(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (entity, name: string) => {
    if (!name.startsWith("#")) return XML_ENTITIES[name] ?? entity;
    const codePoint = name.startsWith("#x") ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
  });
}

const fieldPatterns = new Map<string, RegExp>();

/** The decoded text of the first <name> element in `xml` (a leaf: no child elements), if any. */
export function xmlField(xml: string, name: string): string | undefined {
  let pattern = fieldPatterns.get(name);
  if (pattern === undefined) {
    pattern = new RegExp(`<${name}>([^<]*)</${name}>`);
    fieldPatterns.set(name, pattern);
  }
  const match = pattern.exec(xml);
  if (match) return xmlText(match[1]!);
  // An empty element, as some stores write an empty marker.
  return xml.includes(`<${name}/>`) ? "" : undefined;
}

/** The inner XML of each <name> element, and the document without them (where its own fields are read). */
export function xmlBlocks(xml: string, name: string): { blocks: string[]; rest: string } {
  const pattern = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g");
  const blocks = [...xml.matchAll(pattern)].map((match) => match[1]!);
  return { blocks, rest: xml.replace(pattern, "") };
}

/** Whether a ListObjectsV2 answer says its keys are URL-encoded. */
export function saysUrlEncoded(rest: string): boolean {
  return /<EncodingType>url<\/EncodingType>/i.test(rest);
}

/**
 * A key from an answer asked with encoding-type=url. Decoded only when the answer says it was encoded: a
 * store that ignores the parameter sends keys as they are, and decoding "100%.txt" would fail or change it.
 */
export function urlDecodedKey(key: string, encoded: boolean): string {
  // S3's URL encoding writes a space as "+", as forms do.
  return encoded ? decodeURIComponent(key.replace(/\+/g, " ")) : key;
}

// The SDK's parser turns "true" into true and anything else into false.
function flag(text: string | undefined): boolean | undefined {
  return text === undefined ? undefined : text === "true";
}

function integer(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

function date(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** The x-amz-checksum algorithms, in the order the SDK writes them in a Complete's parts. */
const PART_CHECKSUMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const;

type ChecksumFields = { [A in (typeof PART_CHECKSUMS)[number] as `Checksum${A}`]?: string };

function checksumFields(xml: string): ChecksumFields {
  const fields: ChecksumFields = {};
  for (const algorithm of PART_CHECKSUMS) {
    const value = xmlField(xml, `Checksum${algorithm}`);
    if (value !== undefined) fields[`Checksum${algorithm}`] = value;
  }
  return fields;
}

/** CreateMultipartUpload's answer: the upload's id. */
export function parseInitiate(xml: string): string | undefined {
  return xmlField(xml, "UploadId");
}

/** The fields of a CompleteMultipartUpload answer's body (its headers carry the rest). */
export function parseComplete(
  xml: string,
): Pick<CompleteMultipartUploadOutput, "ETag" | "ChecksumType" | keyof ChecksumFields> {
  const checksumType = xmlField(xml, "ChecksumType");
  const etag = xmlField(xml, "ETag");
  return {
    ...(etag !== undefined ? { ETag: etag } : {}),
    ...checksumFields(xml),
    ...(checksumType !== undefined ? { ChecksumType: checksumType as never } : {}),
  };
}

export type ListedParts = Pick<
  ListPartsOutput,
  "IsTruncated" | "NextPartNumberMarker" | "ChecksumAlgorithm" | "ChecksumType" | "StorageClass"
> & {
  Parts?: Array<Pick<Part, "PartNumber" | "Size" | "ETag" | "LastModified" | keyof ChecksumFields>>;
};

/** A ListParts page. */
export function parseListParts(xml: string): ListedParts {
  const { blocks, rest } = xmlBlocks(xml, "Part");
  const top = (name: string): string | undefined => xmlField(rest, name);
  const parts = blocks.map((block) => {
    const number = integer(xmlField(block, "PartNumber"));
    const size = integer(xmlField(block, "Size"));
    const etag = xmlField(block, "ETag");
    const lastModified = date(xmlField(block, "LastModified"));
    return {
      ...(number !== undefined ? { PartNumber: number } : {}),
      ...(size !== undefined ? { Size: size } : {}),
      ...(etag !== undefined ? { ETag: etag } : {}),
      ...(lastModified !== undefined ? { LastModified: lastModified } : {}),
      ...checksumFields(block),
    };
  });
  const truncated = flag(top("IsTruncated"));
  const next = top("NextPartNumberMarker");
  const algorithm = top("ChecksumAlgorithm");
  const type = top("ChecksumType");
  const storageClass = top("StorageClass");
  return {
    Parts: parts,
    ...(truncated !== undefined ? { IsTruncated: truncated } : {}),
    ...(next !== undefined ? { NextPartNumberMarker: next } : {}),
    ...(algorithm !== undefined ? { ChecksumAlgorithm: algorithm as never } : {}),
    ...(type !== undefined ? { ChecksumType: type as never } : {}),
    ...(storageClass !== undefined ? { StorageClass: storageClass as never } : {}),
  };
}

export type ListedUploads = Pick<ListMultipartUploadsOutput, "IsTruncated" | "NextUploadIdMarker"> & {
  NextKeyMarker?: string;
  Uploads?: Array<
    Pick<
      MultipartUpload,
      "Key" | "UploadId" | "Initiated" | "StorageClass" | "ChecksumAlgorithm" | "ChecksumType"
    >
  >;
};

/** A ListMultipartUploads page: keys as the store wrote them, character references (&#x01;) decoded. */
export function parseListUploads(xml: string): ListedUploads {
  const { blocks, rest } = xmlBlocks(xml, "Upload");
  const uploads = blocks.map((block) => {
    const key = xmlField(block, "Key");
    const uploadId = xmlField(block, "UploadId");
    const initiated = date(xmlField(block, "Initiated"));
    const storageClass = xmlField(block, "StorageClass");
    const algorithm = xmlField(block, "ChecksumAlgorithm");
    const type = xmlField(block, "ChecksumType");
    return {
      ...(key !== undefined ? { Key: key } : {}),
      ...(uploadId !== undefined ? { UploadId: uploadId } : {}),
      ...(initiated !== undefined ? { Initiated: initiated } : {}),
      ...(storageClass !== undefined ? { StorageClass: storageClass as never } : {}),
      ...(algorithm !== undefined ? { ChecksumAlgorithm: algorithm as never } : {}),
      ...(type !== undefined ? { ChecksumType: type as never } : {}),
    };
  });
  const truncated = flag(xmlField(rest, "IsTruncated"));
  const nextKey = xmlField(rest, "NextKeyMarker");
  const nextUploadId = xmlField(rest, "NextUploadIdMarker");
  return {
    Uploads: uploads,
    ...(truncated !== undefined ? { IsTruncated: truncated } : {}),
    ...(nextKey !== undefined ? { NextKeyMarker: nextKey } : {}),
    ...(nextUploadId !== undefined ? { NextUploadIdMarker: nextUploadId } : {}),
  };
}

// The SDK's escaping of element text (its xml-builder).
const ELEMENT_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  '"': "&quot;",
  "'": "&apos;",
  "<": "&lt;",
  ">": "&gt;",
  "\r": "&#x0D;",
  "\n": "&#x0A;",
  "\u0085": "&#x85;",
  "\u2028": "&#x2028;",
};

function escapeText(text: string): string {
  return text.replace(/[&"'<>\r\n\u0085\u2028]/g, (c) => ELEMENT_ESCAPES[c]!);
}

/** CompleteMultipartUpload's body, as the SDK writes it: each part's quoted ETag, checksums and number. */
export function completeBody(
  parts: Array<{ number: number; etag: string; checksums: Partial<Record<ChecksumAlgorithm, string>> }>,
): Buffer {
  let xml =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">';
  for (const part of parts) {
    xml += `<Part><ETag>${escapeText(`"${part.etag}"`)}</ETag>`;
    for (const algorithm of PART_CHECKSUMS) {
      const value = part.checksums[algorithm];
      if (value !== undefined) xml += `<Checksum${algorithm}>${escapeText(value)}</Checksum${algorithm}>`;
    }
    xml += `<PartNumber>${part.number}</PartNumber></Part>`;
  }
  return Buffer.from(`${xml}</CompleteMultipartUpload>`, "utf8");
}
