// The headers an object is served with: which ones this run sends for a file, and how they compare with
// those a stored object already has.
import { guessContentType } from "./content-type.js";
import type { ObjectHeaders } from "../s3/s3-client.js";
import type { LocalFile, ObjectSettings, ServedHeaders } from "../types.js";

/** Field → HTTP header name, in the order messages list them. */
export const SERVED_HEADER_NAMES: Readonly<Record<keyof ServedHeaders, string>> = {
  contentType: "Content-Type",
  contentEncoding: "Content-Encoding",
  cacheControl: "Cache-Control",
  contentDisposition: "Content-Disposition",
  contentLanguage: "Content-Language",
};

const FIELDS = Object.keys(SERVED_HEADER_NAMES) as Array<keyof ServedHeaders>;

/** The file's own headers over the run's, each one on its own; Content-Type guessed when neither sets it. */
export function servedHeaders(
  object: ServedHeaders,
  file: LocalFile,
): ServedHeaders & { contentType: string } {
  const own = file.headers ?? {};
  const served: ServedHeaders = {};
  for (const field of FIELDS) {
    const value = own[field] ?? object[field];
    if (value !== undefined) served[field] = value;
  }
  return { ...served, contentType: served.contentType ?? guessContentType(file.path) };
}

/** Every header a new object of this file is created with: the served ones, metadata, tags, class, SSE. */
export function objectHeadersFor(object: ObjectSettings, file: LocalFile): ObjectHeaders {
  const headers: ObjectHeaders = servedHeaders(object, file);
  if (object.metadata !== undefined) headers.metadata = object.metadata;
  if (object.tags !== undefined && Object.keys(object.tags).length > 0) {
    headers.tagging = new URLSearchParams(object.tags).toString();
  }
  if (object.storageClass !== undefined) headers.storageClass = object.storageClass;
  if (object.sse !== undefined) headers.sse = object.sse;
  if (object.sseKmsKeyId !== undefined) headers.sseKmsKeyId = object.sseKmsKeyId;
  return headers;
}

/** HEAD answer header lines (lower-case names) → the served headers they show. */
export function servedFromHeaderLines(headers: Record<string, string | string[] | undefined>): ServedHeaders {
  const served: ServedHeaders = {};
  for (const field of FIELDS) {
    const value = headers[SERVED_HEADER_NAMES[field].toLowerCase()];
    if (typeof value === "string" && value !== "") served[field] = value;
  }
  return served;
}

// Stores may re-case or re-space what they were sent ("text/html;charset=UTF-8"); that is no difference.
function normalized(value: string | undefined): string | undefined {
  return value?.replace(/\s+/g, "").toLowerCase();
}

/** Each header whose stored value is not the one this run would send, as `Name "stored" (this run: "wanted")`. */
export function headerDifferences(wanted: ServedHeaders, stored: ServedHeaders): string[] {
  const shown = (value: string | undefined): string => (value === undefined ? "none" : `"${value}"`);
  return FIELDS.filter((field) => normalized(wanted[field]) !== normalized(stored[field])).map(
    (field) => `${SERVED_HEADER_NAMES[field]} ${shown(stored[field])} (this run: ${shown(wanted[field])})`,
  );
}
