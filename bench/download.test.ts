import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeDownloadClients } from "./download-clients.js";
import { describeDestination, downloadWorkloadId, prepareDestination } from "./download-run.js";
import { checkDownloadTargets } from "./download-targets.js";
import { parseOptions } from "./options.js";
import { renderMarkdown } from "./report-markdown.js";
import type { Summary } from "./summarize.js";

describe("download options", () => {
  it("measures both directions unless --direction says otherwise", () => {
    const both = parseOptions([], 2);
    expect(both.ok && both.options.direction).toBe("both");
    const download = parseOptions(["--direction", "download"], 2);
    expect(download.ok && download.options.direction).toBe("download");
    const bad = parseOptions(["--direction=sideways"], 2);
    expect(!bad.ok && bad.error).toContain('--direction "sideways"');
  });
  it("writes downloads under --download-dir when given, else on the bench's scratch disk", () => {
    const defaults = parseOptions([], 2);
    expect(defaults.ok && defaults.options.downloadDir).toBeNull();
    const shm = parseOptions(["--download-dir", "/dev/shm"], 2);
    expect(shm.ok && shm.options.downloadDir).toBe("/dev/shm");
    const relative = parseOptions(["--download-dir=out"], 2);
    expect(relative.ok && relative.options.downloadDir).toBe(path.resolve("out"));
    const empty = parseOptions(["--download-dir="], 2);
    expect(!empty.ok && empty.error).toContain("--download-dir");
  });
});

describe("download destination", () => {
  const scratch = mkdtemp(path.join(os.tmpdir(), "bench-destination-"));
  afterAll(async () => rm(await scratch, { recursive: true, force: true }));

  it("refuses a --download-dir that is not a folder, naming it and the fix", async () => {
    const missing = path.join(await scratch, "nowhere");
    const refused = await prepareDestination(missing, await scratch);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toContain(missing);
    expect(!refused.ok && refused.error).toContain("/dev/shm");
  });
  it("gives every run a private folder under --download-dir and removes it afterwards", async () => {
    const given = await mkdtemp(path.join(await scratch, "given-"));
    const prepared = await prepareDestination(given, await scratch);
    if (!prepared.ok) throw new Error(prepared.error);
    expect(path.dirname(prepared.destination.root)).toBe(given);
    expect(prepared.destination.label).toContain(given);
    await prepared.destination.remove();
    await expect(readdir(given)).resolves.toEqual([]);
  });
  it("names the file system of the destination, and tags the workload with it when chosen", async () => {
    expect(await describeDestination("/dev/shm")).toMatch(/^\/dev\/shm \(tmpfs/);
    expect(downloadWorkloadId({ id: "1GiB" }, null)).toBe("1GiB download");
    expect(downloadWorkloadId({ id: "1GiB" }, "tmpfs")).toBe("1GiB download (tmpfs)");
  });
});

describe("download clients", () => {
  const home = mkdtemp(path.join(os.tmpdir(), "bench-download-"));
  afterAll(async () => rm(await home, { recursive: true, force: true }));
  const server = {
    endpoint: "http://127.0.0.1:9",
    region: "eu-west-3",
    accessKeyId: "AK",
    secretAccessKey: "SK",
    pid: null,
    description: "test",
    stop: async () => undefined,
  };
  const clients = async () =>
    makeDownloadClients({
      server,
      bucket: "bench",
      home: await home,
      cli: { path: "/copy/index.js", shown: "dist/cli/index.js" },
    });

  it("fetches the same key into the given folder with each tool", async () => {
    const all = await clients();
    const argv = (id: string) => all.find((c) => c.id === id)!.command("download/1GiB/data.bin", "/out").argv;
    expect(argv("ours")).toEqual(
      expect.arrayContaining([
        "/copy/index.js",
        "download",
        "--prefix",
        "download/1GiB",
        "--base-dir",
        "/out",
      ]),
    );
    expect(argv("ours").at(-1)).toBe("data.bin");
    expect(argv("ours")).not.toContain("--verify=false");
    expect(argv("aws-cli")).toEqual(
      expect.arrayContaining([
        "cp",
        "s3://bench/download/1GiB/data.bin",
        "/out/",
        "--endpoint-url",
        server.endpoint,
      ]),
    );
    expect(argv("rclone")).toEqual(
      expect.arrayContaining(["copy", "bench:bench/download/1GiB/data.bin", "/out"]),
    );
    for (const client of all) expect(client.output("download/1GiB/data.bin", "/out")).toBe("/out/data.bin");
  });
  it("has a raw-transport row: one signed GET written to the destination, nothing hashed or synced", async () => {
    const curl = (await clients()).find((c) => c.id === "curl")!;
    const { argv } = curl.command("download/1GiB/data.bin", "/out");
    expect(argv).toEqual(
      expect.arrayContaining([
        "--aws-sigv4",
        "aws:amz:eu-west-3:s3",
        "--user",
        "AK:SK",
        "-o",
        "/out/data.bin",
        `${server.endpoint}/bench/download/1GiB/data.bin`,
      ]),
    );
    expect(argv).toContain("--fail");
    expect(curl.settings).toMatch(/no hashing/);
  });
  it("writes private configs naming this server", async () => {
    const all = await clients();
    const aws = all.find((c) => c.id === "aws-cli")!.command("k/f", "/out");
    expect(aws.env.HOME).toBe(await home);
    expect(await readFile(aws.env.AWS_CONFIG_FILE!, "utf8")).toContain("addressing_style = path");
    const rclone = all.find((c) => c.id === "rclone")!.command("k/f", "/out");
    expect(await readFile(rclone.env.RCLONE_CONFIG!, "utf8")).toContain(`endpoint = ${server.endpoint}`);
  });
});

describe("download targets and report", () => {
  const row = (clientId: "ours" | "aws-cli", mbps: number, speedup: number | null): Summary => ({
    workloadId: "1GiB download",
    clientId,
    cores: "2",
    fileCount: 1,
    runs: 1,
    wallSeconds: 1,
    megabytesPerSecond: mbps,
    minMegabytesPerSecond: mbps,
    maxMegabytesPerSecond: mbps,
    filesPerSecond: 1,
    cpuSecondsPerGiB: 1,
    peakRssBytes: 100 * 1024 * 1024,
    serverCores: 0.5,
    oursSpeedup: speedup,
    cpuVersusOurs: 1,
  });

  it("judges ≥ 2× aws s3 cp and RSS ≤ 150 MiB, and leaves out downloads not measured", () => {
    const checks = checkDownloadTargets([row("ours", 400, 1), row("aws-cli", 150, 2.5)]);
    expect(checks).toEqual([
      expect.objectContaining({ target: expect.stringContaining("1GiB download: ≥ 2×"), met: true }),
      expect.objectContaining({ target: "1GiB download: peak RSS ≤ 150 MiB", met: true }),
    ]);
    expect(checkDownloadTargets([row("ours", 400, 1), row("aws-cli", 300, 1.3)])[0]!.met).toBe(false);
    expect(checkDownloadTargets([])).toEqual([]);
    const tagged = (r: Summary): Summary => ({ ...r, workloadId: "1GiB download (tmpfs)" });
    expect(checkDownloadTargets([tagged(row("ours", 400, 1)), tagged(row("aws-cli", 150, 2.5))])).toEqual([
      expect.objectContaining({ target: expect.stringContaining("1GiB download (tmpfs): ≥ 2×"), met: true }),
      expect.objectContaining({ target: "1GiB download (tmpfs): peak RSS ≤ 150 MiB", met: true }),
    ]);
  });
  it("titles a download table as a download", () => {
    const markdown = renderMarkdown({
      date: "d",
      environment: [],
      notes: [],
      workloads: [
        {
          id: "1GiB download",
          description: "download of one 1 GiB object",
          fileCount: 1,
          totalBytes: 1,
        },
      ],
      clients: [{ id: "ours", label: "ours", settings: "s" }],
      cores: ["2"],
      skipped: [],
      failures: [],
      summaries: [row("ours", 400, 1)],
      chartFile: null,
    });
    expect(markdown).toContain("## download of one 1 GiB object");
    expect(markdown).toContain("1GiB download: peak RSS ≤ 150 MiB");
  });
});
