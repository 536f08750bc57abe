// action.yml, README tables, --help and the settings list must say the same thing.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { helpText } from "../../src/frontend/help.js";
import { INPUTS, envName } from "../../src/frontend/inputs.js";
import { VERSION } from "../../src/frontend/version.js";

interface ActionYml {
  inputs: Record<string, { description: string; required: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
  branding: { icon: string; color: string };
}

const root = new URL("../../", import.meta.url);
const action = parse(readFileSync(new URL("action.yml", root), "utf8")) as ActionYml;
const readme = readFileSync(new URL("README.md", root), "utf8");

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** The cells of each row of the Markdown table after the given line (Prettier may pad them). */
function tableRows(heading: string): string[][] {
  const lines = readme.split("\n");
  const start = lines.indexOf(heading);
  expect(start, `README has a "${heading}" line`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("|")) rows.push(line);
    else if (rows.length > 0) break;
  }
  return rows.slice(2).map(cells);
}

function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((text) => text.trim());
}

describe("action.yml", () => {
  it("runs the bundle on node24 and has branding", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(action.branding.icon).not.toBe("");
  });

  it("declares exactly the settings list, with its descriptions and defaults", () => {
    const expected = Object.fromEntries(
      INPUTS.map((input) => [
        input.name,
        input.required
          ? { description: input.description, required: true }
          : { description: input.description, required: false, default: input.default },
      ]),
    );
    expect(action.inputs).toEqual(expected);
  });
});

describe("README", () => {
  it("has the inputs table of action.yml", () => {
    const expected = Object.entries(action.inputs).map(([name, input]) =>
      cells(
        `| \`${name}\` | \`${envName(name)}\` | ${input.required ? "**required**" : input.default ? `\`${input.default}\`` : "(empty)"} | ${cell(input.description)} |`,
      ),
    );
    expect(
      tableRows("<!-- inputs table: checked against action.yml by test/unit/frontend-docs.test.ts -->"),
    ).toEqual(expected);
  });

  it("has the outputs table of action.yml", () => {
    const expected = Object.entries(action.outputs).map(([name, output]) =>
      cells(`| \`${name}\` | ${cell(output.description)} |`),
    );
    expect(
      tableRows("<!-- outputs table: checked against action.yml by test/unit/frontend-docs.test.ts -->"),
    ).toEqual(expected);
  });

  it("starts with the two commands", () => {
    const commands = [...readme.matchAll(/^```sh\n([\s\S]*?)```/gm)]
      .slice(0, 2)
      .map((match) => match[1]!.trim());
    expect(commands).toEqual(["npm ci && npm start", "npm test"]);
  });
});

describe("--help and version", () => {
  it("lists every setting's flag and environment variable", () => {
    const help = helpText();
    for (const input of INPUTS) {
      expect(help).toContain(`--${input.name}`);
      expect(help).toContain(envName(input.name));
    }
  });

  it("reports the package version, as the image label does", () => {
    const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(readFileSync(new URL("Dockerfile", root), "utf8")).toContain(
      `org.opencontainers.image.version="${pkg.version}"`,
    );
  });
});
