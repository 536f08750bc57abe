// README's examples must be safe to copy: no `${{ }}` expanded into a shell script, and an IAM policy that
// allows every S3 call the engine makes. Workflow files of this repository are held to the same rule.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = new URL("../../", import.meta.url);
const readme = readFileSync(new URL("README.md", root), "utf8");

function codeBlocks(markdown: string, language: string): string[] {
  const fence = new RegExp("^```" + language + "\\n([\\s\\S]*?)^```", "gm");
  return [...markdown.matchAll(fence)].map((match) => match[1]!);
}

/**
 * Every `run:` script under a workflow document, with where it is. A `${{ }}` in one is pasted into the script
 * before the shell reads it, so a file name or branch name with `'$(…)` in it runs as code; values belong in
 * `env:` and are read as "$VARIABLE".
 */
function runScripts(node: unknown, where: string): { where: string; script: string }[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => runScripts(item, `${where}[${index}]`));
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === "run" && typeof value === "string"
      ? [{ where: `${where}.run`, script: value }]
      : runScripts(value, `${where}.${key}`),
  );
}

function expressionsInRun(documents: { name: string; text: string }[]): string[] {
  return documents.flatMap(({ name, text }) =>
    runScripts(parse(text), name)
      .filter(({ script }) => script.includes("${{"))
      .map(({ where, script }) => `${where}: ${script.trim()}`),
  );
}

/** README and any Markdown under docs/ (pictures and pages other areas add there). */
function markdownFiles(): { name: string; text: string }[] {
  const docs = new URL("docs/", root);
  const pages = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".md"))
    : [];
  return [
    { name: "README.md", text: readme },
    ...pages.map((name) => ({ name: `docs/${name}`, text: readFileSync(new URL(name, docs), "utf8") })),
  ];
}

describe("README examples", () => {
  it("pass no ${{ }} expression into a run: script (values go through env:)", () => {
    const blocks = markdownFiles().flatMap(({ name, text }) =>
      codeBlocks(text, "ya?ml").map((block, index) => ({
        name: `${name} yaml block ${index + 1}`,
        text: block,
      })),
    );
    expect(blocks.length).toBeGreaterThan(0);
    expect(expressionsInRun(blocks)).toEqual([]);
  });

  it("and action.yml's descriptions show none either", () => {
    const action = readFileSync(new URL("action.yml", root), "utf8");
    expect(action).not.toMatch(/run:[^\n]*\$\{\{/);
  });

  it("pass no ${{ }} expression into a run: script in this repository's workflows", () => {
    const dir = new URL(".github/workflows/", root);
    const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
    expect(files).toContain("release.yml");
    const documents = files.map((name) => ({ name, text: readFileSync(new URL(name, dir), "utf8") }));
    expect(expressionsInRun(documents)).toEqual([]);
  });
});

/**
 * The IAM actions each S3 operation of the engine needs (the Service Authorization Reference's mapping). An
 * operation missing here fails the test below: add it, and its action to README's policy and table.
 */
const ACTIONS_FOR: Record<string, string[]> = {
  PutObject: ["s3:PutObject", "s3:PutObjectTagging"],
  CreateMultipartUpload: ["s3:PutObject", "s3:PutObjectTagging"],
  UploadPart: ["s3:PutObject"],
  CompleteMultipartUpload: ["s3:PutObject"],
  AbortMultipartUpload: ["s3:AbortMultipartUpload"],
  ListParts: ["s3:ListMultipartUploadParts"],
  ListMultipartUploads: ["s3:ListBucketMultipartUploads"],
  // With VersionId (the version an upload wrote), HeadObject and GetObject need GetObjectVersion.
  HeadObject: ["s3:GetObject", "s3:GetObjectVersion"],
  GetObject: ["s3:GetObject", "s3:GetObjectVersion"],
  DeleteObject: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
  HeadBucket: ["s3:ListBucket"],
  ListObjectsV2: ["s3:ListBucket"],
  GetBucketLifecycleConfiguration: ["s3:GetLifecycleConfiguration"],
  PutBucketLifecycleConfiguration: ["s3:PutLifecycleConfiguration"],
};

function engineOperations(): string[] {
  const dir = new URL("src/engine/", root);
  const sources = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => readFileSync(new URL(name, dir), "utf8"));
  const names = sources.flatMap((text) =>
    [...text.matchAll(/new (?:\w+\.)?(\w+)Command\(/g)].map((match) => match[1]!),
  );
  return [...new Set(names)].sort();
}

interface Policy {
  Statement: { Effect: string; Action: string | string[]; Resource: string | string[] }[];
}

function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, `README has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + heading.length + 2);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe("README's IAM policy", () => {
  const text = section("## Minimal IAM policy");
  const [json] = codeBlocks(text, "json");
  const policy = JSON.parse(json!) as Policy;
  const allowed = new Set(
    policy.Statement.filter((statement) => statement.Effect === "Allow").flatMap((statement) =>
      [statement.Action].flat(),
    ),
  );

  it("allows every action an S3 operation of the engine needs", () => {
    const operations = engineOperations();
    expect(operations.length).toBeGreaterThan(5);
    const unmapped = operations.filter((operation) => ACTIONS_FOR[operation] === undefined);
    expect(unmapped, "operations with no IAM mapping in this test").toEqual([]);
    const missing = operations.flatMap((operation) =>
      ACTIONS_FOR[operation]!.filter((action) => !allowed.has(action)).map(
        (action) => `${operation}: ${action}`,
      ),
    );
    expect(missing).toEqual([]);
  });

  it("has the KMS actions SSE-KMS multipart uploads need", () => {
    expect(allowed).toContain("kms:GenerateDataKey");
    expect(allowed).toContain("kms:Decrypt");
  });

  it("explains every action it allows in the table below it", () => {
    const rows = text.split("\n").filter((line) => line.startsWith("| `"));
    const explained = new Set(
      rows.flatMap((row) => [...row.matchAll(/`([a-z0-9]+:[A-Za-z]+)`/g)].map((m) => m[1]!)),
    );
    expect([...allowed].filter((action) => !explained.has(action))).toEqual([]);
  });
});
