// Command-line options of `npm run bench`; every bad flag is rejected with the fix spelled out.

import { INPUTS } from "../src/frontend/inputs.js";

export const CLIENT_IDS = [
  "ours",
  "ours-md5",
  "aws-cli",
  "lib-storage",
  "lib-storage-crc32c",
  "rclone",
  "curl",
] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

export interface BenchOptions {
  runs: number;
  /** Workload specs such as "1GiB" (one file) or "1000x64KiB" (many files). */
  sizes: string[];
  only: ClientId[];
  quick: boolean;
  /** Part size and concurrency given to lib-storage so it matches our CLI's defaults. */
  partSize: number;
  concurrency: number;
  outDir: string;
  /** An already running server to use instead of starting the emulator; keys come from AWS_* variables. */
  endpoint: string | null;
  /** The bundle measured as ours; another path compares a candidate build against dist/. */
  cli: string;
  /** Uploads, downloads (of the single-file workloads) or both. */
  direction: Direction;
}

export const DIRECTIONS = ["both", "upload", "download"] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const DEFAULT_SIZES = ["1GiB", "4GiB", "1000x64KiB"];
const QUICK_SIZES = ["64MiB", "100x64KiB"];
// lib-storage gets our CLI's defaults, so a difference in speed is not a difference in settings.
const OUR_PART_SIZE = INPUTS.find((i) => i.name === "part-size")?.default ?? "16MiB";
const OUR_CONCURRENCY = INPUTS.find((i) => i.name === "concurrency")?.default ?? "4";

const USAGE = `usage: npm run bench -- [--runs N] [--sizes 1GiB,4GiB,1000x64KiB] [--only ours,aws-cli,...] [--quick]
                          [--part-size ${OUR_PART_SIZE}] [--concurrency ${OUR_CONCURRENCY}] [--out bench/results] [--endpoint URL] [--cli dist/cli/index.js]
                          [--direction both|upload|download]
  --quick     one run of 64MiB and 100x64KiB: a smoke test, not a measurement
  --endpoint  use a running S3 server (bucket "bench" must exist; keys from AWS_ACCESS_KEY_ID and
              AWS_SECRET_ACCESS_KEY) instead of starting the emulator in sink mode
  --cli       the bundle measured as ours (default dist/cli/index.js, what users run)
  --direction both (default), upload or download: downloads fetch each single-file workload (ours, aws-cli, rclone)
  clients:  ${CLIENT_IDS.join(", ")}`;

export type Parsed = { ok: true; options: BenchOptions } | { ok: false; error: string };

export function parseOptions(argv: string[]): Parsed {
  const given = new Map<string, string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") {
      quick = true;
      continue;
    }
    if (arg === "--help" || arg === "-h") return { ok: false, error: USAGE };
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    if (
      ![
        "--runs",
        "--sizes",
        "--only",
        "--part-size",
        "--concurrency",
        "--out",
        "--endpoint",
        "--cli",
        "--direction",
      ].includes(name)
    ) {
      return { ok: false, error: `unknown option "${arg}"\n${USAGE}` };
    }
    const value = inline ?? argv[++i];
    if (value === undefined) return { ok: false, error: `${name} needs a value\n${USAGE}` };
    given.set(name, value);
  }

  const runs = Number(given.get("--runs") ?? (quick ? "1" : "3"));
  if (!Number.isInteger(runs) || runs < 1) {
    return {
      ok: false,
      error: `--runs "${given.get("--runs")}" must be a whole number ≥ 1 (medians want ≥ 3)`,
    };
  }
  const sizes = (given.get("--sizes")?.split(",") ?? (quick ? QUICK_SIZES : DEFAULT_SIZES)).map((s) =>
    s.trim(),
  );
  for (const spec of sizes) {
    if (parseWorkloadSpec(spec) === null) {
      return { ok: false, error: `--sizes entry "${spec}" is not like "1GiB", "64MiB" or "1000x64KiB"` };
    }
  }
  const only = given
    .get("--only")
    ?.split(",")
    .map((s) => s.trim()) ?? [...CLIENT_IDS];
  const unknown = only.filter((id) => !(CLIENT_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    return {
      ok: false,
      error: `--only: unknown client "${unknown.join(", ")}"; choose from ${CLIENT_IDS.join(", ")}`,
    };
  }
  const partSize = parseBytes(given.get("--part-size") ?? OUR_PART_SIZE);
  if (partSize === null || partSize < 5 * 1024 * 1024) {
    return {
      ok: false,
      error: `--part-size "${given.get("--part-size")}" must be a size ≥ 5MiB, like 16MiB`,
    };
  }
  const concurrency = Number(given.get("--concurrency") ?? OUR_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    return { ok: false, error: `--concurrency "${given.get("--concurrency")}" must be a whole number ≥ 1` };
  }
  const direction = given.get("--direction") ?? "both";
  if (!(DIRECTIONS as readonly string[]).includes(direction)) {
    return { ok: false, error: `--direction "${direction}" must be one of ${DIRECTIONS.join(", ")}` };
  }
  return {
    ok: true,
    options: {
      runs,
      sizes,
      only: only as ClientId[],
      quick,
      partSize,
      concurrency,
      outDir: given.get("--out") ?? "bench/results",
      endpoint: given.get("--endpoint") ?? null,
      cli: given.get("--cli") ?? "dist/cli/index.js",
      direction: direction as Direction,
    },
  };
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

export function parseBytes(text: string): number | null {
  const match = /^(\d+)(B|KiB|MiB|GiB)$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * UNITS[match[2]!]!;
}

export interface WorkloadSpec {
  id: string;
  fileCount: number;
  fileSize: number;
}

export function parseWorkloadSpec(spec: string): WorkloadSpec | null {
  const match = /^(?:(\d+)x)?(\d+(?:B|KiB|MiB|GiB))$/.exec(spec);
  if (!match) return null;
  const fileSize = parseBytes(match[2]!);
  const fileCount = match[1] === undefined ? 1 : Number(match[1]);
  if (fileSize === null || fileSize < 1 || fileCount < 1) return null;
  return { id: spec, fileCount, fileSize };
}
