// The HTTP/1.1 response reader of the socket GET path: heads split anywhere, framing by the RFC's rules,
// chunked error bodies, and every shape it does not take reported as a ProtocolSurprise.
import { describe, expect, it } from "vitest";
import {
  ChunkedDecoder,
  findHeadEnd,
  parseResponseHead,
  ProtocolSurprise,
} from "../../src/engine/s3/http1-response.js";

const head = (text: string) => Buffer.from(text.replace(/\n/g, "\r\n"), "latin1");

describe("findHeadEnd", () => {
  it("finds the blank line however the head is split across reads", () => {
    const whole = head("HTTP/1.1 206 Partial Content\nContent-Length: 3\n\nabc");
    const end = findHeadEnd(whole);
    expect(whole.subarray(end).toString()).toBe("abc");
    for (let split = 1; split < end; split++) {
      // The first read alone never ends the head; searching on from where it stopped finds the same end.
      expect(findHeadEnd(whole.subarray(0, split))).toBe(split >= end ? end : -1);
      expect(findHeadEnd(whole, split)).toBe(end);
    }
  });
});

describe("parseResponseHead", () => {
  it("reads status, lower-case headers and a Content-Length body on a kept-alive connection", () => {
    const parsed = parseResponseHead(
      head('HTTP/1.1 206 Partial Content\nContent-Length: 1048576\nETag: "abc"\nx-amz-request-id: R1'),
      "GET",
    );
    expect(parsed).toEqual({
      status: 206,
      headers: { "content-length": "1048576", etag: '"abc"', "x-amz-request-id": "R1" },
      framing: { kind: "length", length: 1048576 },
      keepAlive: true,
    });
  });

  it("joins repeated headers and accepts repeated equal lengths, not different ones", () => {
    const parsed = parseResponseHead(
      head("HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 5\nVary: a\nVary: b"),
      "GET",
    );
    expect(parsed.framing).toEqual({ kind: "length", length: 5 });
    expect(parsed.headers["vary"]).toBe("a, b");
    expect(() =>
      parseResponseHead(head("HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 6"), "GET"),
    ).toThrow(ProtocolSurprise);
    expect(() => parseResponseHead(head("HTTP/1.1 200 OK\nContent-Length: -1"), "GET")).toThrow(
      ProtocolSurprise,
    );
  });

  it("frames by the RFC: HEAD and 204/304 have no body, chunked wins over a length, else until close", () => {
    expect(parseResponseHead(head("HTTP/1.1 200 OK\nContent-Length: 99"), "HEAD").framing).toEqual({
      kind: "none",
    });
    expect(parseResponseHead(head("HTTP/1.1 304 Not Modified"), "GET").framing).toEqual({ kind: "none" });
    expect(
      parseResponseHead(head("HTTP/1.1 412 Precondition Failed\nTransfer-Encoding: chunked"), "GET").framing,
    ).toEqual({ kind: "chunked" });
    expect(parseResponseHead(head("HTTP/1.1 500 Oops"), "GET").framing).toEqual({ kind: "close" });
  });

  it("keeps HTTP/1.1 alive unless Connection: close; HTTP/1.0 only with keep-alive", () => {
    expect(
      parseResponseHead(head("HTTP/1.1 200 OK\nConnection: close\nContent-Length: 0"), "GET").keepAlive,
    ).toBe(false);
    expect(parseResponseHead(head("HTTP/1.0 200 OK\nContent-Length: 0"), "GET").keepAlive).toBe(false);
    expect(
      parseResponseHead(head("HTTP/1.0 200 OK\nConnection: Keep-Alive\nContent-Length: 0"), "GET").keepAlive,
    ).toBe(true);
  });

  it("reports shapes it does not take as surprises: interim answers, folded lines, other codings, junk", () => {
    for (const text of [
      "HTTP/1.1 100 Continue",
      "HTTP/1.1 103 Early Hints\nLink: </a>",
      "HTTP/2 200",
      "ICY 200 OK",
      "HTTP/1.1 200 OK\nX-A: 1\n folded",
      "HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked",
      "HTTP/1.1 200 OK\nno colon here",
      "HTTP/1.1 200 OK\nbad name: 1",
    ]) {
      expect(() => parseResponseHead(head(text), "GET"), text).toThrow(ProtocolSurprise);
    }
  });
});

/** The first, line-splitting parser (before it was made cheaper per answer): the reference for the one above. */
function referenceHead(bytes: Buffer): Omit<ReturnType<typeof parseResponseHead>, "framing"> {
  const lines = bytes.toString("latin1").split("\r\n");
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/.exec(lines[0] ?? "");
  if (!statusLine) throw new ProtocolSurprise(`status line ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`);
  const status = Number(statusLine[2]);
  if (status < 200) throw new ProtocolSurprise(`interim answer ${status}`);
  const headers = Object.create(null) as Record<string, string>;
  for (const line of lines.slice(1)) {
    if (line.startsWith(" ") || line.startsWith("\t")) throw new ProtocolSurprise("a folded header line");
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name))
      throw new ProtocolSurprise(`header line ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    const previous = headers[name.toLowerCase()];
    headers[name.toLowerCase()] = previous === undefined ? value : `${previous}, ${value}`;
  }
  const connection = (headers["connection"] ?? "").toLowerCase();
  const keepAlive =
    statusLine[1] === "1"
      ? !/(^|,)\s*close\s*(,|$)/.test(connection)
      : /(^|,)\s*keep-alive\s*(,|$)/.test(connection);
  return { status, headers, keepAlive };
}

describe("parseResponseHead against the reference parser", () => {
  it("reads every generated head, odd ones included, exactly as the reference does", () => {
    const pieces = [
      "HTTP/1.1 200 OK",
      "HTTP/1.0 404 Not Found",
      "HTTP/1.1 100 Continue",
      "HTTP/1.1 200",
      'ETag: "abc"',
      "x-amz-checksum-crc64nvme:  AAAAAAAAAAA= \t",
      "Content-Length: 0",
      "connection: keep-alive",
      "Connection: Close",
      "Vary:a",
      "Vary:\t",
      "x:y:z",
      ":no name",
      "bad name: 1",
      " folded",
      "\tfolded",
      "caf\u00e9: 1",
      "X-Meta: caf\u00e9 \u00ff",
      "no colon",
      "",
      "\r",
      "a\nb: 1",
      "__proto__: 1",
    ];
    let random = 7;
    const next = (n: number): number => {
      random = (random * 1103515245 + 12345) % 2147483648;
      return random % n;
    };
    const outcome = (parse: () => unknown): unknown => {
      try {
        return parse();
      } catch (error) {
        return error instanceof ProtocolSurprise ? `surprise: ${error.message}` : error;
      }
    };
    for (let round = 0; round < 3000; round++) {
      const lines = Array.from({ length: 1 + next(6) }, (_, at) =>
        at === 0 && next(4) > 0 ? pieces[next(3)]! : pieces[next(pieces.length)]!,
      );
      const bytes = Buffer.from(lines.join("\r\n") + "\r\n".repeat(next(3)), "latin1");
      const actual = outcome(() => {
        const { status, headers, keepAlive } = parseResponseHead(bytes, "HEAD");
        return { status, headers, keepAlive };
      });
      expect(actual, JSON.stringify(bytes.toString("latin1"))).toEqual(outcome(() => referenceHead(bytes)));
    }
  });
});

describe("ChunkedDecoder", () => {
  const body = head("7\nMozilla\n11;ext=1\nDeveloper Network\n0\nTrailer: x\n\n");

  it("decodes a chunked error body fed in every split, and says where it ended", () => {
    const extra = Buffer.from("HTTP/1.1 next");
    const stream = Buffer.concat([body, extra]);
    for (let split = 0; split <= stream.byteLength; split++) {
      const decoder = new ChunkedDecoder(1024);
      const first = decoder.feed(stream.subarray(0, split));
      const used = decoder.done ? first : first + decoder.feed(stream.subarray(split));
      expect(decoder.done, `split ${split}`).toBe(true);
      expect(decoder.body().toString()).toBe("MozillaDeveloper Network");
      expect(used).toBe(body.byteLength);
    }
  });

  it("keeps at most its limit of data and refuses a bad size line", () => {
    const decoder = new ChunkedDecoder(5);
    decoder.feed(body);
    expect(decoder.body().toString()).toBe("Mozil");
    expect(() => new ChunkedDecoder(10).feed(head("zz\nabc\n"))).toThrow(ProtocolSurprise);
    expect(() => new ChunkedDecoder(10).feed(head("3\nabcd\n0\n\n"))).toThrow(ProtocolSurprise);
  });
});
