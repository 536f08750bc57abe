import { describe, expect, it } from "vitest";
import { decodeAwsChunked } from "../emulator/aws-chunked.js";

async function decode(pieces: Buffer[]): Promise<{ data: string; trailers: Map<string, string> }> {
  const trailers = new Map<string, string>();
  async function* source() {
    yield* pieces;
  }
  const out: Buffer[] = [];
  for await (const chunk of decodeAwsChunked(source(), trailers)) out.push(chunk);
  return { data: Buffer.concat(out).toString(), trailers };
}

const BODY = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";

describe("aws-chunked decoder", () => {
  it("decodes data and trailers however the body is split", async () => {
    for (const size of [1, 2, 3, 7, BODY.length]) {
      const bytes = Buffer.from(BODY);
      const pieces: Buffer[] = [];
      for (let offset = 0; offset < bytes.length; offset += size)
        pieces.push(bytes.subarray(offset, offset + size));
      const { data, trailers } = await decode(pieces);
      expect(data).toBe("hello world");
      expect(trailers.get("x-amz-checksum-crc32")).toBe("DUoRhQ==");
    }
  });

  it("accepts chunk signatures in the size line", async () => {
    const { data } = await decode([
      Buffer.from("3;chunk-signature=abc\r\nabc\r\n0;chunk-signature=def\r\n\r\n"),
    ]);
    expect(data).toBe("abc");
  });

  it("rejects a body cut short and a chunk not followed by CRLF", async () => {
    await expect(decode([Buffer.from("5\r\nhel")])).rejects.toMatchObject({ code: "IncompleteBody" });
    await expect(decode([Buffer.from("5\r\nhelloXX0\r\n\r\n")])).rejects.toMatchObject({
      code: "IncompleteBody",
    });
    await expect(decode([Buffer.from("zz\r\n")])).rejects.toMatchObject({ code: "IncompleteBody" });
  });
});
