// The download run both front ends share: config → listing → key globs → local paths → expectations → engine.
// Everything else is how each front end reports it.
import path from "node:path";
import { listRemoteFiles, runDownloads } from "../engine/download/index.js";
import type {
  DownloadEvent,
  DownloadResult,
  DownloadRun,
  ExpectedObject,
  RemoteFile,
  RemoteObject,
} from "../engine/download/types.js";
import type { UploadConfig } from "../config.js";
import { keyFolder, linkedFolderErrors, mapKeys, selectKeys, type MappedFile } from "./download-paths.js";
import { readExpectedManifest, type ExpectedManifest } from "./expected-manifest.js";
import { withDefaultRegion } from "./upload.js";

export interface DownloadHooks {
  onEvent: (event: DownloadEvent) => void;
  signal?: AbortSignal;
}

/** The engine's two calls; tests of this module's logic pass a fake. */
export interface DownloadEngine {
  list: typeof listRemoteFiles;
  run: typeof runDownloads;
}

const ENGINE: DownloadEngine = { list: listRemoteFiles, run: runDownloads };

export type DownloadOutcome =
  | { kind: "done"; run: DownloadRun }
  | { kind: "no-files"; level: UploadConfig["ifNoFilesFound"]; message: string }
  /** badSetting: a setting must change (exit 2 in the CLI), as opposed to an object or the store failing. */
  | { kind: "failed"; message: string; badSetting?: true };

const STEP = "expected-manifest";

export async function download(
  config: UploadConfig,
  hooks: DownloadHooks,
  engine: DownloadEngine = ENGINE,
  cwd: string = process.cwd(),
): Promise<DownloadOutcome> {
  const settings = withDefaultRegion(config, process.env);
  const folder = keyFolder(config.prefix);
  const where = `s3://${settings.bucket}/${folder}`;
  let expected: ExpectedManifest | undefined;
  if (config.download.expectedManifest !== undefined) {
    const read = await readExpectedManifest(path.resolve(cwd, config.download.expectedManifest));
    if (!read.ok) return { kind: "failed", message: read.error, badSetting: true };
    expected = read.manifest;
    if (expected.bucket !== null && expected.bucket !== settings.bucket) {
      hooks.onEvent({
        type: "warning",
        message: `expected-manifest records bucket "${expected.bucket}", this run reads "${settings.bucket}"; the objects must still match it (a replica keeps sizes and checksums).`,
      });
    }
  }

  const versionId = config.download.versionId;
  let selected: RemoteObject[];
  if (versionId !== undefined) {
    // The config allows version-id only with one key named outright; size is not known before the engine's HEAD.
    selected = [{ key: folder + config.patterns[0]!.replace(/^(\.\/)+/, ""), size: 0 }];
  } else {
    let listed: RemoteObject[];
    try {
      listed = await engine.list({
        bucket: settings.bucket,
        s3: settings.s3,
        prefix: folder,
        ...(hooks.signal ? { signal: hooks.signal } : {}),
      });
    } catch (error) {
      return { kind: "failed", message: `Listing ${where} failed: ${errorText(error)}` };
    }
    selected = selectKeys(listed, config.prefix, config.patterns);
  }

  const baseDir = path.resolve(cwd, config.baseDir);
  const mapped = mapKeys(selected, config.prefix, baseDir);
  const unsafe = mapped.ok ? await linkedFolderErrors(mapped.files, baseDir) : mapped.errors;
  if (!mapped.ok || unsafe.length > 0) {
    return {
      kind: "failed",
      message: `${unsafe.length === 1 ? "A key" : "Keys"} under ${where} cannot be downloaded safely, so nothing was:\n${unsafe.join("\n")}`,
    };
  }

  const refused: DownloadResult[] = [];
  const files: RemoteFile[] = [];
  for (const file of mapped.files) {
    const expectation = expected?.files.get(file.key);
    const problem = expected ? expectationProblem(file, expectation, versionId !== undefined) : undefined;
    if (problem) {
      refused.push(refusal(file, problem.detail, problem.hint, expectation?.size));
      continue;
    }
    files.push({
      key: file.key,
      path: file.path,
      ...(versionId !== undefined ? { versionId } : {}),
      ...(expectation ? { expected: expectation } : {}),
    });
  }
  if (expected && versionId === undefined)
    refused.push(...missingObjects(expected, selected, config, baseDir));
  for (const result of refused) hooks.onEvent({ type: "file-done", result });

  if (files.length === 0 && refused.length === 0) {
    const patterns = config.patterns.length > 0 ? config.patterns.join(", ") : "everything";
    return {
      kind: "no-files",
      level: config.ifNoFilesFound,
      message: `No object under ${where} matched "path" (${patterns}); check "prefix" and the patterns, or set "if-no-files-found" to warn or ignore.`,
    };
  }
  let run: DownloadRun = { ok: true, files: [], staleTempFilesRemoved: [] };
  if (files.length > 0) {
    try {
      run = await engine.run(files, {
        bucket: settings.bucket,
        s3: settings.s3,
        concurrency: settings.concurrency,
        partSize: settings.partSize,
        overwrite: settings.overwrite,
        verify: settings.verify,
        requireChecksums: settings.requireChecksums ?? false,
        sha256: settings.sha256 ?? false,
        dryRun: settings.dryRun,
        onFailure: settings.onFailure,
        onEvent: hooks.onEvent,
        ...(hooks.signal ? { signal: hooks.signal } : {}),
      });
    } catch (error) {
      return { kind: "failed", message: errorText(error) };
    }
  }
  return {
    kind: "done",
    run: { ...run, ok: run.ok && refused.length === 0, files: [...refused, ...run.files] },
  };
}

function expectationProblem(
  file: MappedFile,
  expectation: ExpectedObject | undefined,
  sizeUnknown: boolean,
): { detail: string; hint: string } | undefined {
  if (!expectation) {
    return {
      detail: "expected-manifest does not list this key",
      hint: 'exclude the key with a "!" pattern in "path", or give the manifest of the upload that stored it',
    };
  }
  if (!sizeUnknown && expectation.size !== file.size) {
    return {
      detail: `the object has ${file.size} bytes; expected-manifest records ${expectation.size}`,
      hint: "the object changed after that upload: give the manifest of the upload that stored this version, or upload it again",
    };
  }
  return undefined;
}

/** Keys the manifest vouches for, selected by the patterns, that the listing does not have. */
function missingObjects(
  expected: ExpectedManifest,
  listed: readonly RemoteObject[],
  config: UploadConfig,
  baseDir: string,
): DownloadResult[] {
  const present = new Set(listed.map((object) => object.key));
  const folder = keyFolder(config.prefix);
  const promised = [...expected.files]
    .filter(([key]) => key.startsWith(folder) && !present.has(key))
    .map(([key, expectation]) => ({ key, size: expectation.size }));
  return selectKeys(promised, config.prefix, config.patterns).map((object) =>
    refusal(
      { ...object, path: path.join(baseDir, ...object.key.slice(folder.length).split("/")) },
      "expected-manifest lists this key, but the bucket has no such object",
      'restore the object (or its version) in the bucket, or exclude the key with a "!" pattern in "path"',
      object.size,
    ),
  );
}

/** A file failed by the front end before any byte was fetched; nothing was written for it. */
function refusal(file: MappedFile, detail: string, hint: string, size = file.size): DownloadResult {
  return {
    key: file.key,
    path: file.path,
    size,
    etag: "",
    checksumAlgorithm: null,
    checksumType: null,
    checksumRemote: null,
    checksumLocal: null,
    sha256: null,
    verification: "none",
    verified: false,
    status: "failed",
    error: `${file.key} → ${file.path}: ${detail}; ${hint}.`,
    failure: { step: STEP, code: null, detail, hint },
    notes: [],
    durationMs: 0,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Said when SIGINT/SIGTERM arrives, so the log shows what happens to the downloads in flight. */
export function downloadCancelText(config: UploadConfig): string {
  return config.engine.onFailure === "keep"
    ? "Cancelled: stopping; partial downloads keep their temp files beside their destinations (on-failure: keep), and a rerun resumes them."
    : "Cancelled: stopping and removing partial downloads (on-failure: abort); no destination file is half-written.";
}
