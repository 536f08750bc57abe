// Part size and multipart threshold are checked against the same limits the engine plans with (a part is one
// Buffer, so 4 GiB on Node.js 20, S3's 5 GiB on Node.js 22+): a setting that cannot work is a config error
// (exit 2) naming the input, the limit and the fix, never a failure later in the engine.
import { constants as bufferConstants } from "node:buffer";
import { describe, expect, it } from "vitest";
import { EXIT_USAGE, main } from "../../src/cli.js";
import { parseConfig } from "../../src/config.js";
import { resolveLimits } from "../../src/engine/index.js";

const GiB = 1024 ** 3;
const NODE20 = resolveLimits(undefined, 4 * GiB);
const NODE22 = resolveLimits(undefined, Number.MAX_SAFE_INTEGER);
const VALID = { bucket: "my-bucket", path: "dist/**" };

function errorsFor(inputs: Record<string, string>, limits = NODE20): string[] {
  const result = parseConfig((name) => ({ ...VALID, ...inputs })[name], limits);
  return result.ok ? [] : result.errors;
}

const NODE20_NOTE =
  `(S3 allows 5GiB, but this Node.js ${process.version} holds at most 4GiB in one buffer; ` +
  `Node.js 22 or later reaches S3's limit)`;

describe("part-size and multipart-threshold limits", () => {
  it("refuses part-size 5GiB where a Buffer holds 4 GiB, naming the limit and the fix", () => {
    expect(errorsFor({ "part-size": "5GiB" })).toEqual([
      `Input "part-size": "5GiB" is outside the part size range this run can use ${NODE20_NOTE}; ` +
        `use 5MiB to 4GiB (5242880 to 4294967296 bytes).`,
    ]);
  });

  it("accepts part-size 4GiB there, and 5GiB where a Buffer holds it", () => {
    expect(errorsFor({ "part-size": "4GiB" })).toEqual([]);
    expect(errorsFor({ "part-size": "5GiB" }, NODE22)).toEqual([]);
  });

  it("refuses a multipart-threshold above the largest single PutObject this Node.js can hold", () => {
    expect(errorsFor({ "multipart-threshold": "5GiB" })).toEqual([
      `Input "multipart-threshold": "5GiB" is above 4GiB, the largest single PutObject ${NODE20_NOTE}; ` +
        `use at most 4GiB.`,
    ]);
    expect(errorsFor({ "multipart-threshold": "4GiB" })).toEqual([]);
    expect(errorsFor({ "multipart-threshold": "5GiB" }, NODE22)).toEqual([]);
  });

  it("keeps S3's wording where the Buffer is not the limit", () => {
    expect(errorsFor({ "part-size": "6GiB" }, NODE22)).toEqual([
      `Input "part-size": "6GiB" is outside S3's part size range; use 5MiB to 5GiB (5242880 to 5368709120 bytes).`,
    ]);
    expect(errorsFor({ "multipart-threshold": "6GiB" }, NODE22)).toEqual([
      `Input "multipart-threshold": "6GiB" is above 5GiB, the largest single PutObject; use at most 5GiB.`,
    ]);
  });

  it("uses this Node.js's limits by default: --part-size 5GiB exits 2 where a Buffer holds less", async () => {
    let stderr = "";
    const code = await main(["--bucket", "my-bucket", "--part-size", "5GiB", "--dry-run", "dist/app.txt"], {
      env: {},
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
    });
    if (bufferConstants.MAX_LENGTH < 5 * GiB) {
      expect(code).toBe(EXIT_USAGE);
      expect(stderr).toContain(`Input "part-size": "5GiB" is outside the part size range this run can use`);
    } else {
      expect(stderr).not.toContain(`Input "part-size"`);
    }
  });
});
