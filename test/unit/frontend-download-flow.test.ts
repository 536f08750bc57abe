// The download run before and after the engine: listing → globs → paths → expectations → engine → results.
// The engine is a recording fake here (a unit test of the front end's logic); test/e2e/download.test.ts runs
// the real one against the emulator.
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig, type UploadConfig } from "../../src/config.js";
import type {
  DownloadOptions,
  DownloadResult,
  ListOptions,
  RemoteFile,
  RemoteObject,
} from "../../src/engine/download/types.js";
import { resolveLimits } from "../../src/engine/index.js";
import { download, type DownloadEngine } from "../../src/frontend/download.js";

const S3_LIMITS = resolveLimits(undefined, Number.MAX_SAFE_INTEGER);

function configFor(inputs: Record<string, string>): UploadConfig {
  const parsed = parseConfig(
    (name) => ({ bucket: "bkt", mode: "download", endpoint: "http://127.0.0.1:9", ...inputs })[name],
    S3_LIMITS,
  );
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return parsed.config;
}

function fakeEngine(objects: RemoteObject[] | Error): DownloadEngine & {
  listed: ListOptions[];
  runs: { files: RemoteFile[]; options: DownloadOptions }[];
} {
  const listed: ListOptions[] = [];
  const runs: { files: RemoteFile[]; options: DownloadOptions }[] = [];
  return {
    listed,
    runs,
    list: async (options) => {
      listed.push(options);
      if (objects instanceof Error) throw objects;
      return objects;
    },
    run: async (files, options) => {
      runs.push({ files, options });
      const results = files.map((file): DownloadResult => ({
        key: file.key,
        path: file.path,
        size: 1,
        etag: '"e"',
        checksumAlgorithm: "CRC64NVME",
        checksumType: "FULL_OBJECT",
        checksumRemote: "x",
        checksumLocal: "x",
        sha256: null,
        verification: "checksum",
        verified: true,
        status: "downloaded",
        notes: [],
        durationMs: 1,
      }));
      return { ok: true, files: results, staleTempFilesRemoved: [] };
    },
  };
}

const hooks = { onEvent: () => undefined };
const cwd = path.resolve("/work/space");

describe("download flow", () => {
  it("lists under the prefix's folder, selects by glob and hands the engine absolute paths and the settings", async () => {
    const engine = fakeEngine([
      { key: "rel/v1/", size: 0 },
      { key: "rel/v1/app.js", size: 10 },
      { key: "rel/v1/app.js.map", size: 10 },
      { key: "rel/v1/sub/lib.js", size: 10 },
    ]);
    const config = configFor({
      prefix: "rel/v1",
      path: "**/*.js",
      "base-dir": "out",
      concurrency: "3",
      "part-size": "8MiB",
      overwrite: "true",
      "require-checksums": "true",
      "on-failure": "keep",
    });
    const outcome = await download(config, hooks, engine, cwd);
    expect(outcome.kind).toBe("done");
    expect(engine.listed).toMatchObject([
      { bucket: "bkt", prefix: "rel/v1/", s3: { endpoint: "http://127.0.0.1:9" } },
    ]);
    expect(engine.runs[0]!.files).toEqual([
      { key: "rel/v1/app.js", path: path.join(cwd, "out", "app.js") },
      { key: "rel/v1/sub/lib.js", path: path.join(cwd, "out", "sub", "lib.js") },
    ]);
    expect(engine.runs[0]!.options).toMatchObject({
      bucket: "bkt",
      concurrency: 3,
      partSize: 8 * 1024 * 1024,
      overwrite: true,
      verify: true,
      requireChecksums: true,
      dryRun: false,
      onFailure: "keep",
    });
  });

  it("fetches one version without listing (a listing shows current versions only)", async () => {
    const engine = fakeEngine(new Error("must not list"));
    const outcome = await download(
      configFor({ prefix: "p", path: "a.tgz", "version-id": "v7" }),
      hooks,
      engine,
      cwd,
    );
    expect(outcome.kind).toBe("done");
    expect(engine.listed).toEqual([]);
    expect(engine.runs[0]!.files).toEqual([
      { key: "p/a.tgz", path: path.join(cwd, "a.tgz"), versionId: "v7" },
    ]);
  });

  it("refuses hostile keys before the engine runs", async () => {
    const engine = fakeEngine([
      { key: "p/ok", size: 1 },
      { key: "p/../../etc/cron.d/x", size: 1 },
    ]);
    const outcome = await download(configFor({ prefix: "p" }), hooks, engine, cwd);
    expect(outcome.kind).toBe("failed");
    if (outcome.kind === "failed")
      expect(outcome.message).toContain('Key "p/../../etc/cron.d/x" has a ".." segment');
    expect(engine.runs).toEqual([]);
  });

  it("reports no objects with the if-no-files-found level", async () => {
    const engine = fakeEngine([{ key: "p/", size: 0 }]);
    const outcome = await download(
      configFor({ prefix: "p", "if-no-files-found": "warn" }),
      hooks,
      engine,
      cwd,
    );
    expect(outcome).toEqual({
      kind: "no-files",
      level: "warn",
      message:
        'No object under s3://bkt/p/ matched "path" (everything); check "prefix" and the patterns, or set "if-no-files-found" to warn or ignore.',
    });
  });

  it("names the listing step when the listing fails", async () => {
    const outcome = await download(
      configFor({ prefix: "p" }),
      hooks,
      fakeEngine(new Error("AccessDenied")),
      cwd,
    );
    expect(outcome).toEqual({ kind: "failed", message: "Listing s3://bkt/p/ failed: AccessDenied" });
  });

  it("hands each file its expected-manifest entry and fails keys the manifest does not vouch for", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "s3vu-flow-"));
    const manifest = path.join(dir, "m.json");
    const entry = (key: string, size: number): Record<string, unknown> => ({
      key,
      size,
      etag: '"e"',
      status: "uploaded",
      checksumAlgorithm: "SHA256",
      checksumType: "COMPOSITE",
      checksumLocal: "c-1",
      checksumRemote: "c-1",
      sha256: null,
    });
    await writeFile(
      manifest,
      JSON.stringify({
        tool: "s3-verified-upload",
        bucket: "bkt",
        files: [entry("p/good", 5), entry("p/resized", 5), entry("p/gone", 5), entry("other/x", 5)],
      }),
    );
    const engine = fakeEngine([
      { key: "p/good", size: 5 },
      { key: "p/resized", size: 6 },
      { key: "p/stranger", size: 5 },
    ]);
    const outcome = await download(
      configFor({ prefix: "p", "expected-manifest": manifest }),
      hooks,
      engine,
      cwd,
    );
    expect(engine.runs[0]!.files).toEqual([
      {
        key: "p/good",
        path: path.join(cwd, "good"),
        expected: {
          size: 5,
          checksumAlgorithm: "SHA256",
          checksumType: "COMPOSITE",
          checksum: "c-1",
          etag: '"e"',
        },
      },
    ]);
    expect(outcome.kind).toBe("done");
    if (outcome.kind !== "done") return;
    expect(outcome.run.ok).toBe(false);
    const failed = outcome.run.files.filter((file) => file.status === "failed");
    expect(failed.map((file) => [file.key, file.failure?.detail])).toEqual([
      ["p/resized", "the object has 6 bytes; expected-manifest records 5"],
      ["p/stranger", "expected-manifest does not list this key"],
      ["p/gone", "expected-manifest lists this key, but the bucket has no such object"],
    ]);
    for (const file of failed) expect(file.failure?.step).toBe("expected-manifest");
  });

  it("fails with the manifest's own error when expected-manifest is unreadable", async () => {
    const outcome = await download(
      configFor({ prefix: "p", "expected-manifest": "missing.json" }),
      hooks,
      fakeEngine([]),
      cwd,
    );
    expect(outcome.kind).toBe("failed");
    if (outcome.kind === "failed") {
      expect(outcome.badSetting).toBe(true);
      expect(outcome.message).toContain(
        `Input "expected-manifest": cannot read ${path.join(cwd, "missing.json")}`,
      );
    }
  });
});
