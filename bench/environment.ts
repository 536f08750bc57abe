// What the results depend on besides the code: machine, tool versions, and whether dist/ matches src/.

import { access, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runToEnd } from "./measure.js";

export async function describeEnvironment(projectRoot: string): Promise<string[]> {
  const cpuModel = os.cpus()[0]?.model ?? "unknown CPU";
  const osRelease = await readFile("/etc/os-release", "utf8").catch(() => "");
  const distro = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? os.type();
  const libStorage = JSON.parse(
    await readFile(path.join(projectRoot, "node_modules/@aws-sdk/lib-storage/package.json"), "utf8"),
  ) as { version: string };
  return [
    `machine: ${os.cpus().length} × ${cpuModel}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ${distro}, Linux ${os.release()}`,
    `node ${process.version}; @aws-sdk/lib-storage ${libStorage.version}; ${await firstLine(["/usr/bin/aws", "--version"])}; ${await firstLine(["/usr/bin/rclone", "version"])}; ${await firstLine(["/usr/bin/curl", "--version"])}`,
  ];
}

async function firstLine(argv: string[]): Promise<string> {
  const outcome = await runToEnd(argv, process.env);
  if (outcome.code !== 0) return `${path.basename(argv[0]!)} not available`;
  // curl's first line goes on to list every library it links; the version is enough here.
  return outcome.output.split("\n")[0]!.split(" (")[0]!.trim();
}

/** dist/ is what users run; it must be what `npm run build` makes of src/ now, or we measure old code. */
export async function staleDistReason(projectRoot: string, scratchDir: string): Promise<string | null> {
  const bundle = path.join(projectRoot, "dist/cli/index.js");
  const committed = await readFile(bundle).catch(() => null);
  if (committed === null) return `${bundle} is missing: run "npm run build"`;
  const fresh = path.join(scratchDir, "fresh-cli");
  // The same ncc command as the build script's CLI half, into a scratch dir so dist/ is left alone.
  const ncc = path.join(projectRoot, "node_modules/.bin/ncc");
  const outcome = await runToEnd(
    [ncc, "build", "src/cli.ts", "-o", fresh, "--license", "licenses.txt", "-q"],
    process.env,
    projectRoot,
  );
  if (outcome.code !== 0)
    return `could not rebuild src/cli.ts to compare with dist/: ${outcome.output.slice(-300)}`;
  // The entry and every chunk it imports (ncc's <id>.index.js files) must match.
  const names = new Set([...(await readdir(fresh)), ...(await readdir(path.dirname(bundle)))]);
  for (const name of [...names].filter((name) => name.endsWith(".js")).sort()) {
    const rebuilt = await readFile(path.join(fresh, name)).catch(() => null);
    const current = await readFile(path.join(path.dirname(bundle), name)).catch(() => null);
    if (rebuilt === null || current === null || !rebuilt.equals(current)) {
      return `dist/cli/${name} differs from a fresh build of src/: run "npm run build"`;
    }
  }
  return null;
}

/** The harness may install the Debian tools it measures with or against, and says so. */
export async function installMissingDebianPackages(
  wanted: { binary: string; pkg: string }[],
): Promise<string[]> {
  const missing: { binary: string; pkg: string }[] = [];
  for (const item of wanted) {
    const present = await access(item.binary).then(
      () => true,
      () => false,
    );
    if (!present) missing.push(item);
  }
  if (missing.length === 0) return [];
  const packages = missing.map((m) => m.pkg);
  if (process.getuid?.() !== 0) {
    return [
      `not installing ${packages.join(", ")}: not root; run "sudo apt-get install -y ${packages.join(" ")}"`,
    ];
  }
  console.error(`bench: installing Debian packages ${packages.join(", ")} (apt-get install -y)…`);
  const outcome = await runToEnd(["apt-get", "install", "-y", "--no-install-recommends", ...packages], {
    ...process.env,
    DEBIAN_FRONTEND: "noninteractive",
  });
  return outcome.code === 0
    ? [`installed Debian packages ${packages.join(", ")} with apt-get`]
    : [`apt-get install ${packages.join(" ")} failed (${outcome.output.slice(-300).trim()})`];
}
