// The CLI without Docker: the `npm pack` tarball a release attaches holds only the bundle, installs with
// `npm install -g` offline (the bundle needs no dependency from the registry), and its `s3-verified-upload`
// runs an upload on the machine's Node (20 here) without the SDK's Node-version warning.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { ciEnv, listKeys, makeTree, readObject, repoRoot, runCommand } from "./helpers.js";

const exec = promisify(execFile);
// npm pack and an offline global install on a busy 2-core machine.
const INSTALL_MS = 180_000;

interface PackResult {
  filename: string;
  files: { path: string }[];
}

describe("the CLI tarball (npm pack)", () => {
  let emulator: Emulator;
  let scratch: string;
  let workspace: string;
  let packed: PackResult;
  let bin: string;
  // The installed command finds `node` on PATH: this test's Node first, so the runtime under test is known.
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: ["pkg-bucket"] });
    scratch = await mkdtemp(path.join(tmpdir(), "svu-pack-"));
    workspace = await makeTree({ "out/a.txt": "hello from the tarball\n" });
    const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", scratch], {
      cwd: repoRoot,
    });
    packed = (JSON.parse(stdout) as PackResult[])[0]!;
    const base = ciEnv(emulator, {});
    env = { ...base, PATH: `${path.dirname(process.execPath)}${path.delimiter}${base["PATH"] ?? ""}` };
    // Without NODE_NO_WARNINGS, which ciEnv sets for the other suites: the warning must not be there to hide.
    delete env["NODE_NO_WARNINGS"];
  }, INSTALL_MS);

  afterAll(async () => {
    await emulator?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  it("holds only the CLI bundle (entry and every chunk it imports), its licenses, the package files and the README", async () => {
    const bundle = (await readdir(path.join(repoRoot, "dist/cli"))).map((name) => `dist/cli/${name}`);
    // The entry loads the run with import(): ncc writes it as <id>.index.js chunks beside index.js.
    expect(bundle.filter((file) => /^dist\/cli\/\d+\.index\.js$/.test(file)).length).toBeGreaterThan(0);
    expect(packed.files.map((file) => file.path).sort()).toEqual(
      ["LICENSE", "README.md", "package.json", ...bundle].sort(),
    );
    expect(bundle).toEqual(
      expect.arrayContaining(["dist/cli/index.js", "dist/cli/licenses.txt", "dist/cli/package.json"]),
    );
  });

  it(
    "installs globally with no registry access (no runtime dependencies to fetch)",
    async () => {
      const prefix = path.join(scratch, "prefix");
      const tarball = path.join(scratch, packed.filename);
      // An empty cache and --offline: any dependency to fetch fails the install (ENOTCACHED).
      const cache = path.join(scratch, "npm-cache");
      await exec(
        "npm",
        [
          "install",
          "-g",
          "--prefix",
          prefix,
          "--offline",
          "--cache",
          cache,
          "--no-audit",
          "--no-fund",
          tarball,
        ],
        { cwd: scratch, env },
      );
      bin = path.join(prefix, "bin", "s3-verified-upload");
      const version = await runCommand(bin, ["--version"], env, workspace);
      const pkg = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as {
        version: string;
      };
      expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
    },
    INSTALL_MS,
  );

  it(
    `uploads with the installed command on Node ${process.versions.node}, with no SDK Node-version warning`,
    async () => {
      expect(bin, "the install test ran first").toBeDefined();
      const run = await runCommand(
        bin,
        ["--bucket", "pkg-bucket", "--endpoint", emulator.endpoint, "--force-path-style", "out/a.txt"],
        env,
        workspace,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(
        /NodeVersionSupportWarning|NodeDeprecationWarning|AWS SDK for JavaScript/,
      );
      expect(run.stderr).not.toContain("Warning:");
      expect(await listKeys(emulator, "pkg-bucket")).toEqual(["out/a.txt"]);
      expect((await readObject(emulator, "pkg-bucket", "out/a.txt")).toString()).toBe(
        "hello from the tarball\n",
      );
    },
    INSTALL_MS,
  );
});
