// `npm run bench`: every client uploads the same files to the same server, alternating run by run.

import { createHash } from "node:crypto";
import { access, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeClients, type Client } from "./clients.js";
import { benchDownloads } from "./download-run.js";
import { describeEnvironment, installMissingDebianPackages, staleDistReason } from "./environment.js";
import { measure, TIME_BINARY } from "./measure.js";
import { parseOptions, parseWorkloadSpec, type BenchOptions } from "./options.js";
import { renderMarkdown } from "./report-markdown.js";
import { renderSvg } from "./report-svg.js";
import { externalServer, processCpuSeconds, startEmulator, type Server } from "./server.js";
import { median, summarize, type Sample } from "./summarize.js";
import { createWorkload, warmPageCache, type Workload } from "./test-data.js";

const BUCKET = "bench";
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const parsed = parseOptions(process.argv.slice(2));
if (!parsed.ok) {
  console.error(parsed.error);
  process.exit(2);
}
const options = parsed.options;

const scratch = await mkdtemp(path.join(os.tmpdir(), "s3vu-bench-"));
let runningServer: Server | null = null;
const cleanUp = async () => {
  await runningServer?.stop();
  await rm(scratch, { recursive: true, force: true });
};
process.once("SIGINT", () => void cleanUp().finally(() => process.exit(130)));

try {
  process.exitCode = await benchmark(options);
} finally {
  await cleanUp();
}

async function benchmark(options: BenchOptions): Promise<number> {
  const notes = await installMissingDebianPackages([
    { binary: TIME_BINARY, pkg: "time" },
    ...(options.only.includes("rclone") ? [{ binary: "/usr/bin/rclone", pkg: "rclone" }] : []),
  ]);
  notes.forEach((n) => console.error(`bench: ${n}`));
  if (
    !(await access(TIME_BINARY).then(
      () => true,
      () => false,
    ))
  ) {
    console.error(`bench: ${TIME_BINARY} is required to measure CPU and RSS: apt-get install -y time`);
    return 1;
  }
  const checkDist = options.only.some((id) => id.startsWith("ours")) && options.cli === "dist/cli/index.js";
  if (checkDist) console.error("bench: checking dist/ against a fresh build of src/cli.ts (about 20 s)…");
  const stale = checkDist ? await staleDistReason(projectRoot, scratch) : null;
  if (stale) console.error(`bench: WARNING ${stale}`);

  const started = options.endpoint
    ? externalServer(options.endpoint, process.env)
    : await startEmulator(projectRoot, BUCKET);
  if (started instanceof Error) {
    console.error(`bench: ${started.message}`);
    return 2;
  }
  runningServer = started;
  return measureAll(options, started, notes, stale);
}

async function measureAll(
  options: BenchOptions,
  server: Server,
  notes: string[],
  stale: string | null,
): Promise<number> {
  const bundle = await snapshotBundle(path.resolve(projectRoot, options.cli));
  const home = path.join(scratch, "home");
  await mkdir(home);
  const allClients = await makeClients({
    projectRoot,
    server,
    bucket: BUCKET,
    home,
    partSize: options.partSize,
    concurrency: options.concurrency,
    cli: { path: bundle.path, shown: options.cli },
  });
  const clients: Client[] = [];
  const skipped: { id: string; reason: string }[] = [];
  for (const client of allClients.filter((c) => options.only.includes(c.id))) {
    const reason = await client.missing();
    if (reason === null) clients.push(client);
    else {
      skipped.push({ id: client.id, reason });
      console.error(`bench: skipping ${client.id}: ${reason}`);
    }
  }
  if (clients.length === 0) {
    console.error("bench: no client can run here");
    return 1;
  }

  const workloads: Workload[] = [];
  for (const spec of options.sizes.map((s) => parseWorkloadSpec(s)!)) {
    const started = Date.now();
    workloads.push(await createWorkload(path.join(scratch, "data"), spec));
    console.error(
      `bench: wrote ${spec.id} of random data in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  const samples: Sample[] = [];
  const failures: string[] = [];
  // Others may share this machine; the load when each client starts says how much to trust the wall times.
  const loads: number[] = [];
  const uploads = options.direction === "download" ? [] : workloads;
  for (let run = 1; run <= options.runs; run++) {
    for (const workload of uploads) {
      await warmPageCache(workload);
      // Rotating the order spreads warm-up, thermal and neighbour noise over all clients alike.
      const order = clients.map((_, i) => clients[(i + run - 1) % clients.length]!);
      for (const client of order) {
        const keyPrefix = `run${run}/${client.id}/${workload.id}`;
        loads.push(os.loadavg()[0]!);
        const serverBefore = server.pid === null ? null : await processCpuSeconds(server.pid);
        const result = await measure(client.command(workload, keyPrefix), scratch);
        const serverAfter = server.pid === null ? null : await processCpuSeconds(server.pid);
        if (!result.ok) {
          failures.push(`run ${run}, ${workload.id}, ${client.id}: ${result.error}`);
          console.error(`bench: run ${run} ${workload.id} ${client.id} FAILED: ${result.error}`);
          continue;
        }
        const m = result.measurement;
        samples.push({
          workloadId: workload.id,
          clientId: client.id,
          run,
          totalBytes: workload.totalBytes,
          fileCount: workload.fileCount,
          measurement: m,
          serverCpuSeconds: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
        });
        console.error(
          `bench: run ${run}/${options.runs} ${workload.id.padEnd(11)} ${client.id.padEnd(19)} ` +
            `${(workload.totalBytes / 1e6 / m.wallSeconds).toFixed(0).padStart(5)} MB/s  ` +
            `${m.wallSeconds.toFixed(2)} s  cpu ${(m.userSeconds + m.sysSeconds).toFixed(2)} s  ` +
            `rss ${(m.maxRssBytes / 1024 ** 2).toFixed(0)} MiB`,
        );
      }
    }
  }

  const downloads =
    options.direction === "upload"
      ? null
      : await benchDownloads({
          projectRoot,
          scratch,
          bucket: BUCKET,
          runs: options.runs,
          workloads: workloads.filter((w) => w.fileCount === 1),
          only: options.only,
          cli: { path: bundle.path, shown: options.cli },
          home,
          external: server.pid === null ? server : null,
        });
  if (downloads) {
    samples.push(...downloads.samples);
    failures.push(...downloads.failures);
    skipped.push(...downloads.skipped);
    loads.push(...downloads.loads);
  }

  const date = new Date().toISOString().slice(0, 10);
  const baseName = options.quick ? `${date}-quick` : date;
  const summaries = summarize(samples);
  const environment = [
    `date: ${new Date().toISOString()}; ${options.runs} run(s) per client, clients alternated run by run`,
    ...(await describeEnvironment(projectRoot)),
    `machine load (1-min load average as each client started): median ${median(loads).toFixed(1)}, max ` +
      `${Math.max(...loads).toFixed(1)} on ${os.cpus().length} cores; above the core count, other work competed ` +
      "and wall-clock figures are noisy (CPU-s/GiB and RSS much less so)",
    `server: ${server.description}`,
    ...(bundle.digest ? [`ours: ${options.cli}, sha256 ${bundle.digest}…`] : []),
    ...(stale ? [`WARNING: ${stale}`] : []),
  ];
  const serverNote = server.pid
    ? "Server: the project's S3 emulator in sink mode, in its own process. Sink mode parses and signs like " +
      "S3 and records the checksums clients send, but discards payloads unhashed, so the server costs little " +
      "CPU and the clients are what is measured. The curl row is raw transport over one connection with no " +
      "hashing at all; “server cores” shows how busy the server was (a Node server saturates at 1.0)."
    : "Server: an external server given with --endpoint; its CPU was not measured.";
  const report = {
    date,
    environment,
    notes: [
      serverNote,
      "Test data: random bytes written once per bench run to a temp dir and read once before each run; the " +
        "page cache cannot be dropped without privileges, so every client reads from a warm cache alike.",
      ...(downloads?.serverNote ? [downloads.serverNote] : []),
      ...notes,
    ],
    workloads: [...uploads, ...(downloads?.workloads ?? [])],
    clients: [...(uploads.length > 0 ? clients : []), ...(downloads?.clients ?? [])],
    skipped,
    failures,
    summaries,
    chartFile: `${baseName}.svg`,
  };
  const markdown = renderMarkdown(report);
  const outDir = path.resolve(projectRoot, options.outDir);
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, `${baseName}.md`), markdown);
  // The raw samples, so the figures can be re-checked or re-summarized without re-running.
  await writeFile(
    path.join(outDir, `${baseName}.json`),
    JSON.stringify({ environment, workloads, samples, failures }, null, 2) + "\n",
  );
  await writeFile(
    path.join(outDir, `${baseName}.svg`),
    renderSvg({
      title: `Upload benchmark ${date} (medians of ${options.runs})`,
      workloads: [...uploads, ...(downloads?.workloads ?? [])],
      clients: [...clients, ...(downloads?.clients ?? [])],
      summaries,
    }),
  );
  console.log(markdown);
  console.error(`bench: wrote ${path.join(options.outDir, baseName)}.md, .svg and .json`);
  return failures.length === 0 ? 0 : 1;
}

/** Copies the bundle's directory aside so a rebuild during the bench (others share this tree) cannot touch it. */
async function snapshotBundle(bundle: string): Promise<{ path: string; digest: string | null }> {
  const bytes = await readFile(bundle).catch(() => null);
  if (bytes === null) return { path: bundle, digest: null };
  const copy = path.join(scratch, "ours");
  await cp(path.dirname(bundle), copy, { recursive: true });
  return {
    path: path.join(copy, path.basename(bundle)),
    digest: createHash("sha256").update(bytes).digest("hex").slice(0, 12),
  };
}
