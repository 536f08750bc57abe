// Command-line options of `npm run bench`; every bad flag is rejected with the fix spelled out.

import path from "node:path";
import { INPUTS } from "../src/frontend/inputs.js";
import { parseBytes, parseWorkloadSpec, WORKLOAD_SYNTAX } from "./workloads.js";

export { parseBytes, parseWorkloadSpec, type WorkloadSpec } from "./workloads.js";

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

/** The peers and ours at defaults; ours-md5 and lib-storage-crc32c are for --only (older issue-6 targets). */
export const DEFAULT_CLIENTS: ClientId[] = ["ours", "aws-cli", "lib-storage", "rclone", "curl"];

/** How many cores a client may use (taskset -c 0…n-1), or "all" for no pinning at all. */
export type CoreSetting = number | "all";

export interface BenchOptions {
  runs: number;
  /** Workload specs such as "1GiB" (one file), "1000x64KiB" (many files) or "mixed" (a tree). */
  sizes: string[];
  only: ClientId[];
  /** Each workload and client runs once per setting, so rows at 1 and 2 cores show how each scales. */
  cores: CoreSetting[];
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
  /**
   * The folder every download client writes into (absolute), e.g. /dev/shm so that no client is bound by the
   * disk; null: the bench's scratch folder, on the disk like the test data.
   */
  downloadDir: string | null;
}

export const DIRECTIONS = ["both", "upload", "download"] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const DEFAULT_SIZES = ["1GiB", "4GiB", "1000x64KiB", "10000x4KiB", "mixed"];
export const DEFAULT_CORES: CoreSetting[] = [1, 2];
const QUICK_SIZES = ["64MiB", "100x64KiB", "1000x4KiB", "mixed-mini"];
// lib-storage gets our CLI's defaults, so a difference in speed is not a difference in settings.
const OUR_PART_SIZE = INPUTS.find((i) => i.name === "part-size")?.default ?? "16MiB";
const OUR_CONCURRENCY = INPUTS.find((i) => i.name === "concurrency")?.default ?? "4";
const VALUE_OPTIONS = [
  "--runs",
  "--sizes",
  "--workloads",
  "--only",
  "--cores",
  "--part-size",
  "--concurrency",
  "--out",
  "--endpoint",
  "--cli",
  "--direction",
  "--download-dir",
];

const USAGE = `usage: npm run bench -- [--runs N] [--workloads ${DEFAULT_SIZES.join(",")}] [--only ours,aws-cli,...|all]
                          [--cores 1,2|all] [--quick] [--part-size ${OUR_PART_SIZE}] [--concurrency ${OUR_CONCURRENCY}]
                          [--out bench/results] [--endpoint URL] [--cli dist/cli/index.js]
                          [--direction both|upload|download] [--download-dir DIR]
  --workloads ${WORKLOAD_SYNTAX}; --sizes is the same option
  --only      clients to run (default ${DEFAULT_CLIENTS.join(",")}; "all" adds ours-md5 and lib-storage-crc32c)
  --cores     run every client pinned to 1, 2, … cores (taskset -c 0…n-1) or "all" (not pinned); default 1,2
  --quick     one run of ${QUICK_SIZES.join(", ")}: a smoke test, not a measurement
  --endpoint  use a running S3 server (bucket "bench" must exist; keys from AWS_ACCESS_KEY_ID and
              AWS_SECRET_ACCESS_KEY) instead of starting the emulator in sink mode
  --cli       the bundle measured as ours (default dist/cli/index.js, what users run)
  --direction both (default), upload or download: downloads fetch each single-file workload (ours, aws-cli, rclone)
  --download-dir  an existing folder the download clients write into, e.g. /dev/shm (RAM-backed: no client is
              bound by the disk); default the bench's scratch folder on the disk. The report names it and its
              file system
  clients:  ${CLIENT_IDS.join(", ")}`;

export type Parsed = { ok: true; options: BenchOptions } | { ok: false; error: string };

/** machineCores: how many cores this process may use; a --cores setting above it is refused. */
export function parseOptions(argv: string[], machineCores: number): Parsed {
  const given = new Map<string, string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") {
      quick = true;
      continue;
    }
    if (arg === "--help" || arg === "-h") return { ok: false, error: USAGE };
    const [rawName, inline] = arg.split("=", 2) as [string, string | undefined];
    if (!VALUE_OPTIONS.includes(rawName)) {
      return { ok: false, error: `unknown option "${arg}"\n${USAGE}` };
    }
    const name = rawName === "--sizes" ? "--workloads" : rawName;
    const value = inline ?? argv[++i];
    if (value === undefined) return { ok: false, error: `${rawName} needs a value\n${USAGE}` };
    given.set(name, value);
  }

  const runs = Number(given.get("--runs") ?? (quick ? "1" : "3"));
  if (!Number.isInteger(runs) || runs < 1) {
    return {
      ok: false,
      error: `--runs "${given.get("--runs")}" must be a whole number ≥ 1 (medians want ≥ 3)`,
    };
  }
  const sizes = (given.get("--workloads")?.split(",") ?? (quick ? QUICK_SIZES : DEFAULT_SIZES)).map((s) =>
    s.trim(),
  );
  for (const spec of sizes) {
    if (parseWorkloadSpec(spec) === null) {
      return { ok: false, error: `--workloads entry "${spec}" is not like ${WORKLOAD_SYNTAX}` };
    }
  }
  const onlyText = given.get("--only");
  const only =
    onlyText === undefined
      ? DEFAULT_CLIENTS
      : onlyText === "all"
        ? [...CLIENT_IDS]
        : onlyText.split(",").map((s) => s.trim());
  const unknown = only.filter((id) => !(CLIENT_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    return {
      ok: false,
      error: `--only: unknown client "${unknown.join(", ")}"; choose from ${CLIENT_IDS.join(", ")} or "all"`,
    };
  }
  const cores = parseCores(given.get("--cores"), machineCores);
  if (typeof cores === "string") return { ok: false, error: cores };
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
  const downloadDir = given.get("--download-dir");
  if (downloadDir !== undefined && downloadDir.trim() === "") {
    return { ok: false, error: "--download-dir needs a folder, like --download-dir /dev/shm" };
  }
  return {
    ok: true,
    options: {
      runs,
      sizes,
      only: only as ClientId[],
      cores,
      quick,
      partSize,
      concurrency,
      outDir: given.get("--out") ?? "bench/results",
      endpoint: given.get("--endpoint") ?? null,
      cli: given.get("--cli") ?? "dist/cli/index.js",
      direction: direction as Direction,
      downloadDir: downloadDir === undefined ? null : path.resolve(downloadDir),
    },
  };
}

function parseCores(text: string | undefined, machineCores: number): CoreSetting[] | string {
  if (text === undefined) return DEFAULT_CORES.filter((n) => n === "all" || n <= machineCores);
  const settings: CoreSetting[] = [];
  for (const item of text.split(",").map((s) => s.trim())) {
    const count = Number(item);
    if (item === "all") settings.push("all");
    else if (!Number.isInteger(count) || count < 1) {
      return `--cores entry "${item}" must be a core count ≥ 1 or "all" (not pinned), like --cores 1,2`;
    } else if (count > machineCores) {
      return `--cores ${count}: this process may use only ${machineCores} core(s); choose counts up to ${machineCores} or "all"`;
    } else settings.push(count);
  }
  return [...new Set(settings)];
}

/** The taskset CPU list for a setting: cores 0…n-1, or null when the client is not pinned. */
export function cpuList(setting: CoreSetting): string | null {
  return setting === "all" ? null : setting === 1 ? "0" : `0-${setting - 1}`;
}

export function coresLabel(setting: CoreSetting): string {
  return setting === "all" ? "all" : String(setting);
}
