// Hashes whole parts on worker threads, so a runner with spare cores hashes in parallel with reading and
// sending, and the event loop stays free for the transport. The part's bytes are not copied: the caller's
// buffer lives in a SharedArrayBuffer and the caller does not touch it until the answer arrives. A part in the
// main thread's CRC64NVME kernel memory (hash-memory.ts) is hashed there in place by a kernel instance running on
// that same memory; other bytes go through the worker's own kernel, copied into its window as they are read.
import type { createHash } from "node:crypto";
import type { crc32 } from "node:zlib";
import { Worker, type MessagePort } from "node:worker_threads";
import { CRC64NVME_WASM_BASE64 } from "./crc64nvme-wasm.js";
import { crc64NvmeKernel } from "./crc64nvme.js";
import { kernelMemoryOffset, kernelWasmMemory } from "./hash-memory.js";
import { importMemoryInstead } from "./wasm-memory-import.js";

/** The algorithms a worker computes (CRC32C's hash-wasm kernel stays on the main thread). */
export type WorkerAlgorithm = "CRC64NVME" | "CRC32" | "SHA1" | "SHA256";

export interface WholePartDigests {
  /** Raw digest of the additional checksum; null when none was asked for. */
  digest: Buffer | null;
  md5: Buffer | null;
}

interface HashRequest {
  id: number;
  bytes: Uint8Array;
  /** Where `bytes` start in the main thread's kernel memory, when they lie in it; else null. */
  kernelOffset: number | null;
  algorithm: WorkerAlgorithm | null;
  withMd5: boolean;
}

type HashAnswer =
  | { id: number; digest: Uint8Array | null; md5: Uint8Array | null }
  | { id: number; error: string }
  | { ready: true };

interface WorkerTools {
  createHash: typeof createHash;
  crc32: typeof crc32;
  crc64: (data: Uint8Array) => Uint8Array;
  /** The CRC of the bytes at [offset, offset + length) of the main thread's kernel memory, read in place. */
  crc64InPlace: (offset: number, length: number) => Uint8Array;
}

/**
 * The worker's whole program. Self-contained on purpose (it uses only its arguments and globals): its source
 * text becomes the worker's code, so it cannot reach this module's imports.
 */
function serveHashRequests(port: MessagePort, tools: WorkerTools): void {
  // Node's hashes refuse an update of 2 GiB or more and zlib's crc32 wraps its length at 4 GiB.
  const maxUpdate = 1024 * 1024 * 1024;
  const hashWith = (name: string, bytes: Uint8Array): Uint8Array => {
    const hash = tools.createHash(name);
    for (let at = 0; at < bytes.byteLength; at += maxUpdate) hash.update(bytes.subarray(at, at + maxUpdate));
    return hash.digest();
  };
  const checksum = (request: HashRequest, algorithm: WorkerAlgorithm): Uint8Array => {
    const bytes = request.bytes;
    if (algorithm === "CRC64NVME") {
      return request.kernelOffset === null
        ? tools.crc64(bytes)
        : tools.crc64InPlace(request.kernelOffset, bytes.byteLength);
    }
    if (algorithm === "SHA1") return hashWith("sha1", bytes);
    if (algorithm === "SHA256") return hashWith("sha256", bytes);
    let crc = 0;
    for (let at = 0; at < bytes.byteLength; at += maxUpdate) {
      crc = tools.crc32(bytes.subarray(at, at + maxUpdate), crc);
    }
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, crc);
    return out;
  };
  port.postMessage({ ready: true });
  port.on("message", (request: HashRequest) => {
    let answer: HashAnswer;
    try {
      answer = {
        id: request.id,
        digest: request.algorithm === null ? null : checksum(request, request.algorithm),
        md5: request.withMd5 ? hashWith("md5", request.bytes) : null,
      };
    } catch (error) {
      answer = {
        id: request.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    port.postMessage(answer);
  });
}

// Only the in-place kernel is made at start: a part in the upload pool, the common case, needs nothing else.
// node:crypto and node:zlib (MD5, SHA, CRC32) and the worker's own kernel (bytes outside the main thread's
// kernel memory) are loaded by the first request that needs them; loading them all up front cost the worker
// ~40 ms of CPU before its first part (node --cpu-prof, a 64 MiB upload).
const WORKER_SOURCE = `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const createHash = (name) => require("node:crypto").createHash(name);
const crc32 = (data, value) => require("node:zlib").crc32(data, value);
const crc64NvmeKernel = ${crc64NvmeKernel.toString()};
let kernel;
const crc64 = (data) => {
  kernel ??= crc64NvmeKernel(workerData.wasmBase64);
  return kernel.finish(kernel.update(kernel.initial, data));
};
const onMain = crc64NvmeKernel(workerData.importingWasmBase64, workerData.memory);
const crc64InPlace = (offset, length) => {
  const bytes = new Uint8Array(onMain.memoryUpTo(offset + length), offset, length);
  return onMain.finish(onMain.update(onMain.initial, bytes));
};
(${serveHashRequests.toString()})(parentPort, { createHash, crc32, crc64, crc64InPlace });
`;

const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 };

let importing: string | undefined;

/** The kernel module that runs on the main thread's kernel memory instead of its own (base64, made once). */
function importingKernel(): string {
  importing ??= Buffer.from(importMemoryInstead(Buffer.from(CRC64NVME_WASM_BASE64, "base64"))).toString(
    "base64",
  );
  return importing;
}

interface Pending {
  resolve(digests: WholePartDigests): void;
  reject(error: Error): void;
}

interface HashWorker {
  worker: Worker;
  /** Set once the worker has compiled its kernel and listens. */
  ready: boolean;
  /** Settles true when `ready` is set, false if the worker stops first. */
  started: Promise<boolean>;
  pending: Map<number, Pending>;
}

function toBuffer(bytes: Uint8Array | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Up to `size` worker threads, started when first needed; an idle one does not keep the process alive. While
 * none has started yet (tens of milliseconds), or after one failed, hash() answers null and the caller hashes
 * inline: a worker only ever saves time, it never holds a part up.
 */
export class HashWorkers {
  private readonly workers: HashWorker[] = [];
  private nextId = 0;
  private failed = false;

  constructor(private readonly size: number) {}

  /**
   * The digests of `bytes`, computed on a worker; null when no worker is ready. `bytes` must be backed by a
   * SharedArrayBuffer and left untouched until the promise settles.
   */
  hash(
    bytes: Uint8Array,
    algorithm: WorkerAlgorithm | null,
    withMd5: boolean,
  ): Promise<WholePartDigests> | null {
    if (!(bytes.buffer instanceof SharedArrayBuffer)) {
      throw new Error("HashWorkers.hash: the bytes must live in a SharedArrayBuffer (they are not copied)");
    }
    const target = this.pick();
    if (target === null) return null;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (target.pending.size === 0) target.worker.ref();
      target.pending.set(id, { resolve, reject });
      const request: HashRequest = { id, bytes, kernelOffset: kernelMemoryOffset(bytes), algorithm, withMd5 };
      target.worker.postMessage(request);
    });
  }

  /**
   * Starts the first worker now, when none is running or starting, so it is ready by the time the first part
   * has been read: its start-up (~50 ms) then overlaps the requests before that part instead of leaving the
   * part to hash on the calling thread. Settles true once that worker takes requests, false if it cannot.
   */
  start(): Promise<boolean> {
    if (!this.failed && this.workers.length === 0 && this.size > 0) this.spawn();
    return this.workers[0]?.started ?? Promise.resolve(false);
  }

  /** Stops every worker; hashes still in flight fail. */
  async close(): Promise<void> {
    const stopping = this.workers.splice(0).map((entry) => entry.worker.terminate());
    await Promise.all(stopping);
  }

  private pick(): HashWorker | null {
    if (this.failed) return null;
    let least: HashWorker | null = null;
    for (const entry of this.workers) {
      if (entry.ready && (least === null || entry.pending.size < least.pending.size)) least = entry;
    }
    const starting = this.workers.some((entry) => !entry.ready);
    if ((least === null || least.pending.size > 0) && !starting && this.workers.length < this.size) {
      this.spawn();
    }
    return least;
  }

  private spawn(): void {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        wasmBase64: CRC64NVME_WASM_BASE64,
        importingWasmBase64: importingKernel(),
        memory: kernelWasmMemory(),
      },
      // The worker holds a few small objects at a time; V8's default young generation alone would add ~16 MiB
      // to the process's peak RSS (the 150 MiB target of issue 12).
      resourceLimits: WORKER_HEAP_LIMITS,
    });
    let settleStarted: (started: boolean) => void = () => undefined;
    const started = new Promise<boolean>((resolve) => (settleStarted = resolve));
    const entry: HashWorker = { worker, ready: false, started, pending: new Map() };
    worker.on("message", (answer: HashAnswer) => {
      if ("ready" in answer) {
        entry.ready = true;
        settleStarted(true);
        if (entry.pending.size === 0) worker.unref();
        return;
      }
      const waiting = entry.pending.get(answer.id);
      if (waiting === undefined) return;
      entry.pending.delete(answer.id);
      if (entry.pending.size === 0) worker.unref();
      if ("error" in answer) waiting.reject(new Error(`hashing in a worker thread failed: ${answer.error}`));
      else waiting.resolve({ digest: toBuffer(answer.digest), md5: toBuffer(answer.md5) });
    });
    const fail = (reason: string): void => {
      settleStarted(false);
      const index = this.workers.indexOf(entry);
      if (index < 0) return; // closed on purpose
      this.workers.splice(index, 1);
      this.failed = true;
      const error = new Error(`a hashing worker thread stopped (${reason})`);
      for (const waiting of entry.pending.values()) waiting.reject(error);
      entry.pending.clear();
    };
    worker.on("error", (error) => fail(error.message));
    worker.on("exit", (code) => fail(`exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.workers.push(entry);
  }
}
