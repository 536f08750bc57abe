// The action's run: inputs → shared config → shared run → outputs, job summary, manifest, log. action.ts loads
// this module with import(), after turning on Node's compile cache, so ncc puts it in chunks of its own.
import os from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import type { DownloadEvent, DownloadResult } from "./engine/download/types.js";
import type { EngineEvent, FileResult } from "./engine/types.js";
import { parseConfig, type UploadConfig } from "./config.js";
import { describeResult, formatBytes } from "./frontend/format.js";
import { checksumsText, writeChecksumsFile } from "./frontend/checksums-file.js";
import { buildManifest, writeManifest } from "./frontend/manifest.js";
import { runOutputs, truncationNotices } from "./frontend/outputs.js";
import { lineProgress } from "./frontend/progress.js";
import { summaryMarkdown } from "./frontend/summary.js";
import { totalsLine } from "./frontend/totals-line.js";
import { cleanup, cleanupLines } from "./frontend/cleanup.js";
import { failureText, repeatedFailures } from "./frontend/failures.js";
import { cancelText, resolvedRegion, upload } from "./frontend/upload.js";
import { download, downloadCancelText } from "./frontend/download.js";
import {
  buildDownloadManifest,
  describeDownload,
  downloadFailureText,
  downloadOutputs,
  downloadTotalsLine,
  staleTempsText,
  writeDownloadManifest,
} from "./frontend/download-report.js";
import { downloadSummaryMarkdown } from "./frontend/download-summary.js";
import { silenceSdkNodeVersionWarning } from "./frontend/sdk-warning.js";

// configure-aws-credentials masks these already; static keys set by hand in `env:` would otherwise leak.
const SECRET_ENV = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

function fileDetails(result: FileResult): string[] {
  return [
    `file: ${result.path} (${formatBytes(result.size)})`,
    `object: s3://${result.bucket}/${result.key}`,
    result.multipart ? `parts: ${result.parts} × ${formatBytes(result.partSize)}` : "parts: 1 (single PUT)",
    `etag: ${result.etag}${result.versionId ? `, version ${result.versionId}` : ""}`,
    result.checksumAlgorithm === null
      ? "checksum: none (ETag/MD5 only)"
      : `checksum: ${result.checksumAlgorithm} ${result.checksumType ?? ""}, local ${result.checksumLocal ?? "none"}, stored ${result.checksumRemote ?? "none"}`,
    `verification: ${result.verification}, ${result.verified ? "passed" : "not verified"}`,
    ...(result.sha256 !== null ? [`sha256: ${result.sha256}`] : []),
    ...result.notes.map((note) => `note: ${note}`),
    ...(result.error ? [`error: ${result.error}`] : []),
  ];
}

function logEvents(): (event: EngineEvent) => void {
  const progress = lineProgress({ write: (line) => core.info(line) });
  // A cause shared by many files gets its first file's group here and a count in the final error.
  const repeated = repeatedFailures();
  return (event) => {
    progress(event);
    if (event.type === "warning") {
      core.warning(event.file ? `${event.file.key}: ${event.message}` : event.message);
    } else if (event.type === "file-done" && !repeated(event.result)) {
      // Files run concurrently, so a file's group is written whole once it is finished.
      core.startGroup(describeResult(event.result));
      for (const line of fileDetails(event.result)) core.info(line);
      core.endGroup();
    }
  };
}

export async function main(): Promise<void> {
  silenceSdkNodeVersionWarning(process.env);
  for (const name of SECRET_ENV) {
    const value = process.env[name];
    if (value) core.setSecret(value);
  }
  // core.getIDToken masks each token it fetches in the log.
  const parsed = parseConfig(
    (name) => core.getInput(name),
    undefined,
    process.env,
    (audience) => core.getIDToken(audience),
  );
  if (!parsed.ok) {
    core.setFailed(`Invalid inputs:\n${parsed.errors.map((error) => `- ${error}`).join("\n")}`);
    return;
  }
  const config = parsed.config;
  const controller = new AbortController();
  // A cancelled workflow sends SIGINT, then SIGTERM: stop and let the engine abort (or keep) its uploads.
  const onCancel = (): void => {
    if (!controller.signal.aborted)
      core.warning(config.mode === "download" ? downloadCancelText(config) : cancelText(config));
    controller.abort();
  };
  process.once("SIGINT", onCancel);
  process.once("SIGTERM", onCancel);
  if (config.mode === "cleanup") {
    await cleanupStep(config, controller.signal);
    return;
  }
  if (config.mode === "download") {
    await downloadStep(config, controller.signal);
    return;
  }

  const started = performance.now();
  const outcome = await upload(config, { onEvent: logEvents(), signal: controller.signal });
  if (outcome.kind === "failed") {
    core.setFailed(outcome.message);
    return;
  }
  if (outcome.kind === "no-files") {
    for (const [name, value] of Object.entries(
      runOutputs({ files: [], ok: true }, config.engine.s3, "", undefined),
    )) {
      core.setOutput(name, value);
    }
    if (outcome.level === "error") core.setFailed(outcome.message);
    else if (outcome.level === "warn") core.warning(outcome.message);
    else core.info(outcome.message);
    return;
  }

  const run = outcome.run;
  const manifest = buildManifest(config.engine.bucket, config.engine.s3, run, new Date());
  const tempDir = process.env["RUNNER_TEMP"] || os.tmpdir();
  const manifestPath = await writeManifest(tempDir, manifest);
  const durationMs = performance.now() - started;
  const region = resolvedRegion(config, process.env);
  const outputs = runOutputs(run, config.engine.s3, region, manifestPath);
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  for (const notice of truncationNotices(outputs, run)) core.notice(notice);
  const checksums = checksumsText(run.files, config.prefix);
  if (checksums !== null) core.setOutput("checksums-file", await writeChecksumsFile(tempDir, checksums));
  if (process.env["GITHUB_STEP_SUMMARY"]) {
    const context = {
      bucket: config.engine.bucket,
      prefix: config.prefix,
      endpoint: config.engine.s3.endpoint,
      region,
      workspace: process.env["GITHUB_WORKSPACE"] || process.cwd(),
      durationMs,
    };
    await core.summary.addRaw(summaryMarkdown(context, run.files)).write();
  }
  if (!run.ok) core.setFailed(failureText(run.files, "the results output and the manifest list every file"));
  // Last, so the log's final line answers "what happened" without scrolling up.
  core.info(totalsLine(run.files, durationMs));
}

function downloadDetails(result: DownloadResult): string[] {
  return [
    `file: ${result.path} (${formatBytes(result.size)})`,
    `object: ${result.key}${result.versionId ? `, version ${result.versionId}` : ""}`,
    `etag: ${result.etag}`,
    result.checksumAlgorithm === null
      ? "checksum: none stored (ETag/MD5 only)"
      : `checksum: ${result.checksumAlgorithm} ${result.checksumType ?? ""}, stored ${result.checksumRemote ?? "none"}, local ${result.checksumLocal ?? "none"}`,
    `verification: ${result.verification}, ${result.verified ? "passed" : "not verified"}`,
    ...(result.sha256 !== null ? [`sha256: ${result.sha256}`] : []),
    ...result.notes.map((note) => `note: ${note}`),
    ...(result.error ? [`error: ${result.error}`] : []),
  ];
}

function logDownloadEvents(bucket: string): (event: DownloadEvent) => void {
  const progress = lineProgress({ write: (line) => core.info(line) });
  return (event) => {
    progress(event);
    if (event.type === "warning") {
      core.warning(event.file ? `${event.file.key}: ${event.message}` : event.message);
    } else if (event.type === "file-done") {
      core.startGroup(describeDownload(bucket, event.result));
      for (const line of downloadDetails(event.result)) core.info(line);
      core.endGroup();
    }
  };
}

async function downloadStep(config: UploadConfig, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  const bucket = config.engine.bucket;
  const outcome = await download(config, { onEvent: logDownloadEvents(bucket), signal });
  if (outcome.kind === "failed") {
    core.setFailed(outcome.message);
    return;
  }
  if (outcome.kind === "no-files") {
    for (const [name, value] of Object.entries(downloadOutputs({ ok: true, files: [] }, undefined))) {
      core.setOutput(name, value);
    }
    if (outcome.level === "error") core.setFailed(outcome.message);
    else if (outcome.level === "warn") core.warning(outcome.message);
    else core.info(outcome.message);
    return;
  }
  const run = outcome.run;
  const workspace = process.env["GITHUB_WORKSPACE"] || process.cwd();
  const baseDir = path.resolve(process.cwd(), config.baseDir);
  const manifest = buildDownloadManifest(bucket, config.prefix, baseDir, config.engine.s3, run, new Date());
  const manifestPath = await writeDownloadManifest(process.env["RUNNER_TEMP"] || os.tmpdir(), manifest);
  const durationMs = performance.now() - started;
  const outputs = downloadOutputs(run, manifestPath);
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  const checksums = checksumsText(run.files, config.prefix);
  if (checksums !== null) {
    core.setOutput(
      "checksums-file",
      await writeChecksumsFile(process.env["RUNNER_TEMP"] || os.tmpdir(), checksums),
    );
  }
  if (outputs["results-truncated"] === "true") {
    core.notice(
      `The "results" output lists only some of ${run.files.length} files (failed ones first) to stay under ` +
        `GitHub's 1 MB output limit; every file is in the manifest, ${manifestPath} (output "manifest").`,
    );
  }
  if (process.env["GITHUB_STEP_SUMMARY"]) {
    const context = {
      bucket,
      prefix: config.prefix,
      endpoint: config.engine.s3.endpoint,
      workspace,
      durationMs,
      staleTempFilesRemoved: run.staleTempFilesRemoved,
    };
    await core.summary.addRaw(downloadSummaryMarkdown(context, run.files)).write();
  }
  const stale = staleTempsText(run.staleTempFilesRemoved);
  if (stale !== null) core.info(stale);
  if (!run.ok) {
    core.setFailed(downloadFailureText(run.files, "the results output and the manifest list every file"));
  }
  core.info(downloadTotalsLine(run.files, durationMs));
}

async function cleanupStep(config: UploadConfig, signal: AbortSignal): Promise<void> {
  const outcome = await cleanup(config, signal);
  if (outcome.kind === "failed") {
    core.setFailed(outcome.message);
    return;
  }
  for (const line of cleanupLines(config, outcome.result)) core.info(line);
  if (!outcome.result.ok) core.setFailed("Some multipart uploads could not be aborted; see the lines above.");
}
