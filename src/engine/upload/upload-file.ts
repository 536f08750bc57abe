import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { failureOf, Refusal } from "../errors.js";
import { identityOf, type FileIdentity } from "./file-identity.js";
import { decideExisting, type ExistingDecision } from "./overwrite.js";
import type { OpenFile } from "./part-reader.js";
import { planUpload, type UploadPlan } from "./plan.js";
import type { FileContext, RunContext } from "../run-context.js";
import type { ObjectHeaders } from "../s3/s3-client.js";
import { headerDifferences, objectHeadersFor } from "./served-headers.js";
import type { FileResult, LocalFile, ServedHeaders } from "../types.js";
import { uploadMultipart } from "./upload-multipart.js";
import { uploadSingle } from "./upload-single.js";

/**
 * An identical object is left as it is even when its headers differ (a changed rule, a newer MIME database):
 * overwrite: false never replaces an object, and stores that re-case a header would otherwise fail runs.
 */
function staleHeadersNote(wanted: ObjectHeaders, stored: ServedHeaders | undefined): string[] {
  const differences = stored === undefined ? [] : headerDifferences(wanted, stored);
  if (differences.length === 0) return [];
  return [
    `Its stored headers differ from this run's: ${differences.join(", ")}; the bytes are identical, so it was ` +
      "left as it is: set overwrite: true to store this run's headers.",
  ];
}

function emptyResult(run: RunContext, file: LocalFile, size: number, plan: UploadPlan | null): FileResult {
  return {
    path: file.path,
    key: file.key,
    bucket: run.options.bucket,
    size,
    partSize: plan?.partSize ?? 0,
    parts: plan?.parts.length ?? 0,
    multipart: plan?.multipart ?? false,
    etag: "",
    checksumAlgorithm: run.algorithm,
    checksumType: plan?.multipart ? run.checksumType : run.algorithm === null ? null : "FULL_OBJECT",
    checksumLocal: null,
    checksumRemote: null,
    sha256: null,
    verification: "none",
    verified: false,
    notes: [],
    status: "failed",
    durationMs: 0,
    bytesPerSecond: 0,
  };
}

// Opening and stat-ing on the main thread: for many small files the thread-pool round trips cost more than
// the calls. O_NONBLOCK keeps a FIFO from blocking the open; it is then refused as not a regular file.
function openRegularFile(path: string): { handle: OpenFile & { identity: FileIdentity }; size: number } {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  const stat = fstatSync(fd, { bigint: true });
  if (!stat.isFile()) {
    closeSync(fd);
    throw new Error(`${path} is not a regular file; pass files only (directories are expanded by the glob)`);
  }
  return { handle: { fd, identity: identityOf(stat) }, size: Number(stat.size) };
}

function unchangedResult(
  result: FileResult,
  decision: Extract<ExistingDecision, { action: "unchanged" }>,
  headers: ObjectHeaders,
): FileResult {
  return {
    ...result,
    status: "unchanged",
    etag: decision.stored.etag,
    ...(decision.stored.versionId ? { versionId: decision.stored.versionId } : {}),
    checksumType: decision.stored.checksumType ?? result.checksumType,
    checksumLocal: decision.checksum,
    checksumRemote: decision.checksum,
    sha256: decision.sha256,
    verification: decision.method,
    verified: true,
    notes: [
      "The object already exists with the same content; it was not uploaded again.",
      ...staleHeadersNote(headers, decision.stored.served),
    ],
  };
}

/** A file the run did not start because the store was lost mid-run (preflight.ts: watchStore). */
export function notAttempted(run: RunContext, file: LocalFile, lost: Error): FileResult {
  const result: FileResult = {
    ...emptyResult(run, file, 0, null),
    error: `${file.path} → s3://${run.options.bucket}/${file.key}: not attempted: ${lost.message}`,
    failure: failureOf(lost),
  };
  run.emit({ type: "file-done", result });
  return result;
}

/** What a dry run says of a file the real run would upload: whether an object is there to be replaced. */
function dryRunNote(ifNoneMatch: boolean): string {
  return ifNoneMatch
    ? "Dry run: no object at this key; nothing was uploaded."
    : "Dry run: nothing was uploaded (overwrite: true replaces any object at this key without comparing).";
}

/**
 * Uploads and verifies one file; a dry run takes the same decisions (plan, overwrite check, unchanged proof)
 * and stops before the first write. Never throws: a failure is a result with status "failed" (or, in a dry
 * run, "refused") and an error.
 */
export async function uploadFile(run: RunContext, file: LocalFile): Promise<FileResult> {
  const started = performance.now();
  let result = emptyResult(run, file, 0, null);
  let handle: OpenFile | undefined;
  try {
    const opened = openRegularFile(file.path);
    handle = opened.handle;
    const planned = planUpload({
      size: opened.size,
      partSize: run.options.partSize,
      multipartThreshold: run.options.multipartThreshold,
      limits: run.limits,
    });
    if (!planned.ok) throw new Refusal("plan", `plan: ${planned.error}`);
    const plan = planned.plan;
    result = emptyResult(run, file, plan.size, plan);
    run.emit({
      type: "file-start",
      file,
      size: plan.size,
      parts: plan.parts.length,
      partSize: plan.partSize,
    });
    const ctx: FileContext = {
      run,
      file,
      headers: objectHeadersFor(run.options.object, file),
      signal: run.options.signal,
    };
    const decision = await decideExisting(ctx, handle, plan);
    if (decision.action === "unchanged") {
      result = unchangedResult(result, decision, ctx.headers);
    } else if (run.options.dryRun) {
      result = { ...result, status: "dry-run", notes: [dryRunNote(decision.ifNoneMatch)] };
    } else {
      const outcome = plan.multipart
        ? await run.multipartFiles.run(
            () => uploadMultipart(ctx, opened.handle, plan, decision.ifNoneMatch),
            ctx.signal,
          )
        : await uploadSingle(ctx, handle, plan, decision.ifNoneMatch);
      result = { ...result, ...outcome, status: "uploaded" };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    result = {
      ...result,
      status: run.options.dryRun && error instanceof Refusal ? "refused" : "failed",
      verified: false,
      error: `${file.path} → s3://${run.options.bucket}/${file.key}: ${message}`,
      failure: failureOf(error),
    };
  } finally {
    if (handle) closeSync(handle.fd);
  }
  result.durationMs = Math.round(performance.now() - started);
  result.bytesPerSecond =
    result.status === "uploaded" && result.durationMs > 0
      ? Math.round((result.size * 1000) / result.durationMs)
      : 0;
  run.emit({ type: "file-done", result });
  return result;
}
