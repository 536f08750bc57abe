// The HTTP/1.1 response grammar socket-http.ts needs, as pure functions over bytes: where a head ends, what it
// says, and how its body is framed (RFC 9112). Anything outside the narrow shape S3 answers in is a
// ProtocolSurprise, so the caller can hand the request to Node's client instead of guessing.

/** A response this reader does not handle; thrown before any body byte was given to anyone. */
export class ProtocolSurprise extends Error {
  constructor(detail: string) {
    super(`unexpected HTTP response: ${detail}`);
    this.name = "ProtocolSurprise";
  }
}

/** Larger than any S3 head (2 KiB of user metadata plus its own headers); a bigger one is a surprise. */
export const MAX_HEAD_BYTES = 64 * 1024;

export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  /** No length and not chunked: the body runs until the server closes the connection. */
  | { kind: "close" };

export interface ResponseHead {
  status: number;
  /** Lower-case names; repeated headers joined with ", " as Node's client joins them. */
  headers: Record<string, string>;
  framing: BodyFraming;
  /** Whether the connection may carry another request once this body ended. */
  keepAlive: boolean;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");

/**
 * The index just past the blank line that ends the head in `bytes`, or -1 while it has not arrived;
 * `from` skips bytes already searched (minus 3, so a CRLFCRLF split between two reads is still found).
 */
export function findHeadEnd(bytes: Buffer, from = 0): number {
  const at = bytes.indexOf(CRLFCRLF, Math.max(0, from - 3));
  return at < 0 ? -1 : at + 4;
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;

// RFC 9110 token characters, by char code: a table, not a regex per header line (every small file's answer
// passes here).
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TOKEN_CHARS[c.charCodeAt(0)] = 1;
}

function isToken(text: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at);
    if (code >= 128 || TOKEN_CHARS[code] === 0) return false;
  }
  return true;
}

const SPACE = 0x20;
const TAB = 0x09;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** Parses the head (status line and headers, without the final blank line) of an answer to `method`. */
export function parseResponseHead(head: Buffer, method: string): ResponseHead {
  const text = head.toString("latin1");
  let end = text.length;
  while (end >= 2 && text.charCodeAt(end - 2) === 13 && text.charCodeAt(end - 1) === 10) end -= 2;
  const firstBreak = text.indexOf("\r\n");
  const statusEnd = firstBreak < 0 || firstBreak > end ? end : firstBreak;
  const statusText = text.slice(0, statusEnd);
  const statusLine = STATUS_LINE.exec(statusText);
  if (!statusLine) throw new ProtocolSurprise(`status line ${JSON.stringify(statusText.slice(0, 80))}`);
  const minor = statusLine[1]!;
  const status = Number(statusLine[2]);
  if (status < 200) throw new ProtocolSurprise(`interim answer ${status}`);
  const headers = Object.create(null) as Record<string, string>;
  for (let start = statusEnd + 2; start <= end && statusEnd < end;) {
    let lineEnd = text.indexOf("\r\n", start);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    // Folded lines (obs-fold) are obsolete; RFC 9112 lets a client reject them.
    if (isBlank(text.charCodeAt(start))) throw new ProtocolSurprise("a folded header line");
    const colon = text.indexOf(":", start);
    if (colon < 0 || colon >= lineEnd || !isToken(text, start, colon)) {
      throw new ProtocolSurprise(`header line ${JSON.stringify(text.slice(start, lineEnd).slice(0, 80))}`);
    }
    const lower = text.slice(start, colon).toLowerCase();
    let valueStart = colon + 1;
    let valueEnd = lineEnd;
    while (valueStart < valueEnd && isBlank(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isBlank(text.charCodeAt(valueEnd - 1))) valueEnd--;
    const value = text.slice(valueStart, valueEnd);
    const previous = headers[lower];
    headers[lower] = previous === undefined ? value : `${previous}, ${value}`;
    start = lineEnd + 2;
  }
  const connection = headers["connection"];
  const keepAlive =
    connection === undefined
      ? minor === "1"
      : minor === "1"
        ? !/(^|,)\s*close\s*(,|$)/.test(connection.toLowerCase())
        : /(^|,)\s*keep-alive\s*(,|$)/.test(connection.toLowerCase());
  return { status, headers, framing: framingOf(status, headers, method), keepAlive };
}

const DIGITS = /^\d{1,15}$/;

// RFC 9112 section 6.3, in its order.
function framingOf(status: number, headers: Record<string, string>, method: string): BodyFraming {
  if (method === "HEAD" || status === 204 || status === 304) return { kind: "none" };
  const transferEncoding = headers["transfer-encoding"];
  if (transferEncoding !== undefined) {
    const codings = transferEncoding
      .toLowerCase()
      .split(",")
      .map((coding) => coding.trim());
    // Chunked alone is what a server sends; a compression under it would need decoding we do not do.
    if (codings.length === 1 && codings[0] === "chunked") return { kind: "chunked" };
    throw new ProtocolSurprise(`Transfer-Encoding ${transferEncoding}`);
  }
  const contentLength = headers["content-length"];
  if (contentLength === undefined) return { kind: "close" };
  if (DIGITS.test(contentLength)) return { kind: "length", length: Number(contentLength) };
  // Repeated identical values are allowed (RFC 9110 section 8.6); differing ones are an attack or a bug.
  const values = new Set(contentLength.split(",").map((value) => value.trim()));
  const [only] = values;
  if (values.size !== 1 || !DIGITS.test(only!)) {
    throw new ProtocolSurprise(`Content-Length ${contentLength}`);
  }
  return { kind: "length", length: Number(only) };
}

/**
 * Decodes a chunked body fed in pieces (RFC 9112 section 7.1), for error answers: their bodies are small,
 * so the data is gathered, up to `limit` bytes. Trailer fields are read past and dropped.
 */
export class ChunkedDecoder {
  private pending = Buffer.alloc(0);
  private chunkLeft = 0;
  /** "size": expecting a chunk-size line; "data": inside a chunk; "crlf": after its data; "trailer": at the end. */
  private state: "size" | "data" | "crlf" | "trailer" | "done" = "size";
  private readonly parts: Buffer[] = [];
  private gathered = 0;

  constructor(private readonly limit: number) {}

  get done(): boolean {
    return this.state === "done";
  }

  /** The decoded body so far (at most `limit` bytes). */
  body(): Buffer {
    return Buffer.concat(this.parts);
  }

  /** Feeds the next bytes; returns how many of them belong to the body (the rest follow its end). */
  feed(bytes: Buffer): number {
    const input = this.pending.byteLength > 0 ? Buffer.concat([this.pending, bytes]) : bytes;
    const carried = this.pending.byteLength;
    this.pending = Buffer.alloc(0);
    let at = 0;
    while (at < input.byteLength && this.state !== "done") {
      if (this.state === "data") {
        const take = Math.min(this.chunkLeft, input.byteLength - at);
        this.keep(input.subarray(at, at + take));
        at += take;
        this.chunkLeft -= take;
        if (this.chunkLeft === 0) this.state = "crlf";
        continue;
      }
      const lineEnd = input.indexOf("\r\n", at);
      if (lineEnd < 0) {
        if (input.byteLength - at > 4096) throw new ProtocolSurprise("a chunk line longer than 4 KiB");
        this.pending = Buffer.from(input.subarray(at));
        at = input.byteLength;
        break;
      }
      const line = input.toString("latin1", at, lineEnd);
      at = lineEnd + 2;
      if (this.state === "crlf") {
        if (line !== "") throw new ProtocolSurprise("chunk data longer than its size");
        this.state = "size";
      } else if (this.state === "size") {
        const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
        if (!size) throw new ProtocolSurprise(`chunk size line ${JSON.stringify(line.slice(0, 40))}`);
        this.chunkLeft = parseInt(size[1]!, 16);
        this.state = this.chunkLeft === 0 ? "trailer" : "data";
      } else if (line === "") {
        this.state = "done";
      }
    }
    return at - carried;
  }

  private keep(data: Buffer): void {
    const room = this.limit - this.gathered;
    if (room <= 0) return;
    const kept = data.byteLength <= room ? data : data.subarray(0, room);
    this.parts.push(Buffer.from(kept));
    this.gathered += kept.byteLength;
  }
}
