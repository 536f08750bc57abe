// `npx tsx scripts/render-summary.ts`: a real run of the action (from source) against the embedded emulator, with
// files uploaded, unchanged and one that fails, then its job summary rendered like GitHub's run page and
// screenshotted with headless Chromium into docs/job-summary.png. Needs Debian's `chromium` (not used in CI).
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { marked } from "marked";
import { startEmulator } from "../test/emulator/index.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const OUTPUT = path.join(ROOT, "docs", "job-summary.png");
const BUCKET = "release-artifacts";
const WIDTH = 1000;
// The tsx loader by path: the action runs in the temp workspace, where no node_modules is found.
const TSX = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const FAILING_KEY = "releases/v1.4.2/app-1.4.2-linux-x64.tar.gz";

/** Deterministic bytes, so the pictured checksums repeat from run to run. */
function bytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const FILES: Record<string, Buffer | string> = {
  "dist/app-1.4.2-linux-x64.tar.gz": bytes(14 * MiB + 321, 1),
  "dist/app-1.4.2-darwin-arm64.tar.gz": bytes(12 * MiB + 77, 2),
  "dist/app-1.4.2-windows-x64.zip": bytes(13 * MiB + 5, 3),
  "dist/web/index.html": "<!doctype html><title>app</title>\n",
  "dist/web/assets/main.3f9a1c.js": bytes(180 * KiB, 4),
  "dist/web/assets/main.3f9a1c.css": bytes(24 * KiB, 5),
  "dist/docs/CHANGELOG.md": "# 1.4.2\n\n- Fixes.\n",
  "dist/docs/LICENSE.txt": "MIT\n",
  "dist/web/notes <beta> | draft.txt": "A name with <, > and | stays one table cell.\n",
};

/** Runs src/action.ts as the runner would run the bundle: inputs and files through the environment. */
async function runAction(
  workspace: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
): Promise<{ code: number | null; log: string; summary: string }> {
  const summaryFile = path.join(workspace, `.summary-${Math.random().toString(36).slice(2)}`);
  const outputFile = path.join(workspace, ".outputs");
  await writeFile(summaryFile, "");
  await writeFile(outputFile, "");
  // Not spawnSync: the emulator answering the action runs in this process.
  const child = spawn(process.execPath, ["--import", TSX, path.join(ROOT, "src/action.ts")], {
    cwd: workspace,
    env: {
      PATH: process.env["PATH"],
      HOME: process.env["HOME"],
      NODE_NO_WARNINGS: "1",
      GITHUB_WORKSPACE: workspace,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_OUTPUT: outputFile,
      RUNNER_TEMP: workspace,
      ...env,
      ...Object.fromEntries(
        Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
      ),
    },
  });
  let log = "";
  child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, log, summary: await readFile(summaryFile, "utf8") };
}

/** Enough of GitHub's Markdown styling that the picture reads like the run page. */
const CSS = `
body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.box { margin: 16px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
.box > header { padding: 12px 16px; border-bottom: 1px solid #d1d9e0; font-weight: 600; }
.markdown-body { padding: 8px 24px 16px; }
h3 { font-size: 1.25em; margin: 16px 0 8px; }
h4 { font-size: 1em; margin: 20px 0 8px; }
p, ul, details { margin: 0 0 12px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eff1f3; padding: .2em .4em; border-radius: 6px; }
table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; margin: 0 0 12px; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; vertical-align: top; }
th { font-weight: 600; background: #f6f8fa; }
tr:nth-child(2n) td { background: #f6f8fa; }
a { color: #0969da; text-decoration: none; }
summary { cursor: pointer; }
`;

function page(summaryHtml: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>
<div class="box"><header>upload summary</header><div class="markdown-body">${summaryHtml}</div></div>
<script>document.title = String(document.documentElement.scrollHeight);</script>
</body></html>`;
}

const emulator = await startEmulator({ buckets: [BUCKET] });
const workspace = await mkdtemp(path.join(tmpdir(), "svu-summary-"));
try {
  for (const [name, content] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(workspace, name)), { recursive: true });
    await writeFile(path.join(workspace, name), content);
  }
  const env = {
    AWS_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emulator.credentials.secretAccessKey,
    AWS_REGION: emulator.region,
  };
  const inputs = {
    bucket: BUCKET,
    endpoint: emulator.endpoint,
    "force-path-style": "true",
    "base-dir": "dist",
    prefix: "releases/v1.4.2",
    "part-size": "5MiB",
    overwrite: "false",
  };
  // The docs were published by an earlier run: this one finds them stored and identical.
  const earlier = await runAction(workspace, { ...inputs, path: "dist/docs/**" }, env);
  if (earlier.code !== 0) throw new Error(`the seeding run failed:\n${earlier.log}`);
  // The stored copy of one archive comes back altered, as a faulty store or disk would return it.
  emulator.faults.add({ operation: "*", action: "corrupt-stored", key: FAILING_KEY });
  const run = await runAction(workspace, { ...inputs, path: "dist/**" }, env);
  console.log(run.log.trimEnd().split("\n").slice(-6).join("\n"));

  const html = page(await marked.parse(run.summary));
  const htmlFile = path.join(workspace, "summary.html");
  await writeFile(htmlFile, html);
  await writeFile(path.join(workspace, "summary.md"), run.summary);
  await mkdir(path.dirname(OUTPUT), { recursive: true });
  const chromium = (args: string[]): string =>
    // Chromium logs D-Bus complaints on a machine without a desktop session; they are noise here.
    execFileSync("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", ...args], {
      encoding: "utf8",
      stdio: "pipe",
    });
  // The page reports its own height (in its title) so the screenshot holds all of it and no more.
  const dom = chromium([`--window-size=${WIDTH},900`, "--dump-dom", pathToFileURL(htmlFile).href]);
  const height = Number(/<title>(\d+)<\/title>/.exec(dom)?.[1] ?? 1200);
  chromium([`--window-size=${WIDTH},${height}`, `--screenshot=${OUTPUT}`, pathToFileURL(htmlFile).href]);
  console.log(`\nScreenshot: ${path.relative(ROOT, OUTPUT)}; set S3VU_KEEP=1 to keep ${workspace}`);
} finally {
  await emulator.stop();
  if (!process.env["S3VU_KEEP"]) await rm(workspace, { recursive: true, force: true });
}
