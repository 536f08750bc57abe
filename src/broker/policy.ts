// Which bucket and key prefix a verified token may write, with which limits: the first rule of the token's
// issuer whose claim patterns all match and whose prefix holds the key.
import type { PolicyRule } from "./config.js";

export type Claims = Record<string, unknown>;

/** A rule applied to one caller: its prefix with the caller's claims filled in. */
export type Grant = PolicyRule;

function claimText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "s").test(value);
}

/** The prefix with "${claim}" filled in; undefined when a claim is missing or could steer out of it. */
function fillPrefix(prefix: string, claims: Claims): string | undefined {
  let missing = false;
  const filled = prefix.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const value = claimText(claims[name]);
    // An empty value or one with control characters would widen or blur the prefix.
    if (value === undefined || value === "" || [...value].some((char) => char < " " || char === "\u007f"))
      missing = true;
    return value ?? "";
  });
  return missing ? undefined : filled;
}

/** The rules that apply to a caller of `issuer` with these claims, prefixes filled in. */
export function grantsFor(rules: readonly PolicyRule[], issuer: string, claims: Claims): Grant[] {
  const grants: Grant[] = [];
  for (const rule of rules) {
    if (rule.issuer !== issuer) continue;
    const matches = Object.entries(rule.claims).every(([name, pattern]) => {
      const value = claimText(claims[name]);
      return value !== undefined && globMatches(pattern, value);
    });
    if (!matches) continue;
    const prefix = fillPrefix(rule.prefix, claims);
    if (prefix !== undefined) grants.push({ ...rule, prefix });
  }
  return grants;
}

export type Authorised = { ok: true; grant: Grant } | { ok: false; reason: string };

/** The grant under which this caller may write `key` (in `bucket`, when the caller names one). */
export function authoriseKey(grants: readonly Grant[], key: string, bucket: string | undefined): Authorised {
  if (grants.length === 0) return { ok: false, reason: "no policy rule matches this token's claims" };
  const grant = grants.find(
    (candidate) => key.startsWith(candidate.prefix) && (bucket === undefined || candidate.bucket === bucket),
  );
  if (grant) return { ok: true, grant };
  const allowed = grants.map((candidate) => `${candidate.bucket}/${candidate.prefix}`).join(", ");
  return { ok: false, reason: `this token may write only under ${allowed}` };
}
