const UNITS: Record<string, number> = {
  "": 1,
  B: 1,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** "8MiB", "64MB", "16777216" → bytes. Decimal units are powers of 1000, binary (KiB…) powers of 1024. */
export function parseSize(text: string): number {
  const match = SIZE_PATTERN.exec(text.trim());
  const unit = match ? UNITS[match[2]!.toUpperCase()] : undefined;
  if (!match || unit === undefined) {
    throw new Error(
      `Invalid size "${text}": write a whole number of bytes or a number with a unit, e.g. 16777216, 16MiB, 64MB, 1GiB.`,
    );
  }
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes)) {
    throw new Error(`Invalid size "${text}": it is not a whole number of bytes; use e.g. 8MiB or 8388608.`);
  }
  return bytes;
}

export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return `${value} ${units[unit]}`;
}
