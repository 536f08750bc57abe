// What the bench uploads: one file, many equal files, or a mixed tree shaped like a real dist/ directory.

export interface PlannedFile {
  /** Relative to the workload's directory, "/"-separated; also the key below the run's prefix. */
  path: string;
  size: number;
}

export interface WorkloadSpec {
  /** As given on the command line: "1GiB", "1000x64KiB", "mixed". */
  id: string;
  /** What the clients do with it. Download workloads (bench/download-*.ts) add their own kind. */
  kind: "upload";
  /** Heading for the results page, e.g. "one 1 GiB file". */
  description: string;
  /** Every file in a stable order; the same on every machine and run (sizes come from a fixed seed). */
  files: PlannedFile[];
  fileCount: number;
  totalBytes: number;
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

export function parseBytes(text: string): number | null {
  const match = /^(\d+)(B|KiB|MiB|GiB)$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * UNITS[match[2]!]!;
}

interface TreeShape {
  large: { count: number; size: number };
  medium: { count: number; size: number };
  small: { count: number; minSize: number; maxSize: number };
}

/**
 * Mixed trees: a few large files (bundles, images, source maps) among many small ones in nested directories.
 * "mixed" is the measured one (830 MiB, 2,022 files); "mixed-mini" is its shape at a smoke-test scale.
 */
export const TREES: Record<string, TreeShape> = {
  mixed: {
    large: { count: 2, size: 256 * UNITS.MiB! },
    medium: { count: 20, size: 8 * UNITS.MiB! },
    small: { count: 2000, minSize: UNITS.KiB!, maxSize: 512 * UNITS.KiB! },
  },
  "mixed-mini": {
    large: { count: 1, size: 32 * UNITS.MiB! },
    medium: { count: 4, size: 8 * UNITS.MiB! },
    small: { count: 200, minSize: UNITS.KiB!, maxSize: 512 * UNITS.KiB! },
  },
};

export const WORKLOAD_SYNTAX = `"1GiB" (one file), "1000x64KiB" (many equal files) or ${Object.keys(TREES)
  .map((t) => `"${t}"`)
  .join(", ")} (a tree)`;

export function parseWorkloadSpec(spec: string): WorkloadSpec | null {
  const tree = TREES[spec];
  if (tree) return planTree(spec, tree);
  const match = /^(?:(\d+)x)?(\d+(?:B|KiB|MiB|GiB))$/.exec(spec);
  if (!match) return null;
  const fileSize = parseBytes(match[2]!);
  const fileCount = match[1] === undefined ? 1 : Number(match[1]);
  if (fileSize === null || fileSize < 1 || fileCount < 1) return null;
  const digits = String(fileCount - 1).length;
  const files =
    fileCount === 1
      ? [{ path: "data.bin", size: fileSize }]
      : Array.from({ length: fileCount }, (_, i) => ({
          path: `f${String(i).padStart(Math.max(5, digits), "0")}.bin`,
          size: fileSize,
        }));
  return {
    id: spec,
    kind: "upload",
    description:
      fileCount === 1
        ? `one ${formatSize(fileSize)} file`
        : `${fileCount.toLocaleString("en-US")} files of ${formatSize(fileSize)} (${formatSize(fileCount * fileSize)} in all)`,
    files,
    fileCount,
    totalBytes: fileCount * fileSize,
  };
}

function planTree(id: string, shape: TreeShape): WorkloadSpec {
  const random = mulberry32(0x5eed);
  const files: PlannedFile[] = [];
  for (let i = 0; i < shape.large.count; i++)
    files.push({ path: `media/video-${i}.bin`, size: shape.large.size });
  for (let i = 0; i < shape.medium.count; i++) {
    files.push({ path: `assets/vendor/chunk-${i}.bin`, size: shape.medium.size });
  }
  const { minSize, maxSize } = shape.small;
  for (let i = 0; i < shape.small.count; i++) {
    // Log-uniform sizes: as many 1–8 KiB files as 64–512 KiB ones, like the pages, scripts and icons of a site.
    const size = Math.round(minSize * (maxSize / minSize) ** random());
    files.push({ path: `pages/s${i % 10}/t${Math.floor(i / 10) % 10}/file-${i}.bin`, size });
  }
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  return {
    id,
    kind: "upload",
    description:
      `mixed tree "${id}": ${shape.large.count} × ${formatSize(shape.large.size)}, ` +
      `${shape.medium.count} × ${formatSize(shape.medium.size)} and ${shape.small.count.toLocaleString("en-US")} files of ` +
      `${formatSize(minSize)}–${formatSize(maxSize)} in nested directories ` +
      `(${files.length.toLocaleString("en-US")} files, ${formatSize(totalBytes)} in all)`,
    files,
    fileCount: files.length,
    totalBytes,
  };
}

/** A small seeded generator: the tree must be the same in every run so results compare across commits. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))} ${unit}`;
  }
  return `${bytes} B`;
}
