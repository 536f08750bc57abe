import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { makeClients } from "./clients.js";
import { selfTimeByFile, selfTimeByFunction, type CpuProfile } from "./cpu-profile.js";
import { measure, parseTimeOutput } from "./measure.js";
import { CLIENT_IDS, cpuList, parseOptions, parseWorkloadSpec } from "./options.js";
import {
  collectHistory,
  freeBaseName,
  gitState,
  historyRows,
  parsePorcelain,
  renderHistory,
  type ResultFile,
} from "./history.js";
import { createWorkload, warmPageCache, type Workload } from "./test-data.js";
import type { WorkloadSpec } from "./workloads.js";
import { renderMarkdown } from "./report-markdown.js";
import { renderSvg } from "./report-svg.js";
import { median, scaling, summarize, type Sample, type Summary } from "./summarize.js";
import { checkTargets } from "./targets.js";

describe("options", () => {
  it("defaults to three runs of every issue-12 workload, the peers, at 1 and 2 cores", () => {
    const parsed = parseOptions([], 2);
    expect(parsed).toMatchObject({
      ok: true,
      options: {
        runs: 3,
        sizes: ["1GiB", "4GiB", "1000x64KiB", "10000x4KiB", "mixed"],
        only: ["ours", "aws-cli", "lib-storage", "rclone", "curl"],
        cores: [1, 2],
      },
    });
  });
  it("leaves out a default core count the machine does not have", () => {
    expect(parseOptions([], 1)).toMatchObject({ ok: true, options: { cores: [1] } });
  });
  it("reads --only, --sizes, --workloads, --cores and --runs=N", () => {
    const parsed = parseOptions(
      ["--only", "ours,curl", "--sizes=2MiB,3x1KiB", "--runs=5", "--cores", "2,all"],
      4,
    );
    expect(parsed).toMatchObject({
      ok: true,
      options: { only: ["ours", "curl"], sizes: ["2MiB", "3x1KiB"], runs: 5, cores: [2, "all"] },
    });
    expect(parseOptions(["--workloads", "mixed,10000x4KiB"], 2)).toMatchObject({
      ok: true,
      options: { sizes: ["mixed", "10000x4KiB"] },
    });
    const all = parseOptions(["--only", "all"], 2);
    expect(all.ok && all.options.only).toEqual([...CLIENT_IDS]);
  });
  it("keeps --quick short but still covers every kind of workload", () => {
    expect(parseOptions(["--quick"], 2)).toMatchObject({
      ok: true,
      options: { runs: 1, sizes: ["64MiB", "100x64KiB", "1000x4KiB", "mixed-mini"], cores: [1, 2] },
    });
  });
  it.each([
    [["--runs", "0"], "--runs"],
    [["--sizes", "1GB"], '"1GB"'],
    [["--workloads", "tree"], '"mixed"'],
    [["--only", "ours,wget"], "wget"],
    [["--part-size", "1MiB"], "5MiB"],
    [["--cores", "3"], "only 2 core(s)"],
    [["--cores", "0"], 'core count ≥ 1 or "all"'],
    [["--cores", "one"], '"one"'],
    [["--frobnicate"], "unknown option"],
    [["--runs"], "needs a value"],
  ])("rejects %j naming the problem", (argv, fragment) => {
    const parsed = parseOptions(argv, 2);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(fragment);
  });
  it("pins n cores as taskset's list 0…n-1", () => {
    expect(cpuList(1)).toBe("0");
    expect(cpuList(2)).toBe("0-1");
    expect(cpuList("all")).toBeNull();
  });
});

describe("workloads", () => {
  it("parses one file and many equal files", () => {
    expect(parseWorkloadSpec("4GiB")).toMatchObject({
      id: "4GiB",
      kind: "upload",
      fileCount: 1,
      totalBytes: 4 * 1024 ** 3,
      files: [{ path: "data.bin", size: 4 * 1024 ** 3 }],
      description: "one 4 GiB file",
    });
    const many = parseWorkloadSpec("10000x4KiB")!;
    expect(many).toMatchObject({ fileCount: 10000, totalBytes: 10000 * 4096 });
    expect(many.files[0]).toEqual({ path: "f00000.bin", size: 4096 });
    expect(many.files.at(-1)).toEqual({ path: "f09999.bin", size: 4096 });
    expect(parseWorkloadSpec("0x1KiB")).toBeNull();
    expect(parseWorkloadSpec("x1KiB")).toBeNull();
  });
  it("plans the mixed tree: a few large files among 2,000 small ones of varied sizes in nested directories", () => {
    const tree = parseWorkloadSpec("mixed")!;
    expect(tree.fileCount).toBe(2022);
    expect(tree.files.filter((f) => f.size === 256 * 1024 ** 2)).toHaveLength(2);
    expect(tree.files.filter((f) => f.size === 8 * 1024 ** 2)).toHaveLength(20);
    const small = tree.files.filter((f) => f.size <= 512 * 1024);
    expect(small).toHaveLength(2000);
    expect(Math.min(...small.map((f) => f.size))).toBeGreaterThanOrEqual(1024);
    // Varied: both ends of the range are well represented, not one size repeated.
    expect(small.filter((f) => f.size < 8 * 1024).length).toBeGreaterThan(300);
    expect(small.filter((f) => f.size > 64 * 1024).length).toBeGreaterThan(300);
    expect(new Set(small.map((f) => f.size)).size).toBeGreaterThan(1500);
    expect(new Set(tree.files.map((f) => f.path)).size).toBe(2022);
    expect(small.every((f) => f.path.split("/").length === 4)).toBe(true);
    expect(tree.totalBytes / 1024 ** 3).toBeGreaterThan(0.75);
    expect(tree.totalBytes / 1024 ** 3).toBeLessThan(0.9);
    // The same tree in every run and on every machine, so results compare across commits.
    expect(parseWorkloadSpec("mixed")).toEqual(tree);
    expect(tree.description).toMatch(/^mixed tree "mixed": 2 × 256 MiB, 20 × 8 MiB and 2,000 files/);
  });
  it("writes a tree's files with their sizes under the workload's directory", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "bench-data-"));
    try {
      const spec: WorkloadSpec = {
        id: "t",
        kind: "upload",
        description: "t",
        files: [
          { path: "a/b/one.bin", size: 3 },
          { path: "a/two.bin", size: 70_000 },
          { path: "three.bin", size: 1 },
        ],
        fileCount: 3,
        totalBytes: 70_004,
      };
      const workload = await createWorkload(root, spec);
      expect(workload.paths).toEqual([
        path.join(root, "t/a/b/one.bin"),
        path.join(root, "t/a/two.bin"),
        path.join(root, "t/three.bin"),
      ]);
      expect(await Promise.all(workload.paths.map(async (p) => (await stat(p)).size))).toEqual([
        3, 70_000, 1,
      ]);
      await warmPageCache(workload);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("GNU time", () => {
  const scratch = mkdtemp(path.join(os.tmpdir(), "bench-test-"));
  afterAll(async () => rm(await scratch, { recursive: true, force: true }));

  it("parses the figures line and ignores notes above it", () => {
    expect(parseTimeOutput("Command exited with non-zero status 1\n1.50 0.25 20480\n")).toEqual({
      userSeconds: 1.5,
      sysSeconds: 0.25,
      maxRssBytes: 20480 * 1024,
    });
    expect(parseTimeOutput("garbage")).toBeNull();
  });
  it("measures a real child's CPU and peak RSS", async () => {
    // Holds ~200 MiB resident and spins until it has had half a second of CPU and of wall time: counting CPU,
    // not wall time alone, keeps the assertions below true on a machine busy with other jobs.
    const script =
      "const b = Buffer.alloc(200 * 1024 * 1024, 1); const t = Date.now(); " +
      "const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; }; " +
      "while (cpu() < 500_000 || Date.now() - t < 500); console.log(b[5]);";
    const result = await measure({ argv: [process.execPath, "-e", script], env: process.env }, await scratch);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.measurement.maxRssBytes).toBeGreaterThan(200 * 1024 * 1024);
    expect(result.measurement.userSeconds + result.measurement.sysSeconds).toBeGreaterThan(0.3);
    expect(result.measurement.wallSeconds).toBeGreaterThan(0.4);
  });
  it("reports a failing command with its output", async () => {
    const result = await measure(
      { argv: [process.execPath, "-e", "console.error('boom'); process.exit(3)"], env: process.env },
      await scratch,
    );
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.error).toMatch(/exited 3: boom/);
  });
});

function sample(
  clientId: Sample["clientId"],
  wallSeconds: number,
  cpu: number,
  run: number,
  cores = "2",
): Sample {
  return {
    workloadId: "1GiB",
    clientId,
    cores,
    run,
    totalBytes: 1024 ** 3,
    fileCount: 1,
    measurement: { wallSeconds, userSeconds: cpu, sysSeconds: 0, maxRssBytes: 100 * 1024 * 1024 },
    serverCpuSeconds: wallSeconds / 4,
  };
}

describe("summaries", () => {
  it("takes medians of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });
  it("gives medians per client and ratios against ours taken run by run", () => {
    const rows = summarize([
      sample("ours", 1, 1, 1),
      sample("ours", 2, 1.2, 2),
      sample("ours", 9, 5, 3),
      sample("aws-cli", 4, 5, 1),
      sample("aws-cli", 4, 5, 2),
    ]);
    const ours = rows.find((r) => r.clientId === "ours")!;
    const aws = rows.find((r) => r.clientId === "aws-cli")!;
    expect(ours.wallSeconds).toBe(2);
    expect(ours.cpuSecondsPerGiB).toBeCloseTo(1.2);
    expect(ours.megabytesPerSecond).toBeCloseTo(1024 ** 3 / 1e6 / 2);
    expect(ours.serverCores).toBeCloseTo(0.25);
    // Within-run ratios: run 1 ours 1 s vs 4 s, run 2 ours 2 s vs 4 s; ours' slow run 3 has no partner.
    expect(aws.oursSpeedup).toBeCloseTo((4 + 2) / 2);
    expect(aws.cpuVersusOurs).toBeCloseTo((5 / 1 + 5 / 1.2) / 2);
  });
  it("leaves ratios empty when ours did not run", () => {
    expect(summarize([sample("curl", 1, 1, 1)])[0]!.oursSpeedup).toBeNull();
  });
  it("pairs ours with a peer only at the same core setting", () => {
    const rows = summarize([
      sample("ours", 2, 1, 1, "1"),
      sample("ours", 1, 1, 1, "2"),
      sample("aws-cli", 8, 4, 1, "1"),
      sample("aws-cli", 5, 4, 1, "2"),
    ]);
    const aws = (cores: string) => rows.find((r) => r.clientId === "aws-cli" && r.cores === cores)!;
    expect(aws("1").oursSpeedup).toBeCloseTo(4);
    expect(aws("2").oursSpeedup).toBeCloseTo(5);
    const gains = scaling(rows);
    expect(gains.find((g) => g.clientId === "ours")).toMatchObject({
      gain: 2,
      megabytesPerSecond: [
        { cores: "1", value: expect.closeTo(537, 0) },
        { cores: "2", value: expect.closeTo(1074, 0) },
      ],
    });
    expect(gains.find((g) => g.clientId === "aws-cli")!.gain).toBeCloseTo(8 / 5);
    expect(scaling(summarize([sample("ours", 1, 1, 1, "all")]))[0]!.gain).toBeNull();
  });
  const workloads = [{ id: "1GiB", description: "one 1 GiB file", fileCount: 1, totalBytes: 1024 ** 3 }];
  const clients = [
    { id: "ours", label: "ours", settings: "defaults" },
    { id: "curl", label: "curl <raw> & co", settings: "-T" },
  ];
  const report = (summaries: Summary[], cores: string[]) =>
    renderMarkdown({
      date: "2026-01-01",
      environment: [],
      notes: [],
      workloads,
      clients,
      cores,
      skipped: [{ id: "rclone", reason: "not installed" }],
      failures: [],
      summaries,
      chartFile: null,
    });
  it("renders a table row per client and an SVG that escapes labels", () => {
    const summaries = summarize([sample("ours", 2, 1, 1), sample("curl", 1, 0.5, 1)]);
    const markdown = report(summaries, ["2"]);
    expect(markdown).toContain("## one 1 GiB file");
    expect(markdown).toContain("| **ours** | 2 | 537 |");
    expect(markdown).toMatch(/\| curl <raw> & co \| 2 \| 1074 \|.*\| 0\.50× \|/);
    expect(markdown).toContain("skipped **rclone**: not installed");
    expect(markdown).not.toContain("Scaling with cores");
    const svg = renderSvg({ title: "t", workloads, clients, cores: ["2"], summaries });
    expect(svg).toContain("curl &lt;raw&gt; &amp; co");
    expect(svg.match(/<rect /g)?.length).toBe(1 + 2 * 2);
  });
  it("puts each core setting's rows together and adds a scaling table", () => {
    const summaries = summarize([
      sample("curl", 1, 0.5, 1, "2"),
      sample("ours", 1, 1, 1, "2"),
      sample("curl", 2, 0.5, 1, "1"),
      sample("ours", 4, 1, 1, "1"),
    ]);
    const markdown = report(summaries, ["1", "2"]);
    const rows = markdown.split("\n").filter((l) => /^\| (\*\*ours|curl)/.test(l));
    expect(rows.map((r) => r.split(" | ").slice(0, 2).join(" | "))).toEqual([
      "| **ours** | 1",
      "| curl <raw> & co | 1",
      "| **ours** | 2",
      "| curl <raw> & co | 2",
    ]);
    expect(markdown).toContain("| workload | client | figure | 1 core | 2 cores | gain |");
    expect(markdown).toContain("| 1GiB | **ours** | MB/s | 268 | 1074 | 4.00× |");
    expect(markdown).toContain("| 1GiB | curl <raw> & co | MB/s | 537 | 1074 | 2.00× |");
    const svg = renderSvg({ title: "t", workloads, clients, cores: ["1", "2"], summaries });
    expect(svg).toContain("ours · 1 core");
    expect(svg).toContain("curl &lt;raw&gt; &amp; co · 2 cores");
  });
});

describe("many-file report", () => {
  it("shows files/s in the scaling table and one decimal for small MB/s", () => {
    const tiny = (clientId: Sample["clientId"], wallSeconds: number, cores: string): Sample => ({
      ...sample(clientId, wallSeconds, 1, 1, cores),
      workloadId: "1000x4KiB",
      totalBytes: 1000 * 4096,
      fileCount: 1000,
    });
    const markdown = renderMarkdown({
      date: "d",
      environment: [],
      notes: [],
      workloads: [
        { id: "1000x4KiB", description: "1000 files of 4 KiB", fileCount: 1000, totalBytes: 4096000 },
      ],
      clients: [{ id: "ours", label: "ours", settings: "" }],
      cores: ["1", "2"],
      skipped: [],
      failures: [],
      summaries: summarize([tiny("ours", 4, "1"), tiny("ours", 2, "2")]),
      chartFile: null,
    });
    expect(markdown).toContain("| **ours** | 1 | 1.0 | 1.0–1.0 | 250 |");
    expect(markdown).toContain("| 1000x4KiB | **ours** | files/s | 250 | 500 | 2.00× |");
  });
});

describe("CPU profiles", () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 } },
      { id: 2, callFrame: { functionName: "hash", url: "file:///p/src/a.ts", lineNumber: 9 } },
      { id: 3, callFrame: { functionName: "", url: "file:///p/src/b.ts", lineNumber: 0 } },
      { id: 4, callFrame: { functionName: "hash", url: "file:///p/src/a.ts", lineNumber: 9 } },
    ],
    startTime: 0,
    endTime: 100,
    samples: [2, 3, 4, 2],
    timeDeltas: [10, 20, 30, 20],
  };
  it("adds self time per function across stacks, sample by sample", () => {
    const functions = selfTimeByFunction(profile, (url) => url.replace("file:///p/", ""));
    // Samples at 10, 30, 60, 80: hash 20 + 20 + 20 (node 2 twice, node 4 once), anonymous 30.
    expect(functions).toEqual([
      { name: "hash", where: "src/a.ts:10", microseconds: 60 },
      { name: "(anonymous)", where: "src/b.ts:1", microseconds: 30 },
    ]);
    expect(selfTimeByFile(functions).map((f) => f.name)).toEqual(["src/a.ts", "src/b.ts"]);
  });
});

describe("targets", () => {
  const at = (
    workloadId: string,
    clientId: Sample["clientId"],
    wallSeconds: number,
    totalBytes: number,
    { fileCount = 1, cpu = 1, cores = "2", rss = 100 } = {},
  ): Sample => ({
    ...sample(clientId, wallSeconds, cpu, 1, cores),
    workloadId,
    totalBytes,
    fileCount,
    measurement: { wallSeconds, userSeconds: cpu, sysSeconds: 0, maxRssBytes: rss * 1024 * 1024 },
  });
  const GiB = 1024 ** 3;
  const judge = (samples: Sample[]) => new Map(checkTargets(summarize(samples)).map((c) => [c.target, c]));

  it("judges 1 GiB and 4 GiB against aws s3 cp, CPU and RSS on the widest core setting", () => {
    const byTarget = judge([
      at("4GiB", "ours", 4, 4 * GiB, { cpu: 3.6, rss: 140 }),
      at("4GiB", "aws-cli", 18, 4 * GiB),
      // 1-core rows must not decide a machine-wide target.
      at("4GiB", "ours", 40, 4 * GiB, { cores: "1", cpu: 10, rss: 400 }),
      at("4GiB", "aws-cli", 20, 4 * GiB, { cores: "1" }),
      at("1GiB", "ours", 1, GiB, { cpu: 1.2, rss: 160 }),
      at("1GiB", "aws-cli", 3.5, GiB),
    ]);
    expect(byTarget.get("4 GiB: ≥ 4× the throughput of aws s3 cp")).toMatchObject({
      met: true,
      measured: expect.stringMatching(/^4\.50× \(medians 1074 vs 239 MB\/s, 2 cores\)/),
    });
    expect(byTarget.get("4 GiB: ≤ 1.0 client CPU-s/GiB (CRC64NVME, every verification on)")).toMatchObject({
      met: true,
      measured: "0.90",
    });
    expect(byTarget.get("4 GiB: peak RSS ≤ 150 MiB")).toMatchObject({ met: true, measured: "140 MiB" });
    expect(byTarget.get("1 GiB: ≥ 4× the throughput of aws s3 cp")).toMatchObject({ met: false });
    expect(byTarget.get("1 GiB: ≤ 1.0 client CPU-s/GiB (CRC64NVME, every verification on)")).toMatchObject({
      met: false,
    });
    expect(byTarget.get("1 GiB: peak RSS ≤ 150 MiB")).toMatchObject({ met: false });
  });
  it("judges 1,000 × 64 KiB against rclone's files/s and CPU", () => {
    const small = 1000 * 65536;
    const byTarget = judge([
      at("1000x64KiB", "ours", 1, small, { fileCount: 1000, cpu: 1 }),
      at("1000x64KiB", "rclone", 1.4, small, { fileCount: 1000, cpu: 1.2 }),
    ]);
    expect(byTarget.get("1,000 × 64 KiB: ≥ 1.5× rclone's files/s")).toMatchObject({
      met: false,
      measured: expect.stringMatching(/^1\.40× \(medians 1000 vs 714 files\/s/),
    });
    expect(byTarget.get("1,000 × 64 KiB: less client CPU than rclone")).toMatchObject({ met: true });
  });
  it("wants 10,000 × 4 KiB and the mixed tree ahead of every peer, curl being the transport reference", () => {
    const byTarget = judge([
      at("10000x4KiB", "ours", 10, 1, { fileCount: 10000 }),
      at("10000x4KiB", "aws-cli", 30, 1, { fileCount: 10000 }),
      at("10000x4KiB", "rclone", 12, 1, { fileCount: 10000 }),
      at("10000x4KiB", "curl", 2, 1, { fileCount: 10000 }),
      at("mixed", "ours", 10, 1, { fileCount: 2022 }),
      at("mixed", "lib-storage", 9, 1, { fileCount: 2022 }),
    ]);
    const many = [...byTarget.values()].find((c) => c.target.startsWith("10,000 × 4 KiB"))!;
    expect(many).toMatchObject({ met: true, measured: "1.20× rclone, 3.00× aws-cli" });
    const mixed = [...byTarget.values()].find((c) => c.target.startsWith("mixed tree"))!;
    expect(mixed).toMatchObject({ met: false, measured: "0.90× lib-storage" });
  });
  it("says what a run did not measure", () => {
    const checks = checkTargets(summarize([at("64MiB", "ours", 1, 64 * 1024 ** 2)]));
    expect(checks.every((c) => c.met === null && c.measured === "not measured")).toBe(true);
  });
});

describe("client commands", () => {
  const home = mkdtemp(path.join(os.tmpdir(), "bench-clients-"));
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
  const one: Workload = {
    id: "1GiB",
    kind: "upload",
    description: "one",
    fileCount: 1,
    totalBytes: 1,
    files: [{ path: "data.bin", size: 1 }],
    dir: "/d1",
    paths: ["/d1/data.bin"],
  };
  const many: Workload = {
    id: "tree",
    kind: "upload",
    description: "tree",
    fileCount: 2,
    totalBytes: 2,
    files: [
      { path: "a.bin", size: 1 },
      { path: "sub/b.bin", size: 1 },
    ],
    dir: "/d2",
    paths: ["/d2/a.bin", "/d2/sub/b.bin"],
  };
  const clients = async () =>
    makeClients({
      projectRoot: "/p",
      server,
      bucket: "bench",
      home: await home,
      partSize: 8 * 1024 * 1024,
      concurrency: 3,
      cli: { path: "/copy/index.js", shown: "dist/cli/index.js" },
    });
  const argvOf = async (id: string, workload: Workload) =>
    (await clients()).find((c) => c.id === id)!.command(workload, "run1/x").argv;

  it("points every client at the same server, bucket and key prefix", async () => {
    expect(await argvOf("ours", one)).toEqual(
      expect.arrayContaining([
        "/copy/index.js",
        "--endpoint",
        server.endpoint,
        "--prefix",
        "run1/x/",
        "/d1/data.bin",
      ]),
    );
    expect(await argvOf("ours-md5", one)).toContain("--content-md5");
    expect(await argvOf("ours", one)).not.toContain("--content-md5");
    expect(await argvOf("aws-cli", one)).toEqual(
      expect.arrayContaining([
        "/d1/data.bin",
        "s3://bench/run1/x/data.bin",
        "--endpoint-url",
        server.endpoint,
      ]),
    );
    expect(await argvOf("rclone", one)).toEqual(
      expect.arrayContaining(["copyto", "bench:bench/run1/x/data.bin"]),
    );
    expect(await argvOf("curl", one)).toEqual(
      expect.arrayContaining([
        "aws:amz:eu-west-3:s3",
        "AK:SK",
        "-T",
        "/d1/data.bin",
        `${server.endpoint}/bench/run1/x/data.bin`,
      ]),
    );
    expect(await argvOf("lib-storage-crc32c", one)).toEqual(
      expect.arrayContaining(["/d1", "bench", "run1/x", String(8 * 1024 * 1024), "3", "CRC32C"]),
    );
  });
  it("uploads a directory of many files the way each tool does it", async () => {
    expect(await argvOf("ours", many)).toEqual(expect.arrayContaining(["--base-dir", "/d2"]));
    expect((await argvOf("ours", many)).at(-1)).toBe("/d2");
    expect(await argvOf("aws-cli", many)).toEqual(
      expect.arrayContaining(["--recursive", "/d2", "s3://bench/run1/x/"]),
    );
    expect(await argvOf("rclone", many)).toEqual(
      expect.arrayContaining(["copy", "/d2", "bench:bench/run1/x"]),
    );
    // Each file's key keeps its path in the tree; the pairs go in a config file, not past ARG_MAX.
    const curl = await argvOf("curl", many);
    expect(curl).toEqual(expect.arrayContaining(["--parallel", "--parallel-max", "3", "--globoff"]));
    const config = curl[curl.indexOf("--config") + 1]!;
    expect(await readFile(config, "utf8")).toBe(
      `upload-file = "/d2/a.bin"\nurl = "${server.endpoint}/bench/run1/x/a.bin"\n` +
        `upload-file = "/d2/sub/b.bin"\nurl = "${server.endpoint}/bench/run1/x/sub/b.bin"\n`,
    );
  });
  it("writes private aws and rclone configs with path-style addressing and no machine config", async () => {
    const all = await clients();
    const aws = all.find((c) => c.id === "aws-cli")!.command(one, "p");
    expect(aws.env.HOME).toBe(await home);
    expect(await readFile(aws.env.AWS_CONFIG_FILE!, "utf8")).toContain("addressing_style = path");
    const rclone = await readFile(path.join(await home, "rclone.conf"), "utf8");
    expect(rclone).toMatch(/provider = Other[\s\S]*force_path_style = true/);
    // Buckets with ACLs disabled (S3's default, and the emulator's) refuse rclone's default "private" ACL.
    expect(rclone).toMatch(/acl = bucket-owner-full-control\nno_check_bucket = true/);
    // Only what the clients need: nothing from the test runner's own environment (VITEST, PWD, …) gets through.
    const leaked = Object.keys(aws.env).filter(
      (k) => !/^(PATH|HOME|LANG|AWS_\w+|S3_ENDPOINT|RCLONE_CONFIG)$/.test(k),
    );
    expect(leaked).toEqual([]);
  });
});

describe("results history", () => {
  it("never overwrites an earlier result of the same day, except a smoke test", () => {
    expect(freeBaseName([], "2026-11-30", false)).toBe("2026-11-30");
    expect(freeBaseName(["2026-11-30.json", "2026-11-30-2.json"], "2026-11-30", false)).toBe("2026-11-30-3");
    expect(freeBaseName(["2026-11-30-quick.json"], "2026-11-30", true)).toBe("2026-11-30-quick");
  });
  it("reads git status paths", () => {
    expect(parsePorcelain(" M src/a.ts\n?? bench/new.ts\n")).toEqual(["src/a.ts", "bench/new.ts"]);
    expect(parsePorcelain("")).toEqual([]);
  });
  it("records the commit, and calls it dirty for any change but the bench's own results", async () => {
    const repo = await mkdtemp(path.join(os.tmpdir(), "bench-git-"));
    try {
      const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo });
      git("init", "-q");
      await writeFile(path.join(repo, "a.txt"), "a");
      git("add", ".");
      git("commit", "-q", "-m", "one");
      const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repo }).toString().trim();
      expect(await gitState(repo)).toEqual({ commit: head, dirty: false, dirtyPaths: [] });
      await mkdir(path.join(repo, "bench/results"), { recursive: true });
      await writeFile(path.join(repo, "bench/results/x.json"), "{}");
      expect((await gitState(repo)).dirty).toBe(false);
      await writeFile(path.join(repo, "a.txt"), "changed");
      expect(await gitState(repo)).toMatchObject({ dirty: true, dirtyPaths: ["a.txt"] });
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  });
  const oldResult: ResultFile = {
    environment: ["date: x", "project commit: d4af09f"],
    samples: [sample("ours", 2, 1, 1), sample("aws-cli", 5, 4, 1)].map(({ cores: _, ...s }) => s),
  };
  it("lists ours per workload by commit, from old results (commit in the environment) and new ones", () => {
    const old = historyRows("2026-11-21.json", oldResult);
    expect(old).toHaveLength(1);
    expect(old[0]).toMatchObject({ date: "2026-11-21", commit: "d4af09f", dirty: false, workloadId: "1GiB" });
    expect(old[0]!.ours.cores).toBe("all");
    expect(old[0]!.versus["aws-cli"]).toBeCloseTo(2.5);
    const fresh = historyRows("2026-11-30.json", {
      date: "2026-11-30",
      commit: "abc1234",
      dirty: true,
      samples: [sample("ours", 4, 1, 1, "1"), sample("ours", 2, 1, 1, "2"), sample("rclone", 4, 1, 1, "2")],
    });
    const markdown = renderHistory([...fresh, ...old]);
    const lines = markdown.split("\n").filter((l) => l.startsWith("| 1GiB"));
    expect(lines).toEqual([
      "| 1GiB | 2026-11-21 | d4af09f | all | 537 | – | 1.00 | 100 | 2.50× | – | – | [2026-11-21](2026-11-21.md) |",
      "| 1GiB | 2026-11-30 | abc1234 +dirty | 2 | 537 | – | 1.00 | 100 | – | – | 2.00× | [2026-11-30](2026-11-30.md) |",
    ]);
  });
  it("collects .json results from the directory and its subdirectories, leaving out quick runs", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "bench-history-"));
    try {
      await mkdir(path.join(dir, "small-files"));
      await writeFile(path.join(dir, "2026-11-21.json"), JSON.stringify(oldResult));
      await writeFile(path.join(dir, "small-files/2026-11-22.json"), JSON.stringify(oldResult));
      await writeFile(path.join(dir, "2026-11-23-quick.json"), JSON.stringify(oldResult));
      await writeFile(path.join(dir, "startup.json"), JSON.stringify({ other: "tool" }));
      const rows = await collectHistory(dir);
      expect(rows.map((r) => r.file)).toEqual(["2026-11-21.json", "small-files/2026-11-22.json"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
