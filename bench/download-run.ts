// The download half of `npm run bench`: ours uploads each single-file workload once to an emulator that keeps
// the bytes (on disk, so 4 GiB is not held in RAM), then every download client fetches it, alternating run by run.

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, statfs } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ourUploadArgs } from "./clients.js";
import { DOWNLOAD_CLIENT_IDS, makeDownloadClients, type DownloadClient } from "./download-clients.js";
import { measure, runToEnd, type Command } from "./measure.js";
import type { ClientId } from "./options.js";
import { processCpuSeconds, startServer, type Server } from "./server.js";
import type { Sample } from "./summarize.js";
import type { Workload } from "./test-data.js";

export interface DownloadBenchInput {
  projectRoot: string;
  scratch: string;
  bucket: string;
  runs: number;
  /** Single-file workloads; each is uploaded once and downloaded by every client in every run. */
  workloads: Workload[];
  only: readonly ClientId[];
  cli: { path: string; shown: string };
  home: string;
  /** A server given with --endpoint (it keeps payloads); null starts an emulator that keeps them. */
  external: Server | null;
  /** Downloads run at one core setting (the widest the run has): its label and how to pin a command to it. */
  cores: { label: string; pin: (command: Command) => Command };
  /** The folder the clients write into (--download-dir); null: the scratch folder, on the disk. */
  downloadDir: string | null;
}

export interface DownloadWorkload {
  id: string;
  description: string;
  fileCount: number;
  totalBytes: number;
}

export interface DownloadBenchResult {
  workloads: DownloadWorkload[];
  clients: { id: ClientId; label: string; settings: string }[];
  skipped: { id: string; reason: string }[];
  samples: Sample[];
  failures: string[];
  /** 1-minute load average as each client started. */
  loads: number[];
  serverNote: string;
}

/**
 * The workload id a download of `workload` is reported under, e.g. "1GiB download", or "1GiB download (tmpfs)"
 * into a chosen folder, so the history never puts a RAM-backed run in a row with runs into the disk.
 */
export const downloadWorkloadId = (workload: { id: string }, fileSystem: string | null): string =>
  fileSystem === null ? `${workload.id} download` : `${workload.id} download (${fileSystem})`;

/** Where the download clients write: a folder of this bench run's own, removed once the downloads are done. */
export interface Destination {
  root: string;
  /** The chosen folder and its file system, e.g. "/dev/shm (tmpfs)". */
  label: string;
  /** The file system type when the folder was chosen (--download-dir), null for the default. */
  fileSystem: string | null;
  remove(): Promise<void>;
}

export async function prepareDestination(
  downloadDir: string | null,
  scratch: string,
): Promise<{ ok: true; destination: Destination } | { ok: false; error: string }> {
  if (downloadDir === null) {
    const root = path.join(scratch, "downloads");
    await mkdir(root, { recursive: true });
    const label = await describeDestination(scratch);
    return { ok: true, destination: { root, label, fileSystem: null, remove: () => rm(root, FORCE) } };
  }
  const problem = await downloadDirProblem(downloadDir);
  if (problem !== null) return { ok: false, error: problem };
  const root = await mkdtemp(path.join(downloadDir, "s3vu-bench-downloads-")).catch((error: Error) => error);
  if (root instanceof Error) {
    return {
      ok: false,
      error: `--download-dir ${downloadDir}: cannot create a folder in it (${root.message}): choose a folder this user may write to`,
    };
  }
  const label = await describeDestination(downloadDir);
  const fileSystem = (await fileSystemOf(downloadDir))?.type ?? "unknown file system";
  return { ok: true, destination: { root, label, fileSystem, remove: () => rm(root, FORCE) } };
}

const FORCE = { recursive: true, force: true } as const;

/** Why `downloadDir` cannot take the downloads (with the fix), or null. */
export async function downloadDirProblem(downloadDir: string): Promise<string | null> {
  const isFolder = await stat(downloadDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return isFolder
    ? null
    : `--download-dir ${downloadDir} is not an existing folder: create it, or choose another (e.g. /dev/shm for a RAM-backed destination)`;
}

/** `dir` with its file system type and source, e.g. "/dev/shm (tmpfs)" or "/tmp (ext4, /dev/vda)". */
export async function describeDestination(dir: string): Promise<string> {
  const fs = await fileSystemOf(dir);
  if (fs === null) return `${dir} (file system unknown)`;
  return fs.source === fs.type ? `${dir} (${fs.type})` : `${dir} (${fs.type}, ${fs.source})`;
}

// statfs's magic numbers for when findmnt is missing.
const FILE_SYSTEM_MAGIC = new Map<number, string>([
  [0x01021994, "tmpfs"],
  [0xef53, "ext4"],
  [0x58465342, "xfs"],
  [0x9123683e, "btrfs"],
  [0x794c7630, "overlay"],
]);

async function fileSystemOf(dir: string): Promise<{ type: string; source: string } | null> {
  const listed = await new Promise<string | null>((resolve) =>
    execFile("findmnt", ["-n", "-o", "FSTYPE,SOURCE", "-T", dir], (error, stdout) =>
      resolve(error ? null : stdout.trim()),
    ),
  );
  const [type, source] = listed?.split(/\s+/) ?? [];
  if (type && source) return { type, source };
  const magic = await statfs(dir).then(
    (s) => s.type,
    () => null,
  );
  const known = magic === null ? undefined : FILE_SYSTEM_MAGIC.get(magic);
  return known === undefined ? null : { type: known, source: "source unknown" };
}

/** The key the workload's file is stored under for the download runs. */
const keyOf = (workload: Workload): string => `download/${workload.id}/${path.basename(workload.paths[0]!)}`;

export async function benchDownloads(input: DownloadBenchInput): Promise<DownloadBenchResult> {
  const result: DownloadBenchResult = {
    workloads: [],
    clients: [],
    skipped: [],
    samples: [],
    failures: [],
    loads: [],
    serverNote: "",
  };
  const wanted = DOWNLOAD_CLIENT_IDS.filter((id) => input.only.includes(id));
  if (wanted.length === 0 || input.workloads.length === 0) return result;
  if (!wanted.includes("ours")) {
    result.skipped.push({
      id: "downloads",
      reason: "ours uploads the objects the downloads fetch: add ours to --only",
    });
    return result;
  }
  const prepared = await prepareDestination(input.downloadDir, input.scratch);
  if (!prepared.ok) {
    result.failures.push(prepared.error);
    return result;
  }
  const destination = prepared.destination;
  const server = input.external ?? (await startStoringEmulator(input));
  try {
    result.serverNote =
      (input.external
        ? `Downloads: ${input.external.description}, `
        : "Downloads: the project's S3 emulator keeping payloads (in files on disk), in its own process, ") +
      "serving " +
      "objects that ours uploaded just before with its defaults (CRC64NVME FULL_OBJECT, 16 MiB parts), so the " +
      "stored checksum is real and ours proves every byte against it. Each client writes into an empty folder " +
      `under ${destination.label}` +
      (input.downloadDir === null ? ", on the same disk as the test data" : "") +
      "; ours fsyncs the file before renaming it into place (a no-op on tmpfs), the peers do not. The curl row " +
      "is raw transport (one GET, nothing hashed or proven): what the network and the destination's writes cost " +
      "in the same rounds, so a client's row can be told from the machine's state at the time (on tmpfs the " +
      "kernel's copy into fresh pages drifts with the host's memory).";
    const clients = (await makeDownloadClients({ ...input, server })).filter((c) => wanted.includes(c.id));
    const runnable: DownloadClient[] = [];
    for (const client of clients) {
      const reason = await missing(client);
      if (reason === null) runnable.push(client);
      else result.skipped.push({ id: `${client.id} (download)`, reason });
    }
    result.clients = runnable.map(({ id, label, settings }) => ({ id, label, settings }));
    for (const workload of input.workloads) {
      const seeded = await seed(input, server, workload);
      if (seeded !== null) {
        result.failures.push(
          `${downloadWorkloadId(workload, destination.fileSystem)}: uploading the object to download failed: ${seeded}`,
        );
        continue;
      }
      result.workloads.push({
        id: downloadWorkloadId(workload, destination.fileSystem),
        description: `download of one ${formatGiB(workload.totalBytes)} object (verified by ours) into ${destination.label}`,
        fileCount: 1,
        totalBytes: workload.totalBytes,
      });
    }
    const seededIds = new Set(result.workloads.map((w) => w.id));
    const idOf = (workload: Workload) => downloadWorkloadId(workload, destination.fileSystem);
    for (let run = 1; run <= input.runs; run++) {
      for (const workload of input.workloads.filter((w) => seededIds.has(idOf(w)))) {
        // Rotating the order spreads warm-up, thermal and neighbour noise over all clients alike.
        const order = runnable.map((_, i) => runnable[(i + run - 1) % runnable.length]!);
        for (const client of order) {
          const into = path.join(destination.root, `run${run}-${client.id}-${workload.id}`);
          await measureOne(input, { server, client, workload, id: idOf(workload), into }, run, result);
        }
      }
    }
  } finally {
    if (server !== input.external) await server.stop();
    await destination.remove();
  }
  return result;
}

interface OneDownload {
  server: Server;
  client: DownloadClient;
  workload: Workload;
  /** The workload id it is reported under. */
  id: string;
  /** The empty folder it writes into. */
  into: string;
}

async function measureOne(
  input: DownloadBenchInput,
  { server, client, workload, id, into }: OneDownload,
  run: number,
  result: DownloadBenchResult,
): Promise<void> {
  await mkdir(into, { recursive: true });
  const key = keyOf(workload);
  try {
    result.loads.push(os.loadavg()[0]!);
    const serverCpu = () => (server.pid === null ? Promise.resolve(null) : processCpuSeconds(server.pid));
    const serverBefore = await serverCpu();
    const measured = await measure(input.cores.pin(client.command(key, into)), input.scratch);
    const serverAfter = await serverCpu();
    const size = await stat(client.output(key, into)).then(
      (s) => s.size,
      () => null,
    );
    const error = !measured.ok
      ? measured.error
      : size !== workload.totalBytes
        ? `wrote ${size ?? "no"} bytes to ${client.output(key, into)}, expected ${workload.totalBytes}`
        : null;
    if (error !== null || !measured.ok) {
      result.failures.push(`run ${run}, ${id}, ${client.id}: ${error}`);
      console.error(`bench: run ${run} ${id} ${client.id} FAILED: ${error}`);
      return;
    }
    const m = measured.measurement;
    result.samples.push({
      workloadId: id,
      clientId: client.id,
      cores: input.cores.label,
      run,
      totalBytes: workload.totalBytes,
      fileCount: 1,
      measurement: m,
      serverCpuSeconds: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
    });
    console.error(
      `bench: run ${run}/${input.runs} ${id.padEnd(16)} ${client.id.padEnd(14)} ` +
        `${(workload.totalBytes / 1e6 / m.wallSeconds).toFixed(0).padStart(5)} MB/s  ` +
        `${m.wallSeconds.toFixed(2)} s  cpu ${(m.userSeconds + m.sysSeconds).toFixed(2)} s  ` +
        `rss ${(m.maxRssBytes / 1024 ** 2).toFixed(0)} MiB`,
    );
  } finally {
    // Also drops the file's dirty pages, so one client's writeback does not slow the next.
    await rm(into, { recursive: true, force: true });
  }
}

/** The emulator without --sink: objects are kept in files under the bench's scratch dir. */
async function startStoringEmulator(input: DownloadBenchInput): Promise<Server> {
  const dataDir = path.join(input.scratch, "download-store");
  await mkdir(dataDir, { recursive: true });
  const main = path.join(input.projectRoot, "test/emulator/main.ts");
  const server = await startServer({
    argv: [
      process.execPath,
      "--import",
      "tsx",
      main,
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--bucket",
      input.bucket,
    ],
    cwd: input.projectRoot,
  });
  return { ...server, description: "test/emulator/main.ts --data-dir (payloads kept), in its own process" };
}

/** Uploads the workload's file with ours at its defaults; null when it worked, else why not. */
async function seed(input: DownloadBenchInput, server: Server, workload: Workload): Promise<string | null> {
  const started = Date.now();
  const argv = [
    process.execPath,
    input.cli.path,
    ...ourUploadArgs(server, input.bucket, `${path.posix.dirname(keyOf(workload))}/`, workload, []),
  ];
  const env = {
    PATH: process.env.PATH,
    HOME: input.home,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const outcome = await runToEnd(argv, env);
  if (outcome.code !== 0) return `exit ${outcome.code}: ${outcome.output.slice(-1500)}`;
  console.error(
    `bench: uploaded ${keyOf(workload)} for the downloads in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return null;
}

async function missing(client: DownloadClient): Promise<string | null> {
  const binary = client.command("k", "/").argv[client.id === "ours" ? 1 : 0]!;
  return stat(binary).then(
    () => null,
    () => `${binary} not found`,
  );
}

function formatGiB(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : `${bytes / 1024 ** 2} MiB`;
}
