// Decoder for aws-chunked request bodies (`<hex-size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`).
import { S3Error } from "./errors.js";

const MAX_LINE_BYTES = 64 * 1024;
const EMPTY: Buffer = Buffer.alloc(0);

type State = "size" | "data" | "data-end" | "trailer" | "done";

function malformed(message: string): S3Error {
  return new S3Error("IncompleteBody", `Malformed aws-chunked body: ${message}`);
}

/** Yields the decoded payload; trailing headers (lower-cased names) are written into `trailers` at the end. */
export async function* decodeAwsChunked(
  source: AsyncIterable<Buffer>,
  trailers: Map<string, string>,
): AsyncGenerator<Buffer> {
  let state: State = "size";
  let pending = EMPTY;
  let remaining = 0;
  for await (const incoming of source) {
    const buf = pending.length > 0 ? Buffer.concat([pending, incoming]) : incoming;
    pending = EMPTY;
    let pos = 0;
    while (pos < buf.length) {
      if (state === "data") {
        const take = Math.min(remaining, buf.length - pos);
        yield buf.subarray(pos, pos + take);
        pos += take;
        remaining -= take;
        if (remaining === 0) state = "data-end";
        continue;
      }
      if (state === "data-end") {
        if (buf.length - pos < 2) {
          pending = buf.subarray(pos);
          break;
        }
        if (buf[pos] !== 0x0d || buf[pos + 1] !== 0x0a) throw malformed("chunk data not followed by CRLF");
        pos += 2;
        state = "size";
        continue;
      }
      if (state === "done") throw malformed("data after the final chunk");
      const eol = buf.indexOf("\r\n", pos);
      if (eol === -1) {
        pending = buf.subarray(pos);
        if (pending.length > MAX_LINE_BYTES) throw malformed("chunk header line too long");
        break;
      }
      const line = buf.toString("latin1", pos, eol);
      pos = eol + 2;
      if (state === "size") {
        const sizeText = line.split(";")[0]!.trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw malformed(`bad chunk size line '${line.slice(0, 80)}'`);
        remaining = parseInt(sizeText, 16);
        state = remaining === 0 ? "trailer" : "data";
      } else if (line === "") {
        state = "done";
      } else {
        const colon = line.indexOf(":");
        if (colon <= 0) throw malformed(`bad trailer line '${line.slice(0, 80)}'`);
        trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
    }
  }
  // Some clients end the body right after the last trailer line without the closing blank line.
  if (state !== "done" && !(state === "trailer" && pending.length === 0)) {
    throw malformed("body ended before the final chunk");
  }
}
