// The resume record of a kept download: written by ResumeLog, read back by readResumeRecord; a line cut short
// by a crash, a line that does not parse, or a range past the layout is left out (that range is fetched again),
// and a file that is not a record is "unreadable".
import { mkdtemp, rm, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  layoutOf,
  readResumeRecord,
  ResumeLog,
  resumeRecordPath,
  workFileOf,
} from "../../src/engine/download/resume-record.js";

let dir: string;
const header = {
  key: "p/a.bin",
  etag: '"abc"',
  versionId: null,
  size: 30,
  algorithm: "CRC64NVME",
  ranges: 3,
  layout: layoutOf([
    { offset: 0, size: 10, expected: null },
    { offset: 10, size: 10, expected: null },
    { offset: 20, size: 10, expected: null },
  ]),
  temp: ".a.bin.s3vu-0123456789ab.part",
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-record-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("resume record", () => {
  it("reads back what the log wrote; the last line of a range wins", async () => {
    const file = resumeRecordPath(path.join(dir, "a.bin"));
    expect(path.basename(file)).toBe(".a.bin.s3vu-resume");
    const log = await ResumeLog.create(file, header);
    await log.written(2, Buffer.from("two"));
    await log.written(0, Buffer.from("zero"));
    await log.close();
    const again = await ResumeLog.reopen(file);
    await again.written(2, Buffer.from("TWO"));
    await again.close();
    const record = await readResumeRecord(file);
    expect(record).not.toBe("unreadable");
    if (record === null || record === "unreadable") return;
    expect(record.header).toEqual({ format: "s3vu-download-resume/1", ...header });
    expect(record.written).toEqual(
      new Map([
        [2, Buffer.from("TWO")],
        [0, Buffer.from("zero")],
      ]),
    );
  });

  it("leaves out a line cut short, a line that does not parse and a range past the layout", async () => {
    const file = path.join(dir, "cut");
    const log = await ResumeLog.create(file, header);
    await log.written(1, Buffer.from("one"));
    await log.close();
    await appendFile(file, "x y\n7 AAAA\n0 AAA");
    const record = await readResumeRecord(file);
    if (record === null || record === "unreadable") throw new Error(`read ${record}`);
    expect([...record.written.keys()]).toEqual([1]);
  });

  it("is null when absent and unreadable when the file is no record", async () => {
    expect(await readResumeRecord(path.join(dir, "absent"))).toBeNull();
    for (const [name, text] of [
      ["empty", ""],
      ["cut-header", '{"format":"s3vu-download-resume/1"'],
      ["other-json", '{"format":"something else"}\n'],
      ["no-temp", `${JSON.stringify({ ...header, format: "s3vu-download-resume/1", temp: 5 })}\n`],
    ]) {
      await writeFile(path.join(dir, name!), text!);
      expect(await readResumeRecord(path.join(dir, name!)), name).toBe("unreadable");
    }
  });

  it("differs in layout for other ranges", () => {
    const segments = [{ offset: 0, size: 10, expected: null }];
    expect(layoutOf(segments)).toBe(layoutOf([{ offset: 0, size: 10, expected: Buffer.from("x") }]));
    expect(layoutOf(segments)).not.toBe(layoutOf([{ offset: 0, size: 11, expected: null }]));
  });

  it("names the work files of a download, and only those", () => {
    expect(workFileOf(".a.bin.s3vu-resume")).toEqual({ owner: "a.bin", kind: "resume record" });
    expect(workFileOf(".a.bin.s3vu-0123456789ab.part")).toEqual({ owner: "a.bin", kind: "temp file" });
    expect(workFileOf(".a.bin.s3vu-0123456789a.part")).toBeNull();
    expect(workFileOf("a.bin.s3vu-resume")).toBeNull();
    expect(workFileOf(".a.bin")).toBeNull();
  });
});
