export const id = 917;
export const ids = [917];
export const modules = {

/***/ 5917:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runCommand: () => (/* binding */ runCommand)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(8522);
// EXTERNAL MODULE: ./src/engine/checksum/crc64nvme.ts
var crc64nvme = __webpack_require__(9714);
// EXTERNAL MODULE: ./src/engine/checksum/crc64xz.ts
var crc64xz = __webpack_require__(7346);
;// CONCATENATED MODULE: ./src/engine/checksum/part-hasher.ts




// Node's hashes refuse an update of 2 GiB or more and zlib's crc32 silently wraps its length at 4 GiB, so
// bigger parts are fed in slices of this size.
const MAX_UPDATE = 1024 * 1024 * 1024;
function* slices(data) {
    for (let offset = 0; offset < data.byteLength; offset += MAX_UPDATE) {
        yield data.subarray(offset, Math.min(data.byteLength, offset + MAX_UPDATE));
    }
}
const CRC32C_POLYNOMIAL = 0x82f63b78;
// Creating a hash-wasm instance costs ~0.17 ms against ~0.04 ms for init() on a reused one (measured
// here), so finished instances wait in a pool; concurrent parts each take their own.
const idleWasmHashers = { CRC32C: [] };
async function takeWasmHasher(algorithm) {
    const idle = idleWasmHashers[algorithm].pop();
    if (idle !== undefined)
        return idle.init();
    // Loaded on first use: hash-wasm's bundle holds every algorithm (~280 kB to parse at start-up), and only a
    // CRC32C run needs it.
    const { createCRC32 } = await __webpack_require__.e(/* import() */ 608).then(__webpack_require__.t.bind(__webpack_require__, 608, 23));
    return (await createCRC32(CRC32C_POLYNOMIAL)).init();
}
function spentError(algorithm) {
    return new Error(`${algorithm} part hasher used after digest(); create a new one per part`);
}
class WasmPartHasher {
    algorithm;
    hasher;
    constructor(algorithm, hasher) {
        this.algorithm = algorithm;
        this.hasher = hasher;
    }
    update(chunk) {
        if (this.hasher === null)
            throw spentError(this.algorithm);
        this.hasher.update(chunk);
    }
    digest() {
        if (this.hasher === null)
            throw spentError(this.algorithm);
        const raw = this.hasher.digest("binary");
        idleWasmHashers[this.algorithm].push(this.hasher);
        this.hasher = null;
        return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    }
}
class Crc64PartHasher {
    algorithm;
    crc;
    constructor(algorithm) {
        this.algorithm = algorithm;
        this.crc = algorithm === "CRC64NVME" ? new crc64nvme/* Crc64Nvme */.$V() : new crc64xz/* Crc64Xz */.li();
    }
    update(chunk) {
        if (this.crc === null)
            throw spentError(this.algorithm);
        this.crc.update(chunk);
    }
    digest() {
        if (this.crc === null)
            throw spentError(this.algorithm);
        const out = this.crc.digest();
        this.crc = null;
        return out;
    }
}
class Crc32PartHasher {
    crc = 0;
    spent = false;
    update(chunk) {
        if (this.spent)
            throw spentError("CRC32");
        for (const slice of slices(chunk))
            this.crc = (0,external_node_zlib_.crc32)(slice, this.crc);
    }
    digest() {
        if (this.spent)
            throw spentError("CRC32");
        this.spent = true;
        const out = Buffer.alloc(4);
        out.writeUInt32BE(this.crc);
        return out;
    }
}
class NodeHashPartHasher {
    algorithm;
    hash;
    constructor(algorithm) {
        this.algorithm = algorithm;
        this.hash = (0,external_node_crypto_.createHash)(algorithm);
    }
    update(chunk) {
        if (this.hash === null)
            throw spentError(this.algorithm);
        for (const slice of slices(chunk))
            this.hash.update(slice);
    }
    digest() {
        if (this.hash === null)
            throw spentError(this.algorithm);
        const out = this.hash.digest();
        this.hash = null;
        return out;
    }
}
/** A fresh hasher for one part; cheap enough to call once per part. */
async function createPartHasher(algorithm) {
    switch (algorithm) {
        case "CRC32":
            return new Crc32PartHasher();
        case "CRC32C":
            return new WasmPartHasher(algorithm, await takeWasmHasher(algorithm));
        case "CRC64NVME":
        case "CRC64ECMA":
            return new Crc64PartHasher(algorithm);
        case "SHA1":
            return new NodeHashPartHasher("sha1");
        case "SHA256":
            return new NodeHashPartHasher("sha256");
    }
}
/** Streaming MD5 of one part, for Content-MD5 and for comparing against S3's ETag. */
function createMd5Hasher() {
    return new NodeHashPartHasher("md5");
}
/** Streaming SHA-256 of a whole file, fed in file order (ordered-sha256.ts). */
function createSha256Hasher() {
    return new NodeHashPartHasher("sha256");
}
/** One-shot MD5 of a whole buffer (raw bytes; base64 it for Content-MD5). */
function md5(data) {
    const hasher = createMd5Hasher();
    hasher.update(data);
    return hasher.digest();
}

// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(5919);
// EXTERNAL MODULE: ./src/engine/checksum/crc64nvme-wasm.ts
var crc64nvme_wasm = __webpack_require__(8491);
;// CONCATENATED MODULE: ./src/engine/checksum/hash-memory.ts
// Transfer buffers that live in the CRC64NVME kernel's WebAssembly memory. A part read into one is hashed
// where it lies: without it every byte is copied into the kernel's 64 KiB input window first (0.2 CPU-s per
// GiB, measured with perf). The same buffer is then sent as the request body, so the upload reads each byte
// from the file once, hashes it in place and sends it: no copy of our own.
// The regions are also 64 KiB-aligned, which a SharedArrayBuffer is not (16 bytes past a cache line here):
// the kernel's copy of a read into a misaligned buffer cost 0.86 CPU-s per GiB against 0.30 aligned
// (AMD EPYC, Linux; bench/results/upload-cpu-2026-11-30.md).

// Whole WebAssembly pages: a freed region then fits any later buffer of the same rounded size.
const GRANULE = 64 * 1024;
/**
 * First-fit regions of one growable memory. Freed regions merge with free neighbours, and a free region at
 * the top lowers the top, so a run that frees what it took leaves the memory as it found it (its pages stay
 * with the process: WebAssembly memory never shrinks).
 */
class RegionAllocator {
    reserve;
    free = [];
    taken = new Map();
    top;
    constructor(start, 
    /** Makes room up to `end` bytes; false when the memory cannot grow that far. */
    reserve) {
        this.reserve = reserve;
        this.top = Math.ceil(start / GRANULE) * GRANULE;
    }
    /** The offset of `bytes` free bytes, or null when the memory cannot hold them. */
    take(bytes) {
        const size = Math.max(GRANULE, Math.ceil(bytes / GRANULE) * GRANULE);
        const fitting = this.free.findIndex((region) => region.size >= size);
        let offset;
        if (fitting >= 0) {
            const region = this.free[fitting];
            offset = region.offset;
            if (region.size === size)
                this.free.splice(fitting, 1);
            else
                this.free[fitting] = { offset: offset + size, size: region.size - size };
        }
        else {
            if (!this.reserve(this.top + size))
                return null;
            offset = this.top;
            this.top += size;
        }
        this.taken.set(offset, size);
        return offset;
    }
    /** Gives back a region from take(); an offset it did not hand out is ignored. */
    give(offset) {
        const size = this.taken.get(offset);
        if (size === undefined)
            return;
        this.taken.delete(offset);
        let region = { offset, size };
        const at = this.free.findIndex((other) => other.offset > offset);
        const index = at < 0 ? this.free.length : at;
        const before = this.free[index - 1];
        const after = this.free[index];
        let removeFrom = index;
        let removeCount = 0;
        if (before !== undefined && before.offset + before.size === region.offset) {
            region = { offset: before.offset, size: before.size + region.size };
            removeFrom = index - 1;
            removeCount++;
        }
        if (after !== undefined && region.offset + region.size === after.offset) {
            region = { offset: region.offset, size: region.size + after.size };
            removeCount++;
        }
        if (region.offset + region.size === this.top) {
            this.free.splice(removeFrom, removeCount);
            this.top = region.offset;
        }
        else {
            this.free.splice(removeFrom, removeCount, region);
        }
    }
    /** Bytes handed out and not given back. */
    get takenBytes() {
        let total = 0;
        for (const size of this.taken.values())
            total += size;
        return total;
    }
}
let shared;
function kernelMemory() {
    if (shared === undefined) {
        const kernel = (0,crc64nvme/* crc64NvmeSharedKernel */.h_)();
        let current = kernel.memoryUpTo(0);
        shared = {
            allocator: new RegionAllocator(kernel.firstFreeByte, (end) => {
                const grown = kernel.memoryUpTo(end);
                if (grown !== null)
                    current = grown;
                return grown !== null;
            }),
            memory: () => current,
        };
    }
    return shared;
}
const hashable = new WeakSet();
/**
 * Where `bytes` start in the kernel's memory when they lie in it (a view of a buffer from allocateHashable()),
 * else null: a hashing worker on the same memory reads them there in place (hash-workers.ts).
 */
function kernelMemoryOffset(bytes) {
    if (shared === undefined)
        return null;
    return (0,crc64nvme/* crc64NvmeSharedKernel */.h_)().holds(bytes) ? bytes.byteOffset : null;
}
/** The kernel's WebAssembly.Memory, for a worker's kernel to run on. */
function kernelWasmMemory() {
    kernelMemory();
    return (0,crc64nvme/* crc64NvmeSharedKernel */.h_)().wasmMemory;
}
/**
 * A buffer of `bytes` in the kernel's memory (shared, so a hashing worker can read it in place too), or null
 * when the memory cannot hold it (under 4 GiB in all): the caller then takes an ordinary one.
 */
function allocateHashable(bytes) {
    const { allocator, memory } = kernelMemory();
    const offset = allocator.take(bytes);
    if (offset === null)
        return null;
    const buffer = Buffer.from(memory(), offset, bytes);
    hashable.add(buffer);
    return buffer;
}
/**
 * Returns a buffer from allocateHashable() for reuse; other buffers are left to the garbage collector. The
 * caller must be done with it: the next allocation may hand the same bytes out.
 */
function releaseHashable(buffer) {
    if (!hashable.delete(buffer))
        return;
    kernelMemory().allocator.give(buffer.byteOffset);
}

;// CONCATENATED MODULE: ./src/engine/checksum/wasm-memory-import.ts
// A worker thread that hashes a part lying in the main thread's CRC64NVME kernel memory (hash-memory.ts) reads it
// in place only if its kernel instance runs on that very memory. crc64nvme.wat declares its memory itself, so
// each instance would get its own, and bytes from elsewhere are copied into it 64 KiB at a time (0.2 CPU-s per
// GiB, perf). This turns the declared memory into an import of the same limits, so an instance can be handed
// the main thread's shared memory, without a second copy of the kernel's source to keep in step.
const MEMORY_SECTION = 5;
const IMPORT_SECTION = 2;
const MEMORY_KIND = 2;
function readLeb(bytes, at) {
    let value = 0;
    let shift = 0;
    let next = at;
    for (;;) {
        const byte = bytes[next++];
        if (byte === undefined)
            throw new Error("WebAssembly module: a section size runs past the end");
        value += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if ((byte & 0x80) === 0)
            return { value, next };
    }
}
function leb(value) {
    const out = [];
    do {
        let byte = value & 0x7f;
        value = Math.floor(value / 128);
        if (value > 0)
            byte |= 0x80;
        out.push(byte);
    } while (value > 0);
    return out;
}
function wasm_memory_import_name(text) {
    const bytes = [...Buffer.from(text, "utf8")];
    return [...leb(bytes.length), ...bytes];
}
/**
 * The module with its one declared memory replaced by an import `module`.`field` of the same limits (shared and
 * maximum kept). Throws for a module that imports anything already or declares other than one memory: the
 * kernel does neither, so such a module is not the one this was written for.
 */
function importMemoryInstead(wasm, module = "env", field = "memory") {
    const sections = [];
    for (let at = 8; at < wasm.byteLength;) {
        const id = wasm[at];
        const { value: size, next } = readLeb(wasm, at + 1);
        sections.push({ id, body: wasm.subarray(next, next + size) });
        at = next + size;
    }
    if (sections.some((section) => section.id === IMPORT_SECTION)) {
        throw new Error("importMemoryInstead: the module already has imports");
    }
    const memories = sections.filter((section) => section.id === MEMORY_SECTION);
    if (memories.length !== 1 || memories[0].body[0] !== 1) {
        throw new Error("importMemoryInstead: the module must declare exactly one memory");
    }
    const limits = memories[0].body.subarray(1);
    const imports = Uint8Array.from([1, ...wasm_memory_import_name(module), ...wasm_memory_import_name(field), MEMORY_KIND, ...limits]);
    const out = [...wasm.subarray(0, 8)];
    let placed = false;
    for (const section of sections) {
        // Known sections go in ascending id order (custom sections, id 0, may sit anywhere).
        if (!placed && section.id > IMPORT_SECTION) {
            out.push(IMPORT_SECTION, ...leb(imports.byteLength), ...imports);
            placed = true;
        }
        if (section.id === MEMORY_SECTION)
            continue;
        out.push(section.id, ...leb(section.body.byteLength), ...section.body);
    }
    if (!placed)
        out.push(IMPORT_SECTION, ...leb(imports.byteLength), ...imports);
    return Uint8Array.from(out);
}

;// CONCATENATED MODULE: ./src/engine/checksum/hash-workers.ts





/**
 * The worker's whole program. Self-contained on purpose (it uses only its arguments and globals): its source
 * text becomes the worker's code, so it cannot reach this module's imports.
 */
function serveHashRequests(port, tools) {
    // Node's hashes refuse an update of 2 GiB or more and zlib's crc32 wraps its length at 4 GiB.
    const maxUpdate = 1024 * 1024 * 1024;
    const hashWith = (name, bytes) => {
        const hash = tools.createHash(name);
        for (let at = 0; at < bytes.byteLength; at += maxUpdate)
            hash.update(bytes.subarray(at, at + maxUpdate));
        return hash.digest();
    };
    const checksum = (request, algorithm) => {
        const bytes = request.bytes;
        if (algorithm === "CRC64NVME") {
            return request.kernelOffset === null
                ? tools.crc64(bytes)
                : tools.crc64InPlace(request.kernelOffset, bytes.byteLength);
        }
        if (algorithm === "SHA1")
            return hashWith("sha1", bytes);
        if (algorithm === "SHA256")
            return hashWith("sha256", bytes);
        let crc = 0;
        for (let at = 0; at < bytes.byteLength; at += maxUpdate) {
            crc = tools.crc32(bytes.subarray(at, at + maxUpdate), crc);
        }
        const out = new Uint8Array(4);
        new DataView(out.buffer).setUint32(0, crc);
        return out;
    };
    port.postMessage({ ready: true });
    port.on("message", (request) => {
        let answer;
        try {
            answer = {
                id: request.id,
                digest: request.algorithm === null ? null : checksum(request, request.algorithm),
                md5: request.withMd5 ? hashWith("md5", request.bytes) : null,
            };
        }
        catch (error) {
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
const crc64NvmeKernel = ${crc64nvme/* crc64NvmeKernel */.Q9.toString()};
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
let importing;
/** The kernel module that runs on the main thread's kernel memory instead of its own (base64, made once). */
function importingKernel() {
    importing ??= Buffer.from(importMemoryInstead(Buffer.from(crc64nvme_wasm/* CRC64NVME_WASM_BASE64 */.o, "base64"))).toString("base64");
    return importing;
}
function toBuffer(bytes) {
    return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
/**
 * Up to `size` worker threads, started when first needed; an idle one does not keep the process alive. While
 * none has started yet (tens of milliseconds), or after one failed, hash() answers null and the caller hashes
 * inline: a worker only ever saves time, it never holds a part up.
 */
class HashWorkers {
    size;
    workers = [];
    nextId = 0;
    failed = false;
    constructor(size) {
        this.size = size;
    }
    /**
     * The digests of `bytes`, computed on a worker; null when no worker is ready. `bytes` must be backed by a
     * SharedArrayBuffer and left untouched until the promise settles.
     */
    hash(bytes, algorithm, withMd5) {
        if (!(bytes.buffer instanceof SharedArrayBuffer)) {
            throw new Error("HashWorkers.hash: the bytes must live in a SharedArrayBuffer (they are not copied)");
        }
        const target = this.pick();
        if (target === null)
            return null;
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            if (target.pending.size === 0)
                target.worker.ref();
            target.pending.set(id, { resolve, reject });
            const request = { id, bytes, kernelOffset: kernelMemoryOffset(bytes), algorithm, withMd5 };
            target.worker.postMessage(request);
        });
    }
    /**
     * Starts the first worker now, when none is running or starting, so it is ready by the time the first part
     * has been read: its start-up (~50 ms) then overlaps the requests before that part instead of leaving the
     * part to hash on the calling thread. Settles true once that worker takes requests, false if it cannot.
     */
    start() {
        if (!this.failed && this.workers.length === 0 && this.size > 0)
            this.spawn();
        return this.workers[0]?.started ?? Promise.resolve(false);
    }
    /** Stops every worker; hashes still in flight fail. */
    async close() {
        const stopping = this.workers.splice(0).map((entry) => entry.worker.terminate());
        await Promise.all(stopping);
    }
    pick() {
        if (this.failed)
            return null;
        let least = null;
        for (const entry of this.workers) {
            if (entry.ready && (least === null || entry.pending.size < least.pending.size))
                least = entry;
        }
        const starting = this.workers.some((entry) => !entry.ready);
        if ((least === null || least.pending.size > 0) && !starting && this.workers.length < this.size) {
            this.spawn();
        }
        return least;
    }
    spawn() {
        const worker = new external_node_worker_threads_.Worker(WORKER_SOURCE, {
            eval: true,
            workerData: {
                wasmBase64: crc64nvme_wasm/* CRC64NVME_WASM_BASE64 */.o,
                importingWasmBase64: importingKernel(),
                memory: kernelWasmMemory(),
            },
            // The worker holds a few small objects at a time; V8's default young generation alone would add ~16 MiB
            // to the process's peak RSS (the 150 MiB target of issue 12).
            resourceLimits: WORKER_HEAP_LIMITS,
        });
        let settleStarted = () => undefined;
        const started = new Promise((resolve) => (settleStarted = resolve));
        const entry = { worker, ready: false, started, pending: new Map() };
        worker.on("message", (answer) => {
            if ("ready" in answer) {
                entry.ready = true;
                settleStarted(true);
                if (entry.pending.size === 0)
                    worker.unref();
                return;
            }
            const waiting = entry.pending.get(answer.id);
            if (waiting === undefined)
                return;
            entry.pending.delete(answer.id);
            if (entry.pending.size === 0)
                worker.unref();
            if ("error" in answer)
                waiting.reject(new Error(`hashing in a worker thread failed: ${answer.error}`));
            else
                waiting.resolve({ digest: toBuffer(answer.digest), md5: toBuffer(answer.md5) });
        });
        const fail = (reason) => {
            settleStarted(false);
            const index = this.workers.indexOf(entry);
            if (index < 0)
                return; // closed on purpose
            this.workers.splice(index, 1);
            this.failed = true;
            const error = new Error(`a hashing worker thread stopped (${reason})`);
            for (const waiting of entry.pending.values())
                waiting.reject(error);
            entry.pending.clear();
        };
        worker.on("error", (error) => fail(error.message));
        worker.on("exit", (code) => fail(`exit code ${code}`));
        // After the listeners: adding a 'message' listener refs the worker's port again.
        worker.unref();
        this.workers.push(entry);
    }
}

;// CONCATENATED MODULE: ./src/engine/checksum/whole-part.ts
// The digests of one whole part held in memory: on a worker thread when the runner has a spare core and the
// part is big enough to pay for the hand-off, inline otherwise. Both give the same bytes.



// Below this a part hashes inline in about a millisecond, no more than the round trip to a worker costs.
const WORKER_MIN_BYTES = 1024 * 1024;
// One core stays with the main thread (sending, and the kernel's socket work it does); from two cores a worker
// takes the CRC off it: 1.81 -> 1.06 main-thread CPU-s per GiB uploaded, with the worker reading parts in place
// costing no more CPU in all (bench/results/upload-throughput-2026-11-30-night.md). Beyond a few workers, parts
// in flight run out first.
const CORES_KEPT = 1;
const MAX_WORKERS = 4;
/** How many hashing workers a machine with `cores` cores runs (0: hashing stays on the main thread). */
function hashWorkerCount(cores) {
    return Math.max(0, Math.min(cores - CORES_KEPT, MAX_WORKERS));
}
let sharedWorkers;
function hashWorkers() {
    if (sharedWorkers === undefined) {
        const count = hashWorkerCount((0,external_node_os_.availableParallelism)());
        sharedWorkers = count >= 1 ? new HashWorkers(count) : null;
    }
    return sharedWorkers;
}
/** A worker carries no CRC32C or OSS CRC64ECMA kernel: those hash on this thread. */
function workerComputes(algorithm) {
    return algorithm !== "CRC32C" && algorithm !== "CRC64ECMA";
}
function workerHashes(algorithm, withMd5) {
    return (algorithm !== null || withMd5) && workerComputes(algorithm);
}
/**
 * Called by an upload about to hash whole parts with these settings: starts a hashing worker, if this machine
 * runs any and they would compute these digests, so it is ready for the first part.
 */
function prepareWholePartHashing(algorithm, withMd5) {
    if (workerHashes(algorithm, withMd5))
        hashWorkers()?.start();
}
/** Hashes on the calling thread. */
async function digestWholePartInline(bytes, algorithm, withMd5) {
    let digest = null;
    if (algorithm !== null) {
        const hasher = await createPartHasher(algorithm);
        hasher.update(bytes);
        digest = hasher.digest();
    }
    return { digest, md5: withMd5 ? md5(bytes) : null };
}
/**
 * The part's checksum and MD5 (each null when not asked for). The caller must not change `bytes` until this
 * settles: a worker may be reading them in place (when they live in a SharedArrayBuffer).
 */
async function digestWholePart(bytes, algorithm, withMd5) {
    const worthAWorker = (algorithm !== null || withMd5) &&
        workerComputes(algorithm) &&
        bytes.byteLength >= WORKER_MIN_BYTES &&
        bytes.buffer instanceof SharedArrayBuffer;
    const inWorker = worthAWorker ? hashWorkers()?.hash(bytes, algorithm, withMd5) : null;
    if (inWorker === null || inWorker === undefined)
        return digestWholePartInline(bytes, algorithm, withMd5);
    // A worker that stopped leaves the bytes as they were, so hashing them here gives the same proof.
    return inWorker.catch(() => digestWholePartInline(bytes, algorithm, withMd5));
}

// EXTERNAL MODULE: ./src/engine/checksum/algorithms.ts
var algorithms = __webpack_require__(8588);
;// CONCATENATED MODULE: ./src/engine/checksum/crc-combine.ts
// Combines per-part CRCs into the CRC of the whole object without re-reading it, using zlib's
// crc32_combine technique (polynomial arithmetic modulo P in the reflected bit order) generalised to
// any reflected CRC whose init equals its final xor, which holds for CRC32, CRC32C, CRC64NVME and CRC64ECMA
// (OSS's CRC-64/XZ).

// Works on two 32-bit halves because BigInt bit-twiddling in the loop is about 20x slower.
function multiplyModP(poly, width, a, b) {
    const polyHi = Number(poly >> 32n);
    const polyLo = Number(poly & 0xffffffffn);
    const aHi = Number(a >> 32n);
    const aLo = Number(a & 0xffffffffn);
    let bHi = Number(b >> 32n);
    let bLo = Number(b & 0xffffffffn);
    let productHi = 0;
    let productLo = 0;
    for (let bit = width - 1; bit >= 0; bit--) {
        const set = bit >= 32 ? (aHi >>> (bit - 32)) & 1 : (aLo >>> bit) & 1;
        if (set === 1) {
            productHi ^= bHi;
            productLo ^= bLo;
        }
        const carry = bLo & 1;
        bLo = ((bLo >>> 1) | ((bHi & 1) << 31)) >>> 0;
        bHi >>>= 1;
        if (carry === 1) {
            bHi = (bHi ^ polyHi) >>> 0;
            bLo = (bLo ^ polyLo) >>> 0;
        }
    }
    return (BigInt(productHi >>> 0) << 32n) | BigInt(productLo >>> 0);
}
function makeSpec(width, poly) {
    const powers = [1n << BigInt(width - 2)]; // x^1
    for (let k = 1; k < 64; k++) {
        const previous = powers[k - 1];
        powers.push(multiplyModP(poly, width, previous, previous));
    }
    return { width, poly, powers };
}
const POLYNOMIALS = {
    CRC32: { width: 32, poly: 0xedb88320n },
    CRC32C: { width: 32, poly: 0x82f63b78n },
    CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
    CRC64ECMA: { width: 64, poly: 0xc96c5795d7870f42n },
};
// Built on first use, not at load: the three tables cost ~10 ms before a run's first request, and only a
// multipart upload's completion combines CRCs.
const specs = {};
function specFor(algorithm) {
    const { width, poly } = POLYNOMIALS[algorithm];
    return (specs[algorithm] ??= makeSpec(width, poly));
}
/** x^(8 * byteLength) mod P: multiplying a CRC by it appends byteLength zero bytes' worth of shift. */
function shiftOperator(spec, byteLength) {
    let result = 1n << BigInt(spec.width - 1); // x^0
    let remaining = byteLength;
    let k = 3; // one byte is x^8 = x^(2^3)
    while (remaining > 0) {
        if (remaining % 2 === 1)
            result = multiplyModP(spec.poly, spec.width, spec.powers[k], result);
        remaining = Math.floor(remaining / 2);
        k++;
    }
    return result;
}
function readCrc(algorithm, digest, index) {
    const expected = (0,algorithms/* digestLength */.F0)(algorithm);
    if (digest.length !== expected) {
        throw new Error(`combineFullObject: part ${index + 1} has a ${digest.length}-byte digest; ${algorithm} digests are ${expected} bytes`);
    }
    const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
    return expected === 8 ? view.getBigUint64(0) : BigInt(view.getUint32(0));
}
/** Whole-object CRC (raw big-endian bytes) from the parts' CRCs and sizes, in part order. */
function combineFullObject(algorithm, parts) {
    const spec = specFor(algorithm);
    // Parts almost always share one size, so each distinct size's operator is computed once.
    const operators = new Map();
    let crc = 0n; // the CRC of zero bytes, because init equals the final xor
    parts.forEach((part, index) => {
        if (!Number.isSafeInteger(part.size) || part.size < 0) {
            throw new Error(`combineFullObject: part ${index + 1} has size ${part.size}; expected a byte count ≥ 0`);
        }
        let operator = operators.get(part.size);
        if (operator === undefined) {
            operator = shiftOperator(spec, part.size);
            operators.set(part.size, operator);
        }
        crc = multiplyModP(spec.poly, spec.width, operator, crc) ^ readCrc(algorithm, part.digest, index);
    });
    const out = Buffer.alloc(spec.width / 8);
    if (spec.width === 64)
        out.writeBigUInt64BE(crc);
    else
        out.writeUInt32BE(Number(crc));
    return out;
}

;// CONCATENATED MODULE: ./src/engine/checksum/crc32c-small.ts
// A synchronous CRC32C for the few kilobytes of a composite checksum's input (concatenated part
// digests). hash-wasm only hands out hashers asynchronously, and this input is too small for speed
// to matter; bulk data goes through hash-wasm in part-hasher.ts.
const TABLE = buildTable(0x82f63b78);
function buildTable(reflectedPolynomial) {
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++)
            c = c & 1 ? (c >>> 1) ^ reflectedPolynomial : c >>> 1;
        table[n] = c >>> 0;
    }
    return table;
}
function crc32cSmall(data) {
    let crc = 0xffffffff;
    for (const byte of data)
        crc = TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
}

;// CONCATENATED MODULE: ./src/engine/checksum/composite.ts




function uint32Bytes(value) {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value);
    return out;
}
function digestOf(algorithm, data) {
    switch (algorithm) {
        case "SHA1":
            return (0,external_node_crypto_.createHash)("sha1").update(data).digest();
        case "SHA256":
            return (0,external_node_crypto_.createHash)("sha256").update(data).digest();
        case "CRC32":
            return uint32Bytes((0,external_node_zlib_.crc32)(data));
        case "CRC32C":
            return uint32Bytes(crc32cSmall(data));
    }
}
/** S3's COMPOSITE value: base64(hash(part1 digest ‖ part2 digest ‖ …)) + "-" + part count. */
function compositeChecksum(algorithm, partDigests) {
    if (algorithm === "CRC64NVME" || algorithm === "CRC64ECMA") {
        throw new Error(`compositeChecksum: ${algorithm} is allowed only as FULL_OBJECT; use combineFullObject`);
    }
    if (partDigests.length === 0) {
        throw new Error("compositeChecksum: no part digests given; a multipart object has at least one part");
    }
    const expected = (0,algorithms/* digestLength */.F0)(algorithm);
    partDigests.forEach((digest, index) => {
        if (digest.length !== expected) {
            throw new Error(`compositeChecksum: part ${index + 1} has a ${digest.length}-byte digest; ${algorithm} digests are ${expected} bytes`);
        }
    });
    const joined = Buffer.concat(partDigests);
    return `${digestOf(algorithm, joined).toString("base64")}-${partDigests.length}`;
}

;// CONCATENATED MODULE: ./src/engine/checksum/object-checksum.ts



/**
 * The whole object's checksum as S3 shows it for a multipart upload: plain base64 for FULL_OBJECT,
 * base64 with a "-N" suffix for COMPOSITE. Parts must be in part-number order.
 */
function objectChecksum(algorithm, type, parts) {
    if (type === "FULL_OBJECT" && (0,algorithms/* isFullObjectAlgorithm */.KE)(algorithm)) {
        return combineFullObject(algorithm, parts).toString("base64");
    }
    if (type === "COMPOSITE" && (0,algorithms/* checksumTypeAllowed */.ky)(algorithm, "COMPOSITE")) {
        return compositeChecksum(algorithm, parts.map((part) => part.digest));
    }
    throw new Error(`objectChecksum: S3 does not allow ${algorithm} with checksum type ${type}`);
}

;// CONCATENATED MODULE: ./src/engine/checksum/index.ts








// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __webpack_require__(4573);
;// CONCATENATED MODULE: ./src/engine/size.ts
const UNITS = {
    "": 1,
    B: 1,
    KB: 1000,
    MB: 1000 ** 2,
    GB: 1000 ** 3,
    TB: 1000 ** 4,
    KIB: 1024,
    MIB: 1024 ** 2,
    GIB: 1024 ** 3,
    TIB: 1024 ** 4,
};
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;
/** "8MiB", "64MB", "16777216" → bytes. Decimal units are powers of 1000, binary (KiB…) powers of 1024. */
function parseSize(text) {
    const match = SIZE_PATTERN.exec(text.trim());
    const unit = match ? UNITS[match[2].toUpperCase()] : undefined;
    if (!match || unit === undefined) {
        throw new Error(`Invalid size "${text}": write a whole number of bytes or a number with a unit, e.g. 16777216, 16MiB, 64MB, 1GiB.`);
    }
    const bytes = Number(match[1]) * unit;
    if (!Number.isSafeInteger(bytes)) {
        throw new Error(`Invalid size "${text}": it is not a whole number of bytes; use e.g. 8MiB or 8388608.`);
    }
    return bytes;
}
function formatSize(bytes) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
        value /= 1024;
        unit++;
    }
    return `${value} ${units[unit]}`;
}

;// CONCATENATED MODULE: ./src/engine/upload/plan.ts


const MiB = 1024 * 1024;
const S3_LIMITS = {
    minPartSize: 5 * MiB,
    maxPartSize: 5 * 1024 * MiB,
    maxParts: 10_000,
    maxObjectSize: 10_000 * 5 * 1024 * MiB,
};
/**
 * The limits a run plans with, computed here only (the engine and the config validation both call this): S3's,
 * with a part (and a single PutObject) narrowed to the largest Buffer this Node.js allocates (4 GiB before
 * Node.js 22), in whole MiB as parts are planned, and an object to maxParts such parts.
 */
function resolveLimits(overrides, maxBuffer = external_node_buffer_.constants.MAX_LENGTH) {
    const limits = { ...S3_LIMITS, ...overrides };
    const maxPartSize = Math.min(limits.maxPartSize, Math.floor(maxBuffer / MiB) * MiB);
    return {
        ...limits,
        maxPartSize,
        maxObjectSize: Math.min(limits.maxObjectSize, limits.maxParts * maxPartSize),
    };
}
/** Why parts are smaller than S3 allows, as " (…)", when they are; empty otherwise. */
function bufferLimitNote(limits, format = formatSize) {
    return limits.maxPartSize < S3_LIMITS.maxPartSize
        ? ` (S3 allows ${format(S3_LIMITS.maxPartSize)}, but this Node.js ${process.version} holds at most ` +
            `${format(limits.maxPartSize)} in one buffer; Node.js 22 or later reaches S3's limit)`
        : "";
}
/** Checked once per run, before any file is touched, so a bad input fails fast with one message. */
function checkPartSize(partSize, limits) {
    if (!Number.isSafeInteger(partSize) || partSize < limits.minPartSize || partSize > limits.maxPartSize) {
        return (`part size ${partSize} bytes is outside the allowed range ${formatSize(limits.minPartSize)} – ` +
            `${formatSize(limits.maxPartSize)}${bufferLimitNote(limits)}; choose a value in that range, e.g. 16MiB.`);
    }
    return null;
}
/** Smallest whole MiB (or the requested size, if larger) that keeps the part count within the limit. */
function fitPartSize(size, requested, limits) {
    if (Math.ceil(size / requested) <= limits.maxParts)
        return requested;
    return Math.ceil(size / limits.maxParts / MiB) * MiB;
}
function planUpload(input) {
    const { size, limits } = input;
    const partSizeError = checkPartSize(input.partSize, limits);
    if (partSizeError)
        return { ok: false, error: partSizeError };
    if (size > limits.maxObjectSize) {
        return {
            ok: false,
            error: `file is ${size} bytes, above the ${bufferLimitNote(limits) ? "" : "S3 "}object limit of ` +
                `${limits.maxObjectSize} bytes ` +
                `(${limits.maxParts} parts × ${formatSize(limits.maxPartSize)})${bufferLimitNote(limits)}; ` +
                `split it before uploading.`,
        };
    }
    // One PutObject takes at most a part's limit (5 GiB, or the largest Buffer), whatever the threshold says.
    if (size === 0 || (size < input.multipartThreshold && size <= limits.maxPartSize)) {
        return {
            ok: true,
            plan: { size, multipart: false, partSize: size, parts: [{ number: 1, offset: 0, size }] },
        };
    }
    const partSize = fitPartSize(size, input.partSize, limits);
    const count = Math.ceil(size / partSize);
    // Unreachable with resolveLimits' limits (maxObjectSize ≤ maxParts × maxPartSize); a guard for any other.
    if (partSize > limits.maxPartSize || count > limits.maxParts) {
        return {
            ok: false,
            error: `file is ${size} bytes; it needs more than ${limits.maxParts} parts of at most ` +
                `${formatSize(limits.maxPartSize)}${bufferLimitNote(limits)}; split it before uploading.`,
        };
    }
    const parts = [];
    for (let index = 0; index < count; index++) {
        const offset = index * partSize;
        parts.push({ number: index + 1, offset, size: Math.min(partSize, size - offset) });
    }
    return { ok: true, plan: { size, multipart: true, partSize, parts } };
}

// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(7679);
// EXTERNAL MODULE: ./src/engine/retry.ts
var engine_retry = __webpack_require__(3344);
// EXTERNAL MODULE: ./src/engine/s3/credentials/sts-hints.ts
var sts_hints = __webpack_require__(1443);
// EXTERNAL MODULE: ./src/engine/s3/s3-client.ts + 5 modules
var s3_client = __webpack_require__(1706);
;// CONCATENATED MODULE: ./src/engine/s3/preflight.ts
// One cheap request before any file: a bucket that does not exist, credentials the store refuses, a wrong
// region or an endpoint nobody answers at would otherwise fail every file alike, once per file.
//
// ListObjectsV2 (max-keys 1, under the files' common prefix) rather than HeadBucket: both need s3:ListBucket,
// which the README's minimal policy grants, but a HEAD answer has no body, so NoSuchBucket, AccessDenied, a bad
// key and a bad secret would all arrive as a bare 403/404; and a grant scoped to a prefix (an s3:prefix
// condition) allows this listing where it denies HeadBucket.




const STEP = "preflight";
const CREDENTIAL_CODES = new Set([
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
    "CredentialsProviderError",
]);
/** Redirects to the bucket's region; AuthorizationHeaderMalformed counts only when it names the region. */
function wrongRegion(code, status, region) {
    if (code === "AuthorizationHeaderMalformed")
        return region !== undefined;
    return code === "PermanentRedirect" || code === "MovedPermanently" || status === 301;
}
const UNREACHABLE_CODES = new Set([
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "ETIMEDOUT",
    "ECONNRESET",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "TimeoutError",
]);
/** The longest folder ("…/") every key is under; "" when the keys share none. */
function commonPrefix(keys) {
    if (keys.length === 0)
        return "";
    let prefix = keys[0];
    for (const key of keys) {
        while (!key.startsWith(prefix))
            prefix = prefix.slice(0, -1);
    }
    return prefix.slice(0, prefix.lastIndexOf("/") + 1);
}
/**
 * Throws a StepError naming the bucket, the endpoint and the fix when the store cannot take this run's
 * files; returns when it can, or when the store does not implement the listing (nothing is proven then, and
 * each file's own requests will say what is wrong).
 */
async function preflight(run, files) {
    const { bucket, s3, signal } = run.options;
    const prefix = commonPrefix(files.map((file) => file.key));
    try {
        await (0,engine_retry/* withRetry */.bD)(() => run.store.listObjectsPage({ bucket, prefix, maxKeys: 1 }, signal), {
            policy: run.retry,
            signal,
            // One line says why the run waits (a connect timeout can take a minute over all attempts); its
            // outcome, not each attempt, is what the run reports.
            onRetry: (attempt, reason) => {
                if (attempt !== 1)
                    return;
                const where = s3.endpoint ?? `Amazon S3 (${(0,s3_client/* signingRegion */.Gu)(s3)})`;
                run.emit({
                    type: "warning",
                    message: `preflight: no answer from ${where} yet (${reason}); retrying up to ${run.retry.maxAttempts - 1} times`,
                });
            },
        });
    }
    catch (error) {
        if (signal?.aborted)
            throw new errors/* StepError */.zg(STEP, "cancelled", "Rerun to upload the files.", error);
        const info = (0,errors/* s3ErrorInfo */.Nz)(error);
        if (info.status === 501 || info.code === "NotImplemented")
            return;
        throw explain(error, { bucket, prefix, endpoint: s3.endpoint, region: (0,s3_client/* signingRegion */.Gu)(s3) });
    }
}
/** Failures that may be the whole store's rather than the file's: worth asking the store again. */
const STORE_WIDE_CODES = new Set(["NoSuchBucket", "AccessDenied", ...CREDENTIAL_CODES, ...UNREACHABLE_CODES]);
/**
 * A run's watch on its store. A bucket deleted, credentials expired or an endpoint gone mid-run would
 * otherwise fail each remaining file in turn, each with its own retries; the preflight decides whether the
 * cause is the store's. A failure whose cause the preflight has already cleared does not ask again.
 */
function watchStore(run, files) {
    let lostWith = null;
    let probing = null;
    const cleared = new Set();
    return {
        lost: () => lostWith,
        async recheck(result) {
            const code = result.failure?.code;
            if (lostWith || result.status !== "failed" || !code || !STORE_WIDE_CODES.has(code))
                return;
            const cause = `${result.failure.step}\0${code}`;
            if (cleared.has(cause))
                return;
            probing ??= preflight(run, files).then(() => {
                cleared.add(cause);
            }, (error) => {
                if (error instanceof errors/* StepError */.zg && !run.options.signal?.aborted)
                    lostWith = error;
            });
            const current = probing;
            await current;
            if (probing === current)
                probing = null;
        },
    };
}
function explain(error, target) {
    const info = (0,errors/* s3ErrorInfo */.Nz)(error);
    const answer = (0,errors/* describeS3Error */.ye)(error);
    // No request reached the store: STS would not give the role's session.
    const roleHint = (0,sts_hints/* stsHint */.k)(error);
    if (roleHint)
        return new errors/* StepError */.zg(STEP, `assuming the role failed (${answer})`, roleHint, error);
    const where = target.endpoint ?? `Amazon S3 (${target.region})`;
    const bucket = `bucket "${target.bucket}"`;
    if (info.code === "NoSuchBucket") {
        return new errors/* StepError */.zg(STEP, `${bucket} does not exist at ${where} (${answer})`, (0,errors/* hintForCode */.o_)(info.code), error);
    }
    if (info.code === "AccessDenied" || (info.status === 403 && !CREDENTIAL_CODES.has(info.code))) {
        return new errors/* StepError */.zg(STEP, `listing s3://${target.bucket}/${target.prefix} at ${where} was denied (${answer})`, `Grant these credentials s3:ListBucket on arn:aws:s3:::${target.bucket}, with the other actions of ` +
            `the README's "Minimal IAM policy"; a bucket policy or SCP can also deny it.`, error);
    }
    if (wrongRegion(info.code, info.status, info.region)) {
        const detail = info.region
            ? `${bucket} at ${where} is in region ${info.region}, not ${target.region} (${answer})`
            : `${bucket} at ${where} is in another region than ${target.region} (${answer})`;
        const hint = info.region
            ? `Set "region" to ${info.region}.`
            : `Set "region" to the bucket's (aws s3api get-bucket-location --bucket ${target.bucket}).`;
        return new errors/* StepError */.zg(STEP, detail, hint, error);
    }
    if (CREDENTIAL_CODES.has(info.code)) {
        return new errors/* StepError */.zg(STEP, `the store at ${where} refused the credentials (${answer})`, (0,errors/* hintForCode */.o_)(info.code) ??
            "Check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE).", error);
    }
    if (UNREACHABLE_CODES.has(info.code)) {
        return new errors/* StepError */.zg(STEP, `cannot reach ${where} (${answer})`, (0,errors/* hintFor */.JR)(error) ?? 'Check "endpoint" and that the network (proxy, firewall) lets this machine reach it.', error);
    }
    return new errors/* StepError */.zg(STEP, `listing s3://${target.bucket}/${target.prefix} at ${where} failed (${answer})`, (0,errors/* hintFor */.JR)(error) ?? errors/* HINTS */.NI.retry, error);
}

// EXTERNAL MODULE: ./src/engine/abort-scope.ts
var abort_scope = __webpack_require__(8153);
;// CONCATENATED MODULE: ./src/engine/pool.ts


/** At most `slots` tasks at a time; the others wait in order. */
class Limiter {
    slots;
    waiting = [];
    busy = 0;
    constructor(slots) {
        this.slots = slots;
    }
    async run(task, signal) {
        await this.acquire(signal);
        try {
            return await task();
        }
        finally {
            this.release();
        }
    }
    acquire(signal) {
        if (signal?.aborted)
            return Promise.reject(signal.reason);
        if (this.busy < this.slots) {
            this.busy++;
            return Promise.resolve();
        }
        return new Promise((resolve, reject) => {
            // Every queued task of a run waits on the run's signal: one shared listener, not one each.
            const leave = signal
                ? (0,abort_scope/* whenAborted */.eG)(signal, () => {
                    const index = this.waiting.indexOf(grant);
                    if (index >= 0)
                        this.waiting.splice(index, 1);
                    reject(signal.reason);
                })
                : () => undefined;
            const grant = () => {
                leave();
                this.busy++;
                resolve();
            };
            this.waiting.push(grant);
        });
    }
    release() {
        this.busy--;
        this.waiting.shift()?.();
    }
}
/**
 * The run's one transfer pool: at most `slots` part uploads (or single PutObjects) at a time across all
 * files, each holding one reusable buffer. Memory bound: slots × the largest transfer in the run (a part, or
 * a whole file sent as one PutObject).
 */
class TransferPool {
    options;
    idleBuffers = [];
    limiter;
    closed = false;
    constructor(slots, 
    /** hashable: buffers in the CRC64NVME kernel's memory (hash-memory.ts); close() the pool after use. */
    options = {}) {
        this.options = options;
        this.limiter = new Limiter(slots);
    }
    run(bytes, task, signal) {
        return this.limiter.run(async () => {
            const buffer = this.takeBuffer(bytes);
            try {
                return await task(buffer.subarray(0, bytes));
            }
            finally {
                if (this.closed)
                    releaseHashable(buffer);
                else
                    this.idleBuffers.push(buffer);
            }
        }, signal);
    }
    /** Gives the buffers' memory back for later pools; a task still running gives its buffer back when done. */
    close() {
        this.closed = true;
        for (const buffer of this.idleBuffers.splice(0))
            releaseHashable(buffer);
    }
    takeBuffer(bytes) {
        const fitting = this.idleBuffers.findIndex((buffer) => buffer.byteLength >= bytes);
        if (fitting >= 0)
            return this.idleBuffers.splice(fitting, 1)[0];
        // Replacing a too-small buffer (not adding one) keeps the count at `slots`.
        const replaced = this.idleBuffers.pop();
        if (replaced !== undefined)
            releaseHashable(replaced);
        // Shared memory lets a hashing worker thread read the part in place instead of a copy.
        return ((this.options.hashable === true ? allocateHashable(bytes) : null) ??
            Buffer.from(new SharedArrayBuffer(bytes)));
    }
}
/**
 * Runs tasks with at most `limit` in flight and keeps nothing of what they answer, so a call over thousands of
 * parts holds no part's answer past its task. After a failure no new task starts, the running ones finish,
 * and the first error is thrown — so callers can clean up knowing nothing is still in flight.
 */
async function forEachLimited(items, limit, task) {
    let next = 0;
    let failure = null;
    const worker = async () => {
        while (next < items.length && failure === null) {
            const index = next++;
            try {
                await task(items[index], index);
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    if (failure !== null)
        throw failure.error;
}
/** forEachLimited that collects the tasks' results, in input order. */
async function mapLimited(items, limit, task) {
    const results = new Array(items.length);
    await forEachLimited(items, limit, async (item, index) => {
        results[index] = await task(item, index);
    });
    return results;
}

;// CONCATENATED MODULE: ./src/engine/s3/native-checksum.ts
// Which checksum proves a run's objects when the store has one of its own (providers.ts: nativeChecksum).

/**
 * A store that computes a CRC of its own (OSS: x-oss-hash-crc64ecma) proves every object by it when no
 * x-amz-checksum was chosen (it keeps none: checksumPairProblem refuses them), so the run computes the same CRC
 * per part and for the whole object and compares each answer with it. Elsewhere the choice stands, except that
 * a store's own CRC cannot be asked of a store that does not compute it.
 */
function runChecksum(profile, algorithm, checksumType) {
    if (algorithm === null && profile.nativeChecksum === "crc64ecma") {
        return { algorithm: "CRC64ECMA", checksumType: "FULL_OBJECT" };
    }
    if (algorithm !== null && (0,algorithms/* isStoreComputed */.JY)(algorithm) && profile.nativeChecksum !== "crc64ecma") {
        throw new Error(`Invalid checksum-algorithm ${algorithm}: it is Aliyun OSS's own CRC-64 (x-oss-hash-crc64ecma), which ` +
            `${profile.label} does not compute; choose an x-amz-checksum algorithm such as CRC64NVME, or set provider to oss.`);
    }
    return { algorithm, checksumType };
}

// EXTERNAL MODULE: ./src/engine/s3/providers.ts
var providers = __webpack_require__(5535);
;// CONCATENATED MODULE: ./src/engine/upload/key-listing.ts


/** ListObjectsV2 returns at most 1,000 keys a page. */
const MAX_BATCH = 1000;
/** Pages per batch: past them, other objects crowd the range and HeadObjects are cheaper. */
const PAGE_BUDGET = 2;
/** Keys in the order S3 lists them, UTF-8 binary order, which JavaScript's string order is not beyond the BMP. */
function inListingOrder(keys) {
    return Array.from(keys, (key) => ({ key, bytes: Buffer.from(key) })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
}
function createKeyListing(store, bucket, signal, retry) {
    const target = { store, bucket, signal, retry };
    let batch = [];
    let listing = false;
    let scheduled = false;
    // One listing at a time, like a group commit: lookups made while one is under way wait for the next, so a
    // batch grows with the rate of lookups and a lone lookup is answered at once.
    const flush = async () => {
        scheduled = false;
        listing = true;
        while (batch.length > 0) {
            const taken = batch.slice(0, MAX_BATCH);
            batch = batch.slice(MAX_BATCH);
            await answerBatch(target, taken);
        }
        listing = false;
    };
    const lookup = (key) => new Promise((resolve) => {
        batch.push({ key, resolve });
        if (listing || scheduled)
            return;
        scheduled = true;
        // Lookups made in the same turn of the event loop go together.
        setImmediate(() => void flush());
    });
    const ahead = new Map();
    return {
        lookup,
        listAhead(keys) {
            for (const key of keys)
                ahead.set(key, lookup(key));
        },
        listedBefore(key) {
            const listed = ahead.get(key);
            ahead.delete(key);
            return listed ?? lookup(key);
        },
    };
}
async function answerBatch(target, waiting) {
    const keys = inListingOrder(new Set(waiting.map((entry) => entry.key)));
    const answers = new Map();
    try {
        await listRange(target, keys, answers);
    }
    catch {
        // Retries spent or not worth it (access denied): unknown, not absent. Each caller asks with HeadObject,
        // whose failure names the cause.
    }
    for (const entry of waiting)
        entry.resolve(answers.get(entry.key));
}
/** Lists from just before the first key; every key up to the last one listed is then listed or absent. */
async function listRange({ store, bucket, signal, retry }, keys, answers) {
    const prefix = commonPrefix(keys.map(({ key }) => key));
    // The first key less its last character (a whole code point) sorts just before it.
    const startAfter = Array.from(keys[0].key).slice(0, -1).join("");
    const wanted = new Set(keys.map(({ key }) => key));
    let continuationToken;
    let settled = 0;
    for (let page = 0; page < PAGE_BUDGET && settled < keys.length; page++) {
        const page = {
            bucket,
            prefix,
            ...(continuationToken ? { continuationToken } : { startAfter }),
            maxKeys: Math.min(MAX_BATCH, 2 * keys.length + 8),
        };
        const firstKey = keys[settled].key;
        const listed = await (0,engine_retry/* withRetry */.bD)(() => store.listKeysPage(page, signal), {
            policy: retry.policy,
            ...(signal ? { signal } : {}),
            onRetry: (attempt, reason) => retry.onRetry(attempt, reason, firstKey),
        });
        for (const object of listed.objects) {
            if (wanted.has(object.key))
                answers.set(object.key, { size: object.size, etag: object.etag });
        }
        const last = listed.objects.at(-1)?.key;
        const lastBytes = last === undefined ? undefined : Buffer.from(last);
        while (settled < keys.length &&
            (listed.next === undefined ||
                (lastBytes !== undefined && Buffer.compare(keys[settled].bytes, lastBytes) <= 0))) {
            const { key } = keys[settled];
            if (!answers.has(key))
                answers.set(key, null);
            settled++;
        }
        if (listed.next === undefined)
            return;
        continuationToken = listed.next;
    }
}

// EXTERNAL MODULE: ./src/engine/upload/served-headers.ts + 1 modules
var served_headers = __webpack_require__(4508);
;// CONCATENATED MODULE: ./src/engine/upload/settings-fingerprint.ts
// A short digest of the object settings a multipart upload was created with. S3 shows none of them on an
// in-progress upload (only storage class and checksum settings), so they cannot be compared before resuming
// one; recorded in the svu-plan metadata, they can be read from the finished object.

function settingsFingerprint(headers) {
    const { metadata, ...rest } = headers;
    const ownMetadata = Object.entries(metadata ?? {})
        .filter(([name]) => name !== "svu-plan")
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const fields = Object.entries(rest)
        .filter(([, value]) => value !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return (0,external_node_crypto_.createHash)("sha256")
        .update(JSON.stringify([fields, ownMetadata]))
        .digest("hex")
        .slice(0, 16);
}

;// CONCATENATED MODULE: ./src/engine/broker/broker-calls.ts
// The broker's routes (README "Presigned-part broker") as calls that answer values or throw a StepError naming
// the step, what the broker said and the fix. Each call carries a token from the run's token source, so a long
// run keeps handing over fresh OIDC tokens.


const BROKER_DEADLINE_MS = 10 * 60 * 1000;
function errorOf(body) {
    const error = body?.error;
    return typeof error === "object" && error !== null ? error : {};
}
/** What to do about a broker refusal, by status: the broker's own hint when it gave one. */
function hintFor(status, error) {
    if (status === 401) {
        return ('the broker refused the OIDC token: check that "broker-audience" is the audience the broker\'s issuers ' +
            "entry expects, and that the token is fresh (GitHub: permissions id-token: write; elsewhere a current " +
            '"web-identity-token-file")');
    }
    if (status === 403) {
        return ("the broker's policy does not let this token write there: upload under the prefix its rule grants your " +
            "repository (see the broker's rules), within its size and part limits, or ask the broker's operator");
    }
    if (status === 404 && error.code === "NotFound") {
        return 'check "broker-url": it must be the broker\'s base URL (the one serving /s3/multipart)';
    }
    if (status === 412) {
        return ("an object already exists at this key and is not replaced: upload to a new key, or (when replacing is " +
            'intended) set "overwrite: true" and ask the broker\'s operator for a rule with overwrite: true');
    }
    return error.hint ?? "see the broker's audit log for this call, then rerun";
}
/** A failure another attempt may not meet: the network, a 5xx or a 429 (withTransientRetry retries it). */
class TransientFailure extends errors/* StepError */.zg {
    /** The call surely did nothing (no connection, or a 429/503 answer): safe to repeat even when not idempotent. */
    unacted = false;
}
function isTransientStatus(status) {
    return status >= 500 || status === 429;
}
function brokerRefusal(step, answer) {
    const error = errorOf(answer.body);
    const said = [error.code, error.message].filter((part) => part !== undefined && part !== "").join(": ");
    const Failure = isTransientStatus(answer.status) ? TransientFailure : errors/* StepError */.zg;
    const failure = new Failure(step, `the broker answered ${answer.status}${said ? ` ${said}` : ""}`, hintFor(answer.status, error));
    if (failure instanceof TransientFailure)
        failure.unacted = answer.status === 429 || answer.status === 503;
    return failure;
}
/** One broker call; a broker that cannot be reached or does not answer JSON is a StepError naming broker-url. */
async function callBroker(broker, step, request, signal) {
    const url = `${broker.url.replace(/\/+$/, "")}${request.path}`;
    const token = await broker.token();
    // A hung broker must not hang the run; a Complete of many parts can take minutes at the store.
    const deadline = AbortSignal.timeout(BROKER_DEADLINE_MS);
    let response;
    let text;
    try {
        response = await fetch(url, {
            method: request.method,
            headers: {
                authorization: `Bearer ${token}`,
                ...(request.body === undefined ? {} : { "content-type": "application/json" }),
            },
            ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
            signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        });
        text = await response.text();
    }
    catch (error) {
        if (signal?.aborted)
            throw error;
        const cause = error.cause;
        const why = deadline.aborted
            ? `no answer within ${BROKER_DEADLINE_MS / 1000} s`
            : (cause?.code ?? cause?.message ?? String(error));
        const failure = new TransientFailure(step, `the broker at ${new URL(url).origin} did not answer (${why})`, 'check "broker-url": the broker must be running and reachable from this job', error);
        failure.unacted = cause?.code === "ECONNREFUSED" || cause?.code === "ENOTFOUND";
        throw failure;
    }
    try {
        return { status: response.status, body: JSON.parse(text) };
    }
    catch {
        throw new errors/* StepError */.zg(step, `${new URL(url).origin} answered ${response.status} with no JSON (${JSON.stringify(text.slice(0, 80))})`, 'check "broker-url": it must be the s3-verified-upload broker\'s base URL');
    }
}
/**
 * `attempt` again after a TransientFailure, with the engine's backoff, up to the policy's attempts; other
 * failures and the last transient one are thrown as they are.
 */
async function withTransientRetry(policy, signal, onRetry, attempt) {
    for (let number = 1;; number++) {
        try {
            return await attempt();
        }
        catch (error) {
            if (!(error instanceof TransientFailure) || number >= policy.maxAttempts || signal?.aborted)
                throw error;
            onRetry(number, error.detail);
            await (0,engine_retry/* sleep */.yy)((0,engine_retry/* backoffDelay */.EY)(number, policy), signal);
        }
    }
}

;// CONCATENATED MODULE: ./src/engine/broker/broker-run.ts
// The state of one upload run through a broker and the calls its steps share: retries of transient
// failures, a broker call that must answer 200, the whole-object checksum of the parts.



/** A call another attempt may finish (withTransientRetry), each retry reported as the engine's are. */
function retrying(run, file, operation, signal, attempt) {
    return withTransientRetry(run.retry, signal, (number, reason) => run.options.onEvent?.({ type: "retry", file, operation, attempt: number, reason }), attempt);
}
const RERUN = "rerun the upload";
const DELETE_AND_RERUN = "the object was written but is not the file: ask the broker's operator to delete it, then rerun";
function stripQuotes(etag) {
    return etag.replace(/^"+|"+$/g, "");
}
function wholeChecksum(run, parts) {
    if (run.checksumType === "FULL_OBJECT" && (0,algorithms/* isFullObjectAlgorithm */.KE)(run.algorithm)) {
        return combineFullObject(run.algorithm, parts).toString("base64");
    }
    return compositeChecksum(run.algorithm, parts.map((part) => part.digest));
}
/**
 * A broker call that must answer 200, retried while it fails transiently; `repeatable` false retries only
 * failures that surely did nothing (a create repeated after its answer was lost would leave an upload behind).
 */
function brokerStep(run, file, step, request, signal, repeatable = true) {
    return retrying(run, file, step, signal, async () => {
        try {
            const answer = await callBroker(run.broker, step, request, signal);
            if (answer.status !== 200)
                throw brokerRefusal(step, answer);
            return answer.body;
        }
        catch (error) {
            if (error instanceof TransientFailure && !repeatable && !error.unacted) {
                throw new errors/* StepError */.zg(error.step, error.detail, error.hint, error.cause);
            }
            throw error;
        }
    });
}

;// CONCATENATED MODULE: ./src/engine/broker/existing-object.ts




// Reads for the local checksum of an existing object go through a buffer this big, not a part's.
const COMPARE_CHUNK = 4 * 1024 * 1024;
/** The file's whole-object checksum as the upload would compute it, its SHA-256 too when asked for. */
async function localChecksum(run, file, handle, plan) {
    const sha256 = run.options.sha256 ? createSha256Hasher() : null;
    const buffer = Buffer.allocUnsafe(Math.min(COMPARE_CHUNK, Math.max(plan.partSize, 1)));
    const digests = [];
    for (const part of plan.parts) {
        const hasher = await createPartHasher(run.algorithm);
        for (let done = 0; done < part.size;) {
            const length = Math.min(buffer.length, part.size - done);
            const { bytesRead } = await handle.read(buffer, 0, length, part.offset + done);
            if (bytesRead !== length) {
                throw new errors/* StepError */.zg(`reading ${file.path}`, "the file ended early", "the file changed; rerun once it is complete");
            }
            hasher.update(buffer.subarray(0, length));
            sha256?.update(buffer.subarray(0, length));
            done += length;
        }
        digests.push({ digest: hasher.digest(), size: part.size });
    }
    return { whole: wholeChecksum(run, digests), sha256: sha256 ? sha256.digest().toString("hex") : null };
}
/** What is stored at the file's key (GET /s3/object); null from a broker without that route. */
async function readStored(run, file, step) {
    const query = new URLSearchParams({ key: file.key, bucket: run.options.bucket });
    const answer = await retrying(run, file, step, run.options.signal, async () => {
        const called = await callBroker(run.broker, step, { method: "GET", path: `/s3/object?${query}` }, run.options.signal);
        const code = called.body?.error?.code;
        if (called.status === 200 || (called.status === 404 && code === "NotFound"))
            return called;
        throw brokerRefusal(step, called);
    });
    return answer.status === 200 ? answer.body : null;
}
/**
 * With overwrite false, an object already at the key: the file's result when it is proven the same
 * ("unchanged": the stored checksum is the file's), a Refusal when it differs, null when there is none or it
 * cannot be compared (no checksum stored, or a broker without GET /s3/object: Complete's If-None-Match then
 * refuses to replace it).
 */
async function existingObject(run, file, handle, plan) {
    if (run.options.overwrite)
        return null;
    const stored = await readStored(run, file, "HeadObject");
    if (stored === null)
        return null;
    const remote = stored.checksums?.[run.algorithm];
    if (stored.exists !== true || remote === undefined)
        return null;
    const local = await localChecksum(run, file, handle, plan);
    if (stored.size !== plan.size || remote !== local.whole) {
        throw new errors/* Refusal */.P_("overwrite check", `an object with other content${run.checksumType === "COMPOSITE" ? " (or other part sizes)" : ""} is at this key (${String(stored.size)} bytes, ${run.algorithm} ${remote}; ` +
            `the file: ${plan.size} bytes, ${local.whole}); nothing was uploaded. Set "overwrite: true" to replace ` +
            "it (the broker's rule must allow overwrite too), or upload to another key.");
    }
    return {
        etag: stripQuotes(stored.etag ?? ""),
        checksumLocal: local.whole,
        checksumRemote: remote,
        sha256: local.sha256,
        verification: "checksum",
        verified: true,
        notes: [
            "The object already exists with the same content (its stored checksum, read through the broker); it was not uploaded again.",
        ],
    };
}

;// CONCATENATED MODULE: ./src/engine/upload/resume-rules.ts
// The rules that decide whether an in-progress multipart upload may be resumed and which of its parts are kept,
// shared by uploads with S3 credentials (resume.ts) and through a broker (broker/resume-via-broker.ts): the two
// read the store differently, but an upload is adopted, and a part kept, on exactly the same evidence.

const SLOWEST_PART_BYTES_PER_MS = (1024 * 1024) / 1000;
/**
 * Why the upload cannot belong to this plan, or null when every setting the store shows of it (checksum
 * algorithm and type, storage class, part sizes and checksums) fits it.
 */
function planMisfit(wanted, plan, candidate, listed) {
    const declared = listed.checksumAlgorithm ?? candidate.checksumAlgorithm;
    if (declared !== undefined && declared !== wanted.algorithm) {
        return `it was started with checksum algorithm ${declared}, this run uses ${wanted.algorithm ?? "none"}`;
    }
    const declaredType = listed.checksumType ?? candidate.checksumType;
    if (declaredType !== undefined && declaredType !== wanted.checksumType) {
        return `it was started with checksum type ${declaredType}, this run uses ${wanted.checksumType ?? "none"}`;
    }
    const declaredClass = listed.storageClass ?? candidate.storageClass;
    if (declaredClass !== undefined && declaredClass !== wanted.storageClass) {
        return `it was started with storage class ${declaredClass}, this run uses ${wanted.storageClass}`;
    }
    for (const part of listed.parts) {
        const planned = plan.parts[part.number - 1];
        if (planned === undefined) {
            return `it has part ${part.number}, the local file needs only ${plan.parts.length} parts`;
        }
        if (planned.size !== part.size) {
            return (`its part ${part.number} is ${part.size} bytes, this run's part ${part.number} is ${planned.size} ` +
                `(different file size or part size)`);
        }
        const foreign = Object.keys(part.checksums).find((algorithm) => algorithm !== wanted.algorithm);
        if (foreign !== undefined)
            return `its parts carry ${foreign} checksums, this run uses ${wanted.algorithm ?? "none"}`;
    }
    return null;
}
/** How long an upload must have been quiet before it is taken for abandoned. */
function quietPeriodMs(tuning, plan) {
    // A live job stores a part at least this often, even through one stalled and retried request.
    return (tuning?.resumeQuietMs ??
        (tuning?.stallTimeoutMs ?? engine_retry/* DEFAULT_STALL_TIMEOUT_MS */.es) + plan.partSize / SLOWEST_PART_BYTES_PER_MS);
}
/**
 * Why the upload may still be written to by the job that started it, or null when it has been quiet long
 * enough. Times are the store's, compared with this machine's clock: a clock running ahead shortens the wait.
 */
function stillActive(quietMs, candidate, listed, now) {
    const newestPart = Math.max(0, ...listed.parts.map((part) => part.lastModified?.getTime() ?? 0));
    const initiated = candidate.initiated?.getTime() ?? 0;
    const last = Math.max(newestPart, initiated);
    const age = now - last;
    if (last === 0 || age >= quietMs)
        return null;
    const what = newestPart >= initiated ? "its last part was stored" : "it was initiated";
    return (`${what} ${Math.max(0, Math.round(age / 1000))} s ago; another job may still be uploading it ` +
        `(an upload is resumed once it has been quiet for ${Math.ceil(quietMs / 1000)} s)`);
}
/** Without a listed checksum for the run's algorithm, the ETag (MD5) is the only proof there is. */
function needsMd5(algorithm, part) {
    return algorithm === null || part.checksums[algorithm] === undefined;
}
// An ETag equal to the MD5 of the local range is proof whatever the encryption: under SSE-KMS it simply
// never matches, and the part is uploaded again.
function holdsLocalBytes(algorithm, part, local) {
    const remote = algorithm === null ? undefined : part.checksums[algorithm];
    if (remote !== undefined)
        return local.digest !== null && remote === local.digest.toString("base64");
    return local.md5 !== null && part.etag === local.md5.toString("hex");
}
/**
 * Null when the proven parts make the upload resumable (none listed, or its last part, which pins the file
 * size, among them), else why not.
 */
function keptMisfit(plan, listed, kept) {
    if (listed.parts.length === 0 || kept.has(plan.parts.length))
        return null;
    return kept.size === 0
        ? "none of its parts holds the bytes of the local file"
        : `its last part ${plan.parts.length}, which pins the file size, is not stored with the local bytes`;
}
function notResumedWarning(uploadId, misfit) {
    return (`In-progress upload ${uploadId} of this key was not resumed: ${misfit}. It is left in place; ` +
        `remove stale uploads with the cleanup mode or a lifecycle rule (lifecycle-abort-days).`);
}
function resumeNote(candidate, plan, listed, kept) {
    const keptBytes = [...kept.values()].reduce((sum, part) => sum + part.size, 0);
    const redone = listed.parts.length - kept.size;
    return (`Resumed multipart upload ${candidate.uploadId}` +
        (candidate.initiated ? ` (initiated ${candidate.initiated.toISOString()})` : "") +
        `: kept ${kept.size} of ${plan.parts.length} parts (${keptBytes} bytes) whose stored checksums match the ` +
        `local file` +
        (redone > 0 ? `; ${redone} stored part(s) did not match and were uploaded again` : "") +
        ".");
}
/** In-progress uploads of exactly `key` (a prefix listing holds longer keys too), newest first. */
function newestOfKey(uploads, key) {
    return uploads
        .filter((upload) => upload.key === key)
        .sort((a, b) => (b.initiated?.getTime() ?? 0) - (a.initiated?.getTime() ?? 0));
}

;// CONCATENATED MODULE: ./src/engine/broker/part-upload.ts





/** The slowest transfer a part's deadline allows for (on top of the stall timeout). */
const SLOWEST_BYTES_PER_SECOND = 256 * 1024;
async function readPart(handle, file, part) {
    const buffer = Buffer.allocUnsafe(part.size);
    const { bytesRead } = await handle.read(buffer, 0, part.size, part.offset);
    if (bytesRead !== part.size) {
        throw new errors/* StepError */.zg(`reading ${file.path}`, `part ${part.number} ended after ${bytesRead} of ${part.size} bytes`, "the file changed while it was uploaded; make sure nothing writes to it and rerun");
    }
    return buffer;
}
async function sendPart(run, where, part, body, signal) {
    const hasher = await createPartHasher(run.algorithm);
    hasher.update(body);
    const digest = hasher.digest();
    const checksum = digest.toString("base64");
    const partMd5 = run.options.contentMd5 ? md5(body) : undefined;
    const query = new URLSearchParams({
        key: where.key,
        bucket: run.options.bucket,
        size: String(part.size),
        checksumAlgorithm: run.algorithm,
        checksum,
    });
    if (partMd5)
        query.set("contentMd5", partMd5.toString("base64"));
    const step = `signing part ${part.number}`;
    const signed = await callBroker(run.broker, step, { method: "GET", path: `/s3/multipart/${encodeURIComponent(where.uploadId)}/${part.number}?${query}` }, signal);
    if (signed.status !== 200) {
        const refusal = brokerRefusal(step, signed);
        // The broker's own hint speaks of its query parameters; the user's fix is an input.
        if (signed.status === 400 && !run.options.contentMd5 && refusal.detail.includes("contentMd5")) {
            throw new errors/* StepError */.zg(step, refusal.detail, 'the broker\'s store does not check x-amz-checksum-*, so each part must be signed with its MD5 too: set "content-md5: true"');
        }
        throw refusal;
    }
    const { url, headers } = signed.body;
    if (typeof url !== "string" || typeof headers !== "object" || headers === null) {
        throw new errors/* StepError */.zg(step, "the broker's answer has no url and headers", "check that broker-url is this tool's broker");
    }
    const upload = `UploadPart ${part.number}`;
    // fetch shows no progress of a body, so a stalled store is cut by a deadline that allows the part's bytes
    // at a slow rate on top of the stall timeout; the attempt is then retried.
    const deadlineMs = run.stallTimeoutMs + Math.ceil((part.size / SLOWEST_BYTES_PER_SECOND) * 1000);
    const deadline = AbortSignal.timeout(deadlineMs);
    let put;
    let text;
    try {
        // Exactly the signed headers: an x-amz-* header the URL does not sign is refused by S3 (HeadersNotSigned).
        put = await fetch(url, {
            method: "PUT",
            headers: headers,
            body,
            signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        });
        text = await put.text();
    }
    catch (error) {
        if (signal?.aborted)
            throw error;
        const why = deadline.aborted
            ? `no answer within ${Math.round(deadlineMs / 1000)} s`
            : String(error.cause ?? error);
        throw new TransientFailure(upload, `the store did not answer (${why})`, RERUN, error);
    }
    if (put.status !== 200) {
        const code = /<Code>([^<]+)/.exec(text)?.[1] ?? "";
        const Failure = isTransientStatus(put.status) ? TransientFailure : errors/* StepError */.zg;
        throw new Failure(upload, `the store answered ${put.status} ${code}`.trim(), code === "BadDigest" || code === "InvalidDigest"
            ? "the part's bytes did not match its signed checksum on the way to the store; rerun the upload"
            : code === "AccessDenied" || code === "SignatureDoesNotMatch" || code === "HeadersNotSigned"
                ? "the broker's presigned URL was refused: check the broker's clock and S3 credentials, then rerun"
                : RERUN);
    }
    const echoed = put.headers.get(`x-amz-checksum-${run.algorithm.toLowerCase()}`);
    if (echoed !== null && echoed !== checksum) {
        throw new errors/* StepError */.zg(upload, `the store answered ${run.algorithm} ${echoed}, not the part's ${checksum}`, RERUN);
    }
    return {
        number: part.number,
        size: part.size,
        etag: stripQuotes(put.headers.get("etag") ?? ""),
        checksum,
        digest,
        md5: partMd5,
    };
}
/** Why ListParts (through the broker) and the parts sent differ, or undefined when they agree exactly. */
function listedMismatch(algorithm, sent, listed) {
    if (!Array.isArray(listed))
        return "the broker's ListParts answer is not a list";
    const field = (0,algorithms/* sdkChecksumField */.WE)(algorithm);
    const byNumber = new Map();
    for (const entry of listed)
        byNumber.set(Number(entry.PartNumber), entry);
    for (const part of sent) {
        const entry = byNumber.get(part.number);
        if (!entry)
            return `part ${part.number} is not listed`;
        if (entry.Size !== part.size)
            return `part ${part.number} is listed with ${String(entry.Size)} bytes, ${part.size} were sent`;
        if (stripQuotes(String(entry.ETag)) !== part.etag)
            return `part ${part.number}'s listed ETag is not the one its upload answered`;
        const stored = entry[field];
        if (stored !== undefined && stored !== part.checksum) {
            return `part ${part.number} is listed with ${algorithm} ${String(stored)}, not ${part.checksum}`;
        }
        byNumber.delete(part.number);
    }
    const extra = [...byNumber.keys()];
    return extra.length > 0 ? `the upload holds part ${extra[0]}, which this run did not send` : undefined;
}
/**
 * Sends the parts not in `kept` and returns every part of the plan, in part order. The last part goes first and
 * alone: once stored, its number and size pin the file size, which a later run needs to resume the upload.
 */
async function uploadParts(run, file, handle, plan, where, sha256, kept) {
    const signal = run.options.signal;
    const parts = new Map(kept);
    let done = [...kept.values()].reduce((total, part) => total + part.size, 0);
    const send = (part, body) => 
    // Signed again on each attempt: a URL may have expired meanwhile.
    retrying(run, file, `UploadPart ${part.number}`, signal, () => sendPart(run, where, part, body, signal)).then((answer) => {
        parts.set(part.number, answer);
        done += part.size;
        run.options.onEvent?.({ type: "progress", file, bytesDone: done, size: plan.size });
    });
    const readAndSend = (part) => run.transfers.run(async () => send(part, await readPart(handle, file, part)), signal);
    const last = plan.parts.at(-1);
    if (plan.parts.length > 1 && !parts.has(last.number))
        await readAndSend(last);
    if (sha256 === null) {
        await mapLimited(plan.parts.filter((part) => !parts.has(part.number)), run.options.concurrency, readAndSend);
    }
    else {
        // The hash sees the file's bytes in order, one part at a time: each part sent is hashed as it is read, and
        // a part this pass did not send (kept, or the last sent first) is read again and must hash as it did.
        for (const part of plan.parts) {
            await run.transfers.run(async () => {
                const body = await readPart(handle, file, part);
                const earlier = parts.get(part.number);
                if (earlier !== undefined)
                    await ensureSameBytes(run, file, part, body, earlier);
                sha256.update(body);
                if (earlier === undefined)
                    await send(part, body);
            }, signal);
        }
    }
    return plan.parts.map((part) => parts.get(part.number));
}
async function ensureSameBytes(run, file, part, body, earlier) {
    const hasher = await createPartHasher(run.algorithm);
    hasher.update(body);
    if (hasher.digest().equals(earlier.digest))
        return;
    throw new errors/* StepError */.zg(`reading ${file.path}`, `part ${part.number} changed since it was read for the upload`, "the file changed while it was uploaded; make sure nothing writes to it and rerun");
}

;// CONCATENATED MODULE: ./src/engine/broker/resume-via-broker.ts







function record(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value)
        ? value
        : {};
}
function optionalText(value) {
    return typeof value === "string" && value !== "" ? value : undefined;
}
function dateOf(value) {
    const time = typeof value === "string" ? Date.parse(value) : NaN;
    return Number.isNaN(time) ? undefined : new Date(time);
}
function pendingOf(entry) {
    const key = optionalText(entry.key);
    const uploadId = optionalText(entry.uploadId);
    if (key === undefined || uploadId === undefined)
        return [];
    const storageClass = optionalText(entry.storageClass);
    const checksumAlgorithm = optionalText(entry.checksumAlgorithm);
    const checksumType = optionalText(entry.checksumType);
    return [
        {
            key,
            uploadId,
            initiated: dateOf(entry.initiated),
            ...(storageClass ? { storageClass } : {}),
            ...(checksumAlgorithm ? { checksumAlgorithm } : {}),
            ...(checksumType ? { checksumType } : {}),
        },
    ];
}
/** A part of the broker's ListParts answer (Uppy's shape) as the store listed it. */
function listedPartOf(entry) {
    const checksums = {};
    for (const algorithm of algorithms/* AMZ_CHECKSUM_ALGORITHMS */.Sp) {
        const value = optionalText(entry[(0,algorithms/* sdkChecksumField */.WE)(algorithm)]);
        if (value !== undefined)
            checksums[algorithm] = value;
    }
    const lastModified = dateOf(entry.LastModified);
    return {
        number: Number(entry.PartNumber),
        size: Number(entry.Size),
        etag: stripQuotes(String(entry.ETag ?? "")),
        checksums,
        ...(lastModified ? { lastModified } : {}),
    };
}
/** The key's in-progress uploads, newest first; null from a broker without the list route (an older one). */
async function pendingUploads(run, file) {
    const step = "ListMultipartUploads";
    const query = new URLSearchParams({ key: file.key, bucket: run.options.bucket });
    const answer = await retrying(run, file, step, run.options.signal, async () => {
        const called = await callBroker(run.broker, step, { method: "GET", path: `/s3/multipart?${query}` }, run.options.signal);
        const code = record(record(called.body).error).code;
        if (called.status === 200 || (called.status === 404 && code === "NotFound"))
            return called;
        throw brokerRefusal(step, called);
    });
    if (answer.status !== 200)
        return null;
    const uploads = record(answer.body).uploads;
    if (!Array.isArray(uploads)) {
        throw new errors/* StepError */.zg(step, "the broker's answer lists no uploads", "check that broker-url is this tool's broker");
    }
    return newestOfKey(uploads.flatMap((entry) => pendingOf(record(entry))), file.key);
}
/** The upload's parts through the broker; null when it is gone (completed or aborted since it was listed). */
async function listedUpload(run, file, candidate) {
    const step = "ListParts";
    const query = new URLSearchParams({ key: file.key, bucket: run.options.bucket });
    const path = `/s3/multipart/${encodeURIComponent(candidate.uploadId)}?${query}`;
    const answer = await retrying(run, file, step, run.options.signal, async () => {
        const called = await callBroker(run.broker, step, { method: "GET", path }, run.options.signal);
        if (called.status === 200 || called.status === 404)
            return called;
        throw brokerRefusal(step, called);
    });
    if (answer.status !== 200 || !Array.isArray(answer.body))
        return null;
    return {
        parts: answer.body.map((entry) => listedPartOf(record(entry))),
        // The broker's ListParts answer is Uppy's list of parts; the upload's settings come from its listing.
        checksumAlgorithm: undefined,
        checksumType: undefined,
        storageClass: undefined,
    };
}
/** Reads and hashes each listed part's range once, and keeps those whose listed value is the local one. */
async function provenParts(run, file, handle, plan, listed) {
    const kept = new Map();
    await mapLimited(listed, run.options.concurrency, (part) => run.transfers.run(async () => {
        const planned = plan.parts[part.number - 1];
        const body = await readPart(handle, file, planned);
        const hasher = await createPartHasher(run.algorithm);
        hasher.update(body);
        const digest = hasher.digest();
        const partMd5 = needsMd5(run.algorithm, part) ? md5(body) : undefined;
        if (!holdsLocalBytes(run.algorithm, part, { digest, md5: partMd5 ?? null }))
            return;
        kept.set(part.number, {
            number: part.number,
            size: part.size,
            etag: part.etag,
            checksum: digest.toString("base64"),
            digest,
            md5: partMd5,
        });
    }, run.options.signal));
    return kept;
}
/**
 * The newest in-progress upload of the file's key that fits the plan, with its proven parts; null when there
 * is none. Uploads that do not fit are left in place (they may be another job's) and named in a warning.
 */
async function findResumableViaBroker(run, file, handle, plan) {
    const candidates = await pendingUploads(run, file);
    if (candidates === null) {
        run.options.onEvent?.({
            type: "warning",
            file,
            message: "The broker lists no in-progress uploads (GET /s3/multipart is missing: an older broker), so none is resumed; upgrade the broker to resume interrupted uploads.",
        });
        return null;
    }
    const wanted = {
        algorithm: run.algorithm,
        checksumType: run.checksumType,
        storageClass: run.options.object.storageClass ?? "STANDARD",
    };
    const quietMs = quietPeriodMs(run.options.tuning, plan);
    const now = Date.now();
    for (const candidate of candidates) {
        const listed = await listedUpload(run, file, candidate);
        if (listed === null)
            continue;
        let misfit = planMisfit(wanted, plan, candidate, listed) ?? stillActive(quietMs, candidate, listed, now);
        if (misfit === null) {
            const kept = await provenParts(run, file, handle, plan, listed.parts);
            misfit = keptMisfit(plan, listed, kept);
            if (misfit === null) {
                return { uploadId: candidate.uploadId, kept, note: resumeNote(candidate, plan, listed, kept) };
            }
        }
        run.options.onEvent?.({ type: "warning", file, message: notResumedWarning(candidate.uploadId, misfit) });
    }
    return null;
}

;// CONCATENATED MODULE: ./src/engine/broker/object-proof.ts
// The proof of a completed object, from the broker's final check (its HeadObject after Complete).



/** The multipart ETag S3 computes from the parts' MD5s. */
function multipartEtag(parts) {
    if (parts.some((part) => part.md5 === undefined))
        return undefined;
    const hash = (0,external_node_crypto_.createHash)("md5");
    for (const part of parts)
        hash.update(part.md5);
    return `${hash.digest("hex")}-${parts.length}`;
}
function storedOf(answer) {
    const stored = answer.stored;
    if (typeof stored !== "object" || stored === null)
        return null;
    if (typeof stored.size !== "number" || typeof stored.etag !== "string")
        return null;
    return stored;
}
/**
 * The proof of the completed object from the broker's final check (its HeadObject after Complete): the local
 * size, and the local whole-object checksum, or where the store keeps none the multipart ETag made of the
 * local parts' MD5s. A StepError when it proves nothing or shows other bytes.
 */
function proofOf(run, plan, sent, whole, answer, sha256) {
    const step = "verify object";
    const stored = storedOf(answer);
    if (stored === null) {
        throw new errors/* StepError */.zg(step, "the broker could not read the completed object back (its HeadObject found nothing or failed)", "the object may be written but is not verified: ask the broker's operator to check or delete it, then rerun");
    }
    if (stored.size !== plan.size) {
        throw new errors/* StepError */.zg(step, `the object is ${stored.size} bytes, the file ${plan.size}`, DELETE_AND_RERUN);
    }
    const completed = typeof answer.checksum === "string" ? answer.checksum : undefined;
    const remote = stored.checksum ?? null;
    for (const value of [completed, remote]) {
        if (value !== undefined && value !== null && value !== whole) {
            throw new errors/* StepError */.zg(step, `the object's ${run.algorithm} is ${value}, the file's ${whole}`, DELETE_AND_RERUN);
        }
    }
    const common = {
        etag: stripQuotes(stored.etag),
        ...(typeof answer.versionId === "string" ? { versionId: answer.versionId } : {}),
        checksumLocal: whole,
        checksumRemote: remote,
        sha256: sha256 ? sha256.digest().toString("hex") : null,
        notes: [
            `Uploaded through the broker: ${String(answer.proof ?? "")}; read back by the broker's HeadObject.`,
        ],
    };
    if (remote !== null)
        return { ...common, verification: "checksum", verified: true };
    const expectedEtag = multipartEtag(sent);
    if (expectedEtag !== undefined && expectedEtag === common.etag) {
        return { ...common, verification: "etag-md5", verified: true };
    }
    throw new errors/* StepError */.zg(step, `the store shows no ${run.algorithm} for the object` +
        (expectedEtag ? ` and its ETag ${common.etag} is not the local ${expectedEtag}` : ""), expectedEtag
        ? DELETE_AND_RERUN
        : 'the store keeps no checksums: set "content-md5: true" so the parts are proven by their signed MD5s and the object by its ETag');
}

;// CONCATENATED MODULE: ./src/engine/broker/token-cache.ts
// The broker's token source for a run: a token is reused while it has more than a margin of life left, then a
// new one is fetched (GitHub's token service, or the token file read again). The expiry is read from the JWT's
// payload without checking its signature: it only decides when to ask again; the broker checks the token.
/** A token this close to its end is replaced, so it cannot expire between fetch and the broker's check. */
const RENEW_BEFORE_MS = 2 * 60 * 1000;
function expiryOf(token) {
    const payload = token.split(".")[1];
    if (payload === undefined)
        return undefined;
    try {
        const exp = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).exp;
        return typeof exp === "number" ? exp * 1000 : undefined;
    }
    catch {
        return undefined;
    }
}
function cachedToken(fetchToken, now = Date.now) {
    let current;
    let pending;
    return () => {
        if (current && now() < current.renewAt)
            return Promise.resolve(current.token);
        // Concurrent calls share one fetch instead of each asking the token service.
        pending ??= fetchToken()
            .then((token) => {
            const expiry = expiryOf(token);
            // A token without a readable expiry is fetched again for each call.
            current = expiry === undefined ? undefined : { token, renewAt: expiry - RENEW_BEFORE_MS };
            return token;
        })
            .finally(() => {
            pending = undefined;
        });
        return pending;
    };
}

;// CONCATENATED MODULE: ./src/engine/broker/upload-via-broker.ts
// Uploads through a presigned-part broker (src/broker/): no S3 credentials in this process. Every file, small
// ones too, is a multipart upload (one part below multipart-threshold), so each one gets the same proof:
// - each part goes to a URL that signs its checksum header (and Content-MD5 with content-md5), with exactly
//   those headers: the store refuses a body that does not match them, and its echo must be the local value
//   (part-upload.ts);
// - ListParts through the broker must show every part sent with its size, ETag and checksum, and nothing else;
// - Complete carries the whole-object checksum (FULL_OBJECT) and the size; the broker then reads the object
//   back, and its checksum (or, on stores that keep none, the ETag of the local parts' MD5s) must be the
//   file's (object-proof.ts).
// With overwrite false an object already at the key is compared first (existing-object.ts). An interrupted
// upload of the key is resumed as with S3 credentials (resume-via-broker.ts): only the parts the store does not
// hold with the local bytes are sent. A failure aborts the upload through the broker (parts of a failed run are
// not left behind), unless on-failure is keep or the upload was resumed from an earlier run.















/** What cannot go through a broker, as an error naming the setting and the fix (the config checks these too). */
function brokerOptionProblems(options) {
    const problems = [];
    if (options.checksumAlgorithm === null) {
        problems.push('Input "checksum-algorithm" is none, but the broker signs every part with its checksum; use CRC64NVME (the default) or another algorithm.');
    }
    return problems;
}
function resultOf(run, file, plan) {
    return {
        path: file.path,
        key: file.key,
        bucket: run.options.bucket,
        size: plan?.size ?? 0,
        partSize: plan?.partSize ?? 0,
        parts: plan?.parts.length ?? 0,
        multipart: true,
        etag: "",
        checksumAlgorithm: run.algorithm,
        checksumType: run.checksumType,
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
/** One part for a file below multipart-threshold: a multipart upload of one part, proven as the others are. */
function planOf(run, size) {
    const planned = planUpload({
        size,
        partSize: run.options.partSize,
        multipartThreshold: run.options.multipartThreshold,
        limits: resolveLimits(run.options.limits),
    });
    if (!planned.ok)
        throw new errors/* StepError */.zg("plan", planned.error, "split the file before uploading");
    return planned.plan;
}
async function abortUpload(run, file, where) {
    const query = new URLSearchParams({ key: where.key, bucket: run.options.bucket });
    try {
        // Not under the run's signal: an interrupted run must still abort what it started.
        await brokerStep(run, file, "AbortMultipartUpload", { method: "DELETE", path: `/s3/multipart/${encodeURIComponent(where.uploadId)}?${query}` }, undefined);
        return `The multipart upload ${where.uploadId} was aborted through the broker.`;
    }
    catch (error) {
        const why = error instanceof errors/* StepError */.zg ? error.detail : String(error);
        return (`Aborting the multipart upload ${where.uploadId} through the broker failed (${why}); the store's ` +
            "lifecycle rule, or the cleanup mode run with S3 credentials, removes it.");
    }
}
/** The file's result when the object at the key is this upload's (its size and checksum), else null. */
async function confirmedComplete(run, file, plan, whole, sha256) {
    let stored;
    try {
        stored = await readStored(run, file, "HeadObject after CompleteMultipartUpload");
    }
    catch {
        return null;
    }
    const remote = stored?.checksums?.[run.algorithm];
    if (stored?.exists !== true || stored.size !== plan.size || remote !== whole)
        return null;
    return {
        etag: stripQuotes(stored.etag ?? ""),
        ...(stored.versionId ? { versionId: stored.versionId } : {}),
        checksumLocal: whole,
        checksumRemote: remote,
        sha256: sha256 ? sha256.digest().toString("hex") : null,
        verification: "checksum",
        verified: true,
        notes: [
            "Complete's answer was lost on the way; the object was read back through the broker and has the file's size and checksum.",
        ],
    };
}
async function uploadFile(run, file) {
    const started = performance.now();
    let result = resultOf(run, file, null);
    let handle;
    try {
        handle = await (0,promises_.open)(file.path, "r");
        const stat = await handle.stat();
        if (!stat.isFile())
            throw new Error(`${file.path} is not a regular file; pass files only`);
        const plan = planOf(run, stat.size);
        result = resultOf(run, file, plan);
        run.options.onEvent?.({
            type: "file-start",
            file,
            size: plan.size,
            parts: plan.parts.length,
            partSize: plan.partSize,
        });
        const existing = await existingObject(run, file, handle, plan);
        if (existing !== null) {
            result = { ...result, ...existing, status: "unchanged" };
        }
        else if (run.options.dryRun) {
            result = {
                ...result,
                status: "dry-run",
                notes: [
                    run.options.overwrite
                        ? "Dry run through the broker: nothing was uploaded (overwrite: true replaces any object at this key without comparing)."
                        : "Dry run through the broker: no object at this key; nothing was uploaded.",
                ],
            };
        }
        else {
            result = {
                ...result,
                ...(await uploadOne(run, file, handle, plan, stat.mtimeMs)),
                status: "uploaded",
            };
        }
    }
    catch (error) {
        result = {
            ...result,
            status: run.options.dryRun && error instanceof errors/* Refusal */.P_ ? "refused" : "failed",
            verified: false,
            error: `${file.path} → s3://${run.options.bucket}/${file.key}: ${error instanceof Error ? error.message : String(error)}`,
            failure: (0,errors/* failureOf */.g5)(error),
        };
    }
    finally {
        await handle?.close();
    }
    result.durationMs = Math.round(performance.now() - started);
    result.bytesPerSecond =
        result.status === "uploaded" && result.durationMs > 0
            ? Math.round((result.size * 1000) / result.durationMs)
            : 0;
    run.options.onEvent?.({ type: "file-done", result });
    return result;
}
async function uploadOne(run, file, handle, plan, mtimeMs) {
    const signal = run.options.signal;
    const resumed = await findResumableViaBroker(run, file, handle, plan);
    const uploadId = resumed?.uploadId ?? (await createUpload(run, file, plan, mtimeMs));
    const where = { uploadId, key: file.key };
    const keyQuery = new URLSearchParams({ key: file.key, bucket: run.options.bucket });
    let completed;
    try {
        const sha256 = run.options.sha256 ? createSha256Hasher() : null;
        const sent = await uploadParts(run, file, handle, plan, where, sha256, resumed?.kept ?? new Map());
        const listed = await brokerStep(run, file, "ListParts", { method: "GET", path: `/s3/multipart/${encodeURIComponent(uploadId)}?${keyQuery}` }, signal);
        const mismatch = listedMismatch(run.algorithm, sent, listed);
        if (mismatch) {
            throw new errors/* StepError */.zg("ListParts", `the store's parts differ from those sent: ${mismatch}`, RERUN);
        }
        const whole = wholeChecksum(run, sent);
        const field = (0,algorithms/* sdkChecksumField */.WE)(run.algorithm);
        let done;
        let failure;
        try {
            done = await callBroker(run.broker, "CompleteMultipartUpload", {
                method: "POST",
                path: `/s3/multipart/${encodeURIComponent(uploadId)}/complete?${keyQuery}`,
                body: {
                    parts: sent.map((part) => ({ PartNumber: part.number, ETag: part.etag, [field]: part.checksum })),
                    size: plan.size,
                    // A COMPOSITE checksum is not sent (S3 takes none at Complete); its answer is compared below.
                    ...(run.checksumType === "FULL_OBJECT" ? { checksum: whole } : {}),
                    // Never replace an object unless overwrite asks for it, whatever the broker's rule allows.
                    ifNoneMatch: !run.options.overwrite,
                },
            }, signal);
            if (done.status !== 200)
                failure = brokerRefusal("CompleteMultipartUpload", done);
        }
        catch (error) {
            if (!(error instanceof TransientFailure))
                throw error;
            failure = error;
        }
        if (failure) {
            // An answer lost on the way (a timeout, or a repeat meeting NoSuchUpload) may hide a Complete that
            // succeeded: the object then shows the file's size and checksum.
            const ambiguous = done === undefined || done.status === 404 || isTransientStatus(done.status);
            const confirmed = ambiguous ? await confirmedComplete(run, file, plan, whole, sha256) : null;
            if (confirmed === null)
                throw failure;
            // Had Complete failed after all (the object being an identical one of before), its parts go.
            await abortUpload(run, file, where);
            return withResumeNote(confirmed, resumed);
        }
        completed = { sent, whole, answer: done.body, sha256 };
    }
    catch (error) {
        const note = await leaveOrAbort(run, file, where, resumed !== null);
        if (error instanceof errors/* StepError */.zg) {
            throw new errors/* StepError */.zg(error.step, error.detail, `${error.hint}. ${note}`, error.cause);
        }
        throw error;
    }
    // Completed: there is no upload left to abort; a failed proof names the object to delete.
    const proven = proofOf(run, plan, completed.sent, completed.whole, completed.answer, completed.sha256);
    if (resumed)
        ensureResumedSettings(run, file, uploadId, completed.answer);
    return withResumeNote(proven, resumed);
}
/**
 * S3 shows an in-progress upload's headers, metadata, tags and encryption to nobody, so a resumed upload may
 * have been started with other ones; the finished object shows the settings fingerprint its creator recorded.
 */
function ensureResumedSettings(run, file, uploadId, answer) {
    const stored = answer.stored;
    const recorded = typeof stored?.planRecord === "string" ? stored.planRecord.split(",")[4] : undefined;
    if (recorded === settingsFingerprint((0,served_headers/* objectHeadersFor */.Po)(run.options.object, file)))
        return;
    throw new errors/* StepError */.zg("verify settings", `The resumed multipart upload ${uploadId} had been started with ` +
        (recorded === undefined
            ? "settings this run cannot compare (it was started without a settings fingerprint)"
            : "other object settings") +
        " (headers such as Content-Type or Cache-Control, metadata, tags or encryption; S3 shows none of them " +
        "before Complete): the object holds the file's bytes, verified, but not this run's settings", "ask the broker's operator to delete it, then rerun");
}
function withResumeNote(result, resumed) {
    return resumed ? { ...result, notes: [resumed.note, ...(result.notes ?? [])] } : result;
}
/** The create body's object settings: the headers a new object of this file gets, tags as name/value pairs. */
function settingsBody(run, file, plan, mtimeMs) {
    const headers = (0,served_headers/* objectHeadersFor */.Po)(run.options.object, file);
    const { contentType, metadata, tagging, ...rest } = headers;
    // As on uploads with credentials: S3 shows no settings of an in-progress upload, so they are fingerprinted
    // here and a resumed upload's are read back from the finished object.
    const record = [plan.size, plan.partSize, run.algorithm, Math.floor(mtimeMs), settingsFingerprint(headers)];
    return {
        type: contentType,
        ...rest,
        metadata: { ...metadata, "svu-plan": record.join(",") },
        ...(tagging ? { tags: Object.fromEntries(new URLSearchParams(tagging)) } : {}),
    };
}
async function createUpload(run, file, plan, mtimeMs) {
    const created = await brokerStep(run, file, "CreateMultipartUpload", {
        method: "POST",
        path: "/s3/multipart",
        body: {
            key: file.key,
            bucket: run.options.bucket,
            size: plan.size,
            checksumAlgorithm: run.algorithm,
            checksumType: run.checksumType,
            ...settingsBody(run, file, plan, mtimeMs),
        },
    }, run.options.signal, false);
    return String(created.uploadId ?? "");
}
/**
 * After a failure: the upload is aborted through the broker, unless it is kept for a later run (on-failure:
 * keep) or was adopted from an earlier run (then it is not this run's to abort). Says which, for the error.
 */
async function leaveOrAbort(run, file, where, adopted) {
    if (adopted) {
        return (`The resumed multipart upload ${where.uploadId} was not created by this run, so it was not aborted; ` +
            "a later run resumes it, or the cleanup mode removes it.");
    }
    if (run.options.onFailure === "keep") {
        return `The multipart upload ${where.uploadId} was kept (on-failure: keep); a rerun resumes it.`;
    }
    return abortUpload(run, file, where);
}
/**
 * The broker's counterpart of runUploads: same results and events, no S3 credentials, no preflight (the first
 * broker call is the check).
 */
async function runBrokerUploads(files, options, broker) {
    const problems = brokerOptionProblems(options);
    if (problems.length > 0)
        throw new Error(problems.join(" "));
    const algorithm = options.checksumAlgorithm;
    const run = {
        options,
        broker: { url: broker.url, token: cachedToken(broker.token) },
        algorithm,
        checksumType: options.checksumType ?? (0,algorithms/* defaultChecksumType */.PB)(algorithm),
        transfers: new Limiter(options.concurrency),
        stallTimeoutMs: options.tuning?.stallTimeoutMs ?? engine_retry/* DEFAULT_STALL_TIMEOUT_MS */.es,
        retry: {
            ...engine_retry/* DEFAULT_RETRY */.vI,
            ...(options.tuning?.maxAttempts !== undefined ? { maxAttempts: options.tuning.maxAttempts } : {}),
            ...(options.tuning?.retryBaseDelayMs !== undefined
                ? { baseDelayMs: options.tuning.retryBaseDelayMs }
                : {}),
        },
    };
    const results = await mapLimited(files, options.concurrency * 2, (file) => uploadFile(run, file));
    return {
        files: results,
        ok: results.every((result) => result.status !== "failed" && result.status !== "refused"),
    };
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
;// CONCATENATED MODULE: ./src/engine/upload/file-identity.ts
// Which version of a file is being uploaded. Size and mtime alone miss a rewrite in place that restores the
// mtime (cp -p, rsync -t, tar, touch -r), so the identity also holds the inode and the ctime, which every
// write and every utimes moves and which nothing but the clock can set. Taken at open and compared after
// every read of the file and before Complete, it keeps two versions of a file out of one object.
//
// A path replaced by rename (rsync, editors) leaves the open descriptor on the old file, whose bytes stay
// consistent; but the unlink moves that file's ctime too, and the run fails rather than upload a version the
// path no longer names. Timestamps are only as fine as the file system keeps them (often a few ms).

function identityOf(stats) {
    return {
        dev: stats.dev,
        ino: stats.ino,
        size: stats.size,
        mtimeNs: stats.mtimeNs,
        ctimeNs: stats.ctimeNs,
        nlink: stats.nlink,
    };
}
function isoOf(ns) {
    return new Date(Number(ns / 1000000n)).toISOString();
}
/** What changed between two identities of one open file, in words; null when nothing did. */
function describeChange(opened, now) {
    if (now.nlink === 0n)
        return "it was deleted or replaced by another file";
    if (now.size !== opened.size)
        return `size ${opened.size} → ${now.size}`;
    if (now.mtimeNs !== opened.mtimeNs)
        return `modified ${isoOf(opened.mtimeNs)} → ${isoOf(now.mtimeNs)}`;
    if (now.ctimeNs !== opened.ctimeNs) {
        return `same size and modification time, but its status changed ${isoOf(opened.ctimeNs)} → ${isoOf(now.ctimeNs)}: rewritten in place with the time restored`;
    }
    return null;
}
/**
 * How the open file differs from the version opened, in words; null when it is that version. Synchronous:
 * one fstat costs microseconds, less than a hop through the thread pool, and it runs once per part read.
 */
function changeSinceOpen(fd, opened) {
    return describeChange(opened, identityOf((0,external_node_fs_.fstatSync)(fd, { bigint: true })));
}

;// CONCATENATED MODULE: ./src/engine/upload/object-verify.ts

/** S3's ETag: MD5 hex for a single PUT, MD5 of the concatenated part MD5s plus "-N" for multipart. */
function expectedEtag(multipart, partMd5s) {
    if (partMd5s.some((md5) => md5 === null))
        return null;
    const md5s = partMd5s;
    if (!multipart)
        return md5s[0]?.toString("hex") ?? null;
    const combined = (0,external_node_crypto_.createHash)("md5").update(Buffer.concat(md5s)).digest("hex");
    return `${combined}-${md5s.length}`;
}
/** A store's ETag against the local MD5-derived one: hex in any case (OSS writes upper case). */
function sameEtag(stored, local) {
    return local !== null && stored.toLowerCase() === local.toLowerCase();
}
/**
 * Whether an answer's ETag can be an MD5 of the data: not under SSE-KMS, which the store names in the answer
 * (a bucket's default encryption applies without the request asking for it, so the request cannot tell).
 */
function etagIsMd5(answer) {
    return answer.sse !== "aws:kms" && answer.sse !== "aws:kms:dsse";
}
/** The fix when neither a checksum nor the ETag can prove an object. */
const UNPROVABLE_FIX = "Choose a checksum algorithm the store records (e.g. CRC64NVME on Amazon S3), or upload without SSE-KMS.";
/**
 * Compares the stored object with local values: size always, then the checksum when the store reports one,
 * else the MD5-derived ETag. When neither can be compared the object is not proven, whatever its size.
 */
function checkStoredObject(expected, stored) {
    if (stored.size !== expected.size) {
        return {
            ok: false,
            problem: `stored size is ${stored.size} bytes, local file is ${expected.size}`,
            unprovable: false,
        };
    }
    const remoteChecksum = expected.algorithm === null ? undefined : stored.checksums[expected.algorithm];
    if (remoteChecksum !== undefined && expected.checksum !== null) {
        if (remoteChecksum !== expected.checksum) {
            return {
                ok: false,
                problem: `stored ${expected.algorithm} is ${remoteChecksum}, local is ${expected.checksum}`,
                unprovable: false,
            };
        }
        return { ok: true, method: "checksum", remoteChecksum };
    }
    const noChecksum = expected.algorithm === null
        ? "no checksum algorithm is used"
        : `the store shows no ${expected.algorithm} checksum for it`;
    if (sameEtag(stored.etag, expected.etag)) {
        return { ok: true, method: "etag-md5", remoteChecksum: null };
    }
    if (!etagIsMd5(stored)) {
        return {
            ok: false,
            problem: `${noChecksum} and under SSE-KMS its ETag is not an MD5, so nothing can prove its content (size alone is no proof)`,
            unprovable: true,
        };
    }
    if (expected.etag === null) {
        return {
            ok: false,
            problem: `${noChecksum} and this upload has no MD5s to compare its ETag with (size alone is no proof)`,
            unprovable: true,
        };
    }
    return {
        ok: false,
        problem: `stored ETag is ${stored.etag}, local MD5-derived ETag is ${expected.etag}`,
        unprovable: false,
    };
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
;// CONCATENATED MODULE: ./src/engine/upload/part-reader.ts




// Many small files are dominated by thread-pool round trips, not by reading: a read this small costs less
// on the main thread (from the page cache, tens of microseconds) than the hand-off; bigger ones stay off it.
const SYNC_READ_MAX = 1024 * 1024;
// fs.read refuses a length of 2 GiB or more and wraps one of 4 GiB to 0 (a false "file ended"), so parts
// above this are read in several calls.
const READ_MAX = 1024 * 1024 * 1024;
const readAsync = (0,external_node_util_.promisify)(external_node_fs_.read);
async function readAt(file, buffer, offset, length, position) {
    if (length <= SYNC_READ_MAX)
        return (0,external_node_fs_.readSync)(file.fd, buffer, offset, length, position);
    return (await readAsync(file.fd, buffer, offset, length, position)).bytesRead;
}
/**
 * Fills `buffer` (exactly the part's length) from the file, at most `maxRead` bytes per read; a short read
 * means the file shrank.
 */
async function part_reader_readPart(file, part, buffer, maxRead = READ_MAX) {
    let filled = 0;
    while (filled < part.size) {
        const length = Math.min(part.size - filled, maxRead);
        const bytesRead = await readAt(file, buffer, filled, length, part.offset + filled);
        if (bytesRead === 0) {
            throw new Error(`the file ended at byte ${part.offset + filled} while reading part ${part.number}; ` +
                `it changed during the upload — make sure nothing writes to it and rerun`);
        }
        filled += bytesRead;
    }
    // After the read, not before: a writer racing the read moves the ctime, so a torn buffer is caught here.
    const change = file.identity === undefined ? null : changeSinceOpen(file.fd, file.identity);
    if (change !== null) {
        throw new Error(`the file changed during the upload (${change}) while reading part ${part.number}; ` +
            "make sure nothing writes to it while it uploads, then rerun");
    }
}
/** The part's digests; `bytes` must stay untouched until this settles (a worker may be reading them). */
async function hashPart(part, bytes, algorithm, withMd5) {
    const { digest, md5 } = await digestWholePart(bytes, algorithm, withMd5);
    return { number: part.number, size: part.size, digest, md5 };
}

;// CONCATENATED MODULE: ./src/engine/run-context.ts

/** One S3 call with our retry loop; failures come back as a StepError naming the step and what to do. */
function call(ctx, step, hint, operation) {
    return (0,engine_retry/* retryStep */.H8)(step, hint, operation, {
        policy: ctx.run.retry,
        signal: ctx.signal,
        onRetry: (attempt, reason) => ctx.run.emit({ type: "retry", file: ctx.file, operation: step, attempt, reason }),
        rerun: "upload",
    });
}

;// CONCATENATED MODULE: ./src/engine/upload/overwrite.ts





function choose(ctx, plan, stored) {
    const algorithm = ctx.run.algorithm;
    const remote = algorithm === null ? undefined : stored.checksums[algorithm];
    if (algorithm !== null && remote !== undefined) {
        const suffix = /-(\d+)$/.exec(remote);
        const compositeParts = suffix ? Number(suffix[1]) : null;
        const fullObjectComparable = (0,algorithms/* isFullObjectAlgorithm */.KE)(algorithm) || plan.parts.length === 1;
        if (compositeParts === null ? fullObjectComparable : compositeParts === plan.parts.length) {
            return { by: "checksum", algorithm, remote, compositeParts };
        }
    }
    if (!etagIsMd5(stored))
        return null;
    const suffix = /-(\d+)$/.exec(stored.etag);
    if (suffix && Number(suffix[1]) !== plan.parts.length)
        return null;
    return { by: "etag", multipartParts: suffix ? Number(suffix[1]) : null };
}
/** One sequential pass over the file computing only what the comparison needs, and the SHA-256 when on. */
async function localValue(ctx, handle, plan, how) {
    const sha256 = ctx.run.options.sha256 === true ? createSha256Hasher() : null;
    const value = await comparedValue(ctx, handle, plan, how, (bytes) => sha256?.update(bytes));
    return { value, sha256: sha256?.digest().toString("hex") ?? null };
}
async function comparedValue(ctx, handle, plan, how, onBytes) {
    const algorithm = how.by === "checksum" ? how.algorithm : null;
    const digests = [];
    const md5s = [];
    const wholeMd5 = createMd5Hasher();
    for (const part of plan.parts) {
        await ctx.run.pool.run(part.size, async (buffer) => {
            await part_reader_readPart(handle, part, buffer);
            const digest = await hashPart(part, buffer, algorithm, how.by === "etag");
            if (digest.digest)
                digests.push({ digest: digest.digest, size: part.size });
            if (digest.md5)
                md5s.push(digest.md5);
            if (how.by === "etag" && how.multipartParts === null)
                wholeMd5.update(buffer);
            onBytes(buffer);
        }, ctx.signal);
    }
    if (how.by === "etag") {
        return how.multipartParts === null ? wholeMd5.digest().toString("hex") : (expectedEtag(true, md5s) ?? "");
    }
    if (how.compositeParts !== null)
        return compositeChecksum(how.algorithm, digests.map((entry) => entry.digest));
    if ((0,algorithms/* isFullObjectAlgorithm */.KE)(how.algorithm))
        return combineFullObject(how.algorithm, digests).toString("base64");
    return digests[0].digest.toString("base64");
}
/**
 * Overwrite policy. Allowed: upload. Not allowed: a missing key (absent from a listing, or HeadObject finds
 * none) is written with If-None-Match so a racing writer cannot be clobbered; an existing key is skipped when
 * provably identical (HeadObject), else refused.
 */
async function decideExisting(ctx, handle, plan) {
    const { store, options } = ctx.run;
    if (options.overwrite)
        return { action: "upload", ifNoneMatch: false };
    // A key a listing shows absent is written with If-None-Match, which closes the race as after a HEAD.
    if ((await ctx.run.listing.listedBefore(ctx.file.key)) === null)
        return { action: "upload", ifNoneMatch: true };
    const stored = await call(ctx, "HeadObject", errors/* HINTS */.NI.access, () => store.headObject({ bucket: options.bucket, key: ctx.file.key }, ctx.signal));
    if (stored === null)
        return { action: "upload", ifNoneMatch: true };
    const refuse = (why) => new errors/* Refusal */.P_("overwrite check", `overwrite check failed: s3://${options.bucket}/${ctx.file.key} already exists and ${why}. ` +
        "Allow overwriting (overwrite: true) or choose another key.");
    if (stored.size !== plan.size)
        throw refuse(`is ${stored.size} bytes while the local file is ${plan.size}`);
    const how = choose(ctx, plan, stored);
    if (how === null)
        throw refuse("its checksum/ETag cannot be compared with the local file");
    const { value: local, sha256 } = await localValue(ctx, handle, plan, how);
    const remote = how.by === "checksum" ? how.remote : stored.etag;
    if (how.by === "checksum" ? local !== remote : !sameEtag(remote, local)) {
        throw refuse(`differs from the local file (${how.by === "checksum" ? how.algorithm : "ETag"} ${remote}, local ${local})`);
    }
    return {
        action: "unchanged",
        stored,
        method: how.by === "checksum" ? "checksum" : "etag-md5",
        checksum: how.by === "checksum" ? local : null,
        sha256,
    };
}

;// CONCATENATED MODULE: ./src/engine/upload/confirm-object.ts



const FALLBACK_NOTE = "The store did not record the additional checksum (x-amz-checksum-*), so the object was verified by " +
    "comparing S3 ETags with locally computed MD5s instead.";
const NOT_RECHECKED = "The stored object was not re-checked after the upload (verification is off).";
function requireChecksumsError(step, consequence = "") {
    return new errors/* StepError */.zg(step, "the store does not record additional checksums (x-amz-checksum-*) and checksums are required", `${consequence ? `${consequence} ` : ""}Use a store that supports additional checksums, or allow the ` +
        "ETag/MD5 fallback (turn off require-checksums).");
}
/** The write answered success, yet no object is there: nothing of it can be kept or verified. */
class NoObjectStoredError extends errors/* StepError */.zg {
    constructor(ctx, step) {
        super("verify object", `${step} answered success but no object is stored at s3://${ctx.run.options.bucket}/${ctx.file.key}`, "The store lost the write, something between this run and the store (a proxy or gateway) answered in " +
            "its place, or another writer deleted the object; check the endpoint and rerun.");
        this.name = "NoObjectStoredError";
    }
}
function head(ctx, versionId) {
    const target = {
        bucket: ctx.run.options.bucket,
        key: ctx.file.key,
        ...(versionId ? { versionId } : {}),
    };
    return call(ctx, "HeadObject", errors/* HINTS */.NI.access, () => ctx.run.store.headObject(target, ctx.signal));
}
/** An object of this run is in the bucket but unproven: say so, since nothing can be aborted any more. */
function writtenButUnverified(ctx, error) {
    const message = error instanceof Error ? error.message : String(error);
    return new Error(`${message} The object s3://${ctx.run.options.bucket}/${ctx.file.key} was written but is not verified; ` +
        "rerun the upload with overwrite allowed, or delete the object.", { cause: error });
}
/**
 * After a write that answered success, the object must be there and match local values (HeadObject with
 * checksum mode). With verification off the HEAD is skipped when the answer itself carries an ETag (and it
 * is compared with the local MD5-derived ETag where both are known); a missing object is never a success.
 */
async function confirmObject(ctx, expected, answer, partsMethod, step) {
    const base = answer.versionId ? { versionId: answer.versionId } : {};
    const checksumRemote = expected.algorithm === null ? null : (answer.checksums[expected.algorithm] ?? null);
    let stored;
    try {
        if (!ctx.run.options.verify && answer.etag !== "") {
            if (expected.etag !== null && etagIsMd5(answer) && !sameEtag(answer.etag, expected.etag)) {
                throw new errors/* StepError */.zg(step, `the store answered ETag ${answer.etag}, the local MD5-derived ETag is ${expected.etag}`, errors/* HINTS */.NI.verify);
            }
            const notes = [NOT_RECHECKED];
            return {
                ...base,
                etag: answer.etag,
                checksumRemote,
                verification: partsMethod,
                verified: false,
                notes,
            };
        }
        stored = await head(ctx, answer.versionId);
    }
    catch (error) {
        throw writtenButUnverified(ctx, error);
    }
    if (stored === null)
        throw new NoObjectStoredError(ctx, step);
    if (!ctx.run.options.verify) {
        const notes = [NOT_RECHECKED];
        return { ...base, etag: stored.etag, checksumRemote, verification: partsMethod, verified: false, notes };
    }
    const check = checkStoredObject(expected, stored);
    if (!check.ok && !check.unprovable) {
        const rewritten = answer.etag !== "" && stored.etag !== answer.etag
            ? ` (its ETag ${stored.etag} is not the ${answer.etag} the upload answered: another writer may have replaced it)`
            : "";
        const cause = new errors/* StepError */.zg("verify object", `${check.problem}${rewritten}`, errors/* HINTS */.NI.verify);
        throw new StoredMismatchError(ctx, cause, stored, answer);
    }
    try {
        return { ...base, ...proveStored(ctx, check, stored) };
    }
    catch (error) {
        throw writtenButUnverified(ctx, error);
    }
}
/**
 * A single PutObject proven without its HeadObject, or null when a HeadObject must decide (confirmObject).
 * The answer already shows what the store made of this very request: the checksum it computed over the bytes
 * it received and echoed (the caller has checked it is the local one; the store also checked the checksum and
 * Content-MD5 sent with the body), and the ETag, the MD5 of those bytes. A listing sent after the answer
 * must then show the key with the local size and that ETag: the object is there, is still this write's, and
 * its content has the local MD5. That is what the HeadObject proved (its checksum is the same record's), for
 * many files per request. Not used where the listing cannot tell this write's object apart: a versioned
 * bucket (it lists only the newest version), ETags that are not MD5s (SSE-KMS), or no echoed checksum (the
 * HeadObject may show one, and a result must say the same whichever request proved it).
 */
async function confirmByListing(ctx, expected, answer) {
    const echoed = expected.algorithm === null ? null : answer.checksums[expected.algorithm];
    if (!ctx.run.options.verify ||
        answer.versionId !== undefined ||
        !etagIsMd5(answer) ||
        !sameEtag(answer.etag, expected.etag) ||
        echoed === undefined ||
        echoed !== expected.checksum) {
        return null;
    }
    const listed = await ctx.run.listing.lookup(ctx.file.key);
    if (listed == null || listed.size !== expected.size || listed.etag !== answer.etag)
        return null;
    return {
        etag: answer.etag,
        checksumRemote: echoed,
        verification: echoed === null ? "etag-md5" : "checksum",
        verified: true,
        notes: [],
    };
}
/**
 * The write answered success, but the object stored now differs from the local file: corrupted by the store,
 * or replaced by another writer in between. The caller repairs it or removes it (removeWrittenObject).
 */
class StoredMismatchError extends Error {
    stored;
    answer;
    constructor(ctx, cause, stored, answer) {
        super(writtenButUnverified(ctx, cause).message, { cause });
        this.stored = stored;
        this.answer = answer;
        this.name = "StoredMismatchError";
    }
}
/**
 * Removes what a write of this run left that does not match the file, where it is provably this run's: the
 * version its answer named (and earlier wrong versions of this run), or on an unversioned bucket an object
 * whose ETag is the one the write answered; any, when overwriting was allowed anyway or when this run's
 * re-send (If-Match) already replaced the object it had inspected. Returns the error.
 */
async function removeWrittenObject(ctx, mismatch, earlier = {
    versions: [],
    replacedInspected: false,
}) {
    const detail = mismatch.cause.message;
    const fail = (sentence) => new Error(`${detail} ${sentence}`, { cause: mismatch.cause });
    const versionId = mismatch.answer.versionId;
    const ours = versionId !== undefined ||
        ctx.run.options.overwrite ||
        earlier.replacedInspected ||
        mismatch.stored.etag === mismatch.answer.etag;
    if (!ours) {
        return fail(`The object was left in place: its ETag ${mismatch.stored.etag} is not the ${mismatch.answer.etag} ` +
            "this run's write answered, so it may be another writer's; check it, then delete it or rerun.");
    }
    const versions = versionId === undefined ? [undefined] : [...earlier.versions, versionId];
    const problem = await deleteWrittenVersions(ctx, versions);
    if (problem !== null)
        return fail(problem);
    return fail(versionId === undefined
        ? "The object this run wrote was deleted; nothing of this run is left."
        : `The version(s) this run wrote (${versions.join(", ")}) were deleted; nothing of this run is left.`);
}
/** Deletes versions this run wrote (undefined: the unversioned object); null when all went, else what to do. */
async function deleteWrittenVersions(ctx, versions) {
    const { bucket } = ctx.run.options;
    // A fresh signal: this is cleanup, owed also when the run was cancelled.
    const cleanup = { ...ctx, signal: AbortSignal.timeout(60_000) };
    for (const version of versions) {
        try {
            await call(cleanup, "DeleteObject", errors/* HINTS */.NI.access, () => ctx.run.store.deleteObject({ bucket, key: ctx.file.key, ...(version ? { versionId: version } : {}) }, cleanup.signal));
        }
        catch (error) {
            return (`Deleting what this run wrote also failed (${error instanceof Error ? error.message : String(error)}); ` +
                `delete it with: aws s3api delete-object --bucket ${bucket} --key '${ctx.file.key}'` +
                (version ? ` --version-id '${version}'` : ""));
        }
    }
    return null;
}
function proveStored(ctx, check, stored) {
    if (!check.ok)
        throw new errors/* StepError */.zg("verify object", check.problem, UNPROVABLE_FIX);
    const notes = [];
    if (ctx.run.algorithm !== null && check.method !== "checksum") {
        if (ctx.run.options.requireChecksums)
            throw requireChecksumsError("verify object");
        notes.push(FALLBACK_NOTE);
    }
    return {
        etag: stored.etag,
        checksumRemote: check.remoteChecksum,
        verification: check.method,
        verified: true,
        notes,
    };
}
/**
 * A write whose outcome is unknown: a retried PutObject or Complete answered 412 under If-None-Match (an
 * earlier attempt may have landed), or a retried Complete answered NoSuchUpload. The stored object decides,
 * and only a checksum or MD5-ETag match is proof: otherwise another writer created the key.
 */
async function confirmAmbiguousWrite(ctx, expected, step, writeError) {
    const stored = await head(ctx, undefined);
    if (stored === null)
        throw writeError;
    const check = checkStoredObject(expected, stored);
    const answered = (0,errors/* describeS3Error */.ye)(writeError instanceof errors/* StepError */.zg ? (writeError.cause ?? writeError) : writeError);
    if (!check.ok) {
        const why = check.unprovable
            ? `this run cannot prove is its own (${check.problem})`
            : `differs from the local file (${check.problem})`;
        throw new errors/* StepError */.zg(step, `${step} answered ${answered}, and the object now at s3://${ctx.run.options.bucket}/${ctx.file.key} ` +
            `${why}: another writer created the key`, "Find the other job or person writing this key; rerun with overwrite: true to replace that object, or " +
            `upload to another key.${check.unprovable && !etagIsMd5(stored) ? ` ${UNPROVABLE_FIX}` : ""}`, writeError);
    }
    const outcome = proveStored(ctx, check, stored);
    outcome.notes.unshift(`${step} answered ${answered}: the key was written meanwhile (most likely by an earlier attempt of ` +
        "this run whose answer was lost), and the stored object matches the local file.");
    return { ...(stored.versionId ? { versionId: stored.versionId } : {}), ...outcome };
}

// EXTERNAL MODULE: ./src/engine/cleanup/cleanup.ts + 1 modules
var cleanup = __webpack_require__(7442);
;// CONCATENATED MODULE: ./src/engine/upload/resume.ts
// Resume across runs: find an in-progress multipart upload of this key and keep the parts that hold exactly
// the bytes of the same ranges of the local file.
//
// S3 shows no metadata of an in-progress upload, and a fresh runner has no local state, so the record is
// the upload itself: ListParts gives each part's size and checksum (or MD5 ETag). The engine sends the last
// part first, so its number and size record the file size. An upload is reused only when every listed part
// fits this run's plan (sizes, checksum algorithm and type, storage class) and its last part holds the local
// bytes; then each part is kept only when the local bytes of its range hash to the listed value. So a
// different file size, part size, algorithm or content never ends up in the object.
//
// An upload written to a moment ago may belong to a job still running: it is left alone until it has been
// quiet for the stall timeout plus the time a part takes at 1 MiB/s (a live job of this tool stores a part
// at least that often). Headers (Content-Type, …), metadata, tags and encryption are not shown on an
// in-progress upload by S3, so they cannot be compared before resuming; the svu-plan metadata fingerprints
// them on the finished object (settings-fingerprint.ts). An adopted upload is never aborted by this run.






/**
 * The newest in-progress upload of this key that fits the plan, with its proven parts; null when there is
 * none. Uploads that do not fit are left in place (they may belong to another job) and named in a warning.
 */
async function findResumable(ctx, handle, plan) {
    let candidates;
    try {
        candidates = await pendingUploadsOfKey(ctx);
    }
    catch (error) {
        if (ctx.signal?.aborted)
            throw error;
        ctx.run.emit({
            type: "warning",
            file: ctx.file,
            message: `Could not look for an upload to resume (${(0,errors/* describeS3Error */.ye)(error instanceof errors/* StepError */.zg ? (error.cause ?? error) : error)}); ` +
                "starting a new one. Allow s3:ListBucketMultipartUploads on the bucket to resume interrupted uploads.",
        });
        return { resumed: null, seen: null };
    }
    const seen = new Set(candidates.map((candidate) => candidate.uploadId));
    const now = Date.now();
    const wanted = {
        algorithm: ctx.run.algorithm,
        checksumType: ctx.run.checksumType,
        storageClass: ctx.run.options.object.storageClass ?? "STANDARD",
    };
    const quietMs = quietPeriodMs(ctx.run.options.tuning, plan);
    for (const candidate of candidates) {
        let listed;
        try {
            listed = await call(ctx, "ListParts", "", () => listUpload(ctx, candidate.uploadId));
        }
        catch (error) {
            // Completed or aborted since it was listed: nothing to resume there.
            if (ctx.signal?.aborted)
                throw error;
            continue;
        }
        let misfit = planMisfit(wanted, plan, candidate, listed) ?? stillActive(quietMs, candidate, listed, now);
        if (misfit === null) {
            const kept = await resume_provenParts(ctx, handle, plan, listed.parts);
            misfit = keptMisfit(plan, listed, kept);
            if (misfit === null) {
                const resumed = {
                    uploadId: candidate.uploadId,
                    kept,
                    note: resumeNote(candidate, plan, listed, kept),
                };
                return { resumed, seen };
            }
        }
        ctx.run.emit({ type: "warning", file: ctx.file, message: notResumedWarning(candidate.uploadId, misfit) });
    }
    return { resumed: null, seen };
}
/** The key's in-progress uploads, newest first (the prefix listing also holds longer keys). */
async function pendingUploadsOfKey(ctx) {
    const retried = (operation) => call(ctx, "ListMultipartUploads", "", operation);
    const listed = await (0,cleanup/* listPendingUploads */.W)(ctx.run.store, ctx.run.options.bucket, ctx.file.key, retried, ctx.signal);
    return newestOfKey(listed, ctx.file.key);
}
async function listUpload(ctx, uploadId) {
    const target = { bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId };
    const parts = [];
    let checksumAlgorithm;
    let checksumType;
    let storageClass;
    let marker;
    do {
        const page = await ctx.run.store.listPartsPage(marker === undefined ? target : { ...target, marker }, ctx.signal);
        parts.push(...page.parts);
        checksumAlgorithm ??= page.checksumAlgorithm;
        checksumType ??= page.checksumType;
        storageClass ??= page.storageClass;
        if (page.nextMarker !== undefined && page.nextMarker === marker) {
            throw new Error(`ListParts pagination did not advance past part-number-marker ${marker}`);
        }
        marker = page.nextMarker;
    } while (marker !== undefined);
    return { parts, checksumAlgorithm, checksumType, storageClass };
}
/** Reads and hashes each listed part's range once, through the run's pool, and keeps those that match. */
async function resume_provenParts(ctx, handle, plan, listed) {
    const kept = new Map();
    await mapLimited(listed, ctx.run.options.concurrency, async (part) => {
        const planned = plan.parts[part.number - 1];
        const local = await hashRange(ctx, handle, planned, part);
        if (!holdsLocalBytes(ctx.run.algorithm, part, local))
            return;
        kept.set(part.number, {
            number: part.number,
            size: part.size,
            etag: part.etag,
            checksum: local.digest?.toString("base64") ?? null,
            digest: local.digest,
            md5Hex: local.md5?.toString("hex") ?? null,
        });
    });
    return kept;
}
function hashRange(ctx, handle, part, listed) {
    const algorithm = ctx.run.algorithm;
    const withMd5 = needsMd5(algorithm, listed);
    return ctx.run.pool.run(part.size, async (buffer) => {
        await part_reader_readPart(handle, part, buffer);
        return hashPart(part, buffer, algorithm, withMd5);
    }, ctx.signal);
}

;// CONCATENATED MODULE: ./src/engine/upload/lost-creates.ts
// A CreateMultipartUpload whose answer was lost (reset, stall, 5xx after the store acted) is retried, and
// the store then holds an upload nobody knows the id of: billed until a lifecycle rule removes it. S3 lets
// nobody mark an in-progress upload, so a lost attempt is recognised by what it must look like when this
// file's upload is done: an upload of this key that was not there when this run looked before its Create,
// with the settings S3 shows of ours, still no part, and an Initiated time within this run's Create call of
// our own upload's (both on the store's clock; the window is only the call's duration measured here).
//
// Limit: another job that created an upload of the same key with the same settings inside that window and
// has stored no part by the time this file is done looks the same, and is aborted; it then fails with
// NoSuchUpload, whose message says another job may be uploading the same key. The sweep runs only at the
// end, so a job that started beside this one has had this file's whole upload to store its first part.



/** Timestamps on a store are not finer than this; the window is widened by it on both sides. */
const CLOCK_SLACK_MS = 1000;
/**
 * Looks at our new upload as the store lists it (after Complete it is listed no more) and returns the sweep
 * to run when the file is done, or null (with a warning) when lost attempts cannot be told apart. `seen` is
 * the key's uploads listed before Create, null when they could not be listed.
 */
async function watchLostCreates(ctx, seen, created) {
    // Cleanup, like an abort on failure: it must run even when the run was cancelled.
    const cleanup = { ...ctx, signal: AbortSignal.timeout(60_000) };
    const cannot = (why) => {
        ctx.run.emit({
            type: "warning",
            file: ctx.file,
            message: `CreateMultipartUpload took ${created.attempts} attempts, and ${why}, so an upload a lost answer ` +
                "may have left could not be looked for; remove stale uploads with the cleanup mode or a lifecycle " +
                "rule (lifecycle-abort-days).",
        });
        return null;
    };
    const list = async () => {
        try {
            return await pendingUploadsOfKey(cleanup);
        }
        catch (error) {
            return `listing them failed (${(0,errors/* describeS3Error */.ye)(error instanceof errors/* StepError */.zg ? (error.cause ?? error) : error)})`;
        }
    };
    if (seen === null)
        return cannot("the key's uploads could not be listed before it");
    const first = await list();
    if (typeof first === "string")
        return cannot(first);
    const ours = first.find((upload) => upload.uploadId === created.uploadId);
    const ourInitiated = ours?.initiated?.getTime();
    if (ours === undefined || ourInitiated === undefined) {
        return cannot("the store did not show when ours was initiated");
    }
    const reach = created.durationMs + CLOCK_SLACK_MS;
    return async () => {
        const uploads = await list();
        if (typeof uploads === "string")
            return void cannot(uploads);
        const lost = uploads.filter((upload) => upload.uploadId !== created.uploadId &&
            !seen.has(upload.uploadId) &&
            upload.initiated !== undefined &&
            Math.abs(upload.initiated.getTime() - ourInitiated) <= reach &&
            sameVisibleSettings(upload, ours));
        for (const upload of lost)
            await abortIfEmpty(cleanup, upload);
    };
}
function sameVisibleSettings(a, b) {
    return (a.storageClass === b.storageClass &&
        a.checksumAlgorithm === b.checksumAlgorithm &&
        a.checksumType === b.checksumType);
}
/** Aborts the upload when it holds no part. Failures only warn: the file itself is done either way. */
async function abortIfEmpty(ctx, upload) {
    const target = { bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId: upload.uploadId };
    try {
        const page = await call(ctx, "ListParts", errors/* HINTS */.NI.retry, () => ctx.run.store.listPartsPage({ ...target, maxParts: 1 }, ctx.signal));
        if (page.parts.length > 0)
            return;
        await call(ctx, "AbortMultipartUpload", errors/* HINTS */.NI.access, () => ctx.run.store.abortMultipartUpload(target, ctx.signal));
    }
    catch (error) {
        if ((0,errors/* isNoSuchUpload */.Ut)(error))
            return;
        ctx.run.emit({
            type: "warning",
            file: ctx.file,
            message: `Multipart upload ${upload.uploadId} looks left by a lost CreateMultipartUpload answer, but could ` +
                `not be aborted (${(0,errors/* describeS3Error */.ye)(error instanceof errors/* StepError */.zg ? (error.cause ?? error) : error)}); ` +
                `abort it with: aws s3api abort-multipart-upload --bucket ${target.bucket} --key '${target.key}' ` +
                `--upload-id '${upload.uploadId}'`,
        });
        return;
    }
    ctx.run.emit({
        type: "warning",
        file: ctx.file,
        message: `Aborted multipart upload ${upload.uploadId} of this key that a lost CreateMultipartUpload answer left ` +
            `(initiated ${upload.initiated?.toISOString()}, during this run's Create retries, with no parts).`,
    });
}

;// CONCATENATED MODULE: ./src/engine/checksum/ordered-sha256.ts
// The whole file's SHA-256 (hex, what `sha256sum` prints), from the reads the upload makes anyway.
//
// SHA-256 must see the bytes in file order, while parts are read concurrently and finish in any order: a
// part's feed waits until every earlier part is hashed, holding only the buffer it holds anyway (it is sent
// after). Parts this pass does not read — the last part, sent alone first because it pins the file size for
// resume, and parts an earlier run stored that resume keeps — are read once more in their turn, for the hash
// alone, through a small buffer. Every part's hashed bytes are then checked against the digests it is proven
// with (what was sent and verified, or what the store holds), so the digest is never of bytes other than
// those stored. A part re-read for a retry or a repair is not fed: its bytes were hashed on the first read.



// Reads for the hash alone go through a buffer this big, not a part's: they hold no pool slot.
const REREAD_CHUNK = 4 * 1024 * 1024;
const CHANGED = "the file changed during the upload — make sure nothing writes to it and rerun";
class OrderedSha256 {
    file;
    parts;
    options;
    sha256 = createSha256Hasher();
    /** What each part's hashed bytes digest to, for the check against its proof. */
    hashed = new Map();
    /** Per part (by index): settles once it and every part before it are hashed, or the hash is abandoned. */
    turns = [];
    /** Opens the turn of a part still to be fed; removed when the feed starts. */
    gates = new Map();
    failure = null;
    constructor(file, parts, options) {
        this.file = file;
        this.parts = parts;
        this.options = options;
        let previous = Promise.resolve();
        for (const part of parts) {
            if (options.rereadParts.has(part.number)) {
                previous = previous.then(() => this.rehash(part));
            }
            else {
                previous = new Promise((resolve) => this.gates.set(part.number, resolve));
            }
            this.turns.push(previous);
        }
    }
    /**
     * Hashes a part's bytes from its first read once every earlier part is hashed; resolves then. The caller
     * must not change `bytes` before this resolves.
     */
    async feed(part, bytes, digest) {
        // Failed or abandoned: every turn is open, and nothing more is hashed.
        if (this.failure !== null)
            return;
        const open = this.gates.get(part.number);
        if (open === undefined) {
            throw new Error(`OrderedSha256: part ${part.number} is fed twice or is read for the hash alone`);
        }
        this.gates.delete(part.number);
        try {
            await this.turns[part.number - 2];
            if (this.failure === null) {
                this.sha256.update(bytes);
                this.hashed.set(part.number, digest);
            }
        }
        finally {
            open();
        }
    }
    /** The upload of this file failed: parts waiting for their turn go on, nothing more is hashed. */
    abandon() {
        this.fail("the SHA-256 was abandoned because the upload of this file failed");
    }
    /** No digest will come: opens every turn still closed, so no part waits for one that is never fed. */
    fail(reason) {
        this.failure ??= reason;
        for (const open of this.gates.values())
            open();
        this.gates.clear();
    }
    /** Settles when no read for the hash is in flight any more (before the file is closed). */
    async settled() {
        await this.turns.at(-1);
    }
    /**
     * The hex digest, once every part is hashed and each part's hashed bytes match `proofs` (the digests the
     * parts are finally proven with); throws, saying the file changed, when they do not.
     */
    async finish(proofs) {
        if (this.gates.size > 0) {
            throw new Error(`OrderedSha256: part(s) ${[...this.gates.keys()].join(", ")} were never fed`);
        }
        await this.settled();
        if (this.failure !== null)
            throw new Error(this.failure);
        const proven = new Map(proofs.map((proof) => [proof.number, proof]));
        for (const part of this.parts) {
            const hashed = this.hashed.get(part.number);
            const proof = proven.get(part.number);
            const same = proof === undefined ? null : sameBytes(hashed, proof);
            if (same === null) {
                throw new Error(`OrderedSha256: part ${part.number} has no digest in common with its proof`);
            }
            if (!same) {
                throw new Error(`part ${part.number} read for the SHA-256 differs from the bytes it is proven with; ${CHANGED}`);
            }
        }
        return this.sha256.digest().toString("hex");
    }
    async rehash(part) {
        if (this.failure !== null)
            return;
        const { algorithm } = this.options;
        try {
            const checksum = algorithm === null ? null : await createPartHasher(algorithm);
            const md5 = algorithm === null ? createMd5Hasher() : null;
            const chunk = Buffer.allocUnsafe(Math.min(REREAD_CHUNK, part.size));
            let done = 0;
            while (done < part.size && this.failure === null) {
                const size = Math.min(chunk.length, part.size - done);
                const bytes = chunk.subarray(0, size);
                await part_reader_readPart(this.file, { number: part.number, offset: part.offset + done, size }, bytes);
                this.sha256.update(bytes);
                checksum?.update(bytes);
                md5?.update(bytes);
                done += size;
            }
            // digest() also hands a pooled hasher back, so it runs even when abandoned.
            const digest = checksum?.digest() ?? null;
            if (this.failure === null) {
                this.hashed.set(part.number, { number: part.number, digest, md5: md5?.digest() ?? null });
            }
        }
        catch (error) {
            this.fail(error instanceof Error ? error.message : String(error));
        }
    }
}
/** The hex digest (null without a hasher), or a StepError naming the file when its bytes changed. */
async function finishSha256(path, hasher, proofs) {
    if (hasher === null)
        return null;
    try {
        return await hasher.finish(proofs);
    }
    catch (error) {
        throw new errors/* StepError */.zg(`read ${path}`, error instanceof Error ? error.message : String(error), "Make sure nothing writes to it while it uploads, then rerun.");
    }
}
/** Whether two digests of a part agree on every value both have; null when they share none. */
function sameBytes(a, b) {
    const pairs = [
        [a.digest, b.digest],
        [a.md5, b.md5],
    ].filter((pair) => pair[0] !== null && pair[1] !== null);
    if (pairs.length === 0)
        return null;
    return pairs.every(([x, y]) => x.equals(y));
}

;// CONCATENATED MODULE: ./src/engine/upload/part-transfer.ts




function checksumsOf(ctx, digest) {
    const algorithm = ctx.run.algorithm;
    return algorithm !== null && digest.digest !== null
        ? { [algorithm]: digest.digest.toString("base64") }
        : {};
}
/**
 * Reads one part into a pooled buffer, hashes it from that buffer and sends that buffer. `withMd5` is decided
 * once per part by the caller and holds for every re-read. A digest error (the store received other bytes
 * than we hashed) is a transient fault like a reset: within the retry budget the part is read and hashed
 * again and sent again; only a re-read whose values differ from the first read means the file changed.
 * `onRead` gets the values read, so a caller can still judge a send that failed ambiguously. `sha256` is fed
 * the first read only, before it is sent: a re-read is checked to be the same bytes, so it is not hashed again.
 * `pool` is where the transfer waits for its turn and buffer: the run's part pool unless given.
 */
async function part_transfer_sendPart(ctx, handle, part, step, send, withMd5, extras = {}) {
    let fed = false;
    try {
        return await transferPart(ctx, handle, part, step, send, withMd5, {
            ...extras,
            onFed: () => {
                fed = true;
            },
        });
    }
    catch (error) {
        // Later parts wait in their pool slots for this one's turn in the hash: they must not wait for a part
        // that failed before its bytes were hashed.
        if (!fed)
            extras.sha256?.abandon();
        throw error;
    }
}
function transferPart(ctx, handle, part, step, send, withMd5, extras) {
    return (extras.pool ?? ctx.run.pool).run(part.size, async (buffer) => {
        const first = await readAndHash(ctx, handle, part, buffer, withMd5);
        extras.onRead?.(first);
        await extras.sha256?.feed(part, buffer, first);
        extras.onFed();
        let digest = first;
        for (let attempt = 1;; attempt++) {
            try {
                const answer = await call(ctx, step, errors/* HINTS */.NI.retry, () => send(buffer, checksumsOf(ctx, digest), digest.md5?.toString("base64")));
                return { digest, answer };
            }
            catch (error) {
                const code = digestErrorCode(error);
                if (code === null || attempt >= ctx.run.retry.maxAttempts || ctx.signal?.aborted)
                    throw error;
                ctx.run.emit({
                    type: "retry",
                    file: ctx.file,
                    operation: step,
                    attempt,
                    reason: `${code}: the store received other bytes than were sent; re-reading part ${part.number}`,
                });
                await (0,engine_retry/* sleep */.yy)((0,engine_retry/* backoffDelay */.EY)(attempt, ctx.run.retry), ctx.signal);
                digest = await readAndHash(ctx, handle, part, buffer, withMd5);
                if (!sameDigest(first, digest)) {
                    throw new errors/* StepError */.zg(step, `part ${part.number} read differently after the store answered ${code}`, "The file changed during the upload; make sure nothing writes to it and rerun.");
                }
            }
        }
    }, ctx.signal);
}
async function readAndHash(ctx, handle, part, buffer, withMd5) {
    try {
        await part_reader_readPart(handle, part, buffer);
    }
    catch (error) {
        throw new errors/* StepError */.zg(`read ${ctx.file.path}`, error.message, "Check the file is readable and stable.");
    }
    return hashPart(part, buffer, ctx.run.algorithm, withMd5);
}
const DIGEST_CODES = new Set(["BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch"]);
function digestErrorCode(error) {
    const cause = error instanceof errors/* StepError */.zg ? (error.cause ?? error) : error;
    const code = (0,errors/* s3ErrorInfo */.Nz)(cause).code;
    return DIGEST_CODES.has(code) ? code : null;
}
function sameDigest(a, b) {
    const equal = (x, y) => x === null ? y === null : y !== null && x.equals(y);
    return equal(a.digest, b.digest) && equal(a.md5, b.md5);
}

;// CONCATENATED MODULE: ./src/engine/upload/verify-parts.ts
async function listAllParts(store, target, signal) {
    const parts = [];
    let marker;
    do {
        const page = await store.listPartsPage(marker === undefined ? target : { ...target, marker }, signal);
        parts.push(...page.parts);
        if (page.nextMarker !== undefined && page.nextMarker === marker) {
            throw new Error(`ListParts pagination did not advance past part-number-marker ${marker}`);
        }
        marker = page.nextMarker;
    } while (marker !== undefined);
    return parts;
}
/**
 * Which proof the listed parts allow: checksums when the store kept them, else ETag = MD5. A store that kept
 * checksums for some parts and not others is not a store that drops them; those parts are problems.
 */
function verificationMethod(algorithm, listed) {
    if (algorithm === null)
        return "etag-md5";
    return listed.some((part) => part.checksums[algorithm] !== undefined) ? "checksum" : "etag-md5";
}
/** Every planned part must be listed with the size, ETag and checksum (or MD5) we know locally. */
function compareParts(expected, listed, method, algorithm) {
    const byNumber = new Map(listed.map((part) => [part.number, part]));
    const problems = [];
    for (const part of expected) {
        const found = byNumber.get(part.number);
        const problem = found ? partMismatch(part, found, method, algorithm) : "missing from ListParts";
        if (problem)
            problems.push({ number: part.number, reason: problem });
    }
    return problems;
}
function partMismatch(part, found, method, algorithm) {
    if (found.size !== part.size)
        return `size ${found.size} listed, ${part.size} uploaded`;
    const etagProblem = part.etag !== "" && found.etag !== part.etag
        ? `ETag ${found.etag} listed, UploadPart answered ${part.etag}`
        : null;
    if (method === "checksum" && algorithm !== null) {
        // The checksum is the proof, so it is named first; a stored part that changed shows both.
        const remote = found.checksums[algorithm];
        const checksumProblem = remote === undefined
            ? `no ${algorithm} checksum listed`
            : remote !== part.checksum
                ? `${algorithm} ${remote} listed, local ${part.checksum}`
                : null;
        const problems = [checksumProblem, etagProblem].filter((problem) => problem !== null);
        return problems.length === 0 ? null : problems.join("; ");
    }
    if (etagProblem !== null)
        return etagProblem;
    // Only here is the ETag the proof; with checksums, stores whose ETags are not MD5s must still pass.
    if (part.md5Hex === null)
        return "no local MD5 to compare the ETag with";
    // Hex is hex in either case: OSS writes its ETags upper-case.
    if (found.etag.toLowerCase() !== part.md5Hex)
        return `ETag ${found.etag} listed, local MD5 is ${part.md5Hex}`;
    return null;
}

;// CONCATENATED MODULE: ./src/engine/upload/upload-multipart.ts













/** Rounds of re-uploading parts that ListParts shows missing or different, before giving up. */
const REPAIR_ROUNDS = 2;
/**
 * Recorded on the upload for people and tools reading the finished object; S3 shows it only after Complete,
 * so resume (resume.ts) recognises an upload by its parts instead. The last field fingerprints the object
 * settings, so a reader can tell which settings the object was started with.
 */
function planMetadata(plan, ctx, identity) {
    return [
        plan.size,
        plan.partSize,
        ctx.run.algorithm ?? "none",
        identity.mtimeNs / 1000000n,
        settingsFingerprint(ctx.headers),
    ].join(",");
}
async function uploadMultipart(ctx, handle, plan, ifNoneMatch) {
    // A worker started now is ready when the first part has been read.
    prepareWholePartHashing(ctx.run.algorithm, ctx.run.options.contentMd5 || ctx.run.algorithm === null);
    const { resumed, seen } = await findResumable(ctx, handle, plan);
    if (resumed !== null)
        return transferAndConfirm(ctx, handle, plan, ifNoneMatch, resumed.uploadId, resumed);
    const created = await upload_multipart_createUpload(ctx, plan, handle.identity);
    // Only a Create that needed retries can have left an upload behind whose answer never arrived.
    const sweep = created.attempts > 1 ? await watchLostCreates(ctx, seen, created) : null;
    try {
        return await transferAndConfirm(ctx, handle, plan, ifNoneMatch, created.uploadId, null);
    }
    finally {
        // At the end: a job beside this one has stored a part by now, and a stalled attempt has landed.
        await sweep?.();
    }
}
async function upload_multipart_createUpload(ctx, plan, identity) {
    const { store, options, algorithm, checksumType } = ctx.run;
    const metadata = { ...ctx.headers.metadata, "svu-plan": planMetadata(plan, ctx, identity) };
    const started = performance.now();
    let attempts = 0;
    const uploadId = await call(ctx, "CreateMultipartUpload", errors/* HINTS */.NI.access, () => {
        attempts += 1;
        return store.createMultipartUpload({
            bucket: options.bucket,
            key: ctx.file.key,
            headers: { ...ctx.headers, metadata },
            algorithm,
            checksumType,
        }, ctx.signal);
    });
    return { uploadId, attempts, durationMs: performance.now() - started };
}
async function transferAndConfirm(ctx, handle, plan, ifNoneMatch, uploadId, 
/** Set when the upload was adopted from an earlier run: then it is never aborted here. */
resumed) {
    let completed;
    try {
        completed = await transferVerifyComplete(ctx, handle, plan, uploadId, ifNoneMatch, resumed?.kept ?? new Map());
    }
    catch (error) {
        throw await cleanUp(ctx, uploadId, error, resumed !== null);
    }
    const { expected, partsMethod, answer, sha256 } = completed;
    const resumeNotes = resumed ? [resumed.note] : [];
    if (answer !== null) {
        let outcome;
        try {
            outcome = await confirmObject(ctx, expected, answer, partsMethod, "CompleteMultipartUpload");
        }
        catch (error) {
            // Complete's success was not real, so the upload may still be there: it must not stay behind.
            if (error instanceof NoObjectStoredError)
                throw await cleanUp(ctx, uploadId, error, resumed !== null);
            // The completed object is not the file's: it must not stay as this run's result.
            if (error instanceof StoredMismatchError)
                throw await removeWrittenObject(ctx, error);
            throw error;
        }
        if (resumed)
            await upload_multipart_ensureResumedSettings(ctx, uploadId, outcome.versionId);
        return {
            ...outcome,
            notes: [...resumeNotes, ...outcome.notes],
            checksumLocal: expected.checksum,
            sha256,
        };
    }
    try {
        const outcome = await confirmAmbiguousWrite(ctx, expected, "CompleteMultipartUpload", completed.completeError);
        return {
            ...outcome,
            notes: [...resumeNotes, ...outcome.notes],
            checksumLocal: expected.checksum,
            sha256,
        };
    }
    finally {
        // After a 412 the upload still exists whatever the object holds; it must not stay billable, unless it
        // is not this run's to abort.
        if (resumed === null)
            await abortRefusedUpload(ctx, uploadId);
    }
}
/** Retried like any request; one that still fails fails the file rather than leave a billable upload unsaid. */
async function abortRefusedUpload(ctx, uploadId) {
    const target = { bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId };
    try {
        // A fresh signal: the run may have been cancelled, and this is exactly the cleanup cancellation needs.
        await call({ ...ctx, signal: AbortSignal.timeout(60_000) }, "AbortMultipartUpload", errors/* HINTS */.NI.access, () => ctx.run.store.abortMultipartUpload(target));
    }
    catch (error) {
        if (!(0,errors/* isNoSuchUpload */.Ut)(error))
            throw error;
    }
}
/**
 * S3 shows an in-progress upload's headers (Content-Type, …), metadata, tags and encryption to nobody, so
 * a resumed upload may have been started with other ones; the finished object shows them, fingerprinted in
 * svu-plan. Fails when they differ: the bytes are right, but the object is not what this run was asked for.
 */
async function upload_multipart_ensureResumedSettings(ctx, uploadId, versionId) {
    const { store, options } = ctx.run;
    const target = { bucket: options.bucket, key: ctx.file.key, ...(versionId ? { versionId } : {}) };
    const stored = await call(ctx, "HeadObject", errors/* HINTS */.NI.access, () => store.headObject(target, ctx.signal));
    const recorded = stored?.planRecord?.split(",")[4];
    const wanted = settingsFingerprint(ctx.headers);
    if (recorded === wanted)
        return;
    const what = recorded === undefined
        ? "settings this run cannot compare (it was started without a settings fingerprint)"
        : "other object settings";
    throw new Error(`The resumed multipart upload ${uploadId} had been started with ${what} (headers such as Content-Type, ` +
        `Content-Encoding or Cache-Control, metadata, tags or encryption; S3 shows none of them before Complete). The object ` +
        `s3://${options.bucket}/${ctx.file.key} holds the file's bytes, verified, but not this run's settings: ` +
        "delete the object and rerun.");
}
/**
 * Aborts the upload (unless asked to keep it, or this run did not create it) and says in the error what was
 * left behind.
 */
async function cleanUp(ctx, uploadId, error, adopted) {
    const message = error instanceof Error ? error.message : String(error);
    if ((0,errors/* isNoSuchUpload */.Ut)(error)) {
        return new Error(`${message} The multipart upload ${uploadId} no longer exists; nothing of it is left.`, {
            cause: error,
        });
    }
    if (adopted) {
        return new Error(`${message} The resumed multipart upload ${uploadId} was not created by this run, so it was not ` +
            "aborted; a later run resumes it, or the cleanup mode removes it.", { cause: error });
    }
    if (ctx.run.options.onFailure === "keep") {
        return new Error(`${message} The multipart upload ${uploadId} was kept (on-failure: keep) for a later resume.`, {
            cause: error,
        });
    }
    try {
        // A fresh signal: the run may have been cancelled, and this is exactly the cleanup cancellation needs.
        await call({ ...ctx, signal: AbortSignal.timeout(60_000) }, "AbortMultipartUpload", errors/* HINTS */.NI.access, () => ctx.run.store.abortMultipartUpload({ bucket: ctx.run.options.bucket, key: ctx.file.key, uploadId }));
        return new Error(`${message} The multipart upload was aborted; nothing is left behind.`, {
            cause: error,
        });
    }
    catch (abortError) {
        if ((0,errors/* isNoSuchUpload */.Ut)(abortError)) {
            return new Error(`${message} The multipart upload ${uploadId} was already gone when it was to be aborted ` +
                `(${errors/* GONE_UPLOAD */.ip}); nothing of it is left.`, { cause: error });
        }
        return new Error(`${message} Aborting multipart upload ${uploadId} also failed (${(0,errors/* describeS3Error */.ye)(abortError)}); ` +
            `abort it with: aws s3api abort-multipart-upload --bucket ${ctx.run.options.bucket} ` +
            `--key '${ctx.file.key}' --upload-id '${uploadId}'`, { cause: error });
    }
}
function recordPart(ctx, part, sent) {
    const { algorithm } = ctx.run;
    const local = sent.digest.digest?.toString("base64") ?? null;
    if (algorithm !== null) {
        const echoed = sent.answer.checksums[algorithm];
        if (echoed !== undefined && echoed !== local) {
            throw new errors/* StepError */.zg(`UploadPart ${part.number}`, `S3 answered ${algorithm} ${echoed}, local value is ${local}`, errors/* HINTS */.NI.verify);
        }
    }
    return {
        number: part.number,
        size: part.size,
        etag: sent.answer.etag,
        checksum: local,
        digest: sent.digest.digest,
        md5Hex: sent.digest.md5?.toString("hex") ?? null,
    };
}
function upload_multipart_proofOf(part) {
    return {
        number: part.number,
        digest: part.digest,
        md5: part.md5Hex === null ? null : Buffer.from(part.md5Hex, "hex"),
    };
}
function evidenceOf(ctx, answer) {
    const { algorithm } = ctx.run;
    return {
        echoesChecksums: algorithm !== null && answer.checksums[algorithm] !== undefined,
        etagIsMd5: etagIsMd5(answer),
    };
}
async function transferVerifyComplete(ctx, handle, plan, uploadId, ifNoneMatch, resumedParts) {
    const { options, algorithm } = ctx.run;
    const uploaded = new Map(resumedParts);
    // The last part goes first: once stored, its number and size pin the file size for a later resume.
    const missing = [plan.parts.at(-1), ...plan.parts.slice(0, -1)].filter((part) => !uploaded.has(part.number));
    // It goes alone: its answer shows whether this upload keeps checksums; if it does the other parts skip MD5
    // (a quarter of a GiB's hashing time at concurrency 4 otherwise), and if not they and it go with MD5.
    const [first, ...rest] = missing;
    // Parts not read in file order by this pass are read again for the SHA-256 in their turn: those kept from
    // an earlier run, and the part sent alone first when parts before it are still to come (it cannot wait).
    const rereadParts = new Set(resumedParts.keys());
    if (first !== undefined && rest.some((part) => part.number < first.number))
        rereadParts.add(first.number);
    const sha256 = options.sha256 === true ? new OrderedSha256(handle, plan.parts, { algorithm, rereadParts }) : null;
    try {
        return await sendVerifyComplete(ctx, handle, plan, uploadId, ifNoneMatch, uploaded, sha256, {
            first,
            feedFirst: first !== undefined && !rereadParts.has(first.number),
            rest,
        });
    }
    catch (error) {
        // No read for the hash may outlive the file's descriptor, which is closed once this file has failed.
        sha256?.abandon();
        await sha256?.settled();
        throw error;
    }
}
async function sendVerifyComplete(ctx, handle, plan, uploadId, ifNoneMatch, uploaded, sha256, order) {
    const { first, rest } = order;
    const { store, options, algorithm, checksumType } = ctx.run;
    const target = { bucket: options.bucket, key: ctx.file.key };
    let bytesDone = [...uploaded.values()].reduce((sum, part) => sum + part.size, 0);
    const upload = async (part, withMd5, repair, feed = !repair) => {
        const sent = await part_transfer_sendPart(ctx, handle, part, `UploadPart ${part.number}`, (body, checksums, contentMd5) => store.uploadPart({
            ...target,
            uploadId,
            partNumber: part.number,
            body,
            checksums,
            ...(contentMd5 ? { contentMd5 } : {}),
        }, ctx.signal), withMd5, feed && sha256 !== null ? { sha256 } : {});
        uploaded.set(part.number, recordPart(ctx, part, sent));
        if (!repair) {
            bytesDone += part.size;
            ctx.run.emit({ type: "progress", file: ctx.file, bytesDone, size: plan.size });
        }
        return sent;
    };
    let evidence = { echoesChecksums: false, etagIsMd5: true };
    // Without an additional checksum only the ETag can prove a part; with one, the first part goes as every
    // later part goes where the store keeps checksums, sparing MD5 over it (a 16 MiB part: ~50 ms of CPU).
    const firstWithMd5 = options.contentMd5 || algorithm === null;
    if (first !== undefined) {
        const sent = await upload(first, firstWithMd5, false, order.feedFirst);
        evidence = evidenceOf(ctx, sent.answer);
        if (!evidence.echoesChecksums && !evidence.etagIsMd5)
            throw unprovablePartsError(`UploadPart ${first.number}`);
        // The store kept no checksum of it: sent again with Content-MD5, so its ETag proves it as it does the rest.
        if (!evidence.echoesChecksums && sent.digest.md5 === null)
            await upload(first, true, true, false);
    }
    const restNeedMd5 = options.contentMd5 || !evidence.echoesChecksums;
    await forEachLimited(rest, options.concurrency, (part) => upload(part, restNeedMd5, false));
    // A repair sends a part again; its bytes were hashed on the first read, and finish() checks they match.
    const partsMethod = await verifyParts(ctx, plan, uploadId, uploaded, evidence, (part) => upload(part, true, true));
    ensureUnchanged(ctx, handle);
    const parts = plan.parts.map((part) => uploaded.get(part.number));
    const sha256Hex = await finishSha256(ctx.file.path, sha256, parts.map(upload_multipart_proofOf));
    const checksumLocal = algorithm !== null && checksumType !== null
        ? objectChecksum(algorithm, checksumType, parts.map((part) => ({ digest: part.digest, size: part.size })))
        : null;
    const expected = {
        size: plan.size,
        algorithm,
        checksum: checksumLocal,
        etag: expectedEtag(true, parts.map((part) => (part.md5Hex === null ? null : Buffer.from(part.md5Hex, "hex")))),
    };
    // S3 takes a whole-object value on Complete only for FULL_OBJECT; COMPOSITE is checked after, by HeadObject.
    const objectChecksums = algorithm !== null && checksumType === "FULL_OBJECT" && checksumLocal !== null
        ? { [algorithm]: checksumLocal }
        : {};
    let answer;
    try {
        answer = await call(ctx, "CompleteMultipartUpload", errors/* HINTS */.NI.retry, () => store.completeMultipartUpload({
            ...target,
            uploadId,
            parts: parts.map((part) => ({
                number: part.number,
                etag: part.etag,
                checksums: algorithm !== null && part.checksum !== null ? { [algorithm]: part.checksum } : {},
            })),
            objectChecksums,
            checksumType,
            objectSize: plan.size,
            ifNoneMatch,
        }, ctx.signal));
    }
    catch (error) {
        const code = (0,errors/* s3ErrorInfo */.Nz)(error instanceof errors/* StepError */.zg ? (error.cause ?? error) : error).code;
        if (code !== "NoSuchUpload" && !(0,errors/* isCreateRefused */.pZ)(error))
            throw error;
        return { expected, partsMethod, answer: null, completeError: error, sha256: sha256Hex };
    }
    if (algorithm !== null && checksumType === "FULL_OBJECT") {
        const echoed = answer.checksums[algorithm];
        if (echoed !== undefined && echoed !== checksumLocal) {
            throw new errors/* StepError */.zg("CompleteMultipartUpload", `S3 answered ${algorithm} ${echoed}, local value is ${checksumLocal}`, errors/* HINTS */.NI.verify);
        }
    }
    return { expected, partsMethod, answer, completeError: null, sha256: sha256Hex };
}
/**
 * Parts read at different times must come from one version of the file, or the object would mix two. Each
 * read is checked as it happens (part-reader.ts); this covers the whole span once more right before Complete.
 */
function ensureUnchanged(ctx, handle) {
    const change = handle.identity === undefined ? null : changeSinceOpen(handle.fd, handle.identity);
    if (change !== null) {
        throw new errors/* StepError */.zg(`read ${ctx.file.path}`, `the file changed during the upload (${change})`, "Make sure nothing writes to it while it uploads, then rerun.");
    }
}
async function verifyParts(ctx, plan, uploadId, uploaded, evidence, reupload) {
    const { store, options, algorithm } = ctx.run;
    for (let round = 0;; round++) {
        const listed = await call(ctx, "ListParts", errors/* HINTS */.NI.retry, () => listAllParts(store, { bucket: options.bucket, key: ctx.file.key, uploadId }, ctx.signal));
        const method = verificationMethod(algorithm, listed);
        if (method === "etag-md5" && algorithm !== null && options.requireChecksums) {
            throw requireChecksumsError("ListParts");
        }
        if (method === "etag-md5" && !evidence.etagIsMd5)
            throw unprovablePartsError("ListParts");
        const expected = plan.parts.map((part) => uploaded.get(part.number));
        const problems = compareParts(expected, listed, method, algorithm);
        if (problems.length === 0)
            return method;
        const described = problems
            .slice(0, 5)
            .map((problem) => `part ${problem.number}: ${problem.reason}`)
            .join("; ");
        if (round >= REPAIR_ROUNDS) {
            throw new errors/* StepError */.zg("verify parts", `after ${round} re-uploads, ${described}`, errors/* HINTS */.NI.verify);
        }
        ctx.run.emit({
            type: "warning",
            file: ctx.file,
            message: `Re-uploading ${problems.length} part(s) that ListParts showed wrong: ${described}`,
        });
        await forEachLimited(problems, options.concurrency, (problem) => reupload(plan.parts[problem.number - 1]));
    }
}
function unprovablePartsError(step) {
    return new errors/* StepError */.zg(step, "the store keeps no checksums for this upload and under SSE-KMS its ETags are not MD5s, so its parts " +
        "cannot be verified", UNPROVABLE_FIX);
}

;// CONCATENATED MODULE: ./src/engine/upload/upload-single.ts





/**
 * Files up to this size are sent in the run's small-PutObject slots (smallPutSlots): their time goes to round
 * trips (the request, the store's answer), so more in flight overlap them, at smallPutSlots × this of extra
 * memory at most (4 MiB at the default concurrency of 4).
 */
const SMALL_PUT_BYTES = 256 * 1024;
const SMALL_PUTS_PER_SLOT = 4;
// Past this many, a store starts to throttle (503 SlowDown) rather than overlap more round trips.
const SMALL_PUTS_MAX = 64;
/** How many small PutObjects may be in flight at once, beside the `concurrency` transfers of the pool. */
function smallPutSlots(concurrency) {
    return Math.min(concurrency * SMALL_PUTS_PER_SLOT, SMALL_PUTS_MAX);
}
function poolFor(ctx, plan) {
    return plan.size <= SMALL_PUT_BYTES ? ctx.run.smallPuts : ctx.run.pool;
}
/** Re-sends of a PutObject whose stored object does not match, as for parts (upload-multipart.ts). */
const upload_single_REPAIR_ROUNDS = 2;
// A single PutObject cannot be taken back like a multipart upload can be aborted.
const WRITTEN = "The object was written but is not proven by a checksum; delete it if that matters.";
/**
 * Files below the multipart threshold: one PutObject carrying the same checksum a part would, and always
 * Content-MD5 (cheap at this size): every store then refuses a body damaged in transit, also those that keep
 * no additional checksums, and the MD5 is the proof there (ETag) when the object is checked.
 */
async function uploadSingle(ctx, handle, plan, ifNoneMatch) {
    const { algorithm } = ctx.run;
    const sha256 = ctx.run.options.sha256 === true
        ? new OrderedSha256(handle, plan.parts, { algorithm, rereadParts: new Set() })
        : null;
    // The SHA-256 is of the bytes read for the first send; it is reported only for the bytes finally proven.
    const sha256Of = (proven) => finishSha256(ctx.file.path, sha256, [proven]);
    let digest;
    let sent;
    try {
        sent = await part_transfer_sendPart(ctx, handle, plan.parts[0], "PutObject", putSender(ctx, { ifNoneMatch }), true, {
            onRead: (read) => {
                digest = read;
            },
            ...(sha256 ? { sha256 } : {}),
            pool: poolFor(ctx, plan),
        });
    }
    catch (error) {
        // A 412 under If-None-Match: an earlier attempt whose answer was lost may have written the object.
        if (!ifNoneMatch || digest === undefined || !(0,errors/* isCreateRefused */.pZ)(error))
            throw error;
        const checksumLocal = digest.digest?.toString("base64") ?? null;
        const outcome = await confirmAmbiguousWrite(ctx, expectedOf(ctx, plan, digest), "PutObject", error);
        ctx.run.emit({ type: "progress", file: ctx.file, bytesDone: plan.size, size: plan.size });
        return { ...outcome, checksumLocal, sha256: await sha256Of(digest) };
    }
    ctx.run.emit({ type: "progress", file: ctx.file, bytesDone: plan.size, size: plan.size });
    // The store answered success; it must also hold what it answered. A stored object that differs is re-sent
    // (replacing exactly the object inspected), as a wrong part is; what stays wrong is removed, not left.
    const wrongVersions = [];
    for (let round = 0;; round++) {
        const checksumLocal = checkEcho(ctx, sent);
        if (round === 0) {
            const listed = await confirmByListing(ctx, expectedOf(ctx, plan, sent.digest), sent.answer);
            if (listed !== null)
                return { ...listed, checksumLocal, sha256: await sha256Of(sent.digest) };
        }
        try {
            const outcome = await confirmObject(ctx, expectedOf(ctx, plan, sent.digest), sent.answer, algorithm !== null && sent.answer.checksums[algorithm] !== undefined ? "checksum" : "etag-md5", "PutObject");
            if (round === 0)
                return { ...outcome, checksumLocal, sha256: await sha256Of(sent.digest) };
            const notes = [
                ...outcome.notes,
                `The stored object did not match at first and was re-sent ${round} time(s).`,
            ];
            const problem = await deleteWrittenVersions(ctx, wrongVersions);
            if (problem !== null)
                notes.push(`Earlier wrong versions of this run remain: ${problem}`);
            return { ...outcome, notes, checksumLocal, sha256: await sha256Of(sent.digest) };
        }
        catch (error) {
            if (!(error instanceof StoredMismatchError))
                throw error;
            if (round >= upload_single_REPAIR_ROUNDS || !replacesConditionally(ctx)) {
                throw await removeWrittenObject(ctx, error, {
                    versions: wrongVersions,
                    replacedInspected: round > 0,
                });
            }
            ctx.run.emit({
                type: "warning",
                file: ctx.file,
                message: `Re-sending: the object stored after PutObject does not match (${error.cause.message})`,
            });
            if (error.answer.versionId !== undefined)
                wrongVersions.push(error.answer.versionId);
            sent = await resend(ctx, handle, plan, error.stored.etag);
        }
    }
}
/** The checksum the store echoed must be the local one; returns the local value (base64) or null. */
function checkEcho(ctx, sent) {
    const { algorithm, options } = ctx.run;
    const checksumLocal = sent.digest.digest?.toString("base64") ?? null;
    if (algorithm === null)
        return checksumLocal;
    const echoed = sent.answer.checksums[algorithm];
    if (echoed !== undefined && echoed !== checksumLocal) {
        throw new errors/* StepError */.zg("PutObject", `S3 answered ${algorithm} ${echoed}, local value is ${checksumLocal}`, errors/* HINTS */.NI.verify);
    }
    if (echoed === undefined && options.requireChecksums)
        throw requireChecksumsError("PutObject", WRITTEN);
    return checksumLocal;
}
/** PutObject of this file's body, with the write condition given. */
function putSender(ctx, condition) {
    const { store, options } = ctx.run;
    return (body, checksums, contentMd5) => store.putObject({
        bucket: options.bucket,
        key: ctx.file.key,
        body,
        headers: ctx.headers,
        checksums,
        ...(contentMd5 ? { contentMd5 } : {}),
        ...condition,
    }, ctx.signal);
}
/** PutObject again, replacing only the object whose ETag was inspected: never one written since. */
async function resend(ctx, handle, plan, inspectedEtag) {
    try {
        const sender = putSender(ctx, { ifNoneMatch: false, ifMatch: inspectedEtag });
        return await part_transfer_sendPart(ctx, handle, plan.parts[0], "PutObject", sender, true, {
            pool: poolFor(ctx, plan),
        });
    }
    catch (error) {
        if (!(0,errors/* isCreateRefused */.pZ)(error))
            throw error;
        throw new errors/* StepError */.zg("PutObject", `s3://${ctx.run.options.bucket}/${ctx.file.key} changed while this run was re-sending its own wrong write: another writer created the key`, "Find the other job or person writing this key; rerun once it is done, or upload to another key.", error);
    }
}
/**
 * Whether the store takes If-Match on PutObject, which the re-send needs so it replaces only the object it
 * inspected: stores whose conditional create is S3's If-None-Match have S3's conditional writes; OSS answers
 * neither (its create guard is x-oss-forbid-overwrite), so there a wrong object is removed, not repaired.
 */
function replacesConditionally(ctx) {
    return ctx.run.provider.conditionalCreate === "if-none-match";
}
function expectedOf(ctx, plan, digest) {
    return {
        size: plan.size,
        algorithm: ctx.run.algorithm,
        checksum: digest.digest?.toString("base64") ?? null,
        etag: expectedEtag(false, [digest.md5]),
    };
}

;// CONCATENATED MODULE: ./src/engine/upload/upload-file.ts








/**
 * An identical object is left as it is even when its headers differ (a changed rule, a newer MIME database):
 * overwrite: false never replaces an object, and stores that re-case a header would otherwise fail runs.
 */
function staleHeadersNote(wanted, stored) {
    const differences = stored === undefined ? [] : (0,served_headers/* headerDifferences */.MF)(wanted, stored);
    if (differences.length === 0)
        return [];
    return [
        `Its stored headers differ from this run's: ${differences.join(", ")}; the bytes are identical, so it was ` +
            "left as it is: set overwrite: true to store this run's headers.",
    ];
}
function emptyResult(run, file, size, plan) {
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
function openRegularFile(path) {
    const fd = (0,external_node_fs_.openSync)(path, external_node_fs_.constants.O_RDONLY | (external_node_fs_.constants.O_NONBLOCK ?? 0));
    const stat = (0,external_node_fs_.fstatSync)(fd, { bigint: true });
    if (!stat.isFile()) {
        (0,external_node_fs_.closeSync)(fd);
        throw new Error(`${path} is not a regular file; pass files only (directories are expanded by the glob)`);
    }
    return { handle: { fd, identity: identityOf(stat) }, size: Number(stat.size) };
}
function unchangedResult(result, decision, headers) {
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
function notAttempted(run, file, lost) {
    const result = {
        ...emptyResult(run, file, 0, null),
        error: `${file.path} → s3://${run.options.bucket}/${file.key}: not attempted: ${lost.message}`,
        failure: (0,errors/* failureOf */.g5)(lost),
    };
    run.emit({ type: "file-done", result });
    return result;
}
/** What a dry run says of a file the real run would upload: whether an object is there to be replaced. */
function dryRunNote(ifNoneMatch) {
    return ifNoneMatch
        ? "Dry run: no object at this key; nothing was uploaded."
        : "Dry run: nothing was uploaded (overwrite: true replaces any object at this key without comparing).";
}
/**
 * Uploads and verifies one file; a dry run takes the same decisions (plan, overwrite check, unchanged proof)
 * and stops before the first write. Never throws: a failure is a result with status "failed" (or, in a dry
 * run, "refused") and an error.
 */
async function upload_file_uploadFile(run, file) {
    const started = performance.now();
    let result = emptyResult(run, file, 0, null);
    let handle;
    try {
        const opened = openRegularFile(file.path);
        handle = opened.handle;
        const planned = planUpload({
            size: opened.size,
            partSize: run.options.partSize,
            multipartThreshold: run.options.multipartThreshold,
            limits: run.limits,
        });
        if (!planned.ok)
            throw new errors/* Refusal */.P_("plan", `plan: ${planned.error}`);
        const plan = planned.plan;
        result = emptyResult(run, file, plan.size, plan);
        run.emit({
            type: "file-start",
            file,
            size: plan.size,
            parts: plan.parts.length,
            partSize: plan.partSize,
        });
        const ctx = {
            run,
            file,
            headers: (0,served_headers/* objectHeadersFor */.Po)(run.options.object, file),
            signal: run.options.signal,
        };
        const decision = await decideExisting(ctx, handle, plan);
        if (decision.action === "unchanged") {
            result = unchangedResult(result, decision, ctx.headers);
        }
        else if (run.options.dryRun) {
            result = { ...result, status: "dry-run", notes: [dryRunNote(decision.ifNoneMatch)] };
        }
        else {
            const outcome = plan.multipart
                ? await run.multipartFiles.run(() => uploadMultipart(ctx, opened.handle, plan, decision.ifNoneMatch), ctx.signal)
                : await uploadSingle(ctx, handle, plan, decision.ifNoneMatch);
            result = { ...result, ...outcome, status: "uploaded" };
        }
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        result = {
            ...result,
            status: run.options.dryRun && error instanceof errors/* Refusal */.P_ ? "refused" : "failed",
            verified: false,
            error: `${file.path} → s3://${run.options.bucket}/${file.key}: ${message}`,
            failure: (0,errors/* failureOf */.g5)(error),
        };
    }
    finally {
        if (handle)
            (0,external_node_fs_.closeSync)(handle.fd);
    }
    result.durationMs = Math.round(performance.now() - started);
    result.bytesPerSecond =
        result.status === "uploaded" && result.durationMs > 0
            ? Math.round((result.size * 1000) / result.durationMs)
            : 0;
    run.emit({ type: "file-done", result });
    return result;
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/engine/download/direct-writes.ts
// Whole aligned slabs go to the temp file through a second descriptor opened with O_DIRECT, past the page
// cache. A buffered write copies every byte into fresh page-cache pages, and the fsync before the rename
// then writes them out anyway: on the bench VM that copy was the largest cost of a download (2 CPU-s per GiB
// of 3.6; bench/results/download-direct-2026-11-30-night.md). Linux only; where the platform or the file
// system refuses it, every write stays buffered. Proof is unaffected: digests are of the bytes received.


/** Offset, length and memory address of a direct write must be multiples of the device's logical block. */
const DIRECT_ALIGNMENT = 4096;
const isAligned = (value) => value % DIRECT_ALIGNMENT === 0;
/** Direct writes through `handle` (opened with O_DIRECT); the first refusal turns them off for this file. */
function directWritesOver(handle) {
    let refused = false;
    return {
        async write(bytes, position, aligned) {
            if (refused || !aligned || !isAligned(position) || !isAligned(bytes.byteLength))
                return 0;
            let done = 0;
            try {
                while (done < bytes.byteLength) {
                    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
                    done += bytesWritten;
                    // A short write that ends off a block leaves a rest only a buffered write can take.
                    if (bytesWritten === 0 || !isAligned(done))
                        break;
                }
            }
            catch (error) {
                // EINVAL: the file system or device takes no direct writes, or needs a coarser alignment.
                if (error.code !== "EINVAL")
                    throw error;
                refused = true;
            }
            return done;
        },
        close: () => handle.close(),
    };
}
/**
 * A direct-write descriptor for the file `buffered` has open at `path`, or null where O_DIRECT is not
 * available. The path is opened again, so the new descriptor is checked to be the same file.
 */
async function openDirectWrites(path, buffered) {
    const direct = external_node_fs_.constants.O_DIRECT;
    if (direct === undefined)
        return null;
    const handle = await (0,promises_.open)(path, external_node_fs_.constants.O_WRONLY | direct | (external_node_fs_.constants.O_NOFOLLOW ?? 0)).catch(() => null);
    if (handle === null)
        return null;
    try {
        const [mine, theirs] = await Promise.all([handle.stat(), buffered.stat()]);
        if (mine.dev === theirs.dev && mine.ino === theirs.ino)
            return directWritesOver(handle);
    }
    catch {
        // Checked or not at all: a failed stat leaves the writes buffered.
    }
    await handle.close().catch(() => undefined);
    return null;
}

;// CONCATENATED MODULE: ./src/engine/download/temp-file.ts
// The file a download is written into: beside its destination (same directory, so the final rename is atomic
// and never crosses file systems), hidden, and named so a leftover is recognisably this tool's.





function tempPathFor(destination) {
    return (0,external_node_path_.join)((0,external_node_path_.dirname)(destination), `.${(0,external_node_path_.basename)(destination)}.s3vu-${(0,external_node_crypto_.randomBytes)(6).toString("hex")}.part`);
}
/** The path of `name` when it is a temp file name of `destination` (so a record can never name another file). */
function tempNamed(destination, name) {
    const prefix = `.${(0,external_node_path_.basename)(destination)}.s3vu-`;
    const random = name.startsWith(prefix) && name.endsWith(".part") ? name.slice(prefix.length, -5) : "";
    return /^[0-9a-f]{12}$/.test(random) ? (0,external_node_path_.join)((0,external_node_path_.dirname)(destination), name) : null;
}
/** A kept temp file, to write its missing ranges; null when it is gone or is not `size` bytes. */
async function reopenTempFile(path, size) {
    // Not through a symbolic link: the bytes go only where a temp file of this tool was.
    const flags = external_node_fs_.constants.O_RDWR | (external_node_fs_.constants.O_NOFOLLOW ?? 0);
    const handle = await (0,promises_.open)(path, flags).catch((error) => {
        if (error.code === "ENOENT" || error.code === "ELOOP")
            return null;
        throw error;
    });
    if (handle === null)
        return null;
    const stat = await handle.stat().catch(async (error) => {
        await handle.close();
        throw error;
    });
    if (!stat.isFile() || stat.size !== size) {
        await handle.close();
        return null;
    }
    return { path, handle, direct: await openDirectWrites(path, handle) };
}
/** A new temp file of `size` bytes (sparse until written) beside `destination`; creates the directory. */
async function createTempFile(destination, size) {
    await (0,promises_.mkdir)((0,external_node_path_.dirname)(destination), { recursive: true });
    const path = tempPathFor(destination);
    const handle = await (0,promises_.open)(path, "wx+", 0o644);
    let direct = null;
    try {
        await handle.truncate(size);
        direct = await openDirectWrites(path, handle);
    }
    catch (error) {
        await handle.close();
        await (0,promises_.unlink)(path).catch(() => undefined);
        throw error;
    }
    return { path, handle, direct };
}
/** Writes all of `bytes` at `position` (a positional write may write fewer bytes than asked). */
async function writeAt(handle, bytes, position) {
    let done = 0;
    while (done < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
        done += bytesWritten;
    }
}
async function fsyncDirectory(path) {
    const directory = await (0,promises_.open)(path, "r");
    try {
        await directory.sync();
    }
    finally {
        await directory.close();
    }
}
/** Hard-links `from` as `to`; false where the file system has no hard links (checked absent just before). */
async function linked(from, to) {
    try {
        await (0,promises_.link)(from, to);
        return true;
    }
    catch (error) {
        const code = error.code;
        if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS")
            return false;
        throw error;
    }
}
/**
 * Makes the verified temp file the destination, durably: its data, then the name, then the directory entry.
 * Without overwrite, a hard link refuses a destination created meanwhile (EEXIST) instead of replacing it.
 */
async function commitTempFile(temp, destination, overwrite) {
    await temp.direct?.close();
    // The inode's fsync, whichever descriptor wrote: it also flushes the device's cache of the direct writes.
    await temp.handle.sync();
    await temp.handle.close();
    if (overwrite || !(await linked(temp.path, destination))) {
        await (0,promises_.rename)(temp.path, destination);
    }
    else {
        await (0,promises_.unlink)(temp.path);
    }
    await fsyncDirectory((0,external_node_path_.dirname)(destination));
}
/** Closes the temp file and deletes it unless `keep` (on-failure: keep). */
async function discardTempFile(temp, keep) {
    await temp.direct?.close().catch(() => undefined);
    await temp.handle.close().catch(() => undefined);
    if (!keep)
        await (0,promises_.unlink)(temp.path).catch(() => undefined);
}

;// CONCATENATED MODULE: ./src/engine/download/range-writer.ts


/**
 * Big enough to make a thread-pool trip rare and a direct write large (a virtio disk took 1 GiB of 1 MiB
 * direct writes in 8.2 s, of 8 MiB ones in 4.0), small enough that concurrency × 3 slabs stays small: 4 MiB
 * against 1 MiB took the 1 GiB download from 83 to 115 MiB peak RSS and from 2.1 to 1.7 CPU-s
 * (bench/results/download-direct-2026-11-30-night.md).
 */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;
function createSlabPool(slabBytes = WRITE_BATCH_BYTES) {
    const idle = [];
    // Regions of the kernel's memory start on 64 KiB boundaries; an ordinary buffer (when that memory is full)
    // starts wherever malloc put it.
    const inKernelMemory = new WeakSet();
    let closed = false;
    return {
        slabBytes,
        take: () => {
            const reused = idle.pop();
            if (reused !== undefined)
                return reused;
            const hashable = allocateHashable(slabBytes);
            if (hashable === null)
                return Buffer.allocUnsafeSlow(slabBytes);
            inKernelMemory.add(hashable);
            return hashable;
        },
        give: (slab) => {
            if (closed)
                releaseHashable(slab);
            else
                idle.push(slab);
        },
        aligned: (slab) => inKernelMemory.has(slab),
        close: () => {
            closed = true;
            for (const slab of idle.splice(0))
                releaseHashable(slab);
        },
    };
}
/** Writes a caller may have under way before push asks it to wait. */
const WRITES_IN_FLIGHT = 2;
function createRangeWriter(handle, offset, slabs = createSlabPool(), options = {}) {
    const { direct = null, onPlaced } = options;
    const batchBytes = slabs.slabBytes;
    let position = offset;
    let slab = null;
    let filled = 0;
    const inFlight = new Set();
    let failure = null;
    const flush = () => {
        const full = slab;
        const bytes = full.subarray(0, filled);
        const at = position;
        const written = direct === null ? Promise.resolve(0) : direct.write(bytes, at, slabs.aligned(full));
        const write = written
            .then((done) => done === bytes.byteLength ? undefined : writeAllAt(handle, [bytes.subarray(done)], at + done))
            .then(() => {
            slabs.give(full);
        }, (error) => {
            failure ??= { error };
        });
        position += filled;
        slab = null;
        filled = 0;
        inFlight.add(write);
        void write.then(() => inFlight.delete(write));
    };
    const failed = () => Promise.reject(failure.error);
    const waitForAWrite = () => Promise.race(inFlight).then(() => (failure === null ? undefined : failed()));
    return {
        push(chunk) {
            if (failure !== null)
                return failed();
            if (slab !== null && chunk.buffer === slab.buffer && chunk.byteOffset === slab.byteOffset + filled) {
                onPlaced?.(slab.subarray(filled, filled + chunk.byteLength));
                filled += chunk.byteLength;
                if (filled === batchBytes)
                    flush();
                return inFlight.size < WRITES_IN_FLIGHT ? undefined : waitForAWrite();
            }
            let at = 0;
            while (at < chunk.byteLength) {
                slab ??= slabs.take();
                const copied = Math.min(batchBytes - filled, chunk.byteLength - at);
                slab.set(chunk.subarray(at, at + copied), filled);
                onPlaced?.(slab.subarray(filled, filled + copied));
                filled += copied;
                at += copied;
                if (filled === batchBytes)
                    flush();
            }
            return inFlight.size < WRITES_IN_FLIGHT ? undefined : waitForAWrite();
        },
        space(most) {
            slab ??= slabs.take();
            return slab.subarray(filled, Math.min(batchBytes, filled + Math.max(1, most)));
        },
        async finish() {
            if (filled > 0)
                flush();
            else if (slab !== null)
                slabs.give(slab);
            slab = null;
            await Promise.all(inFlight);
            if (failure !== null)
                throw failure.error;
        },
        async settle() {
            await Promise.all(inFlight);
        },
    };
}
/** All of `buffers`, back to back from `position`; a short writev is finished piece by piece. */
async function writeAllAt(handle, buffers, position) {
    const { bytesWritten } = await handle.writev(buffers, position);
    let skip = bytesWritten;
    let at = position;
    for (const buffer of buffers) {
        if (skip >= buffer.byteLength) {
            skip -= buffer.byteLength;
            at += buffer.byteLength;
            continue;
        }
        await writeAt(handle, buffer.subarray(skip), at + skip);
        at += buffer.byteLength;
        skip = 0;
    }
}

;// CONCATENATED MODULE: ./src/engine/download/context.ts

/** One S3 call (or ranged GET) with the run's retry loop; failures come back as a StepError. */
function context_call(ctx, step, hint, operation) {
    return (0,engine_retry/* retryStep */.H8)(step, hint, operation, {
        policy: ctx.run.retry,
        signal: ctx.signal,
        onRetry: (attempt, reason) => ctx.run.emit({ type: "retry", file: ctx.file, operation: step, attempt, reason }),
        rerun: "download",
    });
}

;// CONCATENATED MODULE: ./src/engine/download/early-writeback.ts
/** Written bytes between two early flushes: enough that the flushes are few. */
const WRITEBACK_EVERY_BYTES = 64 * 1024 * 1024;
function createEarlyWriteback(handle, everyBytes = WRITEBACK_EVERY_BYTES) {
    let unflushed = 0;
    let running = null;
    let failure = null;
    return {
        written(bytes) {
            unflushed += bytes;
            if (running !== null || failure !== null || unflushed < everyBytes)
                return;
            unflushed = 0;
            running = handle.datasync().then(() => {
                running = null;
            }, (error) => {
                failure = error;
                running = null;
            });
        },
        async settle() {
            await running;
            if (failure !== null)
                throw failure;
        },
    };
}

;// CONCATENATED MODULE: ./src/engine/download/proof-plan.ts
// How one object is proven, decided from its HEAD: the strongest proof the store keeps, and the byte segments
// to hash for it. A segment is one GET and one digest; segments are combined in offset order at the end.

const MULTIPART_SUFFIX = /-(\d+)$/;
/** The part count an ETag or a COMPOSITE checksum carries ("…-N"); null for a single-part value. */
function partCountOf(value) {
    const match = MULTIPART_SUFFIX.exec(value);
    return match ? Number(match[1]) : null;
}
/** The one additional checksum the object stores, if any. */
function storedChecksum(head) {
    for (const [algorithm, value] of Object.entries(head.checksums)) {
        if (value)
            return { algorithm: algorithm, value };
    }
    return null;
}
/** Ranges of at most rangeSize bytes covering the object; one empty segment for an empty object. */
function rangeSegments(size, rangeSize) {
    if (size === 0)
        return [{ offset: 0, size: 0, expected: null }];
    const segments = [];
    for (let offset = 0; offset < size; offset += rangeSize) {
        segments.push({ offset, size: Math.min(rangeSize, size - offset), expected: null });
    }
    return segments;
}
function partSegments(layout, algorithm) {
    let offset = 0;
    return layout.sizes.map((size, index) => {
        const stored = layout.checksums[index];
        const segment = { offset, size, expected: algorithm && stored ? Buffer.from(stored, "base64") : null };
        offset += size;
        return segment;
    });
}
/** Whether the ETag is an MD5 of the bytes: not under SSE-KMS or SSE-C, where it is an opaque value. */
function proof_plan_etagIsMd5(head) {
    return !head.sseCustomer && !(head.sse ?? "").startsWith("aws:kms");
}
/** A download without proof: ranges of rangeSize, nothing hashed. */
function unproven(head, rangeSize, note) {
    return {
        verification: "none",
        algorithm: null,
        combination: null,
        checksumAlgorithm: null,
        checksumType: null,
        expected: null,
        segments: rangeSegments(head.size, rangeSize),
        notes: [note],
    };
}
/**
 * The strongest proof of the object: a FULL_OBJECT CRC (ranges of rangeSize, combined), a COMPOSITE checksum
 * (part-aligned, each part checked), a whole-object checksum of a single PUT (one GET), the ETag as MD5
 * (single part), the ETag as MD5 of part MD5s (part-aligned); else none. `layout` is asked for only when a
 * proof needs the object's parts; it answers null when the store does not tell them.
 */
async function planProof(head, rangeSize, layout) {
    const checksum = storedChecksum(head);
    if (checksum !== null) {
        const { algorithm, value } = checksum;
        const parts = partCountOf(value);
        const base = {
            verification: "checksum",
            algorithm,
            checksumAlgorithm: algorithm,
            expected: value,
            notes: [],
        };
        if (parts === null && (0,algorithms/* isFullObjectAlgorithm */.KE)(algorithm)) {
            return {
                ...base,
                combination: "full-object",
                checksumType: "FULL_OBJECT",
                segments: rangeSegments(head.size, rangeSize),
            };
        }
        if (parts === null) {
            // A single PUT's SHA digest is of the whole stream: parallel ranges, hashed in file order from disk.
            return {
                ...base,
                combination: "whole",
                checksumType: "FULL_OBJECT",
                segments: rangeSegments(head.size, rangeSize),
            };
        }
        const found = await layout(parts, algorithm);
        if (found !== null && found.sizes.length === parts) {
            return {
                ...base,
                combination: "composite",
                checksumType: "COMPOSITE",
                segments: partSegments(found, algorithm),
            };
        }
        const fallback = await etagPlan(head, rangeSize, layout);
        fallback.notes.unshift(`The ${algorithm} COMPOSITE checksum needs the object's part sizes, which the store did not give.`);
        return fallback;
    }
    return etagPlan(head, rangeSize, layout);
}
async function etagPlan(head, rangeSize, layout) {
    if (!proof_plan_etagIsMd5(head)) {
        return unproven(head, rangeSize, "The object has no additional checksum and is encrypted with SSE-KMS or SSE-C, so its ETag is not an MD5: nothing proves it.");
    }
    // OSS writes its ETags in upper case; the digests they are compared with are lower-case hex.
    const etag = head.etag.toLowerCase();
    const base = {
        verification: "etag-md5",
        algorithm: "MD5",
        checksumAlgorithm: null,
        checksumType: null,
        expected: etag,
        notes: ["The object has no additional checksum: proven by its ETag (MD5)."],
    };
    const parts = partCountOf(etag);
    if (parts === null && /^[0-9a-f]{32}$/.test(etag)) {
        return { ...base, combination: "whole", segments: rangeSegments(head.size, rangeSize) };
    }
    const found = parts === null ? null : await layout(parts, null);
    if (found !== null && found.sizes.length === parts) {
        return { ...base, combination: "md5-of-md5s", segments: partSegments(found, null) };
    }
    if (parts !== null) {
        return {
            ...base,
            algorithm: null,
            combination: "md5-of-md5s",
            guessedParts: parts,
            segments: rangeSegments(head.size, rangeSize),
        };
    }
    return unproven(head, rangeSize, `The object has no additional checksum and its ETag ${head.etag} is not an MD5: nothing proves it.`);
}
async function segmentHasher(algorithm) {
    return algorithm === "MD5" ? createMd5Hasher() : createPartHasher(algorithm);
}
/** The value the segments' digests make (for "whole", the one digest of the file), in `expected`'s form. */
function combineDigests(plan, digests) {
    const algorithm = plan.algorithm;
    if (algorithm === null || plan.combination === null)
        throw new Error("combineDigests: nothing to combine");
    switch (plan.combination) {
        case "full-object":
            if (algorithm === "MD5" || !(0,algorithms/* isFullObjectAlgorithm */.KE)(algorithm))
                break;
            return combineFullObject(algorithm, plan.segments.map((segment, index) => ({ digest: digests[index], size: segment.size }))).toString("base64");
        case "composite":
            if (algorithm === "MD5")
                break;
            return compositeChecksum(algorithm, digests);
        case "whole":
            return algorithm === "MD5" ? digests[0].toString("hex") : digests[0].toString("base64");
        case "md5-of-md5s":
            return `${md5(Buffer.concat(digests)).toString("hex")}-${digests.length}`;
    }
    throw new Error(`combineDigests: ${algorithm} cannot be combined as ${plan.combination}`);
}

;// CONCATENATED MODULE: ./src/engine/download/fetch-segment.ts



const GET_HINT = "Retrying the run is safe; if it keeps failing, check the network and that the credentials may read this object (s3:GetObject, s3:GetObjectVersion).";
/** A body that ended short of its range: retried like a cut connection. */
function truncatedBody(received, expected) {
    const error = new Error(`the body ended after ${received} of ${expected} bytes`);
    error.code = "ECONNRESET";
    return error;
}
/** The segment's digest (null when nothing is hashed), once all its bytes are on disk. */
async function fetchSegment(target, segment) {
    const { ctx, head, handle, direct, algorithm } = target;
    if (segment.size === 0)
        return algorithm === null ? null : (await segmentHasher(algorithm)).digest();
    const end = segment.offset + segment.size - 1;
    const step = `GetObject ${ctx.file.key} bytes ${segment.offset}-${end}`;
    return ctx.run.pool.run(0, () => context_call(ctx, step, GET_HINT, async () => {
        const hasher = algorithm === null ? null : await segmentHasher(algorithm);
        let received = 0;
        const writer = createRangeWriter(handle, segment.offset, ctx.run.slabs, {
            direct,
            ...(hasher === null ? {} : { onPlaced: (bytes) => hasher.update(bytes) }),
        });
        const sink = Object.assign((chunk) => {
            if (received + chunk.byteLength > segment.size) {
                throw new Error(`the store sent more than the ${segment.size} bytes of range ${segment.offset}-${end}`);
            }
            received += chunk.byteLength;
            return writer.push(chunk);
        }, { readInto: (most) => writer.space(most) });
        try {
            await ctx.run.store.getObjectRange({
                bucket: ctx.run.options.bucket,
                key: ctx.file.key,
                ...(head.versionId ? { versionId: head.versionId } : {}),
                start: segment.offset,
                end,
                ifMatch: head.etag,
            }, sink, ctx.signal);
            if (received !== segment.size)
                throw truncatedBody(received, segment.size);
            await writer.finish();
        }
        finally {
            await writer.settle();
        }
        target.onBytes(segment.size);
        return hasher?.digest() ?? null;
    }), ctx.signal);
}

;// CONCATENATED MODULE: ./src/engine/download/guessed-parts.ts

const guessed_parts_MiB = 1024 * 1024;
// aws-cli 8 MiB, rclone/SDK defaults 5 MiB, s5cmd 50 MiB, and the usual powers of two.
const COMMON_PART_SIZES = [5, 6, 8, 10, 15, 16, 25, 32, 50, 64, 100, 128, 256, 512, 1024].map((n) => n * guessed_parts_MiB);
/** More candidates cost one more MD5 of the whole object each. */
const MAX_CANDIDATES = 8;
const CHUNK = guessed_parts_MiB;
/** Uniform part sizes (whole MiB) that split `size` bytes into exactly `parts` parts, common ones first. */
function candidatePartSizes(size, parts) {
    if (parts < 2)
        return parts === 1 ? [size] : [];
    const fits = (partSize) => partSize > 0 && Math.ceil(size / partSize) === parts;
    const lowest = Math.ceil(size / parts / guessed_parts_MiB);
    const highest = Math.ceil(size / (parts - 1) / guessed_parts_MiB) - 1;
    const range = Array.from({ length: Math.max(0, Math.min(highest - lowest + 1, 64)) }, (_, i) => (lowest + i) * guessed_parts_MiB);
    const ordered = [...COMMON_PART_SIZES.filter(fits), ...range.filter(fits)];
    return [...new Set(ordered)].slice(0, MAX_CANDIDATES);
}
/** The part size whose MD5 of part MD5s ("…-N") equals `etag`, reading the file once; null when none does. */
async function matchGuessedParts(handle, size, parts, etag) {
    const candidates = candidatePartSizes(size, parts).map((partSize) => ({
        partSize,
        digests: [],
        current: createMd5Hasher(),
        filled: 0,
    }));
    if (candidates.length === 0)
        return null;
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let offset = 0; offset < size;) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - offset), offset);
        if (bytesRead === 0)
            return null;
        for (const candidate of candidates)
            feed(candidate, buffer.subarray(0, bytesRead));
        offset += bytesRead;
    }
    for (const candidate of candidates) {
        if (candidate.filled > 0)
            candidate.digests.push(candidate.current.digest());
        const value = `${md5(Buffer.concat(candidate.digests)).toString("hex")}-${candidate.digests.length}`;
        if (value === etag)
            return { partSize: candidate.partSize, value };
    }
    return null;
}
function feed(candidate, bytes) {
    let at = 0;
    while (at < bytes.byteLength) {
        const take = Math.min(candidate.partSize - candidate.filled, bytes.byteLength - at);
        candidate.current.update(bytes.subarray(at, at + take));
        candidate.filled += take;
        at += take;
        if (candidate.filled === candidate.partSize) {
            candidate.digests.push(candidate.current.digest());
            candidate.current = createMd5Hasher();
            candidate.filled = 0;
        }
    }
}

;// CONCATENATED MODULE: ./src/engine/download/local-proof.ts
// The overwrite policy's check: is the file already at the destination the stored object? Proven the same
// way a download is (the plan's digests, combined and compared with the store's value), never by size or mtime.



const local_proof_CHUNK = 1024 * 1024;
/** The plan's value computed from the local file, or null when the plan proves nothing or the size differs. */
async function localProofValue(path, size, plan) {
    if (plan.algorithm === null && plan.guessedParts === undefined)
        return null;
    const handle = await (0,promises_.open)(path, "r");
    try {
        if ((await handle.stat()).size !== size)
            return null;
        if (plan.algorithm === null) {
            const match = await matchGuessedParts(handle, size, plan.guessedParts, plan.expected);
            return match?.value ?? null;
        }
        if (plan.combination === "whole") {
            const digest = await local_proof_hashRange(handle, { offset: 0, size, expected: null }, plan.algorithm);
            return digest === null ? null : combineDigests(plan, [digest]);
        }
        const digests = [];
        for (const segment of plan.segments) {
            const digest = await local_proof_hashRange(handle, segment, plan.algorithm);
            if (digest === null)
                return null;
            digests.push(digest);
        }
        return combineDigests(plan, digests);
    }
    finally {
        await handle.close();
    }
}
/** The digest of the segment's bytes as the file holds them; null when the file ends before the segment does. */
async function local_proof_hashRange(handle, segment, algorithm) {
    const buffer = Buffer.allocUnsafe(Math.min(local_proof_CHUNK, Math.max(segment.size, 1)));
    const hasher = await segmentHasher(algorithm);
    for (let done = 0; done < segment.size;) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.byteLength, segment.size - done), segment.offset + done);
        if (bytesRead === 0)
            return null;
        hasher.update(buffer.subarray(0, bytesRead));
        done += bytesRead;
    }
    return hasher.digest();
}
/** The SHA-256 (hex) of the file's first `size` bytes; null when it is shorter. */
async function localSha256(path, size) {
    const handle = await (0,promises_.open)(path, "r");
    try {
        const digest = await local_proof_hashRange(handle, { offset: 0, size, expected: null }, "SHA256");
        return digest === null ? null : digest.toString("hex");
    }
    finally {
        await handle.close();
    }
}

;// CONCATENATED MODULE: ./src/engine/download/ordered-file-hash.ts
const ordered_file_hash_CHUNK = 1024 * 1024;
class OrderedFileHash {
    handle;
    segments;
    hashers;
    onDisk;
    next = 0;
    pump = Promise.resolve();
    failure = null;
    buffer = null;
    constructor(handle, segments, hashers) {
        this.handle = handle;
        this.segments = segments;
        this.hashers = hashers;
        this.onDisk = segments.map(() => false);
    }
    /** Segment `index`'s bytes are all on disk: hashes it, and any after it already written, in turn. */
    rangeWritten(index) {
        this.onDisk[index] = true;
        if (index !== this.next)
            return;
        this.pump = this.pump.then(() => this.catchUp());
    }
    /**
     * Each hasher's digest once every segment is hashed; throws when a read failed or a segment was never
     * written.
     */
    async digests() {
        await this.pump;
        if (this.failure !== null)
            throw this.failure;
        if (this.next !== this.segments.length) {
            throw new Error(`OrderedFileHash: range ${this.next + 1} of ${this.segments.length} was never written`);
        }
        return this.hashers.map((hasher) => hasher.digest());
    }
    /** Settles once no read is in flight, so the temp file may be closed. */
    async settled() {
        await this.pump;
    }
    async catchUp() {
        while (this.failure === null && this.next < this.segments.length && this.onDisk[this.next]) {
            try {
                await this.hashSegment(this.segments[this.next]);
            }
            catch (error) {
                this.failure = error;
                return;
            }
            this.next++;
        }
    }
    async hashSegment(segment) {
        this.buffer ??= Buffer.allocUnsafe(ordered_file_hash_CHUNK);
        for (let done = 0; done < segment.size;) {
            const want = Math.min(this.buffer.byteLength, segment.size - done);
            const { bytesRead } = await this.handle.read(this.buffer, 0, want, segment.offset + done);
            if (bytesRead === 0) {
                throw new Error(`the temp file ends at byte ${segment.offset + done}, inside a range written in full`);
            }
            const bytes = this.buffer.subarray(0, bytesRead);
            for (const hasher of this.hashers)
                hasher.update(bytes);
            done += bytesRead;
        }
    }
}

;// CONCATENATED MODULE: ./src/engine/download/object-changed.ts

/** The object was replaced while this run read it: its bytes must not be mixed with the new version's. */
class ObjectChanged extends Error {
    constructor(detail) {
        super(detail);
        this.name = "ObjectChanged";
    }
}
/** A GET's If-Match failed (412), or a HEAD saw another ETag: the object changed since it was planned. */
function isObjectChanged(error) {
    for (let cause = error; cause instanceof Error; cause = cause.cause) {
        if (cause instanceof ObjectChanged)
            return true;
        if (cause instanceof errors/* StepError */.zg)
            continue;
        const info = (0,errors/* s3ErrorInfo */.Nz)(cause);
        if (info.status === 412 || info.code === "PreconditionFailed")
            return true;
    }
    return false;
}

;// CONCATENATED MODULE: ./src/engine/download/part-layout.ts
// The sizes (and stored checksums) of a multipart object's parts, which part-aligned proofs need: from the
// part size this tool's own uploads record (svu-plan), which spares a HEAD per part, else from HEAD with
// partNumber (S3, the emulator; Ceph RGW ignores partNumber). The sizes only say where the parts are: the
// proof is the stored COMPOSITE checksum or ETag, recomputed from the bytes, so a record that lied could only
// fail the proof, never pass it (and the retry then asks the store).



const HEAD_HINT = "Check that the credentials may read this object (s3:GetObject, s3:GetObjectVersion).";
/** Parts of `parts` sizes summing to the object's size, each of at least one byte. */
function fits(sizes, total, parts) {
    return (sizes.length === parts && sizes.every((size) => size > 0) && sizes.reduce((a, b) => a + b, 0) === total);
}
/** The uniform part size this tool recorded for its own multipart upload, as its parts. */
function recordedLayout(head, parts) {
    const fields = head.planRecord?.split(",");
    const size = Number(fields?.[0]);
    const partSize = Number(fields?.[1]);
    if (!Number.isSafeInteger(partSize) || partSize <= 0 || size !== head.size)
        return null;
    const sizes = Array.from({ length: parts }, (_, index) => Math.min(partSize, head.size - index * partSize));
    return fits(sizes, head.size, parts) ? { sizes, checksums: sizes.map(() => undefined) } : null;
}
async function partLayout(ctx, head, parts, algorithm, { trustRecord }) {
    const recorded = trustRecord ? recordedLayout(head, parts) : null;
    if (recorded !== null)
        return recorded;
    const { bucket } = ctx.run.options;
    const target = { bucket, key: ctx.file.key, ...(head.versionId ? { versionId: head.versionId } : {}) };
    const headPart = (partNumber) => context_call(ctx, `HeadObject part ${partNumber} of ${ctx.file.key}`, HEAD_HINT, () => ctx.run.store.headObject({ ...target, partNumber }, ctx.signal));
    const changed = (answer) => answer === null || answer.etag !== head.etag;
    const first = await headPart(1);
    if (changed(first))
        throw new ObjectChanged(`the object's ETag changed from ${head.etag} while its parts were read`);
    // A store that ignores partNumber answers with the whole object and no parts count.
    if (first.partsCount !== parts) {
        return recordedLayout(head, parts);
    }
    const rest = await mapLimited(Array.from({ length: parts - 1 }, (_, index) => index + 2), ctx.run.options.concurrency, headPart);
    const answers = [first, ...rest];
    if (answers.some(changed)) {
        throw new ObjectChanged(`the object's ETag changed from ${head.etag} while its parts were read`);
    }
    const sizes = answers.map((answer) => answer.size);
    if (!fits(sizes, head.size, parts))
        return recordedLayout(head, parts);
    return {
        sizes,
        checksums: answers.map((answer) => (algorithm ? answer.checksums[algorithm] : undefined)),
    };
}

;// CONCATENATED MODULE: ./src/engine/download/resume-record.ts
// The record that lets a rerun resume a kept download (on-failure: keep): a small file beside the destination
// naming the temp file, the object whose bytes it holds (ETag, version, size) and the range layout, then one
// line per range whose bytes are in the temp file, with the digest they hashed to. A line is appended only
// after its range's bytes were written, so a killed process never leaves a line for bytes it did not write.
// The lines are not fsynced: after a power loss a line may outlive its bytes, which the rerun's re-hash finds
// (the bytes on disk no longer hash to the line's digest) and fetches again. The digests only choose which
// ranges to fetch again; the proof is always computed from the bytes on disk.



const FORMAT = "s3vu-download-resume/1";
/** Far above a record's size (a line of at most ~60 bytes per range): anything larger is not a record. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
function resumeRecordPath(destination) {
    return (0,external_node_path_.join)((0,external_node_path_.dirname)(destination), `.${(0,external_node_path_.basename)(destination)}.s3vu-resume`);
}
function layoutOf(segments) {
    const hash = (0,external_node_crypto_.createHash)("sha256");
    for (const segment of segments)
        hash.update(`${segment.offset}+${segment.size},`);
    return hash.digest("hex");
}
function isHeader(value) {
    const header = value;
    return (typeof header === "object" &&
        header !== null &&
        header.format === FORMAT &&
        typeof header.key === "string" &&
        typeof header.etag === "string" &&
        (header.versionId === null || typeof header.versionId === "string") &&
        Number.isSafeInteger(header.size) &&
        typeof header.algorithm === "string" &&
        Number.isSafeInteger(header.ranges) &&
        typeof header.layout === "string" &&
        typeof header.temp === "string");
}
/**
 * The record at `path`: null when there is none, "unreadable" when the file is not a record of this format
 * (e.g. cut short before its header was written). Lines of ranges that do not parse are left out: a range
 * not recorded is fetched again.
 */
async function readResumeRecord(path) {
    let handle;
    try {
        handle = await (0,promises_.open)(path, "r");
    }
    catch (error) {
        if (error.code === "ENOENT")
            return null;
        throw error;
    }
    let text;
    try {
        const stat = await handle.stat();
        if (!stat.isFile() || stat.size > MAX_RECORD_BYTES)
            return "unreadable";
        text = await handle.readFile("utf8");
    }
    finally {
        await handle.close();
    }
    // Only whole lines count: the last one may have been cut by a crash.
    const lines = text.split("\n").slice(0, -1);
    let header;
    try {
        header = JSON.parse(lines[0] ?? "");
    }
    catch {
        return "unreadable";
    }
    if (!isHeader(header))
        return "unreadable";
    const written = new Map();
    for (const line of lines.slice(1)) {
        const match = /^(\d+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
        const index = Number(match?.[1]);
        if (match && index < header.ranges)
            written.set(index, Buffer.from(match[2], "base64"));
    }
    return { header, written };
}
/** Appends a line per range written, after its bytes are. */
class ResumeLog {
    handle;
    constructor(handle) {
        this.handle = handle;
    }
    /** A new record for a new temp file, replacing any record at `path`. */
    static async create(path, header) {
        const handle = await (0,promises_.open)(path, "w", 0o644);
        try {
            await handle.writeFile(`${JSON.stringify({ format: FORMAT, ...header })}\n`);
        }
        catch (error) {
            await handle.close();
            throw error;
        }
        return new ResumeLog(handle);
    }
    /** The existing record at `path`, to add the ranges this run writes. */
    static async reopen(path) {
        return new ResumeLog(await (0,promises_.open)(path, "a"));
    }
    /** One write per line, in append mode: concurrent ranges never interleave within a line. */
    async written(index, digest) {
        await this.handle.write(`${index} ${digest.toString("base64")}\n`);
    }
    async close() {
        await this.handle.close().catch(() => undefined);
    }
}
/**
 * The file name whose download would use `name` as its temp file or resume record (this tool's work files),
 * and which of the two; null for any other name.
 */
function workFileOf(name) {
    const match = /^\.(.+)\.s3vu-(?:([0-9a-f]{12}\.part)|resume)$/.exec(name);
    if (match === null)
        return null;
    return { owner: match[1], kind: match[2] === undefined ? "resume record" : "temp file" };
}

;// CONCATENATED MODULE: ./src/engine/download/resume.ts
// Resuming a kept download (on-failure: keep): a rerun finds the temp file and record a failed or killed run
// left beside the destination and reuses the ranges on disk, when they are of the same object (ETag, version,
// size) cut into the same ranges and hashed with the same proof; else it removes them and starts over. Each
// reused range is hashed again from disk: a range whose bytes no longer hash to what was recorded (or to its
// part's stored checksum) is fetched again, and the object's proof is computed from the bytes on disk, so the
// record decides only what is fetched, never what is proven.





function ignoreMissing(error) {
    if (error.code !== "ENOENT")
        throw error;
}
async function removeRecord(recordPath) {
    await (0,promises_.unlink)(recordPath).catch(ignoreMissing);
}
/**
 * The digest each range's bytes are recorded and re-checked with: the proof's, or CRC32C when the proof is one
 * digest of the whole file, which no range has a part of (the proof is then computed from every byte on disk
 * anyway, so this digest only picks the ranges to fetch again); null when nothing is hashed.
 */
function rangeDigestAlgorithm(plan) {
    if (plan.algorithm === null)
        return null;
    return plan.combination === "whole" ? "CRC32C" : plan.algorithm;
}
/** What a kept temp file must have been written for; null when the plan hashes nothing, so nothing is reused. */
function resume_identityOf(ctx, head, plan) {
    const algorithm = rangeDigestAlgorithm(plan);
    if (algorithm === null)
        return null;
    return {
        key: ctx.file.key,
        etag: head.etag,
        versionId: head.versionId ?? null,
        size: head.size,
        algorithm,
        ranges: plan.segments.length,
        layout: layoutOf(plan.segments),
    };
}
function describeObject(object) {
    return `ETag ${object.etag}${object.versionId ? ` version ${object.versionId}` : ""} (${object.size} bytes)`;
}
/** Why a kept download cannot be resumed by this plan; null when it can. */
function misfit(header, identity) {
    if (identity === null) {
        return "nothing would prove its bytes (verify is off, or the store does not tell the object's part sizes)";
    }
    if (header.key !== identity.key)
        return `it holds key ${header.key}`;
    if (header.etag !== identity.etag ||
        header.versionId !== identity.versionId ||
        header.size !== identity.size) {
        return `the object changed: ${describeObject(header)} then, ${describeObject(identity)} now`;
    }
    if (header.algorithm !== identity.algorithm ||
        header.ranges !== identity.ranges ||
        header.layout !== identity.layout) {
        return "its ranges differ from this run's (another part-size, or another proof)";
    }
    return null;
}
/**
 * The temp file to download into: a kept one this plan can resume (when `resume`), else a new one. A kept
 * download that does not fit is removed (temp file and record). With on-failure: keep, a new temp file gets
 * a new record, and ranges are recorded as they are written.
 */
async function prepareTemp(ctx, head, plan, resume) {
    const destination = ctx.file.path;
    const recordPath = resumeRecordPath(destination);
    const identity = resume_identityOf(ctx, head, plan);
    const keep = ctx.run.options.onFailure === "keep";
    const notes = [];
    const reused = { onDisk: 0, changed: 0 };
    const found = await readResumeRecord(recordPath);
    if (found !== null) {
        const kept = found === "unreadable" ? null : found;
        const tempPath = kept === null ? null : tempNamed(destination, kept.header.temp);
        let reason = kept === null
            ? "its record is unreadable"
            : tempPath === null
                ? "its record names no temp file of this destination"
                : misfit(kept.header, identity);
        if (resume && reason === null && kept !== null && tempPath !== null) {
            const temp = await reopenTempFile(tempPath, head.size);
            if (temp !== null) {
                let log = null;
                try {
                    if (keep)
                        log = await ResumeLog.reopen(recordPath);
                }
                catch (error) {
                    await discardTempFile(temp, true);
                    throw error;
                }
                return { temp, record: recordPath, claimed: kept.written, log, notes, reused };
            }
            reason = "its temp file is gone or has another size";
        }
        if (tempPath !== null)
            await (0,promises_.unlink)(tempPath).catch(ignoreMissing);
        await removeRecord(recordPath);
        if (resume)
            notes.push(`A kept partial download was removed, as ${reason}; downloaded from the start.`);
    }
    const temp = await createTempFile(destination, head.size);
    let log = null;
    try {
        if (keep && identity !== null) {
            log = await ResumeLog.create(recordPath, { ...identity, temp: (0,external_node_path_.basename)(temp.path) });
        }
    }
    catch (error) {
        await discardTempFile(temp, false);
        throw error;
    }
    return { temp, record: log === null ? null : recordPath, claimed: new Map(), log, notes, reused };
}
/**
 * The digest of a range a kept download recorded, when its bytes on disk still hash to the recorded digest
 * and, for a part with a stored checksum, to that checksum; null when the range must be fetched.
 */
async function reuseRange(prepared, index, segment, algorithm) {
    const claimed = prepared.claimed.get(index);
    if (claimed === undefined || algorithm === null)
        return null;
    const digest = await local_proof_hashRange(prepared.temp.handle, segment, algorithm);
    if (digest !== null &&
        digest.equals(claimed) &&
        (segment.expected === null || digest.equals(segment.expected))) {
        prepared.reused.onDisk++;
        return digest;
    }
    prepared.reused.changed++;
    return null;
}
/** The result's note on a resumed download; null when nothing was resumed. */
function resume_resumeNote(prepared, ranges) {
    if (prepared.claimed.size === 0)
        return null;
    const { onDisk, changed } = prepared.reused;
    const changedNote = changed === 0
        ? ""
        : ` (${changed} of them ${changed === 1 ? "was" : "were"} recorded as written, but the bytes on disk had changed)`;
    return `Resumed a kept download: ${onDisk} of ${ranges} ranges were on disk and re-hashed; ${ranges - onDisk} fetched${changedNote}.`;
}

;// CONCATENATED MODULE: ./src/engine/download/download-file.ts
// One object, end to end: plan from one HEAD, check the destination, fetch every segment into a temp file,
// prove the bytes, then make the temp file the destination. Nothing reaches the destination unproven (when
// proof is required) or half-written; an object replaced mid-download is started over once.
















const download_file_HEAD_HINT = "Check the key, and that the credentials may read it (s3:GetObject, s3:GetObjectVersion).";
const VERIFY_HINT = "The bytes received differ from what the store recorded for this object; rerun. If it repeats, the stored object is damaged: restore it from its source.";
function download_file_emptyResult(file) {
    return {
        key: file.key,
        path: file.path,
        size: 0,
        etag: "",
        ...(file.versionId ? { versionId: file.versionId } : {}),
        checksumAlgorithm: null,
        checksumType: null,
        checksumRemote: null,
        checksumLocal: null,
        sha256: null,
        verification: "none",
        verified: false,
        status: "failed",
        notes: [],
        durationMs: 0,
    };
}
async function headFor(ctx) {
    const { file } = ctx;
    const head = await context_call(ctx, `HeadObject ${file.key}`, download_file_HEAD_HINT, () => ctx.run.store.headObject({
        bucket: ctx.run.options.bucket,
        key: file.key,
        ...(file.versionId ? { versionId: file.versionId } : {}),
    }, ctx.signal));
    if (head === null) {
        throw new errors/* StepError */.zg(`HeadObject ${file.key}`, `no object ${file.key}${file.versionId ? ` version ${file.versionId}` : ""} in bucket ${ctx.run.options.bucket}`, "Check the key (and prefix) and the version id.");
    }
    return head;
}
/**
 * `trustRecord`: take part sizes from this tool's upload record when it has one, sparing a HEAD per part; a
 * retry after a proof mismatch asks the store instead, in case the record did not match the parts.
 */
async function planFor(ctx, head, trustRecord) {
    const { partSize, verify } = ctx.run.options;
    if (!verify)
        return unproven(head, partSize, "verify is off: the download was not proven.");
    return planProof(head, partSize, (parts, algorithm) => partLayout(ctx, head, parts, algorithm, { trustRecord }));
}
/** The overwrite policy: an identical file (by the plan's proof) stays; a different one needs overwrite. */
async function checkExisting(ctx, head, plan) {
    const { path } = ctx.file;
    const stat = await (0,promises_.lstat)(path).catch((error) => {
        if (error.code === "ENOENT")
            return null;
        throw error;
    });
    if (stat === null)
        return { action: "absent" };
    if (!stat.isFile()) {
        throw new errors/* StepError */.zg(`check ${path}`, "the destination exists and is not a regular file", "Remove it or choose another base-dir.");
    }
    const value = await localProofValue(path, head.size, plan);
    if (value !== null && value === plan.expected)
        return { action: "unchanged", value };
    if (ctx.run.options.overwrite)
        return { action: "replace" };
    throw new errors/* StepError */.zg(`check ${path}`, value === null && plan.algorithm === null
        ? "the file exists and nothing can prove it identical to the object"
        : "the file exists and differs from the object", "Set overwrite: true to replace it, or remove it.");
}
/**
 * Fetches every segment into a temp file (or, when `resume`, only those a kept download lacks), proves it,
 * and moves it to the destination.
 */
async function transfer(ctx, head, plan, kept, result, resume) {
    const { run, file } = ctx;
    const prepared = await prepareTemp(ctx, head, plan, resume);
    const { temp, log } = prepared;
    const writeback = createEarlyWriteback(temp.handle);
    let committed = false;
    let follower = null;
    try {
        let bytesDone = 0;
        const onBytes = (bytes) => {
            writeback.written(bytes);
            bytesDone += bytes;
            run.emit({ type: "progress", file, bytesDone, size: head.size });
        };
        // Ranges get digests of their own only for a resume record to check them by, now or on a rerun.
        const resumable = run.options.onFailure === "keep" || prepared.claimed.size > 0;
        const whole = await wholeFileHashes(plan, run.options.sha256 === true, resumable);
        follower =
            whole.hashers.length === 0 ? null : new OrderedFileHash(temp.handle, plan.segments, whole.hashers);
        const target = {
            ctx,
            head,
            handle: temp.handle,
            // The follower reads every range back as soon as it is written: from the page cache when the writes
            // went through it, from the disk when they went past it.
            direct: follower === null ? temp.direct : null,
            algorithm: whole.segmentAlgorithm,
            onBytes,
        };
        const digests = await mapLimited(plan.segments, run.options.concurrency, async (segment, index) => {
            const reused = await reuseRange(prepared, index, segment, whole.segmentAlgorithm);
            if (reused !== null) {
                onBytes(segment.size);
                follower?.rangeWritten(index);
                return reused;
            }
            const digest = await fetchSegment(target, segment);
            follower?.rangeWritten(index);
            // After the range's bytes are written, never before: the record must not claim bytes not on disk.
            if (digest !== null)
                await log?.written(index, digest);
            return digest;
        });
        const resumed = resume_resumeNote(prepared, plan.segments.length);
        result.notes.unshift(...prepared.notes, ...(resumed === null ? [] : [resumed]));
        const fileDigests = follower === null ? [] : await follower.digests();
        const value = plan.guessedParts !== undefined
            ? await proveGuessedParts(ctx, temp.handle, head, plan, result)
            : plan.algorithm === null
                ? null
                : combineDigests(plan, whole.proofIndex === null ? digests : [fileDigests[whole.proofIndex]]);
        checkProof(ctx, plan, digests, value);
        const sha256 = whole.sha256Index === null ? null : fileDigests[whole.sha256Index].toString("hex");
        const commit = async () => {
            await writeback.settle();
            await commitTempFile(temp, file.path, run.options.overwrite);
        };
        await commit().catch((error) => {
            throw new errors/* StepError */.zg(`write ${file.path}`, error.message, error.code === "EEXIST"
                ? "Something created the file during the download: set overwrite: true to replace it, or remove it."
                : "Check the free space and permissions of the destination folder, then rerun.", error);
        });
        committed = true;
        await log?.close();
        // The file is in place: a record left behind only makes a rerun say it removed it.
        if (prepared.record !== null)
            await removeRecord(prepared.record).catch(() => undefined);
        return { value, sha256 };
    }
    finally {
        if (!committed) {
            await follower?.settled();
            await writeback.settle().catch(() => undefined);
            await log?.close();
            const keep = run.options.onFailure === "keep";
            await discardTempFile(temp, keep);
            if (keep) {
                kept.path = temp.path;
                kept.resumable = log !== null;
                if (prepared.record !== null)
                    kept.record = prepared.record;
            }
            else if (prepared.record !== null) {
                await removeRecord(prepared.record).catch(() => undefined);
            }
        }
    }
}
async function wholeFileHashes(plan, sha256, resumable) {
    const hashers = [];
    let proofIndex = null;
    if (plan.combination === "whole" && plan.algorithm !== null) {
        proofIndex = hashers.push(await segmentHasher(plan.algorithm)) - 1;
    }
    // A single PUT's SHA256 proof is the file's SHA-256 already.
    let sha256Index = sha256 && plan.algorithm === "SHA256" ? proofIndex : null;
    if (sha256 && sha256Index === null)
        sha256Index = hashers.push(createSha256Hasher()) - 1;
    const segmentAlgorithm = proofIndex === null ? plan.algorithm : resumable ? rangeDigestAlgorithm(plan) : null;
    return { hashers, proofIndex, sha256Index, segmentAlgorithm };
}
/** The bytes received do not prove out: a body damaged on the way is fixed by fetching again. */
class ProofMismatch extends errors/* StepError */.zg {
}
function checkProof(ctx, plan, digests, value) {
    const step = `verify ${ctx.file.key}`;
    plan.segments.forEach((segment, index) => {
        const digest = digests[index];
        if (segment.expected !== null && digest && !digest.equals(segment.expected)) {
            throw new ProofMismatch(step, `part ${index + 1} (bytes ${segment.offset}-${segment.offset + segment.size - 1}) has ${plan.algorithm} ${digest.toString("base64")}, the store recorded ${segment.expected.toString("base64")}`, VERIFY_HINT);
        }
    });
    if (value !== null && value !== plan.expected) {
        const what = plan.verification === "etag-md5" ? "ETag (MD5)" : `${plan.checksumAlgorithm} ${plan.checksumType}`;
        throw new ProofMismatch(step, `the bytes received give ${what} ${value}, the store recorded ${plan.expected}`, VERIFY_HINT);
    }
}
/**
 * The ETag of an object whose part sizes nobody told: proven when a common part size gives it, else the
 * download is unverified (a failure under require-checksums).
 */
async function proveGuessedParts(ctx, handle, head, plan, result) {
    const match = await matchGuessedParts(handle, head.size, plan.guessedParts, head.etag);
    if (match !== null) {
        result.notes.push(`The store does not tell the part sizes: parts of ${formatSize(match.partSize)} give the ETag, which proves the bytes.`);
        return match.value;
    }
    const note = `The store does not tell the part sizes and no common part size gives the ETag ${head.etag}: nothing proves the bytes.`;
    // An expected-manifest promises that the bytes match the upload: unproven bytes cannot keep that promise.
    if (ctx.file.expected !== undefined) {
        throw new errors/* StepError */.zg(`verify ${ctx.file.key}`, note, "Nothing proves the file matches the expected-manifest: upload it with a checksum (e.g. checksum-algorithm: CRC64NVME), or download without expected-manifest.");
    }
    if (ctx.run.options.requireChecksums) {
        throw new errors/* StepError */.zg(`verify ${ctx.file.key}`, note, "Upload it with a checksum (e.g. checksum-algorithm: CRC64NVME), or unset require-checksums to accept it unproven.");
    }
    result.verification = "none";
    result.notes = [note];
    return null;
}
/** The SHA-256 of an identical local file: its proof when that is a single PUT's SHA256, else read from it. */
async function existingSha256(path, size, plan, value) {
    if (plan.combination === "whole" && plan.algorithm === "SHA256")
        return Buffer.from(value, "base64").toString("hex");
    return localSha256(path, size);
}
function describePlan(result, head, plan) {
    result.size = head.size;
    result.etag = head.etag;
    if (head.versionId)
        result.versionId = head.versionId;
    result.checksumAlgorithm = plan.checksumAlgorithm;
    result.checksumType = plan.checksumType;
    result.checksumRemote = plan.expected;
    result.verification = plan.verification;
    result.notes = [...plan.notes];
}
const unquoted = (etag) => etag.replace(/^"|"$/g, "");
/**
 * With expected-manifest: the object must be the one the upload stored, by the same value the download then
 * proves the bytes against (the stored checksum, or the MD5 ETag). Size alone is never enough.
 */
function checkExpected(file, head, plan) {
    const expected = file.expected;
    if (expected === undefined)
        return;
    const fail = (detail) => {
        throw new errors/* StepError */.zg(`expected-manifest ${file.key}`, detail, "The object is not the one the manifest's upload stored: find out what replaced it, or download without expected-manifest.");
    };
    if (head.size !== expected.size)
        fail(`the object has ${head.size} bytes; the manifest records ${expected.size}`);
    if (plan.verification === "none")
        fail("the object cannot be proven, so it cannot be matched with the manifest");
    if (plan.verification === "checksum") {
        if (expected.checksum === null || expected.checksumAlgorithm !== plan.checksumAlgorithm) {
            fail(`the object is stored with ${plan.checksumAlgorithm ?? "no"} checksum; the manifest records ` +
                `${expected.checksumAlgorithm ?? "none"}`);
        }
        if (plan.expected !== expected.checksum) {
            fail(`its ${plan.checksumAlgorithm} is ${plan.expected}; the manifest records ${expected.checksum}`);
        }
        return;
    }
    if (expected.etag === undefined || unquoted(expected.etag) !== unquoted(head.etag)) {
        fail(`its ETag is ${head.etag}; the manifest records ${expected.etag ?? "none"}`);
    }
}
/**
 * `first`: the first attempt may resume a kept download and take part sizes from this tool's upload record;
 * the one retry starts from nothing the first attempt relied on.
 */
async function attempt(ctx, result, kept, first) {
    const { options } = ctx.run;
    const head = await headFor(ctx);
    const plan = await planFor(ctx, head, first);
    describePlan(result, head, plan);
    checkExpected(ctx.file, head, plan);
    if (plan.verification === "none" && options.requireChecksums) {
        throw new errors/* StepError */.zg(`verify ${ctx.file.key}`, `nothing can prove the object: ${plan.notes.join(" ")}`, "Upload it with a checksum (e.g. checksum-algorithm: CRC64NVME), or unset require-checksums to accept it unproven.");
    }
    const existing = await checkExisting(ctx, head, plan);
    if (existing.action === "unchanged") {
        result.status = "unchanged";
        result.checksumLocal = existing.value;
        result.verified = true;
        if (options.sha256)
            result.sha256 = await existingSha256(ctx.file.path, head.size, plan, existing.value);
        return;
    }
    if (options.dryRun) {
        result.status = "dry-run";
        return;
    }
    ctx.run.emit({ type: "file-start", file: ctx.file, size: head.size, ranges: plan.segments.length });
    const { value, sha256 } = await transfer(ctx, head, plan, kept, result, first);
    result.sha256 = sha256;
    result.checksumLocal = value;
    result.verified = value !== null;
    result.status = "downloaded";
}
async function downloadFile(run, file) {
    const started = Date.now();
    const ctx = { run, file, signal: run.options.signal };
    const result = download_file_emptyResult(file);
    const kept = {};
    try {
        try {
            await attempt(ctx, result, kept, true);
        }
        catch (error) {
            // Once, from a fresh HEAD: a changed object is fetched as its new version (pinned to a version it
            // cannot change), bytes damaged in transit are fetched again; damage stored in the object fails twice.
            const changed = isObjectChanged(error) && !file.versionId;
            if (!changed && !(error instanceof ProofMismatch))
                throw error;
            const notes = [
                changed
                    ? `The object changed during the download (${download_file_describeChange(error)}); started over once.`
                    : `The first download did not prove out (${error.message}); downloaded again once.`,
            ];
            Object.assign(result, download_file_emptyResult(file));
            // From the first byte: nothing the first attempt wrote is reused.
            if (kept.path !== undefined)
                await (0,promises_.unlink)(kept.path).catch(() => undefined);
            if (kept.record !== undefined)
                await removeRecord(kept.record).catch(() => undefined);
            delete kept.path;
            delete kept.record;
            await attempt(ctx, result, kept, false);
            result.notes.unshift(...notes);
        }
    }
    catch (error) {
        const changed = isObjectChanged(error);
        const failure = changed
            ? {
                step: `GetObject ${file.key}`,
                code: "PreconditionFailed",
                detail: "the object changed again while it was downloaded (If-Match failed)",
                hint: "Something keeps replacing it: rerun when the writes to this key have stopped.",
            }
            : (0,errors/* failureOf */.g5)(error);
        result.status = "failed";
        result.verified = false;
        if (kept.path !== undefined) {
            result.notes.push(kept.resumable
                ? `The partial download is kept at ${kept.path} (on-failure: keep); a rerun with the same inputs resumes it, re-hashing the ranges on disk and fetching the others.`
                : `The partial download is kept at ${kept.path} (on-failure: keep); nothing would prove its bytes on a rerun (verify is off, or the store does not tell the object's part sizes), so a rerun starts over: delete it when done.`);
        }
        result.failure = failure;
        result.error = changed
            ? `${failure.step} failed: ${failure.detail}. ${failure.hint}`
            : error instanceof Error
                ? error.message
                : String(error);
    }
    result.durationMs = Date.now() - started;
    run.emit({ type: "file-done", result });
    return result;
}
function download_file_describeChange(error) {
    for (let cause = error; cause instanceof Error; cause = cause.cause) {
        if (cause instanceof ObjectChanged)
            return cause.message;
    }
    return "a GET's If-Match failed with 412";
}

;// CONCATENATED MODULE: ./src/engine/download/stale-temps.ts
// Temp files a stopped download left without a resume record (SIGKILL or power loss under on-failure: abort,
// which never writes a record) would otherwise pile up beside their destinations forever. A run removes those
// of its own destinations once no live download can still be writing them:
// - only names of this tool's temp files (`.<name>.s3vu-<12 hex>.part`) whose <name> this run downloads into
//   the same folder, so nothing else in the folder is ever touched;
// - never one a resume record names: the resume decides about those (resume.ts);
// - only when unmodified for STALE_TEMP_AGE_MS. A live download writes its temp file as bytes arrive, but one
//   waiting for a transfer slot or a stalled GET can leave it untouched for minutes, hence the wide margin.
// Should the age still guess wrong about a concurrent run, that run cannot produce a wrong file: its temp file
// is unlinked, so its final rename or link finds nothing and it fails naming the file.



const STALE_TEMP_AGE_MS = 60 * 60 * 1000;
async function namesIn(folder) {
    return (0,promises_.readdir)(folder).catch((error) => {
        if (error.code === "ENOENT" || error.code === "ENOTDIR")
            return [];
        throw error;
    });
}
/** The temp file name the destination's resume record names; null without a readable record. */
async function recordedTemp(destination) {
    const record = await readResumeRecord(resumeRecordPath(destination));
    return record === null || record === "unreadable" ? null : record.header.temp;
}
/**
 * Removes the stale temp files of `files`' destinations and returns their paths; a temp file too recent to
 * be stale gets a warning. `now` is the run's start.
 */
async function removeStaleTemps(files, now, emit) {
    const byFolder = new Map();
    for (const file of files) {
        const folder = (0,external_node_path_.dirname)(file.path);
        const owners = byFolder.get(folder) ?? new Map();
        owners.set((0,external_node_path_.basename)(file.path), file);
        byFolder.set(folder, owners);
    }
    const removed = [];
    for (const [folder, owners] of byFolder) {
        for (const name of await namesIn(folder)) {
            const work = workFileOf(name);
            const file = work?.kind === "temp file" ? owners.get(work.owner) : undefined;
            if (file === undefined || (await recordedTemp(file.path)) === name)
                continue;
            const path = (0,external_node_path_.join)(folder, name);
            const stat = await (0,promises_.lstat)(path).catch(() => null);
            if (stat === null || !stat.isFile())
                continue;
            if (now - stat.mtimeMs < STALE_TEMP_AGE_MS) {
                emit({
                    type: "warning",
                    file,
                    message: `${path} looks like the temp file of a download still running or stopped less than ${STALE_TEMP_AGE_MS / 60_000} minutes ago, so it was left in place; a later run removes it once it is older, or delete it when no download is running.`,
                });
                continue;
            }
            await (0,promises_.unlink)(path).catch((error) => {
                if (error.code !== "ENOENT")
                    throw error;
            });
            removed.push(path);
        }
    }
    return removed;
}

;// CONCATENATED MODULE: ./src/engine/download/index.ts
// Download mode: every object through one shared pool of `concurrency` ranged GETs, each proven before it
// reaches its destination.








/** HeadObject and part HEADs run beside the GET pool and need their own sockets. */
const CONTROL_SOCKETS = 4;
/** The smallest range worth a request of its own. */
const MIN_RANGE = 1024;
/** Run-wide input errors: the caller's to fix before any file is touched, so they throw. */
function checkOptions(options) {
    if (!options.bucket)
        throw new Error("Missing bucket: name the bucket to download from.");
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 64) {
        throw new Error(`Invalid concurrency ${options.concurrency}: use a whole number from 1 to 64, e.g. 4.`);
    }
    if (!Number.isSafeInteger(options.partSize) || options.partSize < MIN_RANGE) {
        throw new Error(`Invalid part-size ${options.partSize}: use a whole number of bytes of at least 1 KiB, e.g. 8MiB.`);
    }
    if (options.requireChecksums && !options.verify) {
        throw new Error("require-checksums is set but verify is off: enable verify, or unset require-checksums.");
    }
}
function retryPolicy(tuning) {
    return {
        ...engine_retry/* DEFAULT_RETRY */.vI,
        ...(tuning?.maxAttempts !== undefined ? { maxAttempts: tuning.maxAttempts } : {}),
        ...(tuning?.retryBaseDelayMs !== undefined ? { baseDelayMs: tuning.retryBaseDelayMs } : {}),
    };
}
function openStore(options, sockets) {
    // Requests get the run's signal itself: the store keeps one listener on it (s3-client.ts: sdkSend).
    return (0,s3_client/* createS3Store */.oT)(options.s3, {
        maxSockets: sockets,
        stallTimeoutMs: options.tuning?.stallTimeoutMs ?? engine_retry/* DEFAULT_STALL_TIMEOUT_MS */.es,
    });
}
/**
 * Downloads every file through one shared pool of `concurrency` ranged GETs and returns one result per file,
 * each saying how its bytes were proven. Memory: each GET holds only the chunk it is writing.
 */
async function runDownloads(files, options) {
    checkOptions(options);
    const store = openStore(options, options.concurrency + CONTROL_SOCKETS);
    const run = {
        options,
        store,
        pool: new TransferPool(options.concurrency),
        slabs: createSlabPool(),
        retry: retryPolicy(options.tuning),
        emit: (event) => options.onEvent?.(event),
    };
    try {
        // Before this run creates temp files of its own, so none of them can look stale.
        const staleTempFilesRemoved = options.dryRun ? [] : await removeStaleTemps(files, Date.now(), run.emit);
        // Twice the pool, so one file's HEADs overlap another file's GETs.
        const results = await mapLimited(files, options.concurrency * 2, (file) => downloadFile(run, file));
        return {
            ok: results.every((result) => result.status !== "failed"),
            files: results,
            staleTempFilesRemoved,
        };
    }
    finally {
        run.slabs.close();
        store.destroy();
    }
}
/** Every object under the prefix (ListObjectsV2, all pages), in the store's key order. */
async function listRemoteFiles(options) {
    if (!options.bucket)
        throw new Error("Missing bucket: name the bucket to download from.");
    const store = openStore(options, CONTROL_SOCKETS);
    const step = `ListObjectsV2 ${options.bucket}/${options.prefix}`;
    const policy = retryPolicy(options.tuning);
    try {
        const objects = [];
        let token;
        do {
            const page = await (0,engine_retry/* withRetry */.bD)(() => store.listObjectsPage({ bucket: options.bucket, prefix: options.prefix, continuationToken: token }, options.signal), { policy, ...(options.signal ? { signal: options.signal } : {}), onRetry: () => undefined }).catch((error) => {
                throw (0,errors/* stepFailed */._p)(step, error, "Check the bucket, prefix and that the credentials may list it (s3:ListBucket).");
            });
            objects.push(...page.objects);
            token = page.next;
        } while (token !== undefined);
        return objects;
    }
    finally {
        store.destroy();
    }
}

;// CONCATENATED MODULE: ./src/engine/index.ts



















/** Control calls (HeadObject, ListParts, Complete) run beside the part pool and need their own sockets. */
const engine_CONTROL_SOCKETS = 4;
/**
 * Files in progress at once. A small file spends most of its time waiting on round trips (its PutObject's
 * turn in its slots, then the listing that confirms it), holding only an open descriptor: with four times the
 * small-PutObject slots in flight, the slots stay busy and one listing confirms many files (1,000 × 64 KiB:
 * 64 listings, against 96 at half as many). Multipart files stay at twice the pool
 * (RunContext.multipartFiles); memory stays bounded by the pool's buffers.
 */
function filesInFlight(concurrency) {
    // Descriptors: 512 stays clear of the usual soft limit of 1,024 open files, as before at concurrency 64.
    return Math.min(concurrency * 16, MAX_FILES_IN_FLIGHT);
}
const MAX_FILES_IN_FLIGHT = 512;
/** The store's limits (tests may lower them), narrowed to the largest Buffer this Node.js can allocate. */
function runLimits(options, provider) {
    return resolveLimits({ ...(0,providers/* profileLimits */.G1)(provider), ...options.limits });
}
/** Run-wide input errors: these are the caller's to fix before any file is touched, so they throw. */
function engine_checkOptions(options, limits, provider) {
    const addressing = (0,providers/* addressingProblem */.me)(provider, {
        bucket: options.bucket,
        endpoint: options.s3.endpoint,
        forcePathStyle: options.s3.forcePathStyle ?? false,
    });
    if (addressing)
        throw new Error(`Invalid ${addressing.input}: ${addressing.problem}`);
    const partSizeError = checkPartSize(options.partSize, limits);
    if (partSizeError)
        throw new Error(`Invalid part-size: ${partSizeError}`);
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 64) {
        throw new Error(`Invalid concurrency ${options.concurrency}: use a whole number from 1 to 64, e.g. 4.`);
    }
    if (!options.bucket)
        throw new Error("Missing bucket: name the bucket to upload to.");
    const algorithm = options.checksumAlgorithm;
    if (algorithm === null) {
        // A store with a CRC of its own proves every object by it (native-checksum.ts).
        if (options.requireChecksums && provider.nativeChecksum === null) {
            throw new Error("require-checksums is set but checksum-algorithm is none; choose an algorithm, e.g. CRC64NVME.");
        }
        return null;
    }
    const type = options.checksumType ?? (0,algorithms/* defaultChecksumType */.PB)(algorithm);
    if (!(0,algorithms/* checksumTypeAllowed */.ky)(algorithm, type)) {
        throw new Error(`Invalid checksum-type ${type} for ${algorithm}: S3 allows CRC64NVME only as FULL_OBJECT and SHA1/SHA256 ` +
            `only as COMPOSITE; CRC32/CRC32C take either. Leave checksum-type empty for the default.`);
    }
    const problem = (0,providers/* checksumPairProblem */.FM)(provider, algorithm, type);
    if (problem)
        throw new Error(`Invalid checksum-algorithm ${algorithm} (${type}): ${problem}`);
    return type;
}
/**
 * What one transfer may buffer: a part, or a whole file sent as one PutObject (below the multipart
 * threshold, and never above the largest part this Node.js can buffer, or it would go multipart).
 */
function bytesPerTransfer(options, limits) {
    return Math.max(options.partSize, Math.min(options.multipartThreshold, limits.maxPartSize));
}
/**
 * Checks with one request that the store can take the files (preflight.ts: a StepError otherwise), then
 * uploads every file through one shared pool of `concurrency` transfers and returns one verified result
 * per file. Memory: at most `concurrency` buffers of bytesPerTransfer (or of a part size raised for a file
 * of over 10,000 parts) are held at once.
 */
async function runUploads(files, given) {
    const provider = (0,providers/* providerProfile */.FQ)(given.s3.provider, given.s3.endpoint);
    // A store that wants Content-MD5 on every write gets it whatever the input says.
    const options = provider.contentMd5 === "always" && !given.contentMd5 ? { ...given, contentMd5: true } : given;
    const limits = runLimits(options, provider);
    const checksum = runChecksum(provider, options.checksumAlgorithm, engine_checkOptions(options, limits, provider));
    if (options.broker)
        return runBrokerUploads(files, options, options.broker);
    const perTransfer = bytesPerTransfer(options, limits);
    const smallSlots = smallPutSlots(options.concurrency);
    // The small-PutObject slots add at most 16 MiB (upload-single.ts), not worth a word beside this.
    const memoryBound = options.concurrency * perTransfer;
    if (memoryBound > (0,external_node_os_.totalmem)() / 2) {
        options.onEvent?.({
            type: "warning",
            message: `concurrency ${options.concurrency} × ${formatSize(perTransfer)} per transfer (a part, or a whole file ` +
                `below multipart-threshold) holds up to ${formatSize(memoryBound)} in memory, over half of this ` +
                `machine's RAM; lower concurrency, part-size or multipart-threshold if it runs out.`,
        });
    }
    if (!options.overwrite && provider.conditionalCreate === null) {
        options.onEvent?.({
            type: "warning",
            message: `${provider.label} has no write that refuses to replace an existing key, so overwrite: false rests on ` +
                "the check made just before each upload: a writer creating the key in between is not stopped by the store.",
        });
    }
    const tuning = options.tuning ?? {};
    // Requests get the run's signal itself: the store keeps one listener on it (s3-client.ts: sdkSend).
    const store = (0,s3_client/* createS3Store */.oT)(options.s3, {
        maxSockets: options.concurrency + smallSlots + engine_CONTROL_SOCKETS,
        stallTimeoutMs: tuning.stallTimeoutMs ?? engine_retry/* DEFAULT_STALL_TIMEOUT_MS */.es,
    });
    const retry = {
        ...engine_retry/* DEFAULT_RETRY */.vI,
        ...(tuning.maxAttempts !== undefined ? { maxAttempts: tuning.maxAttempts } : {}),
        ...(tuning.retryBaseDelayMs !== undefined ? { baseDelayMs: tuning.retryBaseDelayMs } : {}),
    };
    const emit = (event) => options.onEvent?.(event);
    const run = {
        options,
        store,
        pool: new TransferPool(options.concurrency, { hashable: true }),
        smallPuts: new TransferPool(smallSlots),
        // Twice the pool, so one file's control calls overlap another file's transfers.
        multipartFiles: new Limiter(options.concurrency * 2),
        limits,
        provider,
        retry,
        algorithm: checksum.algorithm,
        checksumType: checksum.checksumType,
        listing: createKeyListing(store, options.bucket, options.signal, {
            policy: retry,
            // A page serves many files: the retry is reported on the first one it was to answer for.
            onRetry: (attempt, reason, firstKey) => {
                const file = files.find((candidate) => candidate.key === firstKey);
                if (file)
                    emit({ type: "retry", file, operation: "ListObjectsV2", attempt, reason });
            },
        }),
        emit,
    };
    try {
        if (files.length > 0)
            await preflight(run, files);
        if (!options.overwrite)
            run.listing.listAhead(files.map((file) => file.key));
        const watch = watchStore(run, files);
        const results = await mapLimited(files, filesInFlight(options.concurrency), async (file) => {
            const lost = watch.lost();
            if (lost)
                return notAttempted(run, file, lost);
            const result = await upload_file_uploadFile(run, file);
            await watch.recheck(result);
            return result;
        });
        const ok = results.every((result) => result.status !== "failed" && result.status !== "refused");
        return { files: results, ok };
    }
    finally {
        store.destroy();
        run.pool.close();
    }
}

// EXTERNAL MODULE: ./node_modules/picomatch/index.js
var picomatch = __webpack_require__(4006);
var picomatch_default = /*#__PURE__*/__webpack_require__.n(picomatch);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
;// CONCATENATED MODULE: ./src/frontend/bucket-name.ts
// Bucket names: Amazon S3's naming rules where the endpoint is Amazon's, a looser check elsewhere.

/**
 * Prefixes no Amazon S3 bucket can have. The reserved suffixes -s3alias, --ol-s3 and --x-s3 are not here:
 * no bucket can be created with them, but access point aliases and directory buckets carry them and are
 * addressed exactly like a bucket, so an upload to one is right.
 */
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RULES_HINT = "Use the bucket's exact name.";
/** No endpoint means Amazon S3; an explicit one is Amazon's when its host is under amazonaws.com(.cn). */
function isAmazonEndpoint(endpoint) {
    if (endpoint === undefined)
        return true;
    try {
        const host = new URL(endpoint).hostname.toLowerCase();
        return /(^|\.)amazonaws\.com(\.cn)?$/.test(host);
    }
    catch {
        return false;
    }
}
/** Said where a name breaks only today's rules: such a bucket may still exist, and path style reaches it. */
const LEGACY_HINT = ' (a bucket created in us-east-1 before March 2018 may have up to 255 characters, upper case and "_": ' +
    "set force-path-style to true to address one)";
/** Why Amazon S3 would refuse this name, as "it …", or undefined when it follows every rule. */
function amazonRuleBroken(bucket) {
    const legacy = compatibleRuleBroken(bucket) === undefined ? LEGACY_HINT : "";
    if (bucket.length < 3 || bucket.length > 63) {
        return `it has ${bucket.length} characters, S3 allows 3 to 63${bucket.length > 63 ? legacy : ""}`;
    }
    const stray = /[^a-z0-9.-]/.exec(bucket);
    if (stray) {
        return `it contains "${stray[0]}", S3 allows only lower-case letters, digits, "." and "-"${legacy}`;
    }
    if (!/^[a-z0-9].*[a-z0-9]$/.test(bucket)) {
        return `it starts or ends with "." or "-", S3 requires a letter or digit there`;
    }
    if (bucket.includes(".."))
        return `it has two adjacent dots ".."`;
    if ((0,external_node_net_.isIP)(bucket) !== 0)
        return "it is formatted as an IP address";
    const prefix = RESERVED_PREFIXES.find((reserved) => bucket.startsWith(reserved));
    if (prefix)
        return `it starts with "${prefix}", which S3 reserves`;
    if (bucket.endsWith(".mrap")) {
        return `it ends with ".mrap", which S3 reserves (address a Multi-Region Access Point by its ARN)`;
    }
    return undefined;
}
/**
 * S3-compatible stores differ (Ceph RGW with relaxed names takes upper case, "_" and up to 255 characters,
 * as Amazon S3 did in us-east-1 before 2018), so elsewhere only what no store takes is refused; the store
 * judges the rest.
 */
function compatibleRuleBroken(bucket) {
    if (bucket.length < 3 || bucket.length > 255)
        return `it has ${bucket.length} characters`;
    const stray = /[^A-Za-z0-9._-]/.exec(bucket);
    if (stray)
        return `it contains "${stray[0]}"`;
    return undefined;
}
/**
 * The error for a bucket name that cannot work at this endpoint, naming the rule it breaks. On Amazon S3
 * with force-path-style, the legacy rules apply: that is how a bucket named before 2018 is reached.
 */
function checkBucketName(bucket, endpoint, forcePathStyle) {
    if (isAmazonEndpoint(endpoint) && !forcePathStyle) {
        const broken = amazonRuleBroken(bucket);
        return broken && `Input "bucket": "${bucket}" breaks S3's bucket naming rules: ${broken}. ${RULES_HINT}`;
    }
    const broken = compatibleRuleBroken(bucket);
    return (broken &&
        `Input "bucket": "${bucket}" is not a bucket name: ${broken}; use 3 to 255 letters, digits, ".", "-" and "_" ` +
            `(S3-compatible stores such as Ceph RGW may allow upper case and "_"; Amazon S3 does not).`);
}

;// CONCATENATED MODULE: ./src/frontend/endpoint.ts
// The endpoint setting: a plain http(s) origin. Its error messages never repeat credentials, a query or a
// fragment, since those are where a pasted URL carries secrets.
const EXAMPLES = "use e.g. https://s3.example.com or http://127.0.0.1:9000";
const CREDENTIALS_FIX = "remove them and use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY";
/** Everything from "?" or "#" on is dropped before the endpoint is shown. */
function shown(endpoint) {
    const cut = endpoint.search(/[?#]/);
    return cut === -1 ? endpoint : `${endpoint.slice(0, cut)}?…`;
}
function hasScheme(endpoint) {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint);
}
/** The host[:port] a scheme-less endpoint names, if it names one and nothing more. */
function bareHost(endpoint) {
    try {
        const url = new URL(`https://${endpoint}`);
        return url.pathname === "/" && !url.search && !url.hash && url.host !== "" ? url.host : undefined;
    }
    catch {
        return undefined;
    }
}
function checkEndpoint(endpoint) {
    // user[:password]@ before the host, with or without a scheme.
    const userInfo = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#@]*@/i.exec(endpoint);
    if (userInfo) {
        const error = `Input "endpoint": the URL contains credentials; ${CREDENTIALS_FIX}.`;
        const rest = endpoint.slice(userInfo[0].length);
        if (/^https?:\/\//i.test(endpoint))
            return error;
        if (hasScheme(endpoint))
            return `${error} It also is not an http(s) URL; ${EXAMPLES}.`;
        const host = bareHost(rest);
        return `${error} It also has no http:// or https:// scheme; ${host ? `add one, e.g. https://${host}.` : `${EXAMPLES}.`}`;
    }
    if (!hasScheme(endpoint)) {
        const host = bareHost(endpoint);
        if (host !== undefined) {
            return `Input "endpoint": "${endpoint}" has no http:// or https:// scheme; add one, e.g. https://${host} (or http:// for a store without TLS).`;
        }
    }
    let url;
    try {
        url = new URL(endpoint);
    }
    catch {
        url = undefined;
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
        return `Input "endpoint": "${shown(endpoint)}" is not an http(s) URL; ${EXAMPLES}.`;
    }
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
        return `Input "endpoint": "${shown(endpoint)}" has a path or query; give only scheme, host and port, and the bucket in "bucket".`;
    }
    return undefined;
}

// EXTERNAL MODULE: ./src/frontend/inputs.ts
var inputs = __webpack_require__(7283);
;// CONCATENATED MODULE: ./src/frontend/network-env.ts
// The network settings users already have for curl and the AWS CLI: *_PROXY variables, AWS_CA_BUNDLE and the
// profile's ca_bundle. Read once here, so the engine gets plain values and never looks at the environment.



/** The lower-case name wins when both are set, even when empty (as for curl and the AWS CLI). */
function proxyVariable(env, lower) {
    const upper = lower.toUpperCase();
    const name = env[lower] !== undefined ? lower : upper;
    const value = env[name]?.trim();
    return value ? { name, value } : undefined;
}
/** The value with any user:password hidden, for messages. */
function withoutCredentials(text) {
    return text.replace(/\/\/[^/@]*@/, "//***@");
}
function proxyUrl(name, value, errors) {
    // "proxy:3128" means http://proxy:3128 to curl and the AWS CLI alike.
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
    let url;
    try {
        url = new URL(withScheme);
    }
    catch {
        errors.push(`Environment variable ${name}: "${withoutCredentials(value)}" is not a proxy URL; use e.g. http://proxy.example.com:3128.`);
        return undefined;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        errors.push(`Environment variable ${name}: ${url.protocol}// proxies are not supported; use an http:// or https:// proxy.`);
        return undefined;
    }
    return url.href;
}
function proxySettings(env, errors) {
    const proxy = {};
    const https = proxyVariable(env, "https_proxy");
    const http = proxyVariable(env, "http_proxy");
    const noProxy = proxyVariable(env, "no_proxy");
    const httpsProxy = https && proxyUrl(https.name, https.value, errors);
    const httpProxy = http && proxyUrl(http.name, http.value, errors);
    if (httpsProxy)
        proxy.httpsProxy = httpsProxy;
    if (httpProxy)
        proxy.httpProxy = httpProxy;
    if (noProxy)
        proxy.noProxy = noProxy.value;
    return httpsProxy || httpProxy ? proxy : undefined;
}
/** One key of one profile in the shared config file: `[default]` or `[profile NAME]`. */
function profileSetting(ini, profile, key) {
    let inProfile = false;
    let found;
    for (const raw of ini.split(/\r?\n/)) {
        const line = raw.replace(/^\s+/, "");
        if (line === "" || line.startsWith("#") || line.startsWith(";"))
            continue;
        const section = /^\[\s*([^\]]*?)\s*\]/.exec(line);
        if (section) {
            const name = section[1].replace(/^profile\s+/, "");
            inProfile = name === profile && (section[1].startsWith("profile ") || profile === "default");
            continue;
        }
        // An indented line continues a nested setting (s3 = ...), which holds no ca_bundle.
        if (!inProfile || raw !== line)
            continue;
        const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
        if (pair && pair[1] === key)
            found = pair[2].trim();
    }
    return found;
}
function caSource(env, profile) {
    const fromEnv = env["AWS_CA_BUNDLE"]?.trim();
    if (fromEnv)
        return { file: fromEnv, origin: "AWS_CA_BUNDLE" };
    const configFile = env["AWS_CONFIG_FILE"]?.trim() || external_node_path_default().join(home(env), ".aws", "config");
    let ini;
    try {
        ini = (0,external_node_fs_.readFileSync)(expandHome(configFile, env), "utf8");
    }
    catch {
        // No shared config file is the usual case on CI, and the AWS CLI and SDK read a missing one as empty.
        return undefined;
    }
    const name = profile ?? (env["AWS_PROFILE"]?.trim() || "default");
    const file = profileSetting(ini, name, "ca_bundle");
    return file ? { file, origin: `ca_bundle of profile "${name}" in ${configFile}` } : undefined;
}
function home(env) {
    return env["HOME"] || (0,external_node_os_.homedir)();
}
function expandHome(file, env) {
    return file === "~" || file.startsWith("~/") ? external_node_path_default().join(home(env), file.slice(1)) : file;
}
function reason(error) {
    const code = error.code;
    return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}
function readCa(source, env, errors) {
    let pem;
    try {
        pem = (0,external_node_fs_.readFileSync)(expandHome(source.file, env), "utf8");
    }
    catch (error) {
        errors.push(`${source.origin}: cannot read the CA bundle "${source.file}" (${reason(error)}); point it to a PEM file with the CA certificates to trust.`);
        return undefined;
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
        errors.push(`${source.origin}: "${source.file}" holds no PEM certificate (-----BEGIN CERTIFICATE-----); point it to the CA's certificate in PEM form.`);
        return undefined;
    }
    return { pem: withNodeExtraCerts(pem, env), source: `${source.origin} (${source.file})` };
}
/**
 * The agents' own CA list replaces Node's, and Node 20 cannot list NODE_EXTRA_CA_CERTS among its defaults: keep
 * those certificates trusted by adding them here (Node warns itself when that file is unreadable).
 */
function withNodeExtraCerts(pem, env) {
    const extra = env["NODE_EXTRA_CA_CERTS"]?.trim();
    if (!extra)
        return pem;
    try {
        return `${pem.trimEnd()}\n${(0,external_node_fs_.readFileSync)(extra, "utf8")}`;
    }
    catch {
        return pem;
    }
}
/**
 * Proxy and CA settings from the environment and the shared AWS config. `profile` is the one the user chose
 * (--profile / input "profile"); AWS_PROFILE and then "default" otherwise.
 */
function readNetwork(env, profile) {
    const errors = [];
    const proxy = proxySettings(env, errors);
    const source = caSource(env, profile);
    const extraCa = source && readCa(source, env, errors);
    if (errors.length > 0)
        return { ok: false, errors };
    return { ok: true, network: { ...(proxy ? { proxy } : {}), ...(extraCa ? { extraCa } : {}) } };
}

;// CONCATENATED MODULE: ./src/frontend/duration.ts
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
function parseDuration(name, text) {
    const match = /^(\d+)\s*([smhd])$/i.exec(text.trim());
    const unit = match ? UNIT_MS[match[2].toLowerCase()] : undefined;
    if (!match || unit === undefined || !Number.isSafeInteger(Number(match[1]) * unit)) {
        return {
            ok: false,
            error: `Input "${name}": "${text}" is not a duration; use a whole number with s, m, h or d, e.g. 7d, 12h, 30m.`,
        };
    }
    return { ok: true, value: Number(match[1]) * unit };
}

;// CONCATENATED MODULE: ./src/frontend/fields.ts
// Parsers for one setting each; every failure is a sentence naming the input, what was wrong and the fix.

const ok = (value) => ({ ok: true, value });
const fail = (error) => ({ ok: false, error });
function parseBoolean(name, text) {
    const lower = text.toLowerCase();
    if (lower === "true")
        return ok(true);
    if (lower === "false")
        return ok(false);
    return fail(`Input "${name}": "${text}" is not a boolean; use true or false.`);
}
function parseChoice(name, text, choices) {
    const found = choices.find((choice) => choice.toLowerCase() === text.toLowerCase());
    if (found !== undefined)
        return ok(found);
    return fail(`Input "${name}": "${text}" is not supported; use one of ${choices.join(", ")}.`);
}
function parseByteSize(name, text) {
    try {
        return ok(parseSize(text));
    }
    catch {
        return fail(`Input "${name}": "${text}" is not a size; use a whole number of bytes or a number with a unit, e.g. 16MiB, 64MB, 16777216.`);
    }
}
function parseWholeNumber(name, text, min, max) {
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (Number.isSafeInteger(value) && value >= min && value <= max)
        return ok(value);
    return fail(`Input "${name}": "${text}" is not a whole number from ${min} to ${max}.`);
}
// S3 sends user metadata as HTTP headers and tags as a URL-encoded query; keys must survive both.
const KEY_PATTERN = /^[A-Za-z0-9_.-]+$/;
/** "key=value" lines → record; blank lines are ignored; keys compare case-insensitively. */
function parsePairs(name, text, limits) {
    const pairs = {};
    const seen = new Set();
    const lines = text.split(/\r?\n/);
    for (const [index, raw] of lines.entries()) {
        const line = raw.trim();
        if (line === "")
            continue;
        const equals = line.indexOf("=");
        if (equals <= 0) {
            return fail(`Input "${name}": line ${index + 1} "${line}" is not key=value; write one key=value per line.`);
        }
        const key = line.slice(0, equals).trim();
        const value = line.slice(equals + 1).trim();
        if (!KEY_PATTERN.test(key)) {
            return fail(`Input "${name}": key "${key}" may only contain letters, digits, "-", "_" and ".".`);
        }
        if (seen.has(key.toLowerCase())) {
            return fail(`Input "${name}": key "${key}" appears more than once (keys are case-insensitive).`);
        }
        seen.add(key.toLowerCase());
        if (limits.maxKeyLength !== undefined && key.length > limits.maxKeyLength) {
            return fail(`Input "${name}": key "${key.slice(0, 20)}…" is longer than ${limits.maxKeyLength} characters.`);
        }
        if (limits.maxValueLength !== undefined && value.length > limits.maxValueLength) {
            return fail(`Input "${name}": the value of "${key}" is longer than ${limits.maxValueLength} characters.`);
        }
        if (limits.asciiValues && !/^[\x20-\x7e]*$/.test(value)) {
            return fail(`Input "${name}": the value of "${key}" has non-ASCII or control characters; S3 stores metadata as HTTP headers, so encode it (e.g. URL-encode).`);
        }
        pairs[key] = value;
    }
    const count = Object.keys(pairs).length;
    if (limits.maxPairs !== undefined && count > limits.maxPairs) {
        return fail(`Input "${name}": ${count} entries given; S3 allows at most ${limits.maxPairs}.`);
    }
    return ok(pairs);
}

;// CONCATENATED MODULE: ./src/frontend/role.ts
// The role-to-assume settings: which role, for how long, and where each new OIDC token comes from (GitHub's
// token service through the action, or a file the job wrote, e.g. GitLab's id_tokens). The engine assumes the
// role and renews it (engine/s3/credentials/).



/** The audience AWS's STS expects by default in the token (the issuer's IAM OIDC provider lists it). */
const STS_AUDIENCE = "sts.amazonaws.com";
/** No token to assume the role with; `service` and the code pick the fix in sts-hints.ts. */
class TokenSourceError extends Error {
    Code;
    service = "sts";
    constructor(Code, message) {
        super(message);
        this.Code = Code;
        this.name = Code;
    }
}
/** Read at every renewal, so a file the platform rotates (a Kubernetes projected token) gives a new token. */
function tokenFileReader(file) {
    return async () => {
        let text;
        try {
            text = await (0,promises_.readFile)(file, "utf8");
        }
        catch (error) {
            const code = error.code ?? String(error);
            throw new TokenSourceError("WebIdentityTokenUnreadable", `web-identity-token-file ${file} cannot be read (${code})`);
        }
        const token = text.trim();
        if (token === "") {
            throw new TokenSourceError("WebIdentityTokenUnreadable", `web-identity-token-file ${file} is empty`);
        }
        return token;
    };
}
/** AWS_ENDPOINT_URL_STS as the AWS CLI and SDKs read it, else STS's endpoint in the run's region. */
function stsEndpoint(region, env) {
    const configured = env["AWS_ENDPOINT_URL_STS"]?.trim();
    if (configured) {
        let url;
        try {
            url = new URL(configured);
        }
        catch {
            url = undefined;
        }
        if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
            return {
                ok: false,
                error: `AWS_ENDPOINT_URL_STS: "${url ? url.origin : configured}" is not an http(s) URL without credentials; use e.g. https://sts.eu-west-1.amazonaws.com.`,
            };
        }
        return { ok: true, value: url.href };
    }
    const named = region ?? (env["AWS_REGION"]?.trim() || env["AWS_DEFAULT_REGION"]?.trim() || undefined);
    if (named === undefined)
        return { ok: true, value: "https://sts.amazonaws.com/" };
    const suffix = named.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    return { ok: true, value: `https://sts.${named}.${suffix}/` };
}
/** The role to assume, or none when role-to-assume is empty; every problem as one sentence with its fix. */
function parseRole(inputs, env, oidc) {
    const errors = [];
    if (inputs.roleToAssume === "") {
        if (inputs.tokenFile !== "") {
            errors.push(`Input "web-identity-token-file" needs "role-to-assume": the role the token is for.`);
        }
        return { role: undefined, errors };
    }
    if (!/^arn:[^:\s]+:iam::[^:\s]*:role\/\S+$/.test(inputs.roleToAssume)) {
        errors.push(`Input "role-to-assume": "${inputs.roleToAssume}" is not an IAM role ARN; use arn:aws:iam::ACCOUNT:role/NAME.`);
    }
    if (inputs.profile !== undefined) {
        errors.push(`Inputs "role-to-assume" and "profile" both choose the credentials; remove one of them.`);
    }
    if (!/^[\w+=,.@-]{2,64}$/.test(inputs.sessionName)) {
        errors.push(`Input "role-session-name": "${inputs.sessionName}" is not a session name; use 2 to 64 letters, digits and +=,.@- characters.`);
    }
    const duration = parseWholeNumber("role-duration-seconds", inputs.durationSeconds, 900, 43_200);
    if (!duration.ok)
        errors.push(duration.error);
    const endpoint = stsEndpoint(inputs.region, env);
    if (!endpoint.ok)
        errors.push(endpoint.error);
    const token = tokenSource(inputs.tokenFile, env, oidc);
    if (!token.ok)
        errors.push(token.error);
    if (errors.length > 0 || !duration.ok || !endpoint.ok || !token.ok)
        return { role: undefined, errors };
    return {
        role: {
            roleArn: inputs.roleToAssume,
            sessionName: inputs.sessionName,
            durationSeconds: duration.value,
            stsEndpoint: endpoint.value,
            webIdentityToken: token.value,
        },
        errors,
    };
}
function tokenSource(tokenFile, env, oidc) {
    if (tokenFile !== "") {
        let problem;
        try {
            if (!(0,external_node_fs_.statSync)(tokenFile).isFile())
                problem = "is not a file";
        }
        catch (error) {
            problem = `cannot be read (${error.code ?? String(error)})`;
        }
        return problem
            ? {
                ok: false,
                error: `Input "web-identity-token-file": ${tokenFile} ${problem}; write the job's OIDC token there first (GitLab: id_tokens, then echo "$ID_TOKEN" > ${tokenFile}).`,
            }
            : { ok: true, value: tokenFileReader(tokenFile) };
    }
    if (oidc === undefined) {
        return {
            ok: false,
            error: `Input "role-to-assume" needs "web-identity-token-file" here: the path of a file holding an OIDC token with audience ${STS_AUDIENCE} (GitLab: id_tokens).`,
        };
    }
    if (!env["ACTIONS_ID_TOKEN_REQUEST_URL"] || !env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]) {
        return {
            ok: false,
            error: `Input "role-to-assume" needs the job's OIDC token, which this job may not request: add "permissions: id-token: write" to the job (or set "web-identity-token-file").`,
        };
    }
    return {
        ok: true,
        value: () => oidc(STS_AUDIENCE).catch((error) => {
            const reason = error instanceof Error ? error.message : String(error);
            throw new TokenSourceError("OidcTokenUnavailable", `GitHub's token service gave no OIDC token (${reason})`);
        }),
    };
}

;// CONCATENATED MODULE: ./src/frontend/broker-inputs.ts
// broker-url and broker-audience: where the presigned-part broker is and how this job proves who it is to it
// (GitHub's job token with the broker's audience through the action, or the token file elsewhere). With a
// broker the run loads no S3 credentials, so settings that choose them, and modes the broker cannot serve,
// are refused here with their fix.


const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
function checkUrl(text) {
    let url;
    try {
        url = new URL(text);
    }
    catch {
        url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
        return {
            error: `Input "broker-url": "${url ? url.origin : text}" is not an http(s) URL without credentials; use the broker's base URL, e.g. https://broker.example.com.`,
        };
    }
    // The token is a bearer credential: over plain http anyone on the way could replay it.
    if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
        return {
            error: `Input "broker-url": ${url.origin} is plain http, which would send the OIDC token in the clear; use https (http only on loopback).`,
        };
    }
    return { url: url.href };
}
function broker_inputs_tokenSource(inputs, env, oidc) {
    if (inputs.tokenFile !== "") {
        try {
            if (!(0,external_node_fs_.statSync)(inputs.tokenFile).isFile())
                throw new Error("not a file");
        }
        catch (error) {
            const why = error.code ?? "is not a file";
            return {
                error: `Input "web-identity-token-file": ${inputs.tokenFile} cannot be read (${why}); write the job's OIDC token for the broker there first (GitLab: id_tokens).`,
            };
        }
        return { token: tokenFileReader(inputs.tokenFile) };
    }
    if (oidc === undefined) {
        return {
            error: `Input "broker-url" needs "web-identity-token-file" here: the path of a file holding an OIDC token with the broker's audience (GitLab: id_tokens).`,
        };
    }
    if (inputs.audience === "") {
        return {
            error: `Input "broker-url" needs "broker-audience": the audience the broker's issuers entry expects for GitHub's tokens.`,
        };
    }
    if (!env["ACTIONS_ID_TOKEN_REQUEST_URL"] || !env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]) {
        return {
            error: `Input "broker-url" needs the job's OIDC token, which this job may not request: add "permissions: id-token: write" to the job (or set "web-identity-token-file").`,
        };
    }
    const audience = inputs.audience;
    return {
        token: () => oidc(audience).catch((error) => {
            const reason = error instanceof Error ? error.message : String(error);
            throw new TokenSourceError("OidcTokenUnavailable", `GitHub's token service gave no OIDC token (${reason})`);
        }),
    };
}
/** The broker to upload through, none when broker-url is empty; every problem as one sentence with its fix. */
function parseBroker(inputs, env, oidc) {
    if (inputs.url === "") {
        const errors = inputs.audience !== ""
            ? [`Input "broker-audience" needs "broker-url": the broker the token is for.`]
            : [];
        return { broker: undefined, errors };
    }
    const errors = [];
    const url = checkUrl(inputs.url);
    if ("error" in url)
        errors.push(url.error);
    if (inputs.mode !== "upload") {
        errors.push(`Input "broker-url" works in upload mode only (the broker signs uploads, not ${inputs.mode}); run ${inputs.mode} with S3 credentials or role-to-assume.`);
    }
    if (inputs.roleToAssume !== "") {
        errors.push(`Inputs "broker-url" and "role-to-assume" both choose how to reach S3; remove one of them.`);
    }
    if (inputs.profile !== undefined) {
        errors.push(`Inputs "broker-url" and "profile" both choose how to reach S3; remove one of them.`);
    }
    if (inputs.provider !== "auto") {
        errors.push(`Inputs "broker-url" and "provider" both choose the store; remove "provider" (the broker signs for the store in its own configuration).`);
    }
    if (inputs.checksumAlgorithm === "none") {
        errors.push(`Input "checksum-algorithm" is none, but the broker signs every part with its checksum; use CRC64NVME (the default) or another algorithm.`);
    }
    const token = broker_inputs_tokenSource(inputs, env, oidc);
    if ("error" in token)
        errors.push(token.error);
    if (errors.length > 0 || "error" in url || "error" in token)
        return { broker: undefined, errors };
    return { broker: { url: url.url, token: token.token }, errors };
}

;// CONCATENATED MODULE: ./src/frontend/header-rules.ts
// Per-pattern headers: one "pattern | Header: value" per line, split at the first "|" and the first ":" after
// it, so a value keeps its commas, semicolons and quotes as written (Cache-Control "public, max-age=31536000,
// immutable"; Content-Disposition 'attachment; filename="a, b"'). A pattern cannot hold "|": alternatives are
// written with braces, *.{js,css}.



const HEADERS = Object.entries(served_headers/* SERVED_HEADER_NAMES */.nO);
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/;
// RFC 9110 content-coding tokens, comma-separated.
const CODINGS = /^[\w!#$%&'*+.^`|~-]+(\s*,\s*[\w!#$%&'*+.^`|~-]+)*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** What is wrong with a header's value, as the end of a sentence; undefined when it can be sent. */
function headerValueProblem(field, value) {
    const name = served_headers/* SERVED_HEADER_NAMES */.nO[field];
    if (!PRINTABLE_ASCII.test(value)) {
        const example = field === "contentDisposition" ? " (for a file name: filename*=UTF-8''%C3%A4.pdf)" : "";
        return `the ${name} value has non-ASCII or control characters, which HTTP headers cannot carry; encode them${example}.`;
    }
    if (field === "contentType" && !MEDIA_TYPE.test(value)) {
        return `${name} "${value}" is not a media type; use type/subtype, e.g. text/javascript.`;
    }
    if (field === "contentEncoding" && !CODINGS.test(value)) {
        return `${name} "${value}" is not a list of codings; use e.g. gzip, br or zstd (several separated by commas).`;
    }
    return undefined;
}
function parseLine(input, line, text) {
    const bar = text.indexOf("|");
    const colon = bar < 0 ? -1 : text.indexOf(":", bar);
    if (bar < 0 || colon < 0) {
        return `Input "${input}": line ${line} "${text}" is not "pattern | Header: value"; write one header per line, e.g. **/*.js.gz | Content-Encoding: gzip.`;
    }
    const pattern = text.slice(0, bar).trim();
    const name = text.slice(bar + 1, colon).trim();
    const value = text.slice(colon + 1).trim();
    if (pattern === "") {
        return `Input "${input}": line ${line} has no pattern before "|"; give a glob relative to base-dir, e.g. **/*.html | Cache-Control: no-cache.`;
    }
    if (pattern.startsWith("/")) {
        return `Input "${input}": line ${line}: pattern "${pattern}" starts with "/"; patterns are relative to base-dir, so write ${pattern.replace(/^\/+/, "")}.`;
    }
    const header = HEADERS.find(([, known]) => known.toLowerCase() === name.toLowerCase());
    if (!header) {
        const names = HEADERS.map(([, known]) => known);
        const choices = `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
        return `Input "${input}": line ${line}: "${name}" is not a header rules can set; use ${choices} (user metadata goes in "metadata").`;
    }
    const [field, headerName] = header;
    if (value === "") {
        return `Input "${input}": line ${line}: ${headerName} has no value; give one, or remove the line.`;
    }
    const problem = headerValueProblem(field, value);
    if (problem)
        return `Input "${input}": line ${line}: ${problem}`;
    return { line, pattern, header: field, value };
}
/** Every bad line is reported, each naming the input, the line and the fix. */
function parseHeaderRules(input, text) {
    const rules = [];
    const errors = [];
    for (const [index, raw] of text.split(/\r?\n/).entries()) {
        const line = raw.trim();
        if (line === "")
            continue;
        const parsed = parseLine(input, index + 1, line);
        if (typeof parsed === "string")
            errors.push(parsed);
        else
            rules.push(parsed);
    }
    return { rules, errors };
}
// A pattern without "/" matches the file name at any depth, as in .gitignore; picomatch's own basename option
// is not used because it stops "dir/*.css" from matching "dir/a.css".
function compile(rules) {
    const matchers = new Map();
    for (const { pattern } of rules) {
        if (matchers.has(pattern))
            continue;
        // One argument only: picomatch takes a second as "return a match object".
        const matches = picomatch_default()(pattern, { dot: true });
        const subject = pattern.includes("/") ? (p) => p : (p) => external_node_path_default().posix.basename(p);
        matchers.set(pattern, (relativePath) => matches(subject(relativePath)));
    }
    return matchers;
}
/** relative path ("/"-separated, relative to base-dir) → the headers its rules set, later rules winning. */
function headerMatcher(rules) {
    const matchers = compile(rules);
    return (relativePath) => {
        const headers = {};
        for (const rule of rules) {
            if (matchers.get(rule.pattern)(relativePath))
                headers[rule.header] = rule.value;
        }
        return headers;
    };
}
/** One warning per pattern that matches none of the files: a typo there would otherwise go unnoticed. */
function unmatchedRuleWarnings(input, rules, relativePaths, baseDir) {
    const warnings = [];
    for (const [pattern, matches] of compile(rules)) {
        if (relativePaths.some(matches))
            continue;
        const line = rules.find((rule) => rule.pattern === pattern).line;
        warnings.push(`Input "${input}": line ${line} pattern "${pattern}" matches none of the files to upload; patterns are relative to base-dir ("${baseDir}").`);
    }
    return warnings;
}

;// CONCATENATED MODULE: ./src/config.ts
// The one config model: both front ends hand in a name → text lookup and get a typed config or all errors.













const ALGORITHMS = ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256", "none"];
const CHECKSUM_TYPES = ["FULL_OBJECT", "COMPOSITE"];
const SSE_MODES = ["AES256", "aws:kms", "aws:kms:dsse"];
/** "5GiB", as these messages write sizes. */
function compactSize(bytes) {
    return formatSize(bytes).replace(" ", "");
}
/**
 * `givenLimits`: the engine's own (the store's, narrowed to this Node.js's largest Buffer), so a setting that passes
 * here never fails the engine's checks; unset, the provider's row gives them. `env`: where proxy and CA
 * settings come from (HTTPS_PROXY, AWS_CA_BUNDLE…). `oidc`: the action's way to a new GitHub job token for
 * role-to-assume (the CLI reads a token file instead).
 */
function parseConfig(lookup, givenLimits, env = {}, oidc) {
    const errors = [];
    const text = (name) => {
        const given = lookup(name)?.trim() ?? "";
        return given === "" ? (inputs/* INPUTS */.mc.find((input) => input.name === name)?.default ?? "") : given;
    };
    const take = (field, fallback) => {
        if (field.ok)
            return field.value;
        errors.push(field.error);
        return fallback;
    };
    const bool = (name) => take(parseBoolean(name, text(name)), false);
    const optional = (name) => text(name) || undefined;
    const bucket = text("bucket");
    const endpoint = optional("endpoint");
    // Read again below, where a bad value is reported; here it only picks the naming rules.
    const pathStyle = parseBoolean("force-path-style", text("force-path-style"));
    const bucketError = checkBucket(bucket, endpoint, pathStyle.ok && pathStyle.value);
    if (bucketError)
        errors.push(bucketError);
    const provider = (0,providers/* providerProfile */.FQ)(take(parseChoice("provider", text("provider"), providers/* PROVIDER_CHOICES */.Vt), "auto"), endpoint);
    const addressing = (0,providers/* addressingProblem */.me)(provider, {
        bucket,
        endpoint,
        forcePathStyle: pathStyle.ok && pathStyle.value,
    });
    if (addressing)
        errors.push(`Input "${addressing.input}": ${addressing.problem}`);
    const limits = givenLimits ?? resolveLimits((0,providers/* profileLimits */.G1)(provider));
    const mode = take(parseChoice("mode", text("mode"), ["upload", "download", "cleanup"]), "upload");
    // Cleanup works on keys under the prefix; no local file is involved.
    const patterns = mode === "cleanup"
        ? []
        : text("path")
            .split(/\r?\n/)
            .map((line) => line.trim())
            .filter((line) => line !== "");
    // The runner passes action.yml's defaults for inputs left out, so only a different value counts as given.
    const given = (name) => text(name) !== "" && text(name) !== (inputs/* INPUTS */.mc.find((input) => input.name === name)?.default ?? "");
    errors.push(...modeOnlyErrors(mode, given));
    const versionId = optional("version-id");
    if (mode === "download" && versionId !== undefined) {
        const versionError = checkVersionTarget(versionId, patterns);
        if (versionError)
            errors.push(versionError);
    }
    if (mode === "upload" && patterns.length === 0) {
        errors.push(`Input "path" is required: newline-separated glob patterns of the files to upload, e.g. dist/**.`);
    }
    else if (mode === "upload" && patterns.every((pattern) => pattern.startsWith("!"))) {
        errors.push(`Input "path": every pattern excludes ("!…"); add at least one pattern that matches files.`);
    }
    const prefix = text("prefix");
    const prefixError = checkPrefix(prefix);
    if (prefixError)
        errors.push(prefixError);
    const { minPartSize, maxPartSize } = limits;
    // One PutObject holds at most one part's worth: S3's limits are equal, and so is the Buffer's.
    const maxPutSize = maxPartSize;
    const bufferNote = bufferLimitNote(limits, compactSize);
    const partSize = take(parseByteSize("part-size", text("part-size")), minPartSize);
    if (partSize < minPartSize || partSize > maxPartSize) {
        errors.push(`Input "part-size": "${text("part-size")}" is outside ` +
            `${bufferNote ? `the part size range this run can use${bufferNote}` : `${partSizeOwner(provider)} part size range`}; ` +
            `use ${compactSize(minPartSize)} to ${compactSize(maxPartSize)} (${minPartSize} to ${maxPartSize} bytes).`);
    }
    const concurrency = take(parseWholeNumber("concurrency", text("concurrency"), 1, 64), 1);
    const algorithmChoice = take(parseChoice("checksum-algorithm", text("checksum-algorithm"), ALGORITHMS), "none");
    const chosenAlgorithm = algorithmChoice === "none" ? null : algorithmChoice;
    const checksumType = optional("checksum-type")
        ? take(parseChoice("checksum-type", text("checksum-type"), CHECKSUM_TYPES), undefined)
        : undefined;
    const typeError = checkChecksumType(chosenAlgorithm, checksumType);
    if (typeError)
        errors.push(typeError);
    const checksumAlgorithm = storeAlgorithm(provider, chosenAlgorithm, given("checksum-algorithm"));
    if (!typeError && checksumAlgorithm !== null) {
        const problem = (0,providers/* checksumPairProblem */.FM)(provider, checksumAlgorithm, checksumType ?? (0,algorithms/* defaultChecksumType */.PB)(checksumAlgorithm));
        if (problem)
            errors.push(`Input "${checksumType ? "checksum-type" : "checksum-algorithm"}": ${problem}`);
    }
    const thresholdText = text("multipart-threshold");
    const multipartThreshold = thresholdText
        ? take(parseByteSize("multipart-threshold", thresholdText), partSize)
        : partSize;
    if (thresholdText && multipartThreshold > maxPutSize) {
        errors.push(`Input "multipart-threshold": "${thresholdText}" is above ${compactSize(maxPutSize)}, the largest single ` +
            `PutObject${bufferNote}; use at most ${compactSize(maxPutSize)}.`);
    }
    const region = optional("region");
    if (region !== undefined && !/^[A-Za-z0-9_.-]+$/.test(region)) {
        errors.push(`Input "region": "${region}" is not a region name; use e.g. us-east-1.`);
    }
    const endpointError = endpoint === undefined ? undefined : checkEndpoint(endpoint);
    if (endpointError)
        errors.push(endpointError);
    const profile = optional("profile");
    if (profile !== undefined && !/^[\w.@+-]+$/.test(profile)) {
        errors.push(`Input "profile": "${profile}" is not a profile name; use the name in [profile NAME] of ~/.aws/config.`);
    }
    const broker = parseBroker({
        url: text("broker-url"),
        audience: text("broker-audience"),
        tokenFile: text("web-identity-token-file"),
        mode,
        roleToAssume: text("role-to-assume"),
        profile,
        provider: text("provider"),
        checksumAlgorithm: text("checksum-algorithm"),
    }, env, oidc);
    errors.push(...broker.errors);
    const role = parseRole({
        roleToAssume: text("role-to-assume"),
        sessionName: text("role-session-name"),
        durationSeconds: text("role-duration-seconds"),
        // With broker-url the token file is the broker's (parseBroker).
        tokenFile: text("broker-url") === "" ? text("web-identity-token-file") : "",
        profile,
        region,
    }, env, oidc);
    errors.push(...role.errors);
    const network = readNetwork(env, profile);
    if (!network.ok)
        errors.push(...network.errors);
    const hasNetwork = network.ok && Object.keys(network.network).length > 0;
    const object = parseObjectSettings(text, take, errors);
    const headerRules = parseHeaderRules("headers", mode === "cleanup" ? "" : text("headers"));
    const requireChecksums = bool("require-checksums");
    if (mode === "download" && requireChecksums && !bool("verify")) {
        errors.push(`Input "require-checksums" is true but "verify" is false, so no download would be checked; set verify to true, or require-checksums to false.`);
    }
    // A download checks the checksums the store keeps; checksum-algorithm only says what an upload sends. A store
    // with a CRC of its own (OSS) proves every object by it without one.
    if (requireChecksums &&
        checksumAlgorithm === null &&
        mode !== "download" &&
        provider.nativeChecksum === null) {
        errors.push(chosenAlgorithm === null
            ? `Input "require-checksums" is true but "checksum-algorithm" is none; choose an algorithm.`
            : `Input "require-checksums" is true but ${provider.label} keeps no x-amz-checksum; set it to false (${provider.label} proves objects by ${provider.proof}).`);
    }
    const lifecycleText = text("lifecycle-abort-days");
    const config = {
        mode,
        cleanup: {
            olderThanMs: take(parseDuration("older-than", text("older-than")), 0),
            lifecycleDays: lifecycleText
                ? take(parseWholeNumber("lifecycle-abort-days", lifecycleText, 1, 36500), undefined)
                : undefined,
        },
        download: { versionId, expectedManifest: optional("expected-manifest") },
        engine: {
            bucket,
            s3: {
                region,
                endpoint,
                forcePathStyle: bool("force-path-style"),
                provider: provider.name,
                ...(profile !== undefined ? { profile } : {}),
                ...(role.role ? { assumeRole: role.role } : {}),
                ...(network.ok && hasNetwork ? { network: network.network } : {}),
            },
            partSize,
            concurrency,
            checksumAlgorithm,
            checksumType,
            contentMd5: bool("content-md5"),
            multipartThreshold,
            overwrite: bool("overwrite"),
            verify: bool("verify"),
            onFailure: take(parseChoice("on-failure", text("on-failure"), ["abort", "keep"]), "abort"),
            ...(broker.broker ? { broker: broker.broker } : {}),
            dryRun: bool("dry-run"),
            requireChecksums,
            sha256: bool("sha256"),
            object,
        },
        patterns,
        prefix,
        baseDir: text("base-dir"),
        ifNoFilesFound: take(parseChoice("if-no-files-found", text("if-no-files-found"), ["error", "warn", "ignore"]), "error"),
        includeHiddenFiles: bool("include-hidden-files"),
        headerRules: headerRules.rules,
    };
    errors.push(...headerRules.errors);
    return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}
function parseObjectSettings(text, take, errors) {
    const object = {};
    const contentType = text("content-type");
    if (contentType) {
        if (/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType))
            object.contentType = contentType;
        else
            errors.push(`Input "content-type": "${contentType}" is not a media type; use type/subtype, e.g. application/zip, or leave it empty to guess from the extension.`);
    }
    const contentEncoding = text("content-encoding");
    if (contentEncoding) {
        const problem = headerValueProblem("contentEncoding", contentEncoding);
        if (problem)
            errors.push(`Input "content-encoding": ${problem}`);
        else
            object.contentEncoding = contentEncoding;
    }
    if (text("cache-control"))
        object.cacheControl = text("cache-control");
    const metadata = take(parsePairs("metadata", text("metadata"), { asciiValues: true }), {});
    if (Object.keys(metadata).length > 0)
        object.metadata = metadata;
    const tags = take(parsePairs("tags", text("tags"), { maxPairs: 10, maxKeyLength: 128, maxValueLength: 256 }), {});
    if (Object.keys(tags).length > 0)
        object.tags = tags;
    const storageClass = text("storage-class");
    if (storageClass) {
        if (/^[A-Z][A-Z0-9_]*$/.test(storageClass))
            object.storageClass = storageClass;
        else
            errors.push(`Input "storage-class": "${storageClass}" is not a storage class name; use upper case, e.g. STANDARD, STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR.`);
    }
    const sse = text("sse") ? take(parseChoice("sse", text("sse"), SSE_MODES), undefined) : undefined;
    if (sse)
        object.sse = sse;
    const keyId = text("sse-kms-key-id");
    if (keyId) {
        if (sse === "aws:kms" || sse === "aws:kms:dsse")
            object.sseKmsKeyId = keyId;
        else
            errors.push(`Input "sse-kms-key-id" needs "sse" set to aws:kms or aws:kms:dsse.`);
    }
    return object;
}
/** Inputs that only one mode reads; each says what it is for. */
const UPLOAD_ONLY = [
    "checksum-algorithm",
    "checksum-type",
    "content-md5",
    "multipart-threshold",
    "include-hidden-files",
    "content-type",
    "content-encoding",
    "cache-control",
    "headers",
    "metadata",
    "tags",
    "storage-class",
    "sse",
    "sse-kms-key-id",
];
const CLEANUP_ONLY = ["older-than", "lifecycle-abort-days"];
const DOWNLOAD_ONLY = ["version-id", "expected-manifest"];
function modeOnlyErrors(mode, given) {
    if (mode === "download") {
        const misplaced = [
            ...UPLOAD_ONLY.filter(given).map((name) => [name, "uploads"]),
            ...CLEANUP_ONLY.filter(given).map((name) => [name, "cleanup"]),
        ];
        return misplaced.map(([name, use]) => `Input "${name}" does not apply to mode download (it is for ${use}); remove it.`);
    }
    return DOWNLOAD_ONLY.filter(given).map((name) => `Input "${name}" is for mode download; remove it, or set "mode" to download.`);
}
/** A version id names one object, so the key must be named outright: listings show only current versions. */
function checkVersionTarget(versionId, patterns) {
    const only = patterns.length === 1 ? patterns[0] : undefined;
    if (only === undefined || only.startsWith("!") || only.endsWith("/") || picomatch_default().scan(only).isGlob) {
        return (`Input "version-id" needs "path" to name exactly one key, relative to "prefix" and without wildcards ` +
            `(e.g. app.tar.gz); a version id belongs to one object.`);
    }
    if (!/^[\x21-\x7e]+$/.test(versionId)) {
        return `Input "version-id": "${versionId}" is not a version id; copy it from the object's versions (printable ASCII, no spaces).`;
    }
    return undefined;
}
function checkBucket(bucket, endpoint, forcePathStyle) {
    if (bucket === "")
        return `Input "bucket" is required: the name of the S3 bucket to upload to.`;
    if (/^s3:\/\//i.test(bucket) || /^https?:\/\//i.test(bucket)) {
        return `Input "bucket": "${bucket}" is a URL; give only the bucket name, and the key part in "prefix".`;
    }
    if (bucket.includes("/")) {
        return `Input "bucket": "${bucket}" contains "/"; give only the bucket name, and the key part in "prefix".`;
    }
    return checkBucketName(bucket, endpoint, forcePathStyle);
}
function checkPrefix(prefix) {
    if (prefix.startsWith("/")) {
        return `Input "prefix": "${prefix}" starts with "/"; S3 keys do not, so write it without the leading "/".`;
    }
    if (prefix.split("/").some((segment) => segment === "." || segment === "..")) {
        return `Input "prefix": "${prefix}" has a "." or ".." segment, which S3 keeps literally; write the prefix without it.`;
    }
    return undefined;
}
/** "S3's" for Amazon S3 and stores that follow its rules, else the store's name. */
function partSizeOwner(provider) {
    return provider.name === "aws" || provider.name === "generic" ? "S3's" : `${provider.label}'s`;
}
/**
 * The algorithm a run sends: on a store that keeps no x-amz-checksum the default one is dropped (it would
 * prove nothing there, and some such stores refuse the headers); one asked for outright is checked, and
 * refused, by checksumPairProblem.
 */
function storeAlgorithm(provider, chosen, givenOutright) {
    return provider.checksums.length === 0 && !givenOutright ? null : chosen;
}
function checkChecksumType(algorithm, type) {
    if (type === undefined)
        return undefined;
    if (algorithm === null)
        return `Input "checksum-type" is set but "checksum-algorithm" is none; remove one of them.`;
    if (algorithm === "CRC64NVME" && type === "COMPOSITE") {
        return `Input "checksum-type": CRC64NVME supports only FULL_OBJECT; use FULL_OBJECT, or CRC32/CRC32C for COMPOSITE.`;
    }
    if ((algorithm === "SHA1" || algorithm === "SHA256") && type === "FULL_OBJECT") {
        return `Input "checksum-type": ${algorithm} supports only COMPOSITE; use COMPOSITE, or CRC64NVME/CRC32/CRC32C for FULL_OBJECT.`;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/frontend/keys.ts
// How a local file becomes an object key: prefix + path relative to base-dir, always with "/".

const MAX_KEY_BYTES = 1024;
// S3 stores them, but XML listings need encoding-type=url for them and many tools break on such keys.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
function joinPrefix(prefix, relative) {
    if (prefix === "" || prefix.endsWith("/"))
        return prefix + relative;
    return `${prefix}/${relative}`;
}
/** baseDir and filePath are absolute. */
function objectKey(baseDir, prefix, filePath) {
    const relative = external_node_path_default().relative(baseDir, filePath);
    if (relative === "" || relative.startsWith("..") || external_node_path_default().isAbsolute(relative)) {
        return {
            ok: false,
            error: `File "${filePath}" is not inside base-dir "${baseDir}"; set "base-dir" to a directory that contains every matched file.`,
        };
    }
    const relativePath = (external_node_path_default()).sep === "/" ? relative : relative.split((external_node_path_default()).sep).join("/");
    const key = joinPrefix(prefix, relativePath);
    const bytes = Buffer.byteLength(key);
    if (bytes > MAX_KEY_BYTES) {
        return {
            ok: false,
            error: `File "${filePath}" gives a key of ${bytes} bytes; S3 keys are at most ${MAX_KEY_BYTES} bytes (UTF-8), so shorten "prefix" or the path.`,
        };
    }
    const control = CONTROL_CHARACTER.exec(key);
    if (control) {
        const code = control[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
        return {
            ok: false,
            error: `File "${filePath}" gives a key with control character U+${code}, which S3 lists only URL-encoded and many tools mishandle; rename the file or exclude it with a "!" pattern.`,
        };
    }
    return { ok: true, key, relativePath };
}

;// CONCATENATED MODULE: ./src/frontend/checksums-file.ts
// The checksums-file output: one `<sha256>  <name>` line per file stored (or, downloading, written), as
// sha256sum writes them. Names are the keys without their prefix, which keys.ts makes of the path relative to
// base-dir with "/" (and a download maps back the same way): so `sha256sum -c` run in base-dir checks the
// local files, and a release page lists the names people download. actions/attest-build-provenance reads
// the same lines as subject-checksums, splitting on the OS's line end, so the file ends lines with os.EOL
// (GNU sha256sum accepts CRLF too). Names are written as they are, never in sha256sum's backslash escape,
// which the attest action does not read; keys.ts and download-paths.ts refuse names with control characters,
// so no name needs it.





// A download's key maps to base-dir + the key without the prefix (download-paths.ts): the same names.
const LISTED = new Set(["uploaded", "downloaded", "unchanged"]);
/**
 * The file's text, or null when no file stored (uploads) or written (downloads) has a SHA-256 (sha256 off,
 * or nothing done).
 */
function checksumsText(files, prefix) {
    const keyStart = joinPrefix(prefix, "");
    const lines = files
        .filter((file) => LISTED.has(file.status) && file.sha256 !== null)
        .map((file) => {
        if (!file.key.startsWith(keyStart)) {
            throw new Error(`checksumsText: key ${file.key} does not start with the prefix "${keyStart}"`);
        }
        return `${file.sha256}  ${file.key.slice(keyStart.length)}${external_node_os_.EOL}`;
    });
    return lines.length === 0 ? null : lines.join("");
}
/** Writes into dir under a fresh name (several steps of a job may upload) and returns the path. */
async function writeChecksumsFile(dir, text) {
    const file = path.join(dir, `s3-verified-upload-${randomUUID()}.sha256`);
    await writeFile(file, text);
    return file;
}

// EXTERNAL MODULE: ./src/frontend/cli-io.ts
var cli_io = __webpack_require__(2363);
;// CONCATENATED MODULE: ./src/frontend/format.ts
const format_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];
function formatBytes(bytes) {
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < format_UNITS.length - 1) {
        value /= 1024;
        unit++;
    }
    return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${format_UNITS[unit]}`;
}
function formatRate(bytesPerSecond) {
    return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}
function formatDuration(ms) {
    const seconds = Math.round(ms / 1000);
    if (seconds < 60)
        return `${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60)
        return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
    return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
function formatChecksum(result) {
    if (result.checksumAlgorithm === null)
        return "none";
    const value = result.checksumRemote ?? result.checksumLocal ?? "";
    return `${result.checksumAlgorithm} ${value}`.trim();
}
/** One line saying what happened to a file and how it was checked. */
function describeResult(result) {
    const where = `s3://${result.bucket}/${result.key}`;
    const size = formatBytes(result.size);
    switch (result.status) {
        case "failed":
            return `FAILED ${failureDetail(result)}`;
        case "unchanged":
            return `unchanged ${where} (${size}, identical: ${unchangedProof(result)})`;
        case "refused":
            return `would be refused ${failureDetail(result)}`;
        case "dry-run":
            return `would upload ${result.path} → ${where} (${size}, ${result.parts} part${result.parts === 1 ? "" : "s"})`;
        case "uploaded": {
            const check = result.verified ? `verified by ${result.verification}` : "NOT verified";
            const parts = !result.multipart
                ? "single PUT"
                : result.parts === 1
                    ? "multipart, 1 part"
                    : `${result.parts} parts of ${formatBytes(result.partSize)}`;
            return `uploaded ${where} (${size}, ${parts}, ${formatChecksum(result)}, ${check}, ${formatRate(result.bytesPerSecond)})`;
        }
    }
}
/** What proved a stored object identical to the file, as the unchanged check compared it. */
function unchangedProof(result) {
    return result.verification === "checksum"
        ? `${formatChecksum(result)} matches`
        : `ETag ${result.etag} matches the file's MD5`;
}
/** The engine's error names the file already; older or unexpected errors may not, so add it only then. */
function failureDetail(result) {
    const error = result.error ?? "failed without an error message";
    return error.includes(result.path)
        ? error
        : `${result.path} → s3://${result.bucket}/${result.key}: ${error}`;
}

;// CONCATENATED MODULE: ./src/frontend/outputs.ts
// The action's outputs (and the CLI's --json totals), computed from a run's results.


function totals(files) {
    const count = (status) => files.filter((file) => file.status === status).length;
    const bytes = files.filter((file) => file.status === "uploaded").reduce((sum, file) => sum + file.size, 0);
    return {
        uploaded: count("uploaded"),
        skipped: count("unchanged"),
        failed: count("failed"),
        dryRun: count("dry-run"),
        refused: count("refused"),
        bytes,
    };
}
function encodeKey(key) {
    return key.split("/").map(encodeURIComponent).join("/");
}
/**
 * The bucket goes into the host name only where the SDK puts it there too: a single DNS label (a dotted name
 * breaks the TLS wildcard certificate) on a host name (an IP address has no subdomains). Path style otherwise.
 */
function hostsBucket(bucket, host) {
    const ipAddress = isIP(host) !== 0 || host.startsWith("[");
    return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && !ipAddress;
}
/** Where the object can be fetched (with credentials); region is the resolved one, needed for Amazon S3. */
function objectUrl(bucket, key, s3, region) {
    const path = encodeKey(key);
    const endpoint = new URL(s3.endpoint ?? `https://s3.${region}.amazonaws.com`);
    if (s3.forcePathStyle || !hostsBucket(bucket, endpoint.hostname)) {
        return `${endpoint.origin}/${bucket}/${path}`;
    }
    return `${endpoint.protocol}//${bucket}.${endpoint.host}/${path}`;
}
/**
 * GitHub refuses an output over 1 MB, counting it as UTF-16 (two bytes per character; 2,500 files' results once
 * made 1,045,020 bytes). The two lists that grow with the run get at most this many characters each, so
 * together with the small outputs they stay under 1 MB even counted as one.
 */
const outputs_LIST_BUDGET = { results: 256 * 1024, keys: 192 * 1024 };
/** A JSON array of as many items, in order, as fit the budget. */
function outputs_cappedJsonArray(items, budget) {
    const whole = JSON.stringify(items);
    if (whole.length <= budget)
        return { json: whole, kept: items.length };
    const kept = [];
    let length = 2;
    for (const item of items) {
        const text = JSON.stringify(item);
        const added = text.length + (kept.length > 0 ? 1 : 0);
        if (length + added > budget)
            break;
        kept.push(text);
        length += added;
    }
    return { json: `[${kept.join(",")}]`, kept: kept.length };
}
/** Said in the log for each list that was cut: how much it holds and where the rest is. */
function truncationNotices(outputs, run) {
    const manifest = outputs["manifest"]
        ? `the manifest, ${outputs["manifest"]} (output "manifest")`
        : "the manifest";
    const kept = (name) => JSON.parse(outputs[name] ?? "[]").length;
    const notices = [];
    if (outputs["results-truncated"] === "true") {
        notices.push(`The "results" output lists ${kept("results")} of ${run.files.length} files (failed ones first) to stay ` +
            `under GitHub's 1 MB output limit; every file is in ${manifest}.`);
    }
    if (outputs["keys-truncated"] === "true") {
        const stored = run.files.filter((file) => file.status !== "failed").length;
        notices.push(`The "keys" output lists ${kept("keys")} of ${stored} keys to stay under GitHub's 1 MB output limit; ` +
            `every key is in ${manifest}.`);
    }
    return notices;
}
function runOutputs(run, s3, region, manifestPath) {
    const sums = totals(run.files);
    const outputs = {
        uploaded: String(sums.uploaded),
        skipped: String(sums.skipped),
        bytes: String(sums.bytes),
    };
    const stored = run.files.filter((file) => !failedOrRefused(file)).map((file) => file.key);
    const keys = outputs_cappedJsonArray(stored, outputs_LIST_BUDGET.keys);
    outputs["keys"] = keys.json;
    outputs["keys-truncated"] = String(keys.kept < stored.length);
    // Failed files first: they are what a later step acts on.
    const failedFirst = [
        ...run.files.filter(failedOrRefused),
        ...run.files.filter((file) => !failedOrRefused(file)),
    ];
    const results = outputs_cappedJsonArray(failedFirst, outputs_LIST_BUDGET.results);
    // Whole, it keeps the run's order.
    outputs["results"] = results.kept === run.files.length ? JSON.stringify(run.files) : results.json;
    outputs["results-truncated"] = String(results.kept < run.files.length);
    if (manifestPath !== undefined)
        outputs["manifest"] = manifestPath;
    const only = run.files.length === 1 ? run.files[0] : undefined;
    if (only && !failedOrRefused(only)) {
        outputs["key"] = only.key;
        outputs["etag"] = only.etag;
        outputs["version-id"] = only.versionId ?? "";
        outputs["checksum"] = only.checksumRemote ?? only.checksumLocal ?? "";
        outputs["sha256"] = only.sha256 ?? "";
        outputs["url"] = objectUrl(only.bucket, only.key, s3, region);
    }
    return outputs;
}

;// CONCATENATED MODULE: ./src/frontend/progress.ts

function progressText(done, size, elapsedMs) {
    const percent = size === 0 ? 100 : Math.floor((done / size) * 100);
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const eta = rate > 0 ? formatDuration(((size - done) / rate) * 1000) : "?";
    return `${percent}% ${formatBytes(done)} of ${formatBytes(size)}, ${formatRate(rate)}, ETA ${eta}`;
}
/**
 * Logs are not terminals: a file gets a line only once it has been running for intervalMs, then at most
 * every intervalMs, so small files stay quiet and big ones show they are alive.
 */
function lineProgress(sink, intervalMs = 5000) {
    const now = sink.now ?? Date.now;
    const transfers = new Map();
    return (event) => {
        if (event.type === "file-start") {
            const at = now();
            transfers.set(event.file.key, { startedAt: at, lastLineAt: at, size: event.size, done: 0 });
        }
        else if (event.type === "progress") {
            const transfer = transfers.get(event.file.key);
            if (!transfer)
                return;
            const at = now();
            if (at - transfer.lastLineAt < intervalMs)
                return;
            transfer.lastLineAt = at;
            sink.write(`${event.file.key}: ${progressText(event.bytesDone, event.size, at - transfer.startedAt)}`);
        }
        else if (event.type === "retry") {
            sink.write(`${event.file.key}: retrying ${event.operation} (attempt ${event.attempt}): ${event.reason}`);
        }
        else if (event.type === "file-done") {
            transfers.delete(event.result.key);
        }
    };
}
/** One line for the whole run, redrawn in place on a TTY; finished files are printed above it. */
function barProgress(sink, intervalMs = 200) {
    const now = sink.now ?? Date.now;
    const transfers = new Map();
    const startedAt = now();
    let finishedBytes = 0;
    let finishedFiles = 0;
    let drawnAt = 0;
    const draw = () => {
        let size = finishedBytes;
        let done = finishedBytes;
        for (const transfer of transfers.values()) {
            size += transfer.size;
            done += transfer.done;
        }
        const active = transfers.size > 0 ? `, ${transfers.size} in flight` : "";
        sink.write(`\r\x1b[K${finishedFiles} done${active}: ${progressText(done, size, now() - startedAt)}`);
    };
    return (event) => {
        if (event.type === "file-start") {
            transfers.set(event.file.key, { startedAt: now(), lastLineAt: 0, size: event.size, done: 0 });
        }
        else if (event.type === "progress") {
            const transfer = transfers.get(event.file.key);
            if (transfer)
                transfer.done = event.bytesDone;
        }
        else if (event.type === "file-done") {
            const transfer = transfers.get(event.result.key);
            transfers.delete(event.result.key);
            finishedBytes += transfer?.size ?? 0;
            finishedFiles++;
        }
        else {
            return;
        }
        if (event.type === "progress" && now() - drawnAt < intervalMs)
            return;
        drawnAt = now();
        draw();
    };
}

// EXTERNAL MODULE: ./node_modules/tinyglobby/dist/index.mjs + 1 modules
var dist = __webpack_require__(3382);
;// CONCATENATED MODULE: ./src/frontend/file-checks.ts
// Local inputs the glob cannot judge: base-dir itself, named paths that are not files, unreadable files and
// keys that collide. Each problem is one sentence naming the path and the fix.



function errorCode(error) {
    return error.code ?? String(error);
}
async function checkBaseDir(given, resolved) {
    try {
        if ((await (0,promises_.stat)(resolved)).isDirectory())
            return undefined;
        return `Input "base-dir": "${given}" is not a directory; set it to the directory the keys are relative to.`;
    }
    catch (error) {
        return `Input "base-dir": "${given}" cannot be used (${errorCode(error)} for ${resolved}); set it to an existing directory that contains the files.`;
    }
}
function kindOf(stats) {
    if (stats.isFIFO())
        return "named pipe (FIFO)";
    if (stats.isSocket())
        return "socket";
    if (stats.isCharacterDevice() || stats.isBlockDevice())
        return "device";
    return "special file";
}
function readlinkOr(absolute, fallback) {
    try {
        return (0,external_node_fs_.readlinkSync)(absolute);
    }
    catch {
        return fallback;
    }
}
/**
 * undefined for a regular file, a directory or a working link to either; why it cannot upload otherwise.
 * Synchronous, as are the other per-file checks: asked for every matched file, one after the other, where a
 * hop through the thread pool costs far more than the call (10,000 files: about 0.7 CPU-s more).
 */
function describeNotAFile(absolute) {
    const entry = (0,external_node_fs_.lstatSync)(absolute);
    if (entry.isSymbolicLink()) {
        let target;
        try {
            target = (0,external_node_fs_.statSync)(absolute);
        }
        catch (error) {
            const via = readlinkOr(absolute, "?");
            return errorCode(error) === "ELOOP"
                ? { what: `a symbolic link that loops (via "${via}")`, link: true }
                : { what: `a symbolic link to "${via}", which does not exist`, link: true };
        }
        if (target.isFile() || target.isDirectory())
            return undefined;
        return { what: `a symbolic link to a ${kindOf(target)}, not a regular file`, link: false };
    }
    if (entry.isFile() || entry.isDirectory())
        return undefined;
    return { what: `a ${kindOf(entry)}, not a regular file`, link: false };
}
/**
 * Why a pattern naming one path (no wildcards) matched nothing the glob would return, when the path is
 * there: broken or looping links and special files. A path that does not exist is left to the no-match rule.
 */
function diagnoseNamedPath(pattern, absolute) {
    if (pattern.startsWith("!") || (0,dist/* isDynamicPattern */.ey)(pattern))
        return undefined;
    let problem;
    try {
        problem = describeNotAFile(absolute);
    }
    catch {
        return undefined;
    }
    if (problem === undefined)
        return undefined;
    const fix = problem.link ? "fix the link or remove it" : "only regular files upload, so remove it";
    return `"${pattern}" is ${problem.what}; ${fix} from "path".`;
}
/** The warning for a path a wildcard matched that cannot upload: the run goes on without it. */
function skippedWarning(filePath, problem) {
    const fix = problem.link
        ? `fix the link or exclude it with a "!" pattern`
        : `only regular files upload, so exclude it with a "!" pattern`;
    return `Skipped "${filePath}": it is ${problem.what}; ${fix}.`;
}
function checkReadable(filePath) {
    try {
        (0,external_node_fs_.accessSync)(filePath, external_node_fs_.constants.R_OK);
        return undefined;
    }
    catch (error) {
        return `File "${filePath}" cannot be read (${errorCode(error)}); give the job read permission or exclude it with a "!" pattern.`;
    }
}
/** Two files must never race for one object. */
function checkDuplicateKeys(files) {
    const byKey = new Map();
    for (const file of files) {
        const other = byKey.get(file.key);
        if (other !== undefined) {
            return `Files "${other}" and "${file.path}" both give key "${file.key}"; change "base-dir" or "prefix", or exclude one with a "!" pattern.`;
        }
        byKey.set(file.key, file.path);
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/frontend/glob-fs.ts
// The file system as the glob sees it, except that entries it would drop without a word (FIFOs, sockets,
// devices, and symbolic links whose target is missing or loops) look like files: they are then matched
// (or excluded) by the patterns like any file, and findFiles can name each one it skips.


function asFile(entry) {
    return Object.assign(Object.create(entry), {
        isFile: () => true,
        isSymbolicLink: () => false,
    });
}
async function revealed(directory, entry) {
    // A working link stays a link, so the glob follows it as before.
    if (entry.isSymbolicLink() && (await (0,promises_.stat)(external_node_path_default().join(directory, entry.name)).catch(() => null))) {
        return entry;
    }
    return asFile(entry);
}
async function entriesOf(directory) {
    const entries = await (0,promises_.readdir)(directory, { withFileTypes: true });
    // Files and directories, nearly every entry, are taken as they are: no promise each.
    const others = [];
    for (const [index, entry] of entries.entries()) {
        if (!entry.isFile() && !entry.isDirectory())
            others.push(index);
    }
    if (others.length === 0)
        return entries;
    const replaced = await Promise.all(others.map((index) => revealed(directory, entries[index])));
    others.forEach((index, at) => (entries[index] = replaced[at]));
    return entries;
}
/** The glob calls readdir(path, { withFileTypes: true }, callback) only. */
function revealingReaddir(directory, _options, callback) {
    entriesOf(directory).then((entries) => callback(null, entries), (error) => callback(error, []));
}
const revealingFs = { readdir: revealingReaddir };

;// CONCATENATED MODULE: ./src/frontend/files.ts
// Glob patterns → the files to upload with their keys, in a stable order.







/**
 * Patterns and base-dir are relative to cwd. As in actions/upload-artifact, "!" patterns
 * exclude whatever their position, and a pattern naming a directory takes everything below it.
 */
async function findFiles(selection, cwd) {
    const found = await (0,dist/* glob */.TI)([...selection.patterns], {
        cwd,
        absolute: true,
        onlyFiles: true,
        dot: selection.includeHiddenFiles,
        expandDirectories: true,
        followSymbolicLinks: true,
        fs: revealingFs,
    });
    const baseDir = external_node_path_default().resolve(cwd, selection.baseDir);
    const baseDirError = await checkBaseDir(selection.baseDir, baseDir);
    if (baseDirError)
        return { ok: false, error: baseDirError, badSetting: true };
    // A path named outright that cannot upload is an error; one a wildcard matched is a warning.
    for (const pattern of selection.patterns) {
        const problem = diagnoseNamedPath(pattern, external_node_path_default().resolve(cwd, pattern));
        if (problem)
            return { ok: false, error: problem };
    }
    const headerRules = selection.headerRules ?? [];
    const headersOf = headerMatcher(headerRules);
    const relativePaths = [];
    const files = [];
    const warnings = [];
    const workFiles = [];
    for (const filePath of [...new Set(found.map((file) => external_node_path_default().resolve(cwd, file)))].sort()) {
        // A download's leftovers are half-written bytes and bookkeeping, never content to publish.
        if (workFileOf(external_node_path_default().basename(filePath)) !== null) {
            workFiles.push(filePath);
            continue;
        }
        const notAFile = describeNotAFile(filePath);
        if (notAFile) {
            warnings.push(skippedWarning(filePath, notAFile));
            continue;
        }
        const key = objectKey(baseDir, selection.prefix, filePath);
        if (!key.ok)
            return key;
        const unreadable = checkReadable(filePath);
        if (unreadable)
            return { ok: false, error: unreadable };
        const { relativePath } = key;
        relativePaths.push(relativePath);
        const headers = headersOf(relativePath);
        files.push({ path: filePath, key: key.key, ...(Object.keys(headers).length > 0 ? { headers } : {}) });
    }
    if (workFiles.length > 0)
        warnings.push(workFilesWarning(workFiles));
    const duplicate = checkDuplicateKeys(files);
    if (duplicate)
        return { ok: false, error: duplicate };
    warnings.push(...unmatchedRuleWarnings("headers", headerRules, relativePaths, selection.baseDir));
    return { ok: true, files, warnings };
}
function workFilesWarning(paths) {
    const count = paths.length === 1 ? "1 work file" : `${paths.length} work files`;
    return (`Skipped ${count} of an unfinished s3-verified-upload download (temp file or resume record, named ` +
        `".<name>.s3vu-…"), e.g. "${paths[0]}": they are not part of the folder's content; rerun that download ` +
        "to finish it, or delete them.");
}

;// CONCATENATED MODULE: ./src/frontend/upload.ts
// The run both front ends share: config → files → engine. Everything else is how each one reports it.


async function upload(config, hooks) {
    let found;
    try {
        found = await findFiles(config, process.cwd());
    }
    catch (error) {
        return { kind: "failed", message: `Finding files failed: ${errorText(error)}` };
    }
    if (!found.ok) {
        return { kind: "failed", message: found.error, ...(found.badSetting ? { badSetting: true } : {}) };
    }
    for (const message of found.warnings)
        hooks.onEvent({ type: "warning", message });
    if (found.files.length === 0) {
        const patterns = config.patterns.join(", ");
        return {
            kind: "no-files",
            level: config.ifNoFilesFound,
            message: `No files matched "path" (${patterns}) from ${process.cwd()}; check the patterns, or set "if-no-files-found" to warn or ignore.`,
        };
    }
    try {
        const run = await runUploads(found.files, {
            ...withDefaultRegion(config, process.env),
            onEvent: hooks.onEvent,
            signal: hooks.signal,
        });
        return { kind: "done", files: found.files, run };
    }
    catch (error) {
        return { kind: "failed", message: errorText(error) };
    }
}
function errorText(error) {
    return error instanceof Error ? error.message : String(error);
}
/** The region for URLs in outputs: us-east-1 when nothing names one, as for the SDK with a custom endpoint. */
function resolvedRegion(config, env) {
    return config.engine.s3.region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1";
}
/**
 * Most S3-compatible stores ignore the region, yet the SDK refuses to sign without one; with a custom endpoint
 * and no region anywhere in the environment, sign for us-east-1 instead of failing.
 */
function withDefaultRegion(config, env) {
    const s3 = config.engine.s3;
    const profile = s3.profile ?? env["AWS_PROFILE"];
    if (s3.region || !s3.endpoint || env["AWS_REGION"] || env["AWS_DEFAULT_REGION"] || profile) {
        return config.engine;
    }
    return { ...config.engine, s3: { ...s3, region: "us-east-1" } };
}
/** Said when SIGINT/SIGTERM arrives, so the log shows what happens to the uploads in flight. */
function cancelText(config) {
    return config.engine.onFailure === "keep"
        ? "Cancelled: stopping; in-progress multipart uploads are kept (on-failure: keep) and a rerun resumes them."
        : "Cancelled: stopping and aborting in-progress multipart uploads (on-failure: abort); nothing is left behind.";
}

;// CONCATENATED MODULE: ./src/frontend/cleanup.ts
// The cleanup run both front ends share: config → engine cleanup → lines to log.



async function cleanup_cleanup(config, signal) {
    const engine = withDefaultRegion(config, process.env);
    try {
        const result = await (0,cleanup/* runCleanup */.K)({
            bucket: engine.bucket,
            s3: engine.s3,
            prefix: config.prefix,
            olderThanMs: config.cleanup.olderThanMs,
            dryRun: engine.dryRun,
            ...(config.cleanup.lifecycleDays !== undefined ? { lifecycleDays: config.cleanup.lifecycleDays } : {}),
            ...(signal ? { signal } : {}),
        });
        return { kind: "done", result };
    }
    catch (error) {
        return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
    }
}
const ACTION_TEXT = {
    aborted: "aborted",
    "would-abort": "would abort (dry run)",
    "too-young": "kept (younger than older-than)",
    failed: "abort FAILED",
};
/** One line per upload and one for the lifecycle rule, then a total. */
function cleanupLines(config, result) {
    const where = `s3://${config.engine.bucket}/${config.prefix}`;
    const lines = result.uploads.map((upload) => `${ACTION_TEXT[upload.action]}: ${upload.key} (upload ${upload.uploadId}, initiated ${upload.initiated ?? "unknown"})` +
        (upload.error ? `: ${upload.error}` : ""));
    if (result.lifecycle) {
        const rule = result.lifecycle;
        lines.push(`lifecycle rule ${rule.ruleId} (abort incomplete uploads after ${rule.days} day(s)): ${rule.action.replace("-", " ")}; ` +
            `${rule.otherRules} other rule(s) kept`);
    }
    const count = (action) => result.uploads.filter((upload) => upload.action === action).length;
    lines.push(`${where}: ${result.uploads.length} in-progress upload(s) older than ${formatDuration(config.cleanup.olderThanMs)}: ` +
        `${count("aborted")} aborted, ${count("would-abort")} would abort, ${count("too-young")} too young, ${count("failed")} failed`);
    return lines;
}

;// CONCATENATED MODULE: ./src/frontend/totals-line.ts


/** How a stored file was proven, in the words the totals line counts it under. */
function proofLabel(file) {
    if (file.verification === "etag-md5")
        return "ETag/MD5";
    return `${file.checksumAlgorithm ?? "unknown"} checksum`;
}
function verifiedPart(files) {
    const counts = new Map();
    let unverified = 0;
    for (const file of files) {
        if (file.status !== "uploaded" && file.status !== "unchanged")
            continue;
        if (!file.verified || file.verification === "none") {
            unverified++;
            continue;
        }
        const label = proofLabel(file);
        counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    const groups = [...counts].map(([label, count]) => `${count} by ${label}`);
    return `${groups.join(", ") || "none"}${unverified > 0 ? `, ${unverified} NOT verified` : ""}`;
}
/** Short runs are the common case; "0s" would say nothing about them. */
function runDuration(ms) {
    return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms);
}
function totalsLine(files, durationMs) {
    const sums = totals(files);
    const count = `${files.length} file${files.length === 1 ? "" : "s"}`;
    const outcome = sums.dryRun + sums.refused > 0
        ? `dry run, ${sums.dryRun} would upload, ${sums.skipped} unchanged, ${sums.refused} would be refused, ` +
            `${sums.failed} failed`
        : `${sums.uploaded} uploaded (${formatBytes(sums.bytes)}), ${sums.skipped} unchanged, ${sums.failed} failed`;
    return `Totals: ${count}, ${outcome}; verified: ${verifiedPart(files)}; ${runDuration(durationMs)}`;
}

;// CONCATENATED MODULE: ./src/frontend/failures.ts

/** A file the run did not (or, in a dry run, would not) put in the store. */
const failures_failedOrRefused = (file) => file.status === "failed" || file.status === "refused";
/** The error without the "path → s3://bucket/key: " the engine puts before it. */
function cause(file) {
    const error = file.error ?? "failed without an error message";
    const prefix = `${file.path} → s3://${file.bucket}/${file.key}: `;
    return error.startsWith(prefix) ? error.slice(prefix.length) : error;
}
/** Same step and error code; without a code (checksum mismatch, refusal) only the very same message. */
function causeKey(file) {
    const step = file.failure?.step ?? "";
    const code = file.failure?.code;
    return code ? `${step}\0${code}` : `${step}\0\0${cause(file)}`;
}
/** Failed and refused files by cause, in the order each cause first appears. */
function groupFailures(files) {
    const groups = new Map();
    for (const file of files.filter(failures_failedOrRefused)) {
        const key = causeKey(file);
        const group = groups.get(key);
        if (group)
            group.files.push(file);
        else
            groups.set(key, { step: file.failure?.step ?? "", code: file.failure?.code ?? null, files: [file] });
    }
    return [...groups.values()];
}
/** 2500 → "2,500", without relying on the runtime's ICU data. */
const count = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
/**
 * The final error: one line per cause. `perFile` says where every file's own error is (e.g. "--json lists
 * every file"), for causes shared by several files.
 */
function failureText(files, perFile) {
    const groups = groupFailures(files);
    const failed = groups.reduce((sum, group) => sum + group.files.length, 0);
    const refusedOnly = groups.every((group) => group.files.every((file) => file.status === "refused"));
    const verb = refusedOnly ? "would be refused" : "failed";
    const lines = groups.map((group) => {
        const first = group.files[0];
        if (group.files.length === 1)
            return `- ${failureDetail(first)}`;
        const where = `${first.path} → s3://${first.bucket}/${first.key}`;
        return `- ${count(group.files.length)} files (same cause): ${cause(first)} First: ${where}; ${perFile}.`;
    });
    return [`${count(failed)} of ${count(files.length)} files ${verb}:`, ...lines].join("\n");
}
/**
 * For a live log: true for a failure whose cause an earlier failure of this run already showed. Each call
 * makes a fresh tracker, so runs never share it.
 */
function repeatedFailures() {
    const seen = new Set();
    return (result) => {
        if (!failures_failedOrRefused(result))
            return false;
        const key = causeKey(result);
        if (seen.has(key))
            return true;
        seen.add(key);
        return false;
    };
}

;// CONCATENATED MODULE: ./src/frontend/download-paths.ts
// Object keys → local paths for a download: base-dir + the key without the prefix, and nothing else. A key
// that could write outside base-dir, or onto another key's file, is refused by name before anything is written.





const MAX_ERRORS = 20;
// eslint-disable-next-line no-control-regex
const download_paths_CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const FIX = 'exclude it with a "!" pattern in "path", or rename the object';
/** The key folder under which an upload with this prefix put its files (the upload adds the same "/"). */
function keyFolder(prefix) {
    return joinPrefix(prefix, "");
}
function foldsNames(platform) {
    return platform === "darwin" || platform === "win32";
}
/** Why the path part of a key (the key without its folder) cannot be a local path, or undefined. */
function unsafeReason(relative, platform) {
    const control = download_paths_CONTROL_CHARACTER.exec(relative);
    if (control) {
        const code = control[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
        return `has control character U+${code}`;
    }
    if (relative.includes("\\"))
        return "has a backslash, a path separator on Windows";
    for (const segment of relative.split("/")) {
        if (segment === "")
            return 'has an empty segment (a leading or doubled "/")';
        if (segment === "." || segment === "..")
            return `has a "${segment}" segment`;
        if (platform === "win32") {
            if (WINDOWS_FORBIDDEN.test(segment))
                return `has a character Windows forbids in names (<>:"|?*)`;
            if (WINDOWS_RESERVED.test(segment))
                return `has "${segment}", a name Windows reserves for a device`;
            if (/[. ]$/.test(segment))
                return `has "${segment}", which Windows stores without its trailing dot or space`;
        }
    }
    return undefined;
}
/**
 * objects: keys listed under keyFolder(prefix); baseDir absolute. Keys differing only in case or Unicode
 * normalization collide on macOS and Windows (one file would overwrite the other), so they are refused there
 * and accepted elsewhere, where they are distinct files.
 */
function mapKeys(objects, prefix, baseDir, platform = process.platform) {
    const folder = keyFolder(prefix);
    const fold = foldsNames(platform)
        ? (text) => text.normalize("NFC").toLowerCase()
        : (text) => text;
    const errors = [];
    const refuse = (key, why) => {
        errors.push(`Key ${JSON.stringify(key)} ${why}; ${FIX}.`);
    };
    const files = [];
    const skipped = [];
    const fileByPath = new Map();
    const accepted = [];
    for (const object of objects) {
        const key = object.key;
        if (!key.startsWith(folder)) {
            refuse(key, `is not under the prefix's folder "${folder}"`);
            continue;
        }
        const relative = key.slice(folder.length);
        if (relative === "" || relative.endsWith("/")) {
            if (object.size === 0)
                skipped.push(key);
            else
                refuse(key, `ends in "/" yet holds ${object.size} bytes, so it cannot be a file`);
            continue;
        }
        const reason = unsafeReason(relative, platform);
        if (reason) {
            refuse(key, reason);
            continue;
        }
        const folded = fold(relative);
        const other = fileByPath.get(folded);
        if (other !== undefined) {
            refuse(key, `and key ${JSON.stringify(other)} would be the same local file on this system`);
            continue;
        }
        fileByPath.set(folded, key);
        accepted.push({ object, relative });
    }
    // A key named like another key's temp file or resume record: that key's download would replace or remove it.
    const acceptedPaths = new Map(accepted.map(({ object, relative }) => [fold(relative), object.key]));
    const workFiles = new Set();
    for (const { object, relative } of accepted) {
        const slash = relative.lastIndexOf("/");
        const work = workFileOf(relative.slice(slash + 1));
        const owner = work && acceptedPaths.get(fold(relative.slice(0, slash + 1) + work.owner));
        if (!work || owner === undefined)
            continue;
        const article = work.kind === "temp file" ? "a" : "the";
        refuse(object.key, `is named like ${article} ${work.kind} of key ${JSON.stringify(owner)}'s download, which that download would replace or remove`);
        workFiles.add(object.key);
    }
    // A key whose path is a folder of another key's path: one of the two cannot be written.
    const folderOwner = new Map();
    for (const { object, relative } of accepted) {
        const segments = fold(relative).split("/");
        for (let depth = 1; depth < segments.length; depth++) {
            const dir = segments.slice(0, depth).join("/");
            if (!folderOwner.has(dir))
                folderOwner.set(dir, object.key);
        }
    }
    for (const { object, relative } of accepted) {
        if (workFiles.has(object.key))
            continue;
        const needsFolder = folderOwner.get(fold(relative));
        if (needsFolder !== undefined) {
            refuse(object.key, `would be a file where key ${JSON.stringify(needsFolder)} needs a directory`);
            continue;
        }
        const destination = external_node_path_default().join(baseDir, ...relative.split("/"));
        const inside = external_node_path_default().relative(baseDir, destination);
        // Unreachable after the checks above; kept so a future change to them cannot write outside base-dir.
        if (inside === "" || inside.startsWith("..") || external_node_path_default().isAbsolute(inside)) {
            refuse(object.key, `would be written outside base-dir "${baseDir}"`);
            continue;
        }
        files.push({ key: object.key, size: object.size, path: destination });
    }
    if (errors.length === 0)
        return { ok: true, files, skipped };
    return { ok: false, errors: capped(errors) };
}
/** The first refusals and a count: one cause often refuses thousands of keys. */
function capped(errors) {
    const shown = errors.slice(0, MAX_ERRORS);
    if (errors.length > MAX_ERRORS)
        shown.push(`…and ${errors.length - MAX_ERRORS} more keys refused.`);
    return shown;
}
/**
 * Keys whose folder below base-dir already exists as a symbolic link: the engine would write through it,
 * possibly outside base-dir. Folders that do not exist yet are created by the download, never as links.
 */
async function linkedFolderErrors(files, baseDir) {
    const linked = new Map();
    const isLink = (folder) => {
        let answer = linked.get(folder);
        if (answer === undefined) {
            answer = (0,promises_.lstat)(folder).then((stats) => stats.isSymbolicLink(), () => false);
            linked.set(folder, answer);
        }
        return answer;
    };
    const errors = [];
    for (const file of files) {
        const segments = external_node_path_default().relative(baseDir, external_node_path_default().dirname(file.path)).split((external_node_path_default()).sep).filter(Boolean);
        for (let depth = 1; depth <= segments.length; depth++) {
            const folder = external_node_path_default().join(baseDir, ...segments.slice(0, depth));
            if (await isLink(folder)) {
                errors.push(`Key ${JSON.stringify(file.key)} would be written through ${folder}, a symbolic link, possibly outside ` +
                    `base-dir; remove the link, exclude the key with a "!" pattern in "path", or choose another base-dir.`);
                break;
            }
        }
    }
    return capped(errors);
}
function cleanPattern(pattern) {
    return pattern.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}
/** A pattern matches a key path, or, naming a folder, everything below it. */
function matcher(patterns) {
    const expanded = patterns.map(cleanPattern).flatMap((pattern) => [pattern, `${pattern}/**`]);
    // Keys have no hidden files: a "." name is as much a part of the backup as any other.
    return expanded.length === 0 ? () => false : picomatch_default()(expanded, { dot: true });
}
/**
 * The keys the patterns select, in listing order: globs are relative to the prefix's folder, "!" excludes
 * whatever its position (as for uploads), and with no including pattern everything under the prefix is taken.
 */
function selectKeys(objects, prefix, patterns) {
    const folder = keyFolder(prefix);
    const includes = patterns.filter((pattern) => !pattern.startsWith("!"));
    const included = includes.length === 0 ? () => true : matcher(includes);
    const excluded = matcher(patterns.filter((pattern) => pattern.startsWith("!")).map((pattern) => pattern.slice(1)));
    return objects.filter((object) => {
        const relative = object.key.startsWith(folder) ? object.key.slice(folder.length) : object.key;
        return included(relative) && !excluded(relative);
    });
}

;// CONCATENATED MODULE: ./src/frontend/expected-manifest.ts
// expected-manifest: an upload's manifest (manifest.ts) read back as, per key, what a download must reproduce.
// Only files the upload stored count; its failed or dry-run entries promise nothing.

// CRC64ECMA: an upload to Aliyun OSS, proven by the store's own CRC-64.
const expected_manifest_ALGORITHMS = [
    "CRC64NVME",
    "CRC32",
    "CRC32C",
    "SHA1",
    "SHA256",
    "CRC64ECMA",
];
const TYPES = ["FULL_OBJECT", "COMPOSITE"];
const STORED = new Set(["uploaded", "unchanged"]);
const expected_manifest_FIX = 'give the file an upload of s3-verified-upload wrote (the action\'s "manifest" output)';
const isRecord = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const nullableString = (value) => value === null || typeof value === "string";
/** The field that makes an entry unusable, or undefined. */
function badField(entry) {
    if (typeof entry["key"] !== "string" || entry["key"] === "")
        return "key";
    if (typeof entry["status"] !== "string")
        return "status";
    if (!Number.isSafeInteger(entry["size"]) || entry["size"] < 0)
        return "size";
    if (typeof entry["etag"] !== "string")
        return "etag";
    const algorithm = entry["checksumAlgorithm"];
    if (algorithm !== null && !expected_manifest_ALGORITHMS.includes(algorithm))
        return "checksumAlgorithm";
    const type = entry["checksumType"];
    if (type !== null && !TYPES.includes(type))
        return "checksumType";
    if (!nullableString(entry["checksumRemote"]) || !nullableString(entry["checksumLocal"]))
        return "checksumRemote";
    if (entry["sha256"] !== undefined &&
        entry["sha256"] !== null &&
        !/^[0-9a-f]{64}$/.test(String(entry["sha256"]))) {
        return "sha256";
    }
    return undefined;
}
function expectation(entry) {
    const sha256 = entry["sha256"];
    return {
        size: entry["size"],
        checksumAlgorithm: entry["checksumAlgorithm"],
        checksumType: entry["checksumType"],
        // What the store confirmed, else what the upload computed: equal for every verified file.
        checksum: (entry["checksumRemote"] ?? entry["checksumLocal"]),
        etag: entry["etag"],
        ...(typeof sha256 === "string" ? { sha256 } : {}),
    };
}
/** source: the input's value, to name it in errors. */
function parseExpectedManifest(text, source) {
    const fail = (why) => ({
        ok: false,
        error: `Input "expected-manifest": ${source} ${why}; ${expected_manifest_FIX}.`,
    });
    let data;
    try {
        data = JSON.parse(text);
    }
    catch (error) {
        return fail(`is not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!isRecord(data) || data["tool"] !== "s3-verified-upload" || !Array.isArray(data["files"])) {
        return fail("is not a manifest of s3-verified-upload");
    }
    if (data["kind"] === "download")
        return fail("is a download manifest, which proves a download, not what was uploaded");
    const files = new Map();
    for (const [index, entry] of data["files"].entries()) {
        const field = isRecord(entry) ? badField(entry) : "key";
        if (field !== undefined)
            return fail(`is damaged: file ${index + 1} has no valid "${field}"`);
        const record = entry;
        if (!STORED.has(record["status"]))
            continue;
        const key = record["key"];
        if (files.has(key))
            return fail(`lists key "${key}" twice`);
        files.set(key, expectation(record));
    }
    return {
        ok: true,
        manifest: { bucket: typeof data["bucket"] === "string" ? data["bucket"] : null, files },
    };
}
async function readExpectedManifest(file) {
    let text;
    try {
        text = await (0,promises_.readFile)(file, "utf8");
    }
    catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return { ok: false, error: `Input "expected-manifest": cannot read ${file} (${why}); ${expected_manifest_FIX}.` };
    }
    return parseExpectedManifest(text, file);
}

;// CONCATENATED MODULE: ./src/frontend/download.ts
// The download run both front ends share: config → listing → key globs → local paths → expectations → engine.
// Everything else is how each front end reports it.





const ENGINE = { list: listRemoteFiles, run: runDownloads };
const download_STEP = "expected-manifest";
async function download(config, hooks, engine = ENGINE, cwd = process.cwd()) {
    const settings = withDefaultRegion(config, process.env);
    const folder = keyFolder(config.prefix);
    const where = `s3://${settings.bucket}/${folder}`;
    let expected;
    if (config.download.expectedManifest !== undefined) {
        const read = await readExpectedManifest(external_node_path_default().resolve(cwd, config.download.expectedManifest));
        if (!read.ok)
            return { kind: "failed", message: read.error, badSetting: true };
        expected = read.manifest;
        if (expected.bucket !== null && expected.bucket !== settings.bucket) {
            hooks.onEvent({
                type: "warning",
                message: `expected-manifest records bucket "${expected.bucket}", this run reads "${settings.bucket}"; the objects must still match it (a replica keeps sizes and checksums).`,
            });
        }
    }
    const versionId = config.download.versionId;
    let selected;
    if (versionId !== undefined) {
        // The config allows version-id only with one key named outright; size is not known before the engine's HEAD.
        selected = [{ key: folder + config.patterns[0].replace(/^(\.\/)+/, ""), size: 0 }];
    }
    else {
        let listed;
        try {
            listed = await engine.list({
                bucket: settings.bucket,
                s3: settings.s3,
                prefix: folder,
                ...(hooks.signal ? { signal: hooks.signal } : {}),
            });
        }
        catch (error) {
            return { kind: "failed", message: `Listing ${where} failed: ${download_errorText(error)}` };
        }
        selected = selectKeys(listed, config.prefix, config.patterns);
    }
    const baseDir = external_node_path_default().resolve(cwd, config.baseDir);
    const mapped = mapKeys(selected, config.prefix, baseDir);
    const unsafe = mapped.ok ? await linkedFolderErrors(mapped.files, baseDir) : mapped.errors;
    if (!mapped.ok || unsafe.length > 0) {
        return {
            kind: "failed",
            message: `${unsafe.length === 1 ? "A key" : "Keys"} under ${where} cannot be downloaded safely, so nothing was:\n${unsafe.join("\n")}`,
        };
    }
    const refused = [];
    const files = [];
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
    for (const result of refused)
        hooks.onEvent({ type: "file-done", result });
    if (files.length === 0 && refused.length === 0) {
        const patterns = config.patterns.length > 0 ? config.patterns.join(", ") : "everything";
        return {
            kind: "no-files",
            level: config.ifNoFilesFound,
            message: `No object under ${where} matched "path" (${patterns}); check "prefix" and the patterns, or set "if-no-files-found" to warn or ignore.`,
        };
    }
    let run = { ok: true, files: [], staleTempFilesRemoved: [] };
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
        }
        catch (error) {
            return { kind: "failed", message: download_errorText(error) };
        }
    }
    return {
        kind: "done",
        run: { ...run, ok: run.ok && refused.length === 0, files: [...refused, ...run.files] },
    };
}
function expectationProblem(file, expectation, sizeUnknown) {
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
function missingObjects(expected, listed, config, baseDir) {
    const present = new Set(listed.map((object) => object.key));
    const folder = keyFolder(config.prefix);
    const promised = [...expected.files]
        .filter(([key]) => key.startsWith(folder) && !present.has(key))
        .map(([key, expectation]) => ({ key, size: expectation.size }));
    return selectKeys(promised, config.prefix, config.patterns).map((object) => refusal({ ...object, path: external_node_path_default().join(baseDir, ...object.key.slice(folder.length).split("/")) }, "expected-manifest lists this key, but the bucket has no such object", 'restore the object (or its version) in the bucket, or exclude the key with a "!" pattern in "path"', object.size));
}
/** A file failed by the front end before any byte was fetched; nothing was written for it. */
function refusal(file, detail, hint, size = file.size) {
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
        failure: { step: download_STEP, code: null, detail, hint },
        notes: [],
        durationMs: 0,
    };
}
function download_errorText(error) {
    return error instanceof Error ? error.message : String(error);
}
/** Said when SIGINT/SIGTERM arrives, so the log shows what happens to the downloads in flight. */
function downloadCancelText(config) {
    return config.engine.onFailure === "keep"
        ? "Cancelled: stopping; partial downloads keep their temp files beside their destinations (on-failure: keep), and a rerun resumes them."
        : "Cancelled: stopping and removing partial downloads (on-failure: abort); no destination file is half-written.";
}

;// CONCATENATED MODULE: ./src/frontend/download-report.ts
// What a download run reports, for both front ends: outputs, the download manifest, one line per file, the
// totals line and the final error. Mirrors outputs.ts, manifest.ts and totals-line.ts for uploads.






function downloadTotals(files) {
    const count = (status) => files.filter((file) => file.status === status).length;
    return {
        downloaded: count("downloaded"),
        skipped: count("unchanged"),
        failed: count("failed"),
        dryRun: count("dry-run"),
        bytes: files.filter((file) => file.status === "downloaded").reduce((sum, file) => sum + file.size, 0),
    };
}
const failed = (file) => file.status === "failed";
function downloadOutputs(run, manifestPath) {
    const sums = downloadTotals(run.files);
    const outputs = {
        downloaded: String(sums.downloaded),
        skipped: String(sums.skipped),
        bytes: String(sums.bytes),
    };
    // Failed files first: they are what a later step acts on.
    const failedFirst = [...run.files.filter(failed), ...run.files.filter((file) => !failed(file))];
    const results = cappedJsonArray(failedFirst, LIST_BUDGET.results);
    outputs["results"] = results.kept === run.files.length ? JSON.stringify(run.files) : results.json;
    outputs["results-truncated"] = String(results.kept < run.files.length);
    if (manifestPath !== undefined)
        outputs["manifest"] = manifestPath;
    const only = run.files.length === 1 ? run.files[0] : undefined;
    if (only && (only.status === "downloaded" || only.status === "unchanged")) {
        outputs["path"] = only.path;
        outputs["key"] = only.key;
        outputs["etag"] = only.etag;
        outputs["version-id"] = only.versionId ?? "";
        outputs["checksum"] = only.checksumRemote ?? only.checksumLocal ?? "";
        outputs["sha256"] = only.sha256 ?? "";
    }
    return outputs;
}
function buildDownloadManifest(bucket, prefix, baseDir, s3, run, createdAt) {
    return {
        tool: "s3-verified-upload",
        kind: "download",
        version: VERSION,
        createdAt: createdAt.toISOString(),
        bucket,
        prefix,
        baseDir,
        endpoint: s3.endpoint ?? null,
        ok: run.ok,
        totals: downloadTotals(run.files),
        files: run.files,
        staleTempFilesRemoved: run.staleTempFilesRemoved,
    };
}
/** Writes into dir under a fresh name (several steps of a job may download) and returns the path. */
async function writeDownloadManifest(dir, manifest) {
    const file = path.join(dir, `s3-verified-download-${randomUUID()}.json`);
    await writeFile(file, JSON.stringify(manifest, null, 2) + "\n");
    return file;
}
function checksumText(result) {
    if (result.checksumAlgorithm === null)
        return `ETag ${result.etag}`;
    const value = result.checksumRemote ?? result.checksumLocal ?? "";
    return [result.checksumAlgorithm, result.checksumType, value].filter(Boolean).join(" ");
}
function proof(result) {
    return result.verified && result.verification !== "none"
        ? `verified by ${result.verification}`
        : "NOT verified";
}
/** The engine's error names the key and path already; an error that does not gets them added. */
function downloadFailureDetail(result) {
    const error = result.error ?? "failed without an error message";
    return error.includes(result.key) ? error : `${result.key} → ${result.path}: ${error}`;
}
/** One line saying what happened to a file and how it was proven. */
function describeDownload(bucket, result) {
    const where = `s3://${bucket}/${result.key}`;
    const size = formatBytes(result.size);
    switch (result.status) {
        case "failed":
            return `FAILED ${downloadFailureDetail(result)}`;
        case "unchanged":
            return `unchanged ${result.path} (${size}, identical to ${where}: ${proof(result)})`;
        case "dry-run":
            return `would download ${where} → ${result.path} (${size})`;
        case "downloaded":
            return `downloaded ${where} → ${result.path} (${size}, ${checksumText(result)}, ${proof(result)})`;
    }
}
function download_report_verifiedPart(files) {
    const counts = new Map();
    let unverified = 0;
    for (const file of files) {
        if (file.status !== "downloaded" && file.status !== "unchanged")
            continue;
        if (!file.verified || file.verification === "none") {
            unverified++;
            continue;
        }
        const label = file.verification === "etag-md5" ? "ETag/MD5" : `${file.checksumAlgorithm ?? "unknown"} checksum`;
        counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    const groups = [...counts].map(([label, count]) => `${count} by ${label}`);
    return `${groups.join(", ") || "none"}${unverified > 0 ? `, ${unverified} NOT verified` : ""}`;
}
function downloadTotalsLine(files, durationMs) {
    const sums = downloadTotals(files);
    const count = `${files.length} file${files.length === 1 ? "" : "s"}`;
    const outcome = sums.dryRun > 0
        ? `dry run, ${sums.dryRun} would download, ${sums.skipped} unchanged, ${sums.failed} failed`
        : `${sums.downloaded} downloaded (${formatBytes(sums.bytes)}), ${sums.skipped} unchanged, ${sums.failed} failed`;
    const seconds = durationMs < 10_000 ? `${(durationMs / 1000).toFixed(1)}s` : formatDuration(durationMs);
    return `Totals: ${count}, ${outcome}; verified: ${download_report_verifiedPart(files)}; ${seconds}`;
}
const MAX_FAILURE_LINES = 20;
/** The final error: one line per failed file, up to 20; `perFile` says where the rest are. */
function downloadFailureText(files, perFile) {
    const failures = files.filter(failed);
    const lines = failures.slice(0, MAX_FAILURE_LINES).map((file) => `- ${downloadFailureDetail(file)}`);
    if (failures.length > MAX_FAILURE_LINES)
        lines.push(`…and ${failures.length - MAX_FAILURE_LINES} more; ${perFile}.`);
    return [`${failures.length} of ${files.length} files failed:`, ...lines].join("\n");
}
const MAX_STALE_SHOWN = 5;
/** What the run says about the stale temp files it removed; null when it removed none. */
function staleTempsText(paths) {
    if (paths.length === 0)
        return null;
    const one = paths.length === 1;
    const shown = paths.slice(0, MAX_STALE_SHOWN).join(", ");
    const more = paths.length > MAX_STALE_SHOWN ? ` and ${paths.length - MAX_STALE_SHOWN} more` : "";
    return (`Removed ${paths.length} stale temp file${one ? "" : "s"} left by ${one ? "a download that was" : "downloads that were"} ` +
        `stopped before ${one ? "it" : "they"} finished (e.g. killed) without on-failure keep: ${shown}${more}`);
}

;// CONCATENATED MODULE: ./src/cli-commands.ts
// What the CLI runs once it knows it has work to do (not --help, --version or a malformed command line):
// settings → the upload, download or cleanup run → progress on stderr, results on stdout. cli.ts loads this
// module with import(), so that a bundle's start-up parses the engine and the AWS SDK only when a run needs them.














const PER_FILE_DETAIL = "--json lists every file with its own error";
/**
 * Progress goes through a buffer flushed at most every flushMs: one synchronous stderr write per finished
 * file cost ~0.2 s per 1,000 small files. finish() (and exit) writes whatever is left, in order.
 */
function progressHandler(io, doneLine, flushMs = 100) {
    const tty = io.stderr.isTTY === true;
    const clear = tty ? "\r\x1b[K" : "";
    let pending = "";
    let timer;
    const flush = () => {
        if (timer !== undefined)
            clearTimeout(timer);
        timer = undefined;
        if (pending === "")
            return;
        const text = pending;
        pending = "";
        io.stderr.write(text);
    };
    const write = (line) => {
        pending += line;
        timer ??= setTimeout(flush, flushMs);
    };
    process.on("exit", flush);
    const progress = tty ? barProgress({ write }) : lineProgress({ write: (line) => write(`${line}\n`) });
    return {
        onEvent: (event) => {
            if (event.type === "file-done") {
                const line = doneLine(event);
                if (line !== undefined)
                    write(`${clear}${line}\n`);
            }
            if (event.type === "warning")
                write(`${clear}warning: ${event.file ? `${event.file.key}: ` : ""}${event.message}\n`);
            progress(event);
        },
        flush,
        finish: () => {
            write(clear);
            flush();
            process.off("exit", flush);
        },
    };
}
function jsonResult(bucket, outcome) {
    if (outcome.kind === "failed")
        return { ok: false, bucket, error: outcome.message, files: [] };
    const files = outcome.kind === "done" ? outcome.run.files : [];
    const ok = outcome.kind === "done" ? outcome.run.ok : outcome.level !== "error";
    return {
        ok,
        bucket,
        ...totals(files),
        keys: files.filter((file) => !failures_failedOrRefused(file)).map((file) => file.key),
        files,
        ...(outcome.kind === "no-files" ? { message: outcome.message } : {}),
    };
}
/** Runs `command` with the parsed command line; resolves to the process's exit code. */
async function runCommand(command, args, io) {
    const known = new Set(inputs/* INPUTS */.mc.map((input) => (0,inputs/* envName */.pD)(input.name)));
    for (const name of Object.keys(io.env)) {
        if (name.startsWith(inputs/* ENV_PREFIX */.N8) && !known.has(name)) {
            io.stderr.write(`warning: environment variable ${name} is not a setting and is ignored; see --help.\n`);
        }
    }
    const lookup = (name) => {
        if (name === "mode" && command !== "upload")
            return command;
        if (name === "path" && args.globs.length > 0) {
            return [...args.globs, ...(args.values.get("path") ?? "").split("\n")].join("\n");
        }
        return args.values.get(name) ?? io.env[(0,inputs/* envName */.pD)(name)];
    };
    const config = parseConfig(lookup, undefined, io.env);
    if (!config.ok) {
        for (const error of config.errors)
            io.stderr.write(`error: ${error}\n`);
        io.stderr.write("Run with --help to see every option.\n");
        if (args.json)
            io.stdout.write(JSON.stringify({ ok: false, errors: config.errors }, null, 2) + "\n");
        return cli_io/* EXIT_USAGE */.Ri;
    }
    if (config.config.mode === "cleanup")
        return cleanupCommand(config.config, io, args.json);
    if (config.config.mode === "download")
        return downloadCommand(config.config, io, args);
    // A cause shared by many files is shown with its first file here, and counted in the final error.
    const repeated = repeatedFailures();
    const progress = progressHandler(io, (event) => repeated(event.result) ? undefined : describeResult(event.result));
    const onAbort = () => {
        progress.flush();
        io.stderr.write(`${cancelText(config.config)}\n`);
    };
    io.signal?.addEventListener("abort", onAbort, { once: true });
    let outcome;
    const started = performance.now();
    try {
        outcome = await upload(config.config, { onEvent: progress.onEvent, signal: io.signal });
    }
    finally {
        progress.finish();
    }
    if (args.json)
        io.stdout.write(JSON.stringify(jsonResult(config.config.engine.bucket, outcome), null, 2) + "\n");
    if (outcome.kind === "failed") {
        io.stderr.write(`error: ${outcome.message}\n`);
        return outcome.badSetting ? cli_io/* EXIT_USAGE */.Ri : cli_io/* EXIT_FAILED */.hj;
    }
    if (outcome.kind === "no-files") {
        if (outcome.level !== "ignore")
            io.stderr.write(`${outcome.level}: ${outcome.message}\n`);
        return outcome.level === "error" ? cli_io/* EXIT_FAILED */.hj : cli_io/* EXIT_OK */.Ij;
    }
    if (args.checksumsFile !== undefined) {
        const written = await writeChecksums(args.checksumsFile, config.config, outcome.run.files, io);
        if (!written)
            return cli_io/* EXIT_FAILED */.hj;
    }
    if (!outcome.run.ok)
        io.stderr.write(`error: ${failureText(outcome.run.files, PER_FILE_DETAIL)}\n`);
    // Last, so the final line answers "what happened" without scrolling up.
    io.stderr.write(`${totalsLine(outcome.run.files, performance.now() - started)}\n`);
    return outcome.run.ok ? cli_io/* EXIT_OK */.Ij : cli_io/* EXIT_FAILED */.hj;
}
/** The --checksums-file list; false (said on stderr) when it cannot be written. */
async function writeChecksums(target, config, files, io) {
    const text = checksumsText(files, config.prefix);
    if (text === null) {
        const done = config.mode === "download" ? "written" : "stored";
        io.stderr.write(`warning: no file has a SHA-256 (nothing was ${done}, or sha256 is false); ${target} is written empty.\n`);
    }
    try {
        await (0,promises_.writeFile)(target, text ?? "");
        return true;
    }
    catch (error) {
        io.stderr.write(`error: --checksums-file: cannot write ${target} (${error instanceof Error ? error.message : String(error)}); ` +
            "choose a path in a writable directory.\n");
        return false;
    }
}
function downloadJson(config, outcome) {
    const where = { bucket: config.engine.bucket, prefix: config.prefix };
    if (outcome.kind === "failed")
        return { ok: false, ...where, error: outcome.message, files: [] };
    const files = outcome.kind === "done" ? outcome.run.files : [];
    const ok = outcome.kind === "done" ? outcome.run.ok : outcome.level !== "error";
    return {
        ok,
        ...where,
        ...downloadTotals(files),
        files,
        staleTempFilesRemoved: outcome.kind === "done" ? outcome.run.staleTempFilesRemoved : [],
        ...(outcome.kind === "no-files" ? { message: outcome.message } : {}),
    };
}
async function downloadCommand(config, io, args) {
    const bucket = config.engine.bucket;
    const progress = progressHandler(io, (event) => describeDownload(bucket, event.result));
    const onAbort = () => {
        progress.flush();
        io.stderr.write(`${downloadCancelText(config)}\n`);
    };
    io.signal?.addEventListener("abort", onAbort, { once: true });
    const started = performance.now();
    let outcome;
    try {
        outcome = await download(config, { onEvent: progress.onEvent, signal: io.signal });
    }
    finally {
        progress.finish();
    }
    if (args.json)
        io.stdout.write(JSON.stringify(downloadJson(config, outcome), null, 2) + "\n");
    if (outcome.kind === "failed") {
        io.stderr.write(`error: ${outcome.message}\n`);
        return outcome.badSetting ? cli_io/* EXIT_USAGE */.Ri : cli_io/* EXIT_FAILED */.hj;
    }
    if (outcome.kind === "no-files") {
        if (outcome.level !== "ignore")
            io.stderr.write(`${outcome.level}: ${outcome.message}\n`);
        return outcome.level === "error" ? cli_io/* EXIT_FAILED */.hj : cli_io/* EXIT_OK */.Ij;
    }
    if (args.checksumsFile !== undefined) {
        const written = await writeChecksums(args.checksumsFile, config, outcome.run.files, io);
        if (!written)
            return cli_io/* EXIT_FAILED */.hj;
    }
    const stale = staleTempsText(outcome.run.staleTempFilesRemoved);
    if (stale !== null)
        io.stderr.write(`${stale}\n`);
    if (!outcome.run.ok)
        io.stderr.write(`error: ${downloadFailureText(outcome.run.files, PER_FILE_DETAIL)}\n`);
    io.stderr.write(`${downloadTotalsLine(outcome.run.files, performance.now() - started)}\n`);
    return outcome.run.ok ? cli_io/* EXIT_OK */.Ij : cli_io/* EXIT_FAILED */.hj;
}
async function cleanupCommand(config, io, json) {
    const outcome = await cleanup_cleanup(config, io.signal);
    if (outcome.kind === "failed") {
        io.stderr.write(`error: ${outcome.message}\n`);
        if (json)
            io.stdout.write(JSON.stringify({ ok: false, error: outcome.message }, null, 2) + "\n");
        return cli_io/* EXIT_FAILED */.hj;
    }
    for (const line of cleanupLines(config, outcome.result))
        io.stderr.write(`${line}\n`);
    if (json)
        io.stdout.write(JSON.stringify(outcome.result, null, 2) + "\n");
    return outcome.result.ok ? cli_io/* EXIT_OK */.Ij : cli_io/* EXIT_FAILED */.hj;
}


/***/ })

};
