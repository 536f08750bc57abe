// "7d", "12h", "30m", "90s" → milliseconds, for the cleanup age.
import type { Field } from "./fields.js";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(name: string, text: string): Field<number> {
  const match = /^(\d+)\s*([smhd])$/i.exec(text.trim());
  const unit = match ? UNIT_MS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined || !Number.isSafeInteger(Number(match[1]) * unit)) {
    return {
      ok: false,
      error: `Input "${name}": "${text}" is not a duration; use a whole number with s, m, h or d, e.g. 7d, 12h, 30m.`,
    };
  }
  return { ok: true, value: Number(match[1]) * unit };
}
