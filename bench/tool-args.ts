// Command-line pieces the one-off measuring tools in bench/ share.
import { spawn } from "node:child_process";
import path from "node:path";

/** The value after `--name`, or `fallback`. */
export function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

/** Every `--variant name=path/to/cli.js`, paths taken from `root`; at least one. */
export function cliVariants(root: string): Array<{ name: string; cli: string }> {
  const variants = process.argv
    .flatMap((arg, index) => (arg === "--variant" ? [process.argv[index + 1] ?? ""] : []))
    .map((spec) => {
      const [name, cli] = spec.split("=", 2);
      if (!name || !cli) throw new Error(`--variant ${spec}: expected name=path/to/cli.js`);
      return { name, cli: path.resolve(root, cli) };
    });
  if (variants.length === 0) throw new Error("give at least one --variant name=cli.js");
  return variants;
}

/** Runs argv to its end; resolves with its stderr, rejects when it fails. */
export function runToEnd(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(stderr) : reject(new Error(`exit ${code}:\n${stderr.slice(-3000)}`)),
    );
  });
}
