// `npm run bench`: every client uploads the same files to the same server, alternating run by run.

import { createHash } from "node:crypto";
import { access, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeClients, type Client } from "./clients.js";
import { benchDownloads, downloadDirProblem } from "./download-run.js";
import { describeEnvironment, installMissingDebianPackages, staleDistReason } from "./environment.js";
import { freeBaseName, gitState, writeHistory, type GitState } from "./history.js";
import { measure, runToEnd, TIME_BINARY, type Command } from "./measure.js";
import {
  coresLabel,
  cpuList,
  parseOptions,
  parseWorkloadSpec,
  type BenchOptions,
  type CoreSetting,
} from "./options.js";
import { renderMarkdown } from "./report-markdown.js";
import { renderSvg } from "./report-svg.js";
import { externalServer, processCpuSeconds, startEmulator, type Server } from "./server.js";
import { median, summarize, type Sample } from "./summarize.js";
import { createWorkload, warmPageCache, type Workload } from "./test-data.js";

const BUCKET = "bench";
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const TASKSET = "/usr/bin/taskset";

const parsed = parseOptions(process.argv.slice(2), os.availableParallelism());
if (!parsed.ok) {
  console.error(parsed.error);
  process.exit(2);
}
const options = parsed.options;
const badDownloadDir =
  options.downloadDir !== null && options.direction !== "upload"
    ? await downloadDirProblem(options.downloadDir)
    : null;
if (badDownloadDir !== null) {
  console.error(badDownloadDir);
  process.exit(2);
}

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
    ...(options.cores.some((c) => c !== "all") ? [{ binary: TASKSET, pkg: "util-linux" }] : []),
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
  const serverPinning = await pinServer(options, started);
  return measureAll(options, started, [...notes, serverPinning], stale);
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
    // A tree's files are written in the tree's order; none of the measured clients sees this step.
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
      for (const cores of options.cores) {
        // Rotating the order spreads warm-up, thermal and neighbour noise over all clients alike.
        const order = clients.map((_, i) => clients[(i + run - 1) % clients.length]!);
        for (const client of order) {
          const coreText = coresLabel(cores);
          const keyPrefix = `run${run}/${client.id}/c${coreText}/${workload.id}`;
          loads.push(os.loadavg()[0]!);
          const serverBefore = server.pid === null ? null : await processCpuSeconds(server.pid);
          const result = await measure(pinned(client.command(workload, keyPrefix), cores), scratch);
          const serverAfter = server.pid === null ? null : await processCpuSeconds(server.pid);
          const what = `run ${run}/${options.runs} ${workload.id.padEnd(11)} ${coreText.padStart(3)} core(s) ${client.id.padEnd(19)}`;
          if (!result.ok) {
            failures.push(`run ${run}, ${workload.id}, ${coreText} core(s), ${client.id}: ${result.error}`);
            console.error(`bench: ${what} FAILED: ${result.error}`);
            continue;
          }
          const m = result.measurement;
          samples.push({
            workloadId: workload.id,
            clientId: client.id,
            cores: coreText,
            run,
            totalBytes: workload.totalBytes,
            fileCount: workload.fileCount,
            measurement: m,
            serverCpuSeconds:
              serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
          });
          console.error(
            `bench: ${what} ` +
              `${(workload.totalBytes / 1e6 / m.wallSeconds).toFixed(0).padStart(5)} MB/s  ` +
              `${m.wallSeconds.toFixed(2)} s  cpu ${(m.userSeconds + m.sysSeconds).toFixed(2)} s  ` +
              `rss ${(m.maxRssBytes / 1024 ** 2).toFixed(0)} MiB`,
          );
        }
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
          cores: {
            label: coresLabel(options.cores.at(-1)!),
            pin: (command) => pinned(command, options.cores.at(-1)!),
          },
          downloadDir: options.downloadDir,
        });
  if (downloads) {
    samples.push(...downloads.samples);
    failures.push(...downloads.failures);
    skipped.push(...downloads.skipped);
    loads.push(...downloads.loads);
  }

  const date = new Date().toISOString().slice(0, 10);
  const outDir = path.resolve(projectRoot, options.outDir);
  await mkdir(outDir, { recursive: true });
  const baseName = freeBaseName(await readdir(outDir), date, options.quick);
  const summaries = summarize(samples);
  const git = await gitState(projectRoot);
  const environment = [
    `date: ${new Date().toISOString()}; ${options.runs} run(s) per client and core setting, clients alternated run by run`,
    ...(await describeEnvironment(projectRoot)),
    `project commit: ${describeCommit(git)}`,
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
      "CPU and the clients are what is measured. The curl row is raw transport with no hashing and no proof " +
      "(one connection for one file, our concurrency's worth in parallel for many); “server cores” shows " +
      "how busy the server was (a Node server saturates at 1.0)."
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
    cores: options.cores.map(coresLabel),
    skipped,
    failures,
    summaries,
    chartFile: `${baseName}.svg`,
  };
  const markdown = renderMarkdown(report);
  await writeFile(path.join(outDir, `${baseName}.md`), markdown);
  // The raw samples, so the figures can be re-checked or re-summarized without re-running, and the commit, so
  // HISTORY.md can say which change moved which figure.
  await writeFile(
    path.join(outDir, `${baseName}.json`),
    JSON.stringify(
      {
        format: 2,
        date,
        commit: git.commit,
        dirty: git.dirty,
        dirtyPaths: git.dirtyPaths,
        bundleSha256: bundle.digest,
        quick: options.quick,
        options: { runs: options.runs, workloads: options.sizes, only: options.only, cores: report.cores },
        environment,
        workloads: workloads.map(({ id, kind, description, fileCount, totalBytes }) => ({
          id,
          kind,
          description,
          fileCount,
          totalBytes,
        })),
        samples,
        summaries,
        failures,
      },
      null,
      2,
    ) + "\n",
  );
  await writeFile(
    path.join(outDir, `${baseName}.svg`),
    renderSvg({
      title: `Benchmark ${date}, ${describeCommit(git)} (medians of ${options.runs})`,
      workloads: [...uploads, ...(downloads?.workloads ?? [])],
      clients: [...clients, ...(downloads?.clients ?? [])],
      cores: report.cores,
      summaries,
    }),
  );
  const history = await writeHistory(outDir);
  console.log(markdown);
  console.error(
    `bench: wrote ${path.join(options.outDir, baseName)}.md, .svg and .json; ${path.relative(projectRoot, history)}`,
  );
  return failures.length === 0 ? 0 : 1;
}

/** Copies the bundle's directory aside so a rebuild during the bench (others share this tree) cannot touch it. */
async function snapshotBundle(bundle: string): Promise<{ path: string; digest: string | null }> {
  const present = await access(bundle).then(
    () => true,
    () => false,
  );
  if (!present) return { path: bundle, digest: null };
  const copy = path.join(scratch, "ours");
  await cp(path.dirname(bundle), copy, { recursive: true });
  // The entry and the chunks it imports: a change to the engine changes only a chunk.
  const hash = createHash("sha256");
  for (const name of (await readdir(copy)).filter((name) => name.endsWith(".js")).sort()) {
    hash.update(name).update(await readFile(path.join(copy, name)));
  }
  return { path: path.join(copy, path.basename(bundle)), digest: hash.digest("hex").slice(0, 12) };
}

function describeCommit(git: GitState): string {
  if (!git.dirty) return git.commit;
  const shown = git.dirtyPaths.slice(0, 5).join(", ");
  const more = git.dirtyPaths.length > 5 ? ` and ${git.dirtyPaths.length - 5} more` : "";
  return `${git.commit} +dirty (uncommitted: ${shown}${more})`;
}

/** The client under taskset, so it (and every thread and child it starts) runs only on its cores. */
function pinned(command: Command, cores: CoreSetting): Command {
  const list = cpuList(cores);
  return list === null ? command : { ...command, argv: [TASKSET, "-c", list, ...command.argv] };
}

/**
 * The server goes on the last core, away from a 1-core client on core 0. A machine with no more cores than
 * the widest setting cannot keep it apart: there the widest client shares the server's core, and says so.
 */
async function pinServer(options: BenchOptions, server: Server): Promise<string> {
  const counts = options.cores.filter((c): c is number => c !== "all");
  if (counts.length === 0) return "Cores: clients not pinned; the server runs wherever the kernel puts it.";
  const clients = "each client is pinned to cores 0…n-1 (taskset -c)";
  if (server.pid === null) return `Cores: ${clients}; the external server is not pinned.`;
  const machineCores = os.availableParallelism();
  const serverCore = machineCores - 1;
  const outcome = await runToEnd(
    [TASKSET, "-a", "-p", "-c", String(serverCore), String(server.pid)],
    process.env,
  );
  if (outcome.code !== 0) {
    return `Cores: ${clients}; the server could not be pinned (taskset: ${outcome.output.trim().slice(-200)}), so it shares every core.`;
  }
  const widest = Math.max(...counts);
  return widest <= serverCore
    ? `Cores: ${clients} and the server to core ${serverCore}, which no client uses.`
    : `Cores: ${clients} and the server to core ${serverCore}. This machine has ${machineCores} cores, so at ` +
        `${widest} cores the client shares core ${serverCore} with the server (“server cores” says how much it ` +
        `took): those rows understate what the client alone would do with ${widest} cores, while the rows ` +
        "with fewer cores have the client alone on its cores.";
}
