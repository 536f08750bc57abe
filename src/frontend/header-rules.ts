// Per-pattern headers: one "pattern | Header: value" per line, split at the first "|" and the first ":" after
// it, so a value keeps its commas, semicolons and quotes as written (Cache-Control "public, max-age=31536000,
// immutable"; Content-Disposition 'attachment; filename="a, b"'). A pattern cannot hold "|": alternatives are
// written with braces, *.{js,css}.
import path from "node:path";
import picomatch from "picomatch";
import { SERVED_HEADER_NAMES } from "../engine/index.js";
import type { ServedHeaders } from "../engine/types.js";

export type HeaderField = keyof ServedHeaders;

export interface HeaderRule {
  /** 1-based, as the user counts the lines of the input. */
  line: number;
  pattern: string;
  header: HeaderField;
  value: string;
}

const HEADERS = Object.entries(SERVED_HEADER_NAMES) as Array<[HeaderField, string]>;

const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/;
// RFC 9110 content-coding tokens, comma-separated.
const CODINGS = /^[\w!#$%&'*+.^`|~-]+(\s*,\s*[\w!#$%&'*+.^`|~-]+)*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** What is wrong with a header's value, as the end of a sentence; undefined when it can be sent. */
export function headerValueProblem(field: HeaderField, value: string): string | undefined {
  const name = SERVED_HEADER_NAMES[field];
  if (!PRINTABLE_ASCII.test(value)) {
    const example = field === "contentDisposition" ? " (for a file name: filename*=UTF-8''%C3%A4.pdf)" : "";
    return `the ${name} value has non-ASCII or control characters, which HTTP headers cannot carry; encode them${example}.`;
  }
  if (field === "contentType" && !MEDIA_TYPE.test(value)) {
    return `${name} "${value}" is not a media type; use type/subtype, e.g. text/javascript.`;
  }
  if (field === "contentEncoding" && !CODINGS.test(value)) {
    return `${name} "${value}" is not a list of codings; use e.g. gzip, br or zstd (several separated by commas).`;
  }
  return undefined;
}

function parseLine(input: string, line: number, text: string): HeaderRule | string {
  const bar = text.indexOf("|");
  const colon = bar < 0 ? -1 : text.indexOf(":", bar);
  if (bar < 0 || colon < 0) {
    return `Input "${input}": line ${line} "${text}" is not "pattern | Header: value"; write one header per line, e.g. **/*.js.gz | Content-Encoding: gzip.`;
  }
  const pattern = text.slice(0, bar).trim();
  const name = text.slice(bar + 1, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (pattern === "") {
    return `Input "${input}": line ${line} has no pattern before "|"; give a glob relative to base-dir, e.g. **/*.html | Cache-Control: no-cache.`;
  }
  if (pattern.startsWith("/")) {
    return `Input "${input}": line ${line}: pattern "${pattern}" starts with "/"; patterns are relative to base-dir, so write ${pattern.replace(/^\/+/, "")}.`;
  }
  const header = HEADERS.find(([, known]) => known.toLowerCase() === name.toLowerCase());
  if (!header) {
    const names = HEADERS.map(([, known]) => known);
    const choices = `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
    return `Input "${input}": line ${line}: "${name}" is not a header rules can set; use ${choices} (user metadata goes in "metadata").`;
  }
  const [field, headerName] = header;
  if (value === "") {
    return `Input "${input}": line ${line}: ${headerName} has no value; give one, or remove the line.`;
  }
  const problem = headerValueProblem(field, value);
  if (problem) return `Input "${input}": line ${line}: ${problem}`;
  return { line, pattern, header: field, value };
}

/** Every bad line is reported, each naming the input, the line and the fix. */
export function parseHeaderRules(input: string, text: string): { rules: HeaderRule[]; errors: string[] } {
  const rules: HeaderRule[] = [];
  const errors: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const parsed = parseLine(input, index + 1, line);
    if (typeof parsed === "string") errors.push(parsed);
    else rules.push(parsed);
  }
  return { rules, errors };
}

// A pattern without "/" matches the file name at any depth, as in .gitignore; picomatch's own basename option
// is not used because it stops "dir/*.css" from matching "dir/a.css".
function compile(rules: readonly HeaderRule[]): Map<string, (relativePath: string) => boolean> {
  const matchers = new Map<string, (relativePath: string) => boolean>();
  for (const { pattern } of rules) {
    if (matchers.has(pattern)) continue;
    // One argument only: picomatch takes a second as "return a match object".
    const matches = picomatch(pattern, { dot: true });
    const subject = pattern.includes("/") ? (p: string) => p : (p: string) => path.posix.basename(p);
    matchers.set(pattern, (relativePath) => matches(subject(relativePath)));
  }
  return matchers;
}

/** relative path ("/"-separated, relative to base-dir) → the headers its rules set, later rules winning. */
export function headerMatcher(rules: readonly HeaderRule[]): (relativePath: string) => ServedHeaders {
  const matchers = compile(rules);
  return (relativePath) => {
    const headers: ServedHeaders = {};
    for (const rule of rules) {
      if (matchers.get(rule.pattern)!(relativePath)) headers[rule.header] = rule.value;
    }
    return headers;
  };
}

/** One warning per pattern that matches none of the files: a typo there would otherwise go unnoticed. */
export function unmatchedRuleWarnings(
  input: string,
  rules: readonly HeaderRule[],
  relativePaths: readonly string[],
  baseDir: string,
): string[] {
  const warnings: string[] = [];
  for (const [pattern, matches] of compile(rules)) {
    if (relativePaths.some(matches)) continue;
    const line = rules.find((rule) => rule.pattern === pattern)!.line;
    warnings.push(
      `Input "${input}": line ${line} pattern "${pattern}" matches none of the files to upload; patterns are relative to base-dir ("${baseDir}").`,
    );
  }
  return warnings;
}
