import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { makeClients } from "./clients.js";
import { selfTimeByFile, selfTimeByFunction, type CpuProfile } from "./cpu-profile.js";
import { measure, parseTimeOutput } from "./measure.js";
import { parseOptions, parseWorkloadSpec } from "./options.js";
import { renderMarkdown } from "./report-markdown.js";
import { renderSvg } from "./report-svg.js";
import { median, summarize, type Sample } from "./summarize.js";
import { checkTargets } from "./targets.js";

describe("options", () => {
  it("defaults to three runs of 1 GiB, 4 GiB and 1,000 × 64 KiB with every client", () => {
    const parsed = parseOptions([]);
    expect(parsed.ok && parsed.options.runs).toBe(3);
    expect(parsed.ok && parsed.options.sizes).toEqual(["1GiB", "4GiB", "1000x64KiB"]);
    expect(parsed.ok && parsed.options.only).toContain("curl");
  });
  it("reads --only, --sizes and --runs=N", () => {
    const parsed = parseOptions(["--only", "ours,curl", "--sizes=2MiB,3x1KiB", "--runs=5"]);
    expect(parsed).toMatchObject({
      ok: true,
      options: { only: ["ours", "curl"], sizes: ["2MiB", "3x1KiB"], runs: 5 },
    });
  });
  it.each([
    [["--runs", "0"], "--runs"],
    [["--sizes", "1GB"], '"1GB"'],
    [["--only", "ours,wget"], "wget"],
    [["--part-size", "1MiB"], "5MiB"],
    [["--frobnicate"], "unknown option"],
    [["--runs"], "needs a value"],
  ])("rejects %j naming the problem", (argv, fragment) => {
    const parsed = parseOptions(argv);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(fragment);
  });
  it("parses workload specs", () => {
    expect(parseWorkloadSpec("4GiB")).toEqual({ id: "4GiB", fileCount: 1, fileSize: 4 * 1024 ** 3 });
    expect(parseWorkloadSpec("1000x64KiB")).toEqual({ id: "1000x64KiB", fileCount: 1000, fileSize: 65536 });
    expect(parseWorkloadSpec("0x1KiB")).toBeNull();
    expect(parseWorkloadSpec("x1KiB")).toBeNull();
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

function sample(clientId: Sample["clientId"], wallSeconds: number, cpu: number, run: number): Sample {
  return {
    workloadId: "1GiB",
    clientId,
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
  it("renders a table row per client and an SVG that escapes labels", () => {
    const summaries = summarize([sample("ours", 2, 1, 1), sample("curl", 1, 0.5, 1)]);
    const workloads = [{ id: "1GiB", fileCount: 1, fileSize: 1024 ** 3, totalBytes: 1024 ** 3 }];
    const clients = [
      { id: "ours", label: "ours", settings: "defaults" },
      { id: "curl", label: "curl <raw> & co", settings: "-T" },
    ];
    const markdown = renderMarkdown({
      date: "2026-01-01",
      environment: [],
      notes: [],
      workloads,
      clients,
      skipped: [{ id: "rclone", reason: "not installed" }],
      failures: [],
      summaries,
      chartFile: null,
    });
    expect(markdown).toContain("| **ours** | 537 |");
    expect(markdown).toMatch(/\| curl <raw> & co \| 1074 \|.*\| 0\.50× \|/);
    expect(markdown).toContain("skipped **rclone**: not installed");
    const svg = renderSvg({ title: "t", workloads, clients, summaries });
    expect(svg).toContain("curl &lt;raw&gt; &amp; co");
    expect(svg.match(/<rect /g)?.length).toBe(1 + 2 * 2);
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
    fileCount = 1,
  ) => ({
    ...sample(clientId, wallSeconds, 1, 1),
    workloadId,
    totalBytes,
    fileCount,
  });
  it("judges speed ratios, CPU, RSS and files/s from the medians", () => {
    const checks = checkTargets(
      summarize([
        at("4GiB", "ours", 4, 4 * 1024 ** 3),
        at("4GiB", "aws-cli", 14, 4 * 1024 ** 3),
        at("4GiB", "lib-storage-crc32c", 16, 4 * 1024 ** 3),
        at("1000x64KiB", "ours", 1, 1000 * 65536, 1000),
      ]),
    );
    const byTarget = new Map(checks.map((c) => [c.target, c]));
    expect(byTarget.get("4 GiB: ≥ 3× the throughput of aws s3 cp")).toMatchObject({
      met: true,
      measured: expect.stringMatching(/^3\.50×/),
    });
    expect(byTarget.get("4 GiB: ≥ 5× lib-storage with CRC32C")).toMatchObject({
      met: false,
      measured: expect.stringMatching(/^4\.00×/),
    });
    // 1 CPU-s for 4 GiB is 0.25 CPU-s/GiB; 100 MiB RSS.
    expect(byTarget.get("4GiB: ≤ 1.3 client CPU-s/GiB with CRC64NVME")).toMatchObject({
      met: true,
      measured: "0.25",
    });
    expect(byTarget.get("4GiB: peak RSS ≤ 150 MiB")).toMatchObject({ met: true });
    expect(byTarget.get("1GiB: peak RSS ≤ 150 MiB")).toMatchObject({ met: null, measured: "not measured" });
    expect(byTarget.get("1,000 × 64 KiB: ≥ 1,200 files/s")).toMatchObject({
      met: false,
      measured: "1000 files/s",
    });
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
  const one = { id: "1GiB", fileCount: 1, fileSize: 1, totalBytes: 1, dir: "/d1", files: ["/d1/data.bin"] };
  const many = {
    id: "2x1B",
    fileCount: 2,
    fileSize: 1,
    totalBytes: 2,
    dir: "/d2",
    files: ["/d2/a.bin", "/d2/b.bin"],
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
  const argvOf = async (id: string, workload: typeof one) =>
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
    expect(await argvOf("ours", many)).toContain("/d2/*.bin");
    expect(await argvOf("aws-cli", many)).toEqual(
      expect.arrayContaining(["--recursive", "/d2", "s3://bench/run1/x/"]),
    );
    expect(await argvOf("rclone", many)).toEqual(
      expect.arrayContaining(["copy", "/d2", "bench:bench/run1/x"]),
    );
    const curl = await argvOf("curl", many);
    expect(curl).toEqual(expect.arrayContaining(["--parallel", "--parallel-max", "3"]));
    expect(curl.filter((a) => a === "-T")).toHaveLength(2);
  });
  it("writes private aws and rclone configs with path-style addressing and no machine config", async () => {
    const all = await clients();
    const aws = all.find((c) => c.id === "aws-cli")!.command(one, "p");
    expect(aws.env.HOME).toBe(await home);
    expect(await readFile(aws.env.AWS_CONFIG_FILE!, "utf8")).toContain("addressing_style = path");
    const rclone = await readFile(path.join(await home, "rclone.conf"), "utf8");
    expect(rclone).toMatch(/provider = Other[\s\S]*force_path_style = true/);
    // Only what the clients need: nothing from the test runner's own environment (VITEST, PWD, …) gets through.
    const leaked = Object.keys(aws.env).filter(
      (k) => !/^(PATH|HOME|LANG|AWS_\w+|S3_ENDPOINT|RCLONE_CONFIG)$/.test(k),
    );
    expect(leaked).toEqual([]);
  });
});
