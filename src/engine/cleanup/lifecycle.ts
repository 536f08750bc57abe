// The bucket lifecycle rule that aborts incomplete multipart uploads (seed 001), merged into the rules already there.
import { createHash } from "node:crypto";
import type { LifecycleRule } from "../s3/s3-client.js";

const RULE_ID_BASE = "s3-verified-upload-abort-incomplete";
/** S3's limit on a rule ID. */
const MAX_RULE_ID = 255;

/** One rule per prefix, recognisable by its ID so a rerun updates it instead of adding another. */
export function abortRuleId(prefix: string): string {
  const readable = prefix === "" ? RULE_ID_BASE : `${RULE_ID_BASE}:${prefix}`;
  if (readable.length <= MAX_RULE_ID) return readable;
  return `${RULE_ID_BASE}:sha256:${createHash("sha256").update(prefix).digest("hex")}`;
}

export type RuleChange = "added" | "updated" | "unchanged";

/**
 * PutBucketLifecycleConfiguration replaces the whole configuration, so the new rule set is every existing
 * rule as it was, with ours added or replaced in place.
 */
export function mergeAbortRule(
  existing: readonly LifecycleRule[],
  prefix: string,
  days: number,
): { rules: LifecycleRule[]; change: RuleChange; ruleId: string } {
  const ruleId = abortRuleId(prefix);
  const ours: LifecycleRule = {
    ID: ruleId,
    Status: "Enabled",
    Filter: { Prefix: prefix },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
  };
  const index = existing.findIndex((rule) => rule.ID === ruleId);
  if (index === -1) return { rules: [...existing, ours], change: "added", ruleId };
  const current = existing[index]!;
  const same =
    current.Status === "Enabled" &&
    (current.Filter?.Prefix ?? current.Prefix ?? "") === prefix &&
    current.Filter?.And === undefined &&
    current.AbortIncompleteMultipartUpload?.DaysAfterInitiation === days;
  if (same) return { rules: [...existing], change: "unchanged", ruleId };
  return { rules: existing.map((rule, at) => (at === index ? ours : rule)), change: "updated", ruleId };
}
