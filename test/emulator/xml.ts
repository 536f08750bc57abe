// Tiny XML writer/reader for S3's fixed document shapes; S3 bodies are flat enough that a general parser is not needed.

export type XmlValue = string | number | boolean | undefined | XmlNode | XmlNode[];
export interface XmlNode {
  [tag: string]: XmlValue | XmlValue[];
}

const S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function renderValue(tag: string, value: XmlValue | XmlValue[]): string {
  if (value === undefined) return "";
  if (Array.isArray(value)) return value.map((item) => renderValue(tag, item)).join("");
  if (typeof value === "object") return `<${tag}>${renderNode(value)}</${tag}>`;
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

function renderNode(node: XmlNode): string {
  return Object.entries(node)
    .map(([tag, value]) => renderValue(tag, value))
    .join("");
}

export function xmlDocument(root: string, body: XmlNode, withNamespace = true): string {
  const ns = withNamespace ? ` xmlns="${S3_NS}"` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${renderNode(body)}</${root}>`;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&amp;/g, "&");
}

/** Inner texts of every `<tag>…</tag>` directly found in `xml` (namespace prefixes and attributes ignored). */
export function childBlocks(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<(?:\\w+:)?${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${tag}>`, "g");
  return [...xml.matchAll(pattern)].map((match) => match[1] ?? "");
}

export function childText(xml: string, tag: string): string | undefined {
  const block = childBlocks(xml, tag)[0];
  return block === undefined ? undefined : unescapeXml(block.trim());
}

/** Rejects bodies that are not a single well-nested document rooted at `root`. */
export function isRootedAt(xml: string, root: string): boolean {
  const body = xml.replace(/^\s*<\?xml[^>]*\?>/, "").trim();
  const open = new RegExp(`^<(?:\\w+:)?${root}(?:\\s[^>]*)?>`);
  const close = new RegExp(`</(?:\\w+:)?${root}>$`);
  if (!open.test(body) || !close.test(body)) return false;
  const stack: string[] = [];
  for (const match of body.matchAll(/<(\/?)([\w:.-]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}
