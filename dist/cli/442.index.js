export const id = 442;
export const ids = [442];
export const modules = {

/***/ 8153:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Hv: () => (/* binding */ withChildSignal),
/* harmony export */   eG: () => (/* binding */ whenAborted)
/* harmony export */ });
/* unused harmony export childSignal */
// One abort listener per signal, however many operations wait on it. A run hands one signal to every part
// wait, retry sleep and request; a listener each piles up past Node's limit of 10 (MaxListenersExceeded-
// Warning) on any run with enough files in flight, though each is removed when its operation ends.
const subscribed = new WeakMap();
/**
 * Calls `callback` once when `signal` aborts, unless the returned function is called first. The signal
 * carries one listener for all callbacks, removed when the last one leaves.
 */
function whenAborted(signal, callback) {
    let subscribers = subscribed.get(signal);
    if (subscribers === undefined) {
        const callbacks = new Set();
        const fire = () => {
            subscribed.delete(signal);
            for (const waiting of [...callbacks])
                waiting();
            callbacks.clear();
        };
        subscribers = { callbacks, fire };
        subscribed.set(signal, subscribers);
        signal.addEventListener("abort", fire, { once: true });
    }
    const { callbacks, fire } = subscribers;
    callbacks.add(callback);
    return () => {
        if (!callbacks.delete(callback) || callbacks.size > 0)
            return;
        signal.removeEventListener("abort", fire);
        if (subscribed.get(signal) === subscribers)
            subscribed.delete(signal);
    };
}
/**
 * A signal of its own for one operation, aborted with `parent`: the SDK and node:http each add their own
 * listener to the signal they are given, so they get this one. Call `release` when the operation ends.
 */
function childSignal(parent) {
    const child = new AbortController();
    if (parent.aborted) {
        child.abort(parent.reason);
        return { signal: child.signal, release: () => undefined };
    }
    const release = whenAborted(parent, () => child.abort(parent.reason));
    return { signal: child.signal, release };
}
/**
 * Runs `operation` with a child of `signal` (none when there is no signal), released when it settles: for
 * clients that add a listener of their own to the signal they are given (the SDK, node:http), so the run's
 * signal keeps only the one shared listener.
 */
async function withChildSignal(signal, operation) {
    if (signal === undefined)
        return operation(undefined);
    const child = childSignal(signal);
    try {
        return await operation(child.signal);
    }
    finally {
        child.release();
    }
}


/***/ }),

/***/ 8588:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   F0: () => (/* binding */ digestLength),
/* harmony export */   JY: () => (/* binding */ isStoreComputed),
/* harmony export */   KE: () => (/* binding */ isFullObjectAlgorithm),
/* harmony export */   PB: () => (/* binding */ defaultChecksumType),
/* harmony export */   Sp: () => (/* binding */ AMZ_CHECKSUM_ALGORITHMS),
/* harmony export */   WE: () => (/* binding */ sdkChecksumField),
/* harmony export */   ky: () => (/* binding */ checksumTypeAllowed),
/* harmony export */   wp: () => (/* binding */ checksumHeaderName)
/* harmony export */ });
// S3 rules: CRC64NVME is FULL_OBJECT only, SHA1/SHA256 COMPOSITE only, CRC32/CRC32C either.
const FACTS = {
    CRC64NVME: {
        header: "x-amz-checksum-crc64nvme",
        sdkField: "ChecksumCRC64NVME",
        digestBytes: 8,
        defaultType: "FULL_OBJECT",
        allowedTypes: ["FULL_OBJECT"],
    },
    CRC32: {
        header: "x-amz-checksum-crc32",
        sdkField: "ChecksumCRC32",
        digestBytes: 4,
        defaultType: "FULL_OBJECT",
        allowedTypes: ["FULL_OBJECT", "COMPOSITE"],
    },
    CRC32C: {
        header: "x-amz-checksum-crc32c",
        sdkField: "ChecksumCRC32C",
        digestBytes: 4,
        defaultType: "FULL_OBJECT",
        allowedTypes: ["FULL_OBJECT", "COMPOSITE"],
    },
    SHA1: {
        header: "x-amz-checksum-sha1",
        sdkField: "ChecksumSHA1",
        digestBytes: 20,
        defaultType: "COMPOSITE",
        allowedTypes: ["COMPOSITE"],
    },
    SHA256: {
        header: "x-amz-checksum-sha256",
        sdkField: "ChecksumSHA256",
        digestBytes: 32,
        defaultType: "COMPOSITE",
        allowedTypes: ["COMPOSITE"],
    },
    // OSS answers the whole object's CRC on Complete and Head: the FULL_OBJECT kind, combined from the parts'.
    CRC64ECMA: {
        header: "x-oss-hash-crc64ecma",
        sdkField: null,
        digestBytes: 8,
        defaultType: "FULL_OBJECT",
        allowedTypes: ["FULL_OBJECT"],
    },
};
/** The x-amz-checksum algorithms: requests carry them, and stores that keep them answer them. */
const AMZ_CHECKSUM_ALGORITHMS = Object.keys(FACTS).filter((algorithm) => FACTS[algorithm].sdkField !== null);
function defaultChecksumType(algorithm) {
    return FACTS[algorithm].defaultType;
}
function checksumTypeAllowed(algorithm, type) {
    return FACTS[algorithm].allowedTypes.includes(type);
}
function checksumHeaderName(algorithm) {
    return FACTS[algorithm].header;
}
function sdkChecksumField(algorithm) {
    const field = FACTS[algorithm].sdkField;
    if (field === null) {
        throw new Error(`${algorithm} is the store's own checksum (${FACTS[algorithm].header}); no request carries it`);
    }
    return field;
}
function isStoreComputed(algorithm) {
    return FACTS[algorithm].sdkField === null;
}
function digestLength(algorithm) {
    return FACTS[algorithm].digestBytes;
}
function isFullObjectAlgorithm(algorithm) {
    return checksumTypeAllowed(algorithm, "FULL_OBJECT");
}


/***/ }),

/***/ 8491:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   o: () => (/* binding */ CRC64NVME_WASM_BASE64)
/* harmony export */ });
// Generated by `npm run build:crc64-wasm` from crc64nvme.wat: do not edit by hand.
const CRC64NVME_WASM_BASE64 = "AGFzbQEAAAABDAJgAX4AYAN+f38BfgMDAgABBQYBAwL//wMHGgMGbWVtb3J5AgAEaW5pdAAABnVwZGF0ZQABCscFAoEBAgJ/AX4DQCABrSEDQQghAgNAIANCAYggAEIAIANCAYN9g4UhAyACQQFrIgINAAsgAUEDdCADNwMAIAFBAWoiAUGAAkkNAAtBgBAhAQNAIAFBgBBrKQMAIQMgASADQgiIIANC/wGDp0EDdCkDAIU3AwAgAUEIaiIBQYCAAkkNAAsLwQQCAn8BfiABIQMgASACaiEEAkADQCADQSBqIARLDQEgAykDACAAhSEFIAMtAAhBA3QpA4BwIAMtAAlBA3QpA4BghSADLQAKQQN0KQOAUCADLQALQQN0KQOAQIWFIAMtAAxBA3QpA4AwIAMtAA1BA3QpA4AghSADLQAOQQN0KQOAECADLQAPQQN0KQMAhYWFIAWnQQN0QfgPcSkDgPABIAVCBYinQfgPcSkDgOABhSAFQg2Ip0H4D3EpA4DQASAFQhWIp0H4D3EpA4DAAYWFIAVCHYinQfgPcSkDgLABIAVCJYinQfgPcSkDgKABhSAFQi2Ip0H4D3EpA4CQASAFQjWIp0H4D3EpA4CAAYWFhYUhACADKQMQIACFIQUgAy0AGEEDdCkDgHAgAy0AGUEDdCkDgGCFIAMtABpBA3QpA4BQIAMtABtBA3QpA4BAhYUgAy0AHEEDdCkDgDAgAy0AHUEDdCkDgCCFIAMtAB5BA3QpA4AQIAMtAB9BA3QpAwCFhYUgBadBA3RB+A9xKQOA8AEgBUIFiKdB+A9xKQOA4AGFIAVCDYinQfgPcSkDgNABIAVCFYinQfgPcSkDgMABhYUgBUIdiKdB+A9xKQOAsAEgBUIliKdB+A9xKQOAoAGFIAVCLYinQfgPcSkDgJABIAVCNYinQfgPcSkDgIABhYWFhSEAIANBIGohAwwACwsCQANAIAMgBE8NASAAQgiIIAAgAzEAAIVC/wGDp0EDdCkDAIUhACADQQFqIQMMAAsLIAAL";


/***/ }),

/***/ 9714:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $V: () => (/* binding */ Crc64Nvme),
/* harmony export */   Q9: () => (/* binding */ crc64NvmeKernel),
/* harmony export */   h_: () => (/* binding */ crc64NvmeSharedKernel)
/* harmony export */ });
/* harmony import */ var _crc64nvme_wasm_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8491);
// CRC-64/NVME on a slicing-by-16 WebAssembly kernel (crc64nvme.wat). Portable: WebAssembly runs on every
// OS/arch Node does, and the module (under 1 KiB) is embedded in the bundle. The module builds its tables from
// the polynomial it is given, so the same bytes also serve CRC-64/XZ (crc64xz.ts), in an instance of its own.

/**
 * Instantiates the kernel for a reflected CRC-64 whose initial value and final xor are all ones (CRC-64/NVME
 * by default, CRC-64/XZ with 0xc96c5795d7870f42). Self-contained on purpose (it uses only its arguments and
 * globals): hash-workers.ts ships this function's source text to worker threads. With `importedMemory` (a
 * module from wasm-memory-import.ts and another kernel's wasmMemory) it runs on that kernel's memory and tables:
 * it may then only hash bytes in place (its input window is the other kernel's too), and its polynomial is the
 * other kernel's.
 */
function crc64NvmeKernel(wasmBase64, importedMemory, reflectedPolynomial = 0x9a6c9329ac4bc9b5n) {
    const allOnes = 0xffffffffffffffffn;
    // Where crc64nvme.wat expects the input, and how much of it fits.
    const windowOffset = 32768;
    const windowBytes = 65536;
    const pageBytes = 65536;
    // V8 runs WebAssembly on its baseline compiler first and switches to optimised code between calls, never
    // within one: calls of this size let the first part switch early (callgrind, a fresh kernel hashing 16 MiB:
    // 6.6 instructions per byte in one call, 6.2 in 1 MiB calls).
    const inPlaceStep = 1024 * 1024;
    // The project's TypeScript libs (no DOM) do not declare the WebAssembly global; this is the part used.
    const wasm = globalThis.WebAssembly;
    // Synchronous compile is fine for a module this small, and keeps hashing synchronous.
    const module = new wasm.Module(Buffer.from(wasmBase64, "base64"));
    const imports = importedMemory === undefined ? {} : { env: { memory: importedMemory } };
    const exports = new wasm.Instance(module, imports).exports;
    // The tables live in the memory: a kernel on another's memory finds them made, and must not rewrite them while
    // that one reads them.
    if (importedMemory === undefined)
        exports.init(reflectedPolynomial);
    const memory = exports.memory;
    const window = new Uint8Array(memory.buffer, windowOffset, windowBytes);
    // Growing a shared memory gives a new, longer SharedArrayBuffer and leaves the earlier ones valid: views
    // of any of them are bytes this kernel reads in place.
    const ownBuffers = new WeakSet([memory.buffer]);
    return {
        initial: allOnes,
        update(register, data) {
            if (ownBuffers.has(data.buffer)) {
                for (let offset = 0; offset < data.byteLength; offset += inPlaceStep) {
                    const length = Math.min(inPlaceStep, data.byteLength - offset);
                    register = exports.update(register, data.byteOffset + offset, length);
                }
                return register;
            }
            for (let offset = 0; offset < data.byteLength; offset += windowBytes) {
                const length = Math.min(windowBytes, data.byteLength - offset);
                window.set(data.subarray(offset, offset + length));
                register = exports.update(register, windowOffset, length);
            }
            return register;
        },
        holds(data) {
            return ownBuffers.has(data.buffer);
        },
        firstFreeByte: windowOffset + windowBytes,
        wasmMemory: memory,
        memoryUpTo(end) {
            const missing = end - memory.buffer.byteLength;
            if (missing > 0) {
                try {
                    memory.grow(Math.ceil(missing / pageBytes));
                }
                catch {
                    // Past the declared maximum, or the system refused the pages.
                    return null;
                }
            }
            const buffer = memory.buffer;
            ownBuffers.add(buffer);
            return buffer;
        },
        finish(register) {
            const out = Buffer.alloc(8);
            out.writeBigUInt64BE(BigInt.asUintN(64, register) ^ allOnes);
            return out;
        },
    };
}
// One instance serves every hasher of this thread: update() is synchronous, so no two hashers ever use the
// input window at once.
let sharedKernel;
/** This thread's kernel, whose memory also holds the buffers of hash-memory.ts. */
function crc64NvmeSharedKernel() {
    return (sharedKernel ??= crc64NvmeKernel(_crc64nvme_wasm_js__WEBPACK_IMPORTED_MODULE_0__/* .CRC64NVME_WASM_BASE64 */ .o));
}
/** A streaming CRC-64/NVME: feed bytes in any split, then read the raw 8 bytes. */
class Crc64Nvme {
    kernel = crc64NvmeSharedKernel();
    register = this.kernel.initial;
    update(data) {
        this.register = this.kernel.update(this.register, data);
    }
    digest() {
        return this.kernel.finish(this.register);
    }
}


/***/ }),

/***/ 7346:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   li: () => (/* binding */ Crc64Xz),
/* harmony export */   u8: () => (/* binding */ crc64EcmaFromHeader)
/* harmony export */ });
/* unused harmony export crc64EcmaHeaderValue */
/* harmony import */ var _crc64nvme_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9714);
/* harmony import */ var _crc64nvme_wasm_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8491);
// CRC-64/XZ: the CRC Aliyun OSS computes of every object and part and answers in x-oss-hash-crc64ecma (Aliyun
// calls it "ECMA-182": polynomial 0x42F0E1EBA9EA3693 reflected, initial value and final xor all ones; the
// check value of "123456789" is 0x995DC9BBDF1939FA). Same kernel module as CRC-64/NVME, its own instance.
// The instance has its own memory, so bytes from anywhere (hash-memory.ts's buffers included) go through its
// input window: OSS runs pay that copy (~0.2 CPU-s per GiB) that CRC64NVME runs hashing in place do not.


const REFLECTED_POLYNOMIAL = 0xc96c5795d7870f42n;
let sharedKernel;
function kernel() {
    return (sharedKernel ??= (0,_crc64nvme_js__WEBPACK_IMPORTED_MODULE_0__/* .crc64NvmeKernel */ .Q9)(_crc64nvme_wasm_js__WEBPACK_IMPORTED_MODULE_1__/* .CRC64NVME_WASM_BASE64 */ .o, undefined, REFLECTED_POLYNOMIAL));
}
/** A streaming CRC-64/XZ: feed bytes in any split, then read the raw 8 bytes (big-endian). */
class Crc64Xz {
    kernel = kernel();
    register = this.kernel.initial;
    update(data) {
        this.register = this.kernel.update(this.register, data);
    }
    digest() {
        return this.kernel.finish(this.register);
    }
}
/** The 8 raw bytes as x-oss-hash-crc64ecma writes them: a decimal unsigned 64-bit integer. */
function crc64EcmaHeaderValue(digest) {
    return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).readBigUInt64BE().toString(10);
}
/** The raw 8 bytes of an x-oss-hash-crc64ecma value, or null when it is not a decimal uint64. */
function crc64EcmaFromHeader(value) {
    if (!/^[0-9]{1,20}$/.test(value))
        return null;
    const crc = BigInt(value);
    if (crc >= 1n << 64n)
        return null;
    const out = Buffer.alloc(8);
    out.writeBigUInt64BE(crc);
    return out;
}


/***/ }),

/***/ 7442:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  W: () => (/* binding */ listPendingUploads),
  K: () => (/* binding */ runCleanup)
});

// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(7679);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/engine/cleanup/lifecycle.ts
// The bucket lifecycle rule that aborts incomplete multipart uploads (seed 001), merged into the rules already there.

const RULE_ID_BASE = "s3-verified-upload-abort-incomplete";
/** S3's limit on a rule ID. */
const MAX_RULE_ID = 255;
/** One rule per prefix, recognisable by its ID so a rerun updates it instead of adding another. */
function abortRuleId(prefix) {
    const readable = prefix === "" ? RULE_ID_BASE : `${RULE_ID_BASE}:${prefix}`;
    if (readable.length <= MAX_RULE_ID)
        return readable;
    return `${RULE_ID_BASE}:sha256:${(0,external_node_crypto_.createHash)("sha256").update(prefix).digest("hex")}`;
}
/**
 * PutBucketLifecycleConfiguration replaces the whole configuration, so the new rule set is every existing
 * rule as it was, with ours added or replaced in place.
 */
function mergeAbortRule(existing, prefix, days) {
    const ruleId = abortRuleId(prefix);
    const ours = {
        ID: ruleId,
        Status: "Enabled",
        Filter: { Prefix: prefix },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
    };
    const index = existing.findIndex((rule) => rule.ID === ruleId);
    if (index === -1)
        return { rules: [...existing, ours], change: "added", ruleId };
    const current = existing[index];
    const same = current.Status === "Enabled" &&
        (current.Filter?.Prefix ?? current.Prefix ?? "") === prefix &&
        current.Filter?.And === undefined &&
        current.AbortIncompleteMultipartUpload?.DaysAfterInitiation === days;
    if (same)
        return { rules: [...existing], change: "unchanged", ruleId };
    return { rules: existing.map((rule, at) => (at === index ? ours : rule)), change: "updated", ruleId };
}

// EXTERNAL MODULE: ./src/engine/retry.ts
var engine_retry = __webpack_require__(3344);
// EXTERNAL MODULE: ./src/engine/s3/s3-client.ts + 5 modules
var s3_client = __webpack_require__(1706);
// EXTERNAL MODULE: ./src/engine/s3/providers.ts
var providers = __webpack_require__(5535);
;// CONCATENATED MODULE: ./src/engine/cleanup/cleanup.ts
// Cleanup mode: list in-progress multipart uploads under a prefix and abort those old enough (or say so, dry run).





const SOCKETS = 4;
/**
 * Every in-progress upload whose key starts with `prefix`, across ListMultipartUploads pages. A store that
 * lists by exact key (providers.ts: MinIO) is asked for the whole bucket, its answer kept to the prefix; a
 * prefix that is one key (resume's) is answered by every store.
 */
async function listPendingUploads(store, bucket, prefix, retry, signal, listing = "any-prefix") {
    const asked = listing === "exact-key" ? "" : prefix;
    const uploads = [];
    let next;
    do {
        const marker = next;
        const page = await retry(() => store.listUploadsPage({ bucket, prefix: asked, ...marker }, signal));
        uploads.push(...page.uploads.filter((upload) => upload.key.startsWith(prefix)));
        if (page.next &&
            marker &&
            page.next.keyMarker === marker.keyMarker &&
            page.next.uploadIdMarker === marker.uploadIdMarker) {
            throw new Error(`ListMultipartUploads pagination did not advance past key-marker ${marker.keyMarker}`);
        }
        next = page.next;
    } while (next !== undefined);
    return uploads;
}
function retryPolicy(options) {
    const tuning = options.tuning ?? {};
    return {
        ...engine_retry/* DEFAULT_RETRY */.vI,
        ...(tuning.maxAttempts !== undefined ? { maxAttempts: tuning.maxAttempts } : {}),
        ...(tuning.retryBaseDelayMs !== undefined ? { baseDelayMs: tuning.retryBaseDelayMs } : {}),
    };
}
/**
 * Aborts in-progress uploads under the prefix initiated at least `olderThanMs` ago. An upload whose age the
 * store does not report is left alone: aborting someone's running upload is worse than leaving a stale one.
 */
async function runCleanup(options) {
    if (!options.bucket)
        throw new Error("Missing bucket: name the bucket to clean up.");
    if (!Number.isFinite(options.olderThanMs) || options.olderThanMs < 0) {
        throw new Error(`Invalid older-than ${options.olderThanMs} ms: use a duration of zero or more, e.g. 7d.`);
    }
    const store = (0,s3_client/* createS3Store */.oT)(options.s3, {
        maxSockets: SOCKETS,
        stallTimeoutMs: options.tuning?.stallTimeoutMs ?? engine_retry/* DEFAULT_STALL_TIMEOUT_MS */.es,
    });
    const policy = retryPolicy(options);
    const retry = (operation) => (0,engine_retry/* withRetry */.bD)(operation, {
        policy,
        onRetry: () => undefined,
        ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
        const result = { uploads: [], ok: true };
        if (options.lifecycleDays !== undefined) {
            result.lifecycle = await installAbortRule(store, options, options.lifecycleDays, retry);
        }
        const { listMultipartUploads } = (0,providers/* providerProfile */.FQ)(options.s3.provider, options.s3.endpoint);
        const pending = await listPendingUploads(store, options.bucket, options.prefix, retry, options.signal, listMultipartUploads);
        const cutoff = (options.now ?? new Date()).getTime() - options.olderThanMs;
        for (const upload of pending) {
            result.uploads.push(await settle(store, options, upload, cutoff, retry));
        }
        result.ok = result.uploads.every((upload) => upload.action !== "failed");
        return result;
    }
    catch (error) {
        const hint = (0,errors/* hintFor */.JR)(error);
        throw new Error(`Cleanup of s3://${options.bucket}/${options.prefix} failed: ${(0,errors/* describeS3Error */.ye)(error)}${hint ? `. ${hint}` : ""}`, { cause: error });
    }
    finally {
        store.destroy();
    }
}
async function settle(store, options, upload, cutoff, retry) {
    const entry = {
        key: upload.key,
        uploadId: upload.uploadId,
        initiated: upload.initiated ? upload.initiated.toISOString() : null,
    };
    if (!upload.initiated || upload.initiated.getTime() > cutoff)
        return { ...entry, action: "too-young" };
    if (options.dryRun)
        return { ...entry, action: "would-abort" };
    try {
        await retry(() => store.abortMultipartUpload({ bucket: options.bucket, ...upload }, options.signal));
        return { ...entry, action: "aborted" };
    }
    catch (error) {
        // Gone already (another cleanup, or it completed meanwhile): nothing is left, which is what we wanted.
        if (error.name === "NoSuchUpload")
            return { ...entry, action: "aborted" };
        return { ...entry, action: "failed", error: (0,errors/* describeS3Error */.ye)(error) };
    }
}
async function installAbortRule(store, options, days, retry) {
    if (!Number.isInteger(days) || days < 1) {
        throw new Error(`Invalid lifecycle days ${days}: use a whole number of days, 1 or more, e.g. 7.`);
    }
    const existing = await retry(() => store.getLifecycle(options.bucket, options.signal));
    const merged = mergeAbortRule(existing.rules, options.prefix, days);
    const otherRules = merged.rules.length - 1;
    if (merged.change !== "unchanged") {
        if (options.dryRun) {
            const action = merged.change === "added" ? "would-add" : "would-update";
            return { ruleId: merged.ruleId, days, action, otherRules };
        }
        const lifecycle = { ...existing, rules: merged.rules };
        await retry(() => store.putLifecycle(options.bucket, lifecycle, options.signal));
    }
    return { ruleId: merged.ruleId, days, action: merged.change, otherRules };
}


/***/ }),

/***/ 7679:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   JR: () => (/* binding */ hintFor),
/* harmony export */   NI: () => (/* binding */ HINTS),
/* harmony export */   Nz: () => (/* binding */ s3ErrorInfo),
/* harmony export */   P_: () => (/* binding */ Refusal),
/* harmony export */   Ut: () => (/* binding */ isNoSuchUpload),
/* harmony export */   _p: () => (/* binding */ stepFailed),
/* harmony export */   g5: () => (/* binding */ failureOf),
/* harmony export */   ip: () => (/* binding */ GONE_UPLOAD),
/* harmony export */   o_: () => (/* binding */ hintForCode),
/* harmony export */   pZ: () => (/* binding */ isCreateRefused),
/* harmony export */   ye: () => (/* binding */ describeS3Error),
/* harmony export */   zg: () => (/* binding */ StepError)
/* harmony export */ });
/* harmony import */ var _s3_credentials_sts_hints_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1443);

function s3ErrorInfo(error) {
    if (!(error instanceof Error))
        return { code: "Unknown", message: String(error) };
    const shape = error;
    const info = {
        code: shape.Code ?? shape.code ?? shape.name ?? "Error",
        message: shape.message || "(no message)",
    };
    if (shape.$metadata?.httpStatusCode !== undefined)
        info.status = shape.$metadata.httpStatusCode;
    if (shape.$metadata?.requestId)
        info.requestId = shape.$metadata.requestId;
    const region = shape.$response?.headers?.["x-amz-bucket-region"] ?? shape.Region;
    if (region)
        info.region = region;
    return info;
}
/**
 * A write refused because the key already exists: S3's 412 under If-None-Match, OSS's 409 FileAlreadyExists
 * under x-oss-forbid-overwrite (providers.ts: conditionalCreate). A StepError is judged by its cause.
 */
function isCreateRefused(error) {
    const cause = error instanceof StepError ? (error.cause ?? error) : error;
    const code = s3ErrorInfo(cause).code;
    return code === "PreconditionFailed" || code === "FileAlreadyExists";
}
function describeS3Error(error) {
    const info = s3ErrorInfo(error);
    const status = info.status === undefined ? "" : ` (HTTP ${info.status})`;
    const requestId = info.requestId ? `, request id ${info.requestId}` : "";
    return `${info.code}${status}: ${info.message}${requestId}`;
}
/** A failure of one step for one file; the message is complete enough to show the user as is. */
class StepError extends Error {
    step;
    detail;
    hint;
    constructor(step, detail, hint, cause) {
        super(`${step} failed: ${detail}. ${hint}`, cause === undefined ? undefined : { cause });
        this.step = step;
        this.detail = detail;
        this.hint = hint;
        this.name = "StepError";
    }
}
/**
 * The run declines a file by its own rule (the overwrite policy, S3's size limits) rather than a step failing
 * on the store: a dry run reports it as "refused", a real run as failed.
 */
class Refusal extends Error {
    step;
    constructor(step, message) {
        super(message);
        this.step = step;
        this.name = "Refusal";
    }
}
/**
 * What a failure is: the step, the store's or the network's error code when there is one (null when the
 * message itself is the cause, e.g. a checksum mismatch) for grouping one cause shared by many files, and
 * what went wrong and the fix apart for the summary.
 */
function failureOf(error) {
    const outer = error instanceof Error ? error.message : String(error);
    if (error instanceof Refusal)
        return { step: error.step, code: null, detail: outer, hint: "" };
    // Cleanup wraps the step's error to say what it left behind; that sentence belongs with the fix.
    for (let cause = error; cause instanceof Error; cause = cause.cause) {
        if (!(cause instanceof StepError))
            continue;
        const after = outer.startsWith(cause.message) ? outer.slice(cause.message.length).trim() : "";
        const sdk = cause.cause;
        const code = sdk?.Code ?? sdk?.code ?? (sdk?.name && sdk.name !== "Error" ? sdk.name : undefined);
        return {
            step: cause.step,
            code: typeof code === "string" ? code : null,
            detail: cause.detail,
            hint: `${cause.hint} ${after}`.trim(),
        };
    }
    return { step: "file", code: null, detail: outer, hint: "" };
}
/** Why an upload this run was using is gone, when the store says NoSuchUpload. */
const GONE_UPLOAD = "completed or aborted by someone else — is another job uploading the same key?";
const UNTRUSTED_CERTIFICATE = "The endpoint's TLS certificate is not trusted here: if a private CA signed it, set AWS_CA_BUNDLE (or ca_bundle in the AWS profile) to that CA's PEM file.";
/** Answers caused by the setup rather than the moment: their fix replaces the step's general hint. */
const HINTS_BY_CODE = {
    NoSuchBucket: 'The bucket does not exist at this endpoint: check "bucket", and "region" or "endpoint".',
    AccessDenied: 'The credentials may not do this: grant the actions of the README\'s "Minimal IAM policy" on this bucket and prefix.',
    InvalidAccessKeyId: "The store does not know this access key: check AWS_ACCESS_KEY_ID or the role providing it.",
    SignatureDoesNotMatch: "The secret key does not fit the access key: check AWS_SECRET_ACCESS_KEY.",
    AuthorizationHeaderMalformed: 'The request was signed for the wrong region: set "region" to the one named above.',
    PermanentRedirect: 'The bucket is in another region: set "region" to it.',
    ExpiredToken: 'The session credentials expired mid-run: set "role-to-assume" so the run assumes the role itself and renews the session before it ends, or use a longer session, and rerun.',
    CredentialsProviderError: "No AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or use aws-actions/configure-aws-credentials.",
    ECONNREFUSED: 'Nothing answers at the endpoint: check "endpoint" (scheme, host and port) and that the store runs.',
    ENOTFOUND: 'The endpoint\'s host name does not resolve: check "endpoint" (or "region" for Amazon S3); if only a proxy reaches it, set HTTPS_PROXY (HTTP_PROXY for http:// endpoints).',
    EAI_AGAIN: 'The endpoint\'s host name does not resolve: check "endpoint" and the network.',
    NoSuchUpload: `The multipart upload was ${GONE_UPLOAD} Rerun once it has finished.`,
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED_CERTIFICATE,
    UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED_CERTIFICATE,
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED_CERTIFICATE,
    SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED_CERTIFICATE,
    DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED_CERTIFICATE,
    CERT_UNTRUSTED: UNTRUSTED_CERTIFICATE,
    CERT_HAS_EXPIRED: "The endpoint's TLS certificate has expired (or this machine's clock is wrong): renew the certificate on the store.",
    ERR_TLS_CERT_ALTNAME_INVALID: 'The endpoint\'s TLS certificate is not issued for this host name: use a name the certificate lists in "endpoint".',
};
/** The proxy's own failures: the fix is in HTTPS_PROXY/HTTP_PROXY/NO_PROXY, not in the store's settings. */
function proxyHint(error, info) {
    const proxy = error.proxy;
    if (typeof proxy !== "string") {
        // Plain-HTTP endpoints go through the proxy as ordinary requests, so its 407 arrives as the answer.
        return info.status === 407
            ? "The proxy (HTTP_PROXY) wants credentials: give them in the URL, http://user:password@host:port."
            : undefined;
    }
    if (info.status === 407) {
        return `The proxy ${proxy} wants credentials: give them in HTTPS_PROXY/HTTP_PROXY as http://user:password@host:port.`;
    }
    if (info.code === "ProxyConnectRefused") {
        return `The proxy ${proxy} would not connect to the endpoint: allow its host and port on the proxy, or list the host in NO_PROXY if it is reachable directly.`;
    }
    return `The proxy ${proxy} (from HTTPS_PROXY/HTTP_PROXY) cannot be reached: check the variable's host and port, or list the endpoint's host in NO_PROXY to connect directly.`;
}
/** The setup's fix for this error, when the error names one. */
function hintFor(error) {
    const info = s3ErrorInfo(error);
    return proxyHint(error, info) ?? (0,_s3_credentials_sts_hints_js__WEBPACK_IMPORTED_MODULE_0__/* .stsHint */ .k)(error) ?? HINTS_BY_CODE[info.code];
}
/** The setup fix for an error code, when the code alone says what to fix. */
function hintForCode(code) {
    return HINTS_BY_CODE[code];
}
function isNoSuchUpload(error) {
    return s3ErrorInfo(error instanceof StepError ? (error.cause ?? error) : error).code === "NoSuchUpload";
}
function stepFailed(step, error, hint) {
    if (error instanceof StepError)
        return error;
    return new StepError(step, describeS3Error(error), hintFor(error) ?? hint, error);
}
const HINTS = {
    access: "Check the bucket name, region, endpoint and that the credentials may write to this bucket.",
    verify: "The stored data does not match the local file; rerun the upload. If it repeats, report it with the request ids.",
    retry: "Retrying the run is safe; if it keeps failing, check the store's status and quote the request id.",
};


/***/ }),

/***/ 3344:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   EY: () => (/* binding */ backoffDelay),
/* harmony export */   H8: () => (/* binding */ retryStep),
/* harmony export */   bD: () => (/* binding */ withRetry),
/* harmony export */   es: () => (/* binding */ DEFAULT_STALL_TIMEOUT_MS),
/* harmony export */   vI: () => (/* binding */ DEFAULT_RETRY),
/* harmony export */   yy: () => (/* binding */ sleep)
/* harmony export */ });
/* unused harmony export isRetryable */
/* harmony import */ var _abort_scope_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8153);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7679);


/** A request whose connection sees no traffic this long is cut and retried (EngineTuning.stallTimeoutMs). */
const DEFAULT_STALL_TIMEOUT_MS = 60_000;
const DEFAULT_RETRY = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 20_000 };
const THROTTLING_CODES = new Set([
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "ServiceUnavailable",
]);
const NETWORK_CODES = new Set([
    "ECONNRESET",
    "ECONNREFUSED",
    "EPIPE",
    "ETIMEDOUT",
    "ENOTFOUND",
    "EAI_AGAIN",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "ECONNABORTED",
    "UND_ERR_SOCKET",
]);
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout"]);
/** Transient failures worth another attempt; 4xx answers are not (they would fail the same way again). */
function isRetryable(error) {
    if (!(error instanceof Error))
        return false;
    if (error.name === "AbortError")
        return false;
    const info = (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .s3ErrorInfo */ .Nz)(error);
    if (info.status !== undefined && (info.status >= 500 || info.status === 429))
        return true;
    if (THROTTLING_CODES.has(info.code))
        return true;
    const errno = error.code;
    if (typeof errno === "string" && NETWORK_CODES.has(errno))
        return true;
    if (NETWORK_NAMES.has(error.name))
        return true;
    return /socket hang up|ECONNRESET|EPIPE|timed? ?out/i.test(error.message) && info.status === undefined;
}
/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^(attempt-1))]. */
function backoffDelay(attempt, policy, random = Math.random) {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(random() * ceiling);
}
function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted)
            return reject(signal.reason);
        const timer = setTimeout(() => {
            leave();
            resolve();
        }, ms);
        // Many operations of a run may sleep at once on its signal: one shared listener, not one each.
        const leave = signal
            ? (0,_abort_scope_js__WEBPACK_IMPORTED_MODULE_0__/* .whenAborted */ .eG)(signal, () => {
                clearTimeout(timer);
                reject(signal.reason);
            })
            : () => undefined;
    });
}
async function withRetry(operation, context) {
    for (let attempt = 1;; attempt++) {
        try {
            return await operation();
        }
        catch (error) {
            if (context.signal?.aborted || attempt >= context.policy.maxAttempts || !isRetryable(error))
                throw error;
            const info = (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .s3ErrorInfo */ .Nz)(error);
            context.onRetry(attempt, `${info.code}${info.status ? ` (HTTP ${info.status})` : ""}: ${info.message}`);
            await sleep(backoffDelay(attempt, context.policy), context.signal);
        }
    }
}
/**
 * One S3 call of a step with the run's retry loop; failures come back as a StepError naming the step and what
 * to do (`rerun` says what a rerun finishes when the run was cancelled).
 */
async function retryStep(step, hint, operation, context) {
    try {
        return await withRetry(operation, context);
    }
    catch (error) {
        const { signal } = context;
        if (signal?.aborted) {
            const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .StepError */ .zg(step, `cancelled (${reason})`, `Rerun to finish the ${context.rerun}.`, error);
        }
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .stepFailed */ ._p)(step, error, hint);
    }
}


/***/ }),

/***/ 9897:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   J: () => (/* binding */ eachBodyChunk)
/* harmony export */ });
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_0__);

/**
 * Feeds a Node stream (an http.IncomingMessage, the SDK's body) to `sink`. Resolves once `body` ended with
 * every chunk handed over and every wait settled; rejects with the first error: a throw or rejected wait
 * from `sink` (the body is then destroyed), the body's own error, or a close before its end.
 */
async function eachBodyChunk(body, sink) {
    let waiting = Promise.resolve();
    const done = (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_0__.finished)(body);
    body.on("data", (chunk) => {
        let wait;
        try {
            wait = sink(chunk);
        }
        catch (error) {
            body.destroy(error);
            return;
        }
        if (wait === undefined)
            return;
        body.pause();
        waiting = wait.then(() => {
            body.resume();
        }, (error) => {
            body.destroy(error);
        });
    });
    await done;
    await waiting;
}


/***/ }),

/***/ 1443:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   k: () => (/* binding */ stsHint)
/* harmony export */ });
// What to fix when STS refuses to hand out the role's session: its codes mean other things than S3's
// (AccessDenied is the role's trust policy here, not the bucket's policy).
const STS_HINTS = {
    InvalidIdentityToken: "STS did not accept the OIDC token: the account needs an IAM OIDC identity provider for the token's issuer " +
        "(token.actions.githubusercontent.com, or your GitLab's URL), and the token's audience must be sts.amazonaws.com " +
        "(GitLab: id_tokens with aud: sts.amazonaws.com).",
    AccessDenied: 'The role refused this token: check that "role-to-assume" names an existing role and that its trust policy ' +
        "allows sts:AssumeRoleWithWebIdentity for this issuer, audience and subject (the README's trust policy examples).",
    ExpiredTokenException: "The OIDC token had expired when STS checked it: the token file must hold a token of this job (GitLab id_tokens), " +
        "not one saved from an earlier job; also check this machine's clock.",
    ValidationError: 'STS refused a parameter: "role-to-assume" must be an IAM role ARN, "role-session-name" 2 to 64 characters of ' +
        'letters, digits and +=,.@-, and "role-duration-seconds" at most the role\'s maximum session duration.',
    IDPCommunicationError: "STS could not reach the token's issuer to check it; rerun in a few minutes.",
    WebIdentityTokenUnreadable: 'Check "web-identity-token-file": the job must write its OIDC token there before this step and leave it for the whole run.',
    OidcTokenUnavailable: 'The job could not get its OIDC token: give the job "permissions: id-token: write" (a workflow from a fork gets ' +
        "no token), or rerun if GitHub's token service was down.",
    IDPRejectedClaim: "The issuer's provider refused the token's claims; check the token's issuer and audience.",
};
/** The fix for an error STS answered (StsError), when its code names one. */
function stsHint(error) {
    const shape = error;
    return shape.service === "sts" && typeof shape.Code === "string" ? STS_HINTS[shape.Code] : undefined;
}


/***/ }),

/***/ 5063:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ plainBucketEndpoint),
/* harmony export */   q: () => (/* binding */ pathStyleCause)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
// A bucket's URL for the common cases without loading the AWS SDK (its endpoint rules come with the whole
// client, ~0.2 CPU-s of parsing before the first request). Only cases where the SDK's rules are plain are
// answered here: a custom endpoint, or an Amazon S3 region of the standard partition, a bucket name of
// lower-case letters, digits, hyphens and dots, and no FIPS, dual-stack or configured endpoint settings
// anywhere. Everything else answers null and the SDK decides; test/unit/engine-lean-endpoint.test.ts
// compares both on every kind of input.




/**
 * Why requests to `bucket` at `hostname` are addressed path-style, as the SDK's rules decide it; null when
 * the bucket goes in the host. A name with "." would not match a wildcard certificate, and an IP has no
 * subdomains.
 */
function pathStyleCause(bucket, hostname, forcePathStyle) {
    if (forcePathStyle)
        return "force-path-style";
    if (bucket.includes("."))
        return "bucket";
    if ((0,node_net__WEBPACK_IMPORTED_MODULE_1__.isIP)(hostname.replace(/^\[|\]$/g, "")) !== 0)
        return "endpoint";
    return null;
}
// The "aws" partition's region pattern in the SDK's partitions table; cn-, us-gov- and the isolated
// partitions have other domains and are left to the SDK.
const STANDARD_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/;
// Region names the SDK's rules map to another signing region or endpoint.
const SPECIAL_REGION = /^(aws-global|s3-external-1)$|fips|^$/;
// Names S3's rules treat as plain: no "--" (S3 Express and other suffixes), no "..", no upper case.
const PLAIN_BUCKET = /^(?!.*--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Environment settings the SDK reads for S3's endpoint: any of them sends the choice to the SDK.
const ENDPOINT_VARIABLES = ["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"];
const SERVICE_ENDPOINT_VARIABLES = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"];
/** Whether the shared config file may set an endpoint option for some profile (reading it costs ~0.1 ms). */
function configFileSetsEndpoint(env, withEndpointUrl) {
    const file = env["AWS_CONFIG_FILE"] ?? node_path__WEBPACK_IMPORTED_MODULE_3___default().join((0,node_os__WEBPACK_IMPORTED_MODULE_2__.homedir)(), ".aws", "config");
    let text;
    try {
        text = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(file, "utf8");
    }
    catch {
        return false;
    }
    const keys = withEndpointUrl
        ? /use_fips_endpoint|use_dualstack_endpoint|endpoint_url|services/i
        : /use_fips_endpoint|use_dualstack_endpoint/i;
    return keys.test(text);
}
/**
 * The URL requests for `bucket` go to and the region they are signed for, exactly as the SDK's endpoint
 * rules would give them, or null when those rules have more to say than this function knows.
 */
function plainBucketEndpoint(settings, bucket, env = process.env) {
    if (!PLAIN_BUCKET.test(bucket) || (0,node_net__WEBPACK_IMPORTED_MODULE_1__.isIP)(bucket) !== 0 || SPECIAL_REGION.test(settings.region))
        return null;
    if (ENDPOINT_VARIABLES.some((name) => env[name] !== undefined))
        return null;
    const custom = settings.endpoint !== undefined;
    if (!custom && SERVICE_ENDPOINT_VARIABLES.some((name) => env[name] !== undefined))
        return null;
    let base;
    if (custom) {
        try {
            base = new URL(settings.endpoint);
        }
        catch {
            return null;
        }
        if ((base.protocol !== "http:" && base.protocol !== "https:") || base.search || base.hash)
            return null;
        if (base.username || base.password)
            return null;
    }
    else {
        if (!STANDARD_REGION.test(settings.region))
            return null;
        base = new URL(`https://s3.${settings.region}.amazonaws.com/`);
    }
    if (configFileSetsEndpoint(env, !custom))
        return null;
    const url = new URL(base.href);
    if (pathStyleCause(bucket, base.hostname, settings.forcePathStyle === true) !== null) {
        url.pathname = `${base.pathname.replace(/\/$/, "")}/${bucket}`;
    }
    else {
        url.hostname = `${bucket}.${base.hostname}`;
    }
    return { url, signingRegion: settings.region, signingName: "s3" };
}


/***/ }),

/***/ 9203:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $s: () => (/* binding */ storeTlsOptions),
/* harmony export */   T6: () => (/* binding */ ProxyError),
/* harmony export */   iJ: () => (/* binding */ proxyFor),
/* harmony export */   jQ: () => (/* binding */ createAgents),
/* harmony export */   ni: () => (/* binding */ redactedProxy)
/* harmony export */ });
/* unused harmony exports parseNoProxy, bypassesProxy */
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7067);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_http__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8995);
/* harmony import */ var node_module__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_module__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_2__);
// The sockets every request rides on: direct or through the user's proxy, trusting the user's extra CA, kept
// alive. The SDK client and the lean path share the one pair built here, so both route the same way. The
// proxy agents (proxy-agents.ts and their libraries) are loaded only when a proxy is used, node:https and
// node:tls only when a request goes over TLS (~30–50 ms to load on Node 24; never for an http:// endpoint).
const requireBuiltin = (0,node_module__WEBPACK_IMPORTED_MODULE_0__.createRequire)(import.meta.url);



/** A proxy as messages show it: the credentials in its URL stay out of every log line. */
function redactedProxy(proxy) {
    return `${proxy.protocol}//${proxy.host}`;
}
/** A failure to reach the store through the proxy, named so the hint can blame the proxy, not the store. */
class ProxyError extends Error {
    proxy;
    code;
    $metadata;
    constructor(proxy, target, code, detail, status) {
        super(`through proxy ${redactedProxy(proxy)} to ${target}: ${detail}`);
        this.name = "ProxyError";
        this.proxy = redactedProxy(proxy);
        this.code = code;
        // A proxy's 5xx is as passing as the store's; 407 and 403 are settings and fail at once (retry.ts).
        if (status !== undefined)
            this.$metadata = { httpStatusCode: status };
    }
}
/** NO_PROXY as curl and the AWS CLI read it: "*", host, .domain, *.domain, host:port, IPs and CIDR ranges. */
function parseNoProxy(text) {
    const ips = new node_net__WEBPACK_IMPORTED_MODULE_2__.BlockList();
    const rules = [];
    let all = false;
    for (const raw of (text ?? "").split(/[\s,]+/)) {
        const entry = raw.trim().toLowerCase();
        if (entry === "")
            continue;
        if (entry === "*") {
            all = true;
            continue;
        }
        const cidr = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(entry);
        if (cidr && (0,node_net__WEBPACK_IMPORTED_MODULE_2__.isIP)(cidr[1])) {
            const family = (0,node_net__WEBPACK_IMPORTED_MODULE_2__.isIP)(cidr[1]) === 6 ? "ipv6" : "ipv4";
            ips.addSubnet(cidr[1], Number(cidr[2]), family);
            continue;
        }
        const { host, port } = splitHostPort(entry);
        if ((0,node_net__WEBPACK_IMPORTED_MODULE_2__.isIP)(host)) {
            // A port on an IP rule is rare; the address alone decides, as in curl.
            ips.addAddress(host, (0,node_net__WEBPACK_IMPORTED_MODULE_2__.isIP)(host) === 6 ? "ipv6" : "ipv4");
            continue;
        }
        const domain = host.replace(/^\*?\.+/, "");
        if (domain !== "")
            rules.push({ domain, ...(port !== undefined ? { port } : {}) });
    }
    return { all, rules, ips };
}
function splitHostPort(entry) {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed)
        return { host: bracketed[1], ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
    // Several colons without brackets: a bare IPv6 address, no port.
    if ((0,node_net__WEBPACK_IMPORTED_MODULE_2__.isIP)(entry) === 6)
        return { host: entry };
    const withPort = /^(.*):(\d+)$/.exec(entry);
    return withPort ? { host: withPort[1], port: Number(withPort[2]) } : { host: entry };
}
/** Whether NO_PROXY sends requests to this URL's host straight, past the proxy. */
function bypassesProxy(url, noProxy) {
    const { all, rules, ips } = parseNoProxy(noProxy);
    if (all)
        return true;
    const host = url.hostname
        .replace(/^\[|\]$/g, "")
        .toLowerCase()
        .replace(/\.$/, "");
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const family = (0,node_net__WEBPACK_IMPORTED_MODULE_2__.isIP)(host);
    if (family !== 0)
        return ips.check(host, family === 6 ? "ipv6" : "ipv4");
    return rules.some((rule) => rule.domain !== undefined &&
        (host === rule.domain || host.endsWith(`.${rule.domain}`)) &&
        (rule.port === undefined || rule.port === port));
}
/** The proxy requests to this URL go through, or undefined for a direct connection. */
function proxyFor(url, proxy) {
    const configured = url.protocol === "https:" ? proxy?.httpsProxy : proxy?.httpProxy;
    if (!configured || bypassesProxy(url, proxy?.noProxy))
        return undefined;
    return new URL(configured);
}
function agentPair(http, makeHttps, proxy) {
    let httpsAgent;
    return {
        http,
        get https() {
            return (httpsAgent ??= makeHttps());
        },
        ...(proxy !== undefined ? { proxy } : {}),
        destroy() {
            http.destroy();
            httpsAgent?.destroy();
        },
    };
}
/** Node's own roots (with NODE_EXTRA_CA_CERTS where this Node.js can list them) plus the user's CA. */
function trustedCas(extraPem) {
    const tls = requireBuiltin("node:tls");
    const defaults = tls.getCACertificates;
    return [...(defaults ? defaults("default") : tls.rootCertificates), extraPem];
}
/** The TLS trust for connections to the store: Node's roots, plus the user's CA when one is given. */
function storeTlsOptions(network) {
    return network.extraCa ? { ca: trustedCas(network.extraCa.pem) } : {};
}
/**
 * The agents for requests to `endpoint` (the store's URL, or a representative Amazon S3 host): through the
 * proxy unless NO_PROXY names the host. The pair is used for every request of the run, so keep-alive holds.
 * Settings that cannot work (a proxy URL that does not parse) throw here, before any request.
 */
function createAgents(endpoint, network, tuning) {
    const keepAlive = { keepAlive: true, maxSockets: tuning.maxSockets };
    const targetTls = () => storeTlsOptions(network);
    const httpEndpoint = new URL(endpoint.href);
    httpEndpoint.protocol = "http:";
    const httpsEndpoint = new URL(endpoint.href);
    httpsEndpoint.protocol = "https:";
    const httpProxy = proxyFor(httpEndpoint, network.proxy);
    const httpsProxy = proxyFor(httpsEndpoint, network.proxy);
    const used = endpoint.protocol === "https:" ? httpsProxy : httpProxy;
    const named = used ? redactedProxy(used) : undefined;
    const directHttps = () => {
        const { Agent } = requireBuiltin("node:https");
        return new Agent({ ...keepAlive, ...targetTls() });
    };
    if (!httpProxy && !httpsProxy) {
        return Promise.resolve(agentPair(new node_http__WEBPACK_IMPORTED_MODULE_1__.Agent(keepAlive), directHttps, named));
    }
    return __webpack_require__.e(/* import() */ 256).then(__webpack_require__.bind(__webpack_require__, 2256)).then(({ ForwardAgent, TunnelAgent }) => agentPair(httpProxy ? new ForwardAgent(httpProxy, keepAlive) : new node_http__WEBPACK_IMPORTED_MODULE_1__.Agent(keepAlive), httpsProxy ? () => new TunnelAgent(httpsProxy, keepAlive, targetTls()) : directHttps, named));
}


/***/ }),

/***/ 5535:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   FM: () => (/* binding */ checksumPairProblem),
/* harmony export */   FQ: () => (/* binding */ providerProfile),
/* harmony export */   G1: () => (/* binding */ profileLimits),
/* harmony export */   Vt: () => (/* binding */ PROVIDER_CHOICES),
/* harmony export */   me: () => (/* binding */ addressingProblem)
/* harmony export */ });
/* unused harmony exports PROVIDERS, PROFILES, detectProvider, pairsText */
/* harmony import */ var _lean_endpoint_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5063);
// What each store can prove and what it refuses, in one table: the engine reads a row, never a store's name.
// Each row cites what its values rest on; "emulated" in README's provider table marks the rows whose
// behaviour is tested against test/emulator's profile of that store, not against the service itself.

const PROVIDERS = ["aws", "oss", "r2", "gcs", "b2", "ceph", "minio", "generic"];
/** The `provider` input's choices: a store, or auto (from the endpoint's host, see detectProvider). */
const PROVIDER_CHOICES = ["auto", ...PROVIDERS];
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
/** S3's own pairs: CRC64NVME only whole-object, SHA1/SHA256 only composite, CRC32/CRC32C either. */
const S3_PAIRS = [
    { algorithm: "CRC64NVME", type: "FULL_OBJECT" },
    { algorithm: "CRC32", type: "FULL_OBJECT" },
    { algorithm: "CRC32", type: "COMPOSITE" },
    { algorithm: "CRC32C", type: "FULL_OBJECT" },
    { algorithm: "CRC32C", type: "COMPOSITE" },
    { algorithm: "SHA1", type: "COMPOSITE" },
    { algorithm: "SHA256", type: "COMPOSITE" },
];
const S3_PART_LIMITS = { minPartSize: 5 * MiB, maxPartSize: 5 * GiB, maxParts: 10_000 };
const PROFILES = {
    // docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html (5 MiB–5 GiB, 10,000 parts);
    // checking-object-integrity-upload.html (the pairs); conditional-writes.html (If-None-Match on PutObject
    // and CompleteMultipartUpload). Path-style still answers, and legacy bucket names need it.
    aws: {
        name: "aws",
        label: "Amazon S3",
        addressing: "either",
        ...S3_PART_LIMITS,
        equalParts: false,
        checksums: S3_PAIRS,
        nativeChecksum: null,
        contentMd5: "when-unproven",
        awsChunked: true,
        conditionalCreate: "if-none-match",
        listMultipartUploads: "any-prefix",
        proof: "x-amz-checksum (CRC64NVME whole-object by default) per part (ListParts) and for the object (Complete, HeadObject)",
    },
    // alibabacloud.com/help/en/oss UploadPart (parts 100 KB–5 GB, numbers 1–10,000; error 0042-00000213
    // EntityTooSmall below 100 KB), x-oss-forbid-overwrite (409 FileAlreadyExists on PutObject and
    // CompleteMultipartUpload, errors 0026-00000002 and 0042-00000214), SecondLevelDomainForbidden for
    // path-style; x-oss-hash-crc64ecma on UploadPart, PutObject, Complete, Get and Head. OSS neither checks
    // nor keeps x-amz-checksum-*, and refuses aws-chunked bodies (issue 14).
    oss: {
        name: "oss",
        label: "Aliyun OSS",
        addressing: "virtual-host",
        minPartSize: 100 * KiB,
        maxPartSize: 5 * GiB,
        maxParts: 10_000,
        equalParts: false,
        checksums: [],
        nativeChecksum: "crc64ecma",
        contentMd5: "always",
        awsChunked: false,
        conditionalCreate: "x-oss-forbid-overwrite",
        listMultipartUploads: "any-prefix",
        proof: "x-oss-hash-crc64ecma (CRC-64/XZ) per part (UploadPart) and for the object (Complete, HeadObject); Content-MD5 on every write",
    },
    // developers.cloudflare.com/r2/objects/multipart-objects (5 MiB–5 GiB, 10,000 parts, "All parts except the
    // last one must be the same size", part ETags are MD5s since 2023-06-21); r2/api/s3/api (path-style and
    // virtual-host, If-None-Match, ListMultipartUploads); R2 release notes 2025-07-03 (cloudflare-docs#23443:
    // CRC64NVME on single and multipart objects, which "brings support for the FULL_OBJECT Checksum Type on
    // Multipart Uploads": the other algorithms are composite-only there).
    r2: {
        name: "r2",
        label: "Cloudflare R2",
        addressing: "either",
        ...S3_PART_LIMITS,
        equalParts: true,
        checksums: [
            { algorithm: "CRC64NVME", type: "FULL_OBJECT" },
            { algorithm: "CRC32", type: "COMPOSITE" },
            { algorithm: "CRC32C", type: "COMPOSITE" },
            { algorithm: "SHA1", type: "COMPOSITE" },
            { algorithm: "SHA256", type: "COMPOSITE" },
        ],
        nativeChecksum: null,
        contentMd5: "when-unproven",
        awsChunked: true,
        conditionalCreate: "if-none-match",
        listMultipartUploads: "any-prefix",
        proof: "x-amz-checksum (CRC64NVME whole-object, or a composite) per part (ListParts) and for the object (Complete, HeadObject)",
    },
    // cloud.google.com/storage/docs/multipart-uploads ("XML API multipart uploads are compatible with Amazon
    // S3 multipart uploads"; "Preconditions are not supported in the requests"; in-progress uploads can be
    // listed) and xml-api/put-object-multipart (Content-MD5 or x-goog-hash checked per part, part numbers
    // 1–10,000); storage/quotas (parts 5 MiB–5 GiB). The XML API has no x-amz-checksum (issue 14).
    gcs: {
        name: "gcs",
        label: "Google Cloud Storage (XML API)",
        addressing: "either",
        ...S3_PART_LIMITS,
        equalParts: false,
        checksums: [],
        nativeChecksum: null,
        contentMd5: "always",
        awsChunked: false,
        conditionalCreate: null,
        listMultipartUploads: "any-prefix",
        proof: "Content-MD5 on every write, each part's ETag = its MD5 (ListParts), the object's size and ETag (HeadObject)",
    },
    // backblaze.com/apidocs (S3-compatible API: parts 5 MB (5,000,000 bytes) to 5 GiB, List Multipart Uploads
    // supported) and b2/docs/s3_compatible_api (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256,
    // -algorithm and -mode listed as unsupported). No conditional create is documented for its PutObject.
    b2: {
        name: "b2",
        label: "Backblaze B2",
        addressing: "either",
        minPartSize: 5_000_000,
        maxPartSize: 5 * GiB,
        maxParts: 10_000,
        equalParts: false,
        checksums: [],
        nativeChecksum: null,
        contentMd5: "always",
        awsChunked: false,
        conditionalCreate: null,
        listMultipartUploads: "any-prefix",
        proof: "Content-MD5 on every write, each part's ETag = its MD5 (ListParts), the object's ETag = MD5 of the part MD5s (HeadObject)",
    },
    // Ceph RGW 16.2 (Pacific, the server in CI): rgw_multipart_min_part_size 5 MiB, If-None-Match on PUT,
    // aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) accepted, additional checksums ignored (RGW keeps them
    // only from 19.2 Squid on: use provider generic there, which finds out per upload).
    ceph: {
        name: "ceph",
        label: "Ceph RGW 16.2",
        addressing: "either",
        ...S3_PART_LIMITS,
        equalParts: false,
        checksums: [],
        nativeChecksum: null,
        contentMd5: "always",
        awsChunked: true,
        conditionalCreate: "if-none-match",
        listMultipartUploads: "any-prefix",
        proof: "Content-MD5 on every write, each part's ETag = its MD5 (ListParts), the object's ETag = MD5 of the part MD5s (HeadObject)",
    },
    // min.io docs (S3 limits: 5 MiB–5 GiB, 10,000 parts; the AWS checksum algorithms and types, If-None-Match
    // on writes); minio/minio#11686 and #20989: ListMultipartUploads with a prefix lists only the uploads of
    // exactly that key, without one it lists all.
    minio: {
        name: "minio",
        label: "MinIO",
        addressing: "either",
        ...S3_PART_LIMITS,
        equalParts: false,
        checksums: S3_PAIRS,
        nativeChecksum: null,
        contentMd5: "when-unproven",
        awsChunked: true,
        conditionalCreate: "if-none-match",
        listMultipartUploads: "exact-key",
        proof: "x-amz-checksum per part (ListParts) and for the object (Complete, HeadObject)",
    },
    // Any other S3-compatible store: S3's rules, and each upload finds out from its own first answers whether
    // the store keeps the checksum (else ETag = MD5 proves it, and the result says so).
    generic: {
        name: "generic",
        label: "an S3-compatible store",
        addressing: "either",
        ...S3_PART_LIMITS,
        equalParts: false,
        checksums: S3_PAIRS,
        nativeChecksum: null,
        contentMd5: "when-unproven",
        awsChunked: false,
        conditionalCreate: "if-none-match",
        listMultipartUploads: "any-prefix",
        proof: "x-amz-checksum when the store echoes and lists it, else Content-MD5 and ETag = MD5; the result says which",
    },
};
/** Host suffixes that name a store; ceph and minio run anywhere and are never detected. */
const HOST_SUFFIXES = [
    ["amazonaws.com", "aws"],
    ["amazonaws.com.cn", "aws"],
    ["aliyuncs.com", "oss"],
    ["r2.cloudflarestorage.com", "r2"],
    ["storage.googleapis.com", "gcs"],
    ["backblazeb2.com", "b2"],
];
/** The store an endpoint's host names; no endpoint is Amazon S3, an unknown host a generic store. */
function detectProvider(endpoint) {
    if (endpoint === undefined || endpoint === "")
        return "aws";
    let host;
    try {
        host = new URL(endpoint).hostname.toLowerCase().replace(/\.$/, "");
    }
    catch {
        return "generic";
    }
    const match = HOST_SUFFIXES.find(([suffix]) => host === suffix || host.endsWith(`.${suffix}`));
    return match ? match[1] : "generic";
}
/** The row a run uses: the one named, or the one the endpoint's host names. */
function providerProfile(choice, endpoint) {
    return PROFILES[choice === undefined || choice === "auto" ? detectProvider(endpoint) : choice];
}
/** The row's multipart limits, for resolveLimits (plan.ts); tests may still lower them. */
function profileLimits(profile) {
    return {
        minPartSize: profile.minPartSize,
        maxPartSize: profile.maxPartSize,
        maxParts: profile.maxParts,
    };
}
/** "CRC64NVME FULL_OBJECT, CRC32 COMPOSITE, …" as messages list what a store takes. */
function pairsText(pairs) {
    return pairs.map((pair) => `${pair.algorithm} ${pair.type}`).join(", ");
}
/**
 * Why an algorithm/type pair cannot work on the store, with what does; null when it can. `algorithm` null
 * (no additional checksum) always works.
 */
function checksumPairProblem(profile, algorithm, type) {
    if (algorithm === null)
        return null;
    if (profile.checksums.length === 0) {
        return (`${profile.label} keeps no x-amz-checksum, so ${algorithm} would prove nothing there; use none ` +
            `(it proves objects by ${profile.proof}).`);
    }
    if (profile.checksums.some((pair) => pair.algorithm === algorithm && pair.type === type))
        return null;
    return `${profile.label} does not take ${algorithm} ${type}; use one of ${pairsText(profile.checksums)}.`;
}
/**
 * Why requests to this bucket would be refused for their addressing, with the fix; null when they would not.
 * A bucket name with a dot, or an endpoint given as an IP address, is always addressed path-style
 * (lean-endpoint.ts, as the SDK's rules).
 */
function addressingProblem(profile, request) {
    if (profile.addressing !== "virtual-host")
        return null;
    const refuses = `${profile.label} refuses path-style requests (SecondLevelDomainForbidden)`;
    const host = (request.endpoint === undefined ? undefined : hostOf(request.endpoint)) ?? "";
    switch ((0,_lean_endpoint_js__WEBPACK_IMPORTED_MODULE_0__/* .pathStyleCause */ .q)(request.bucket, host, request.forcePathStyle)) {
        case "force-path-style":
            return { input: "force-path-style", problem: `${refuses}; set force-path-style to false.` };
        case "bucket":
            return {
                input: "bucket",
                problem: `${refuses}, and a bucket name with "." is always addressed path-style; use a bucket without ".".`,
            };
        case "endpoint":
            return {
                input: "endpoint",
                problem: `${refuses}, and an endpoint given as an IP address (${host}) is addressed path-style; give the endpoint by its host name.`,
            };
        case null:
            return null;
    }
}
function hostOf(endpoint) {
    try {
        return new URL(endpoint).hostname;
    }
    catch {
        return undefined;
    }
}


/***/ }),

/***/ 1706:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  oT: () => (/* binding */ createS3Store),
  Gu: () => (/* binding */ signingRegion)
});

// UNUSED EXPORTS: parseKeysPage

// EXTERNAL MODULE: ./src/engine/s3/network.ts
var s3_network = __webpack_require__(9203);
// EXTERNAL MODULE: ./src/engine/abort-scope.ts
var abort_scope = __webpack_require__(8153);
// EXTERNAL MODULE: ./src/engine/checksum/algorithms.ts
var algorithms = __webpack_require__(8588);
// EXTERNAL MODULE: ./src/engine/s3/body-sink.ts
var body_sink = __webpack_require__(9897);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
;// CONCATENATED MODULE: ./src/engine/s3/credentials/assume-role.ts
// STS AssumeRoleWithWebIdentity as one unsigned form POST: the OIDC token is the proof, so there is nothing
// to sign, and the SDK's STS client (its own middleware stack and a second endpoint resolver) is not needed.

/**
 * STS's own answer (code, message, status), read by retry.ts and errors.ts like an S3 error; `service` tells
 * the hints apart from S3's codes of the same name (AccessDenied means the role's trust policy here).
 */
class StsError extends Error {
    Code;
    service = "sts";
    $metadata;
    constructor(code, message, status, requestId) {
        super(message);
        this.name = code;
        this.Code = code;
        this.$metadata = { httpStatusCode: status, ...(requestId ? { requestId } : {}) };
    }
}
const XML_ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
function field(xml, name) {
    const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
    return match
        ? match[1].replace(/&(amp|lt|gt|quot|apos);/g, (_, entity) => XML_ENTITIES[entity])
        : undefined;
}
/** The credentials of a 200 answer; an answer without all four fields is STS misbehaving, not a session. */
function parseAssumeRoleAnswer(xml, dateHeader) {
    const credentials = /<Credentials>([\s\S]*?)<\/Credentials>/.exec(xml)?.[1] ?? "";
    const accessKeyId = field(credentials, "AccessKeyId");
    const secretAccessKey = field(credentials, "SecretAccessKey");
    const sessionToken = field(credentials, "SessionToken");
    const expiration = new Date(field(credentials, "Expiration") ?? "");
    if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiration.getTime())) {
        throw new StsError("InvalidStsAnswer", "AssumeRoleWithWebIdentity answered 200 without AccessKeyId, SecretAccessKey, SessionToken and Expiration", 502, undefined);
    }
    const serverDate = new Date(dateHeader ?? "");
    return {
        accessKeyId,
        secretAccessKey,
        sessionToken,
        expiration,
        ...(Number.isNaN(serverDate.getTime()) ? {} : { serverDate }),
    };
}
async function assumeRoleWithWebIdentity(connection, request, signal) {
    const body = Buffer.from(new URLSearchParams({
        Action: "AssumeRoleWithWebIdentity",
        Version: "2011-06-15",
        RoleArn: request.roleArn,
        RoleSessionName: request.sessionName,
        DurationSeconds: String(request.durationSeconds),
        WebIdentityToken: request.token,
    }).toString());
    const { endpoint } = connection;
    const https = endpoint.protocol === "https:";
    // TLS code loads only for an https STS, as for the store (startup-modules.test.ts).
    const send = https ? (await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 4708, 23))).request : external_node_http_.request;
    return new Promise((resolve, reject) => {
        const outgoing = send({
            method: "POST",
            protocol: endpoint.protocol,
            hostname: endpoint.hostname.replace(/^\[|\]$/g, ""),
            port: endpoint.port || (https ? 443 : 80),
            path: endpoint.pathname || "/",
            headers: {
                "content-type": "application/x-www-form-urlencoded; charset=utf-8",
                "content-length": String(body.byteLength),
                accept: "text/xml",
                // One call per session: an idle kept-alive socket would only hold the process open.
                connection: "close",
            },
            agent: https ? connection.agents.https : connection.agents.http,
            ...(signal ? { signal } : {}),
        });
        outgoing.setTimeout(connection.timeoutMs, () => {
            const error = new Error(`STS sent nothing for ${connection.timeoutMs} ms`);
            error.name = "TimeoutError";
            outgoing.destroy(error);
        });
        outgoing.on("error", reject);
        outgoing.on("response", (response) => {
            const chunks = [];
            response.on("data", (chunk) => chunks.push(chunk));
            response.on("error", reject);
            response.on("end", () => {
                const xml = Buffer.concat(chunks).toString("utf8");
                const status = response.statusCode ?? 0;
                if (status === 200) {
                    try {
                        resolve(parseAssumeRoleAnswer(xml, response.headers.date));
                    }
                    catch (error) {
                        reject(error);
                    }
                    return;
                }
                const requestId = field(xml, "RequestId") ?? response.headers["x-amzn-requestid"];
                reject(new StsError(field(xml, "Code") ?? `HTTP${status}`, `STS AssumeRoleWithWebIdentity for ${request.roleArn}: ${field(xml, "Message") ?? `HTTP ${status} without an error body`}`, status, typeof requestId === "string" ? requestId : undefined));
            });
        });
        outgoing.end(body);
    });
}

;// CONCATENATED MODULE: ./src/engine/s3/credentials/role-credentials.ts
/** At most this long before the end a session is replaced, so no request is signed with minutes left. */
const MAX_REFRESH_MARGIN_MS = 5 * 60_000;
/**
 * When a session is due for replacement, on this machine's clock: a quarter of its life before its end, at most
 * five minutes (a 1-hour session is replaced after 55 minutes, a 4-second test session after 3). Its life is
 * the shorter of the two clocks' readings, so a local clock behind STS's cannot outlast the session.
 */
function refreshAt(session, obtainedAt) {
    const end = session.expiration.getTime();
    const life = Math.min(end - obtainedAt, session.serverDate ? end - session.serverDate.getTime() : Infinity);
    return obtainedAt + life - Math.min(MAX_REFRESH_MARGIN_MS, life / 4);
}
function roleCredentialProvider(role, assume, now = Date.now) {
    let current;
    // One AssumeRole at a time: every request signed meanwhile waits for the same new session.
    let pending;
    async function assumeAgain() {
        const obtainedAt = now();
        // A new token every time: GitHub's tokens live minutes, and a re-read token file may have been rotated.
        const token = await role.webIdentityToken();
        const session = await assume({
            roleArn: role.roleArn,
            sessionName: role.sessionName,
            durationSeconds: role.durationSeconds,
            token,
        });
        current = { session, replaceAt: refreshAt(session, obtainedAt) };
        return session;
    }
    const provider = async () => {
        if (current && now() < current.replaceAt)
            return current.session;
        pending ??= assumeAgain().finally(() => {
            pending = undefined;
        });
        return pending;
    };
    // The SDK would wrap it in its own cache, which keeps credentials until 5 minutes before their end and so
    // asks every request anew for shorter sessions; this provider caches and refreshes by itself.
    provider.memoized = true;
    return provider;
}

;// CONCATENATED MODULE: ./src/engine/s3/credentials/index.ts
// The credentials a store client signs with when the run assumes a role itself (S3Settings.assumeRole).



/** STS goes through the same proxy and CA rules as the store, on agents of its own (another host). */
function webIdentityCredentials(role, network, timeoutMs) {
    const endpoint = new URL(role.stsEndpoint);
    const agents = (0,s3_network/* createAgents */.jQ)(endpoint, network, { maxSockets: 2 });
    // Awaited by each AssumeRole, which reports a failure to load the proxy agents; not a crash before that.
    agents.catch(() => undefined);
    return roleCredentialProvider(role, async (request) => assumeRoleWithWebIdentity({ endpoint, agents: await agents, timeoutMs }, request));
}

// EXTERNAL MODULE: ./src/engine/s3/lean-endpoint.ts
var lean_endpoint = __webpack_require__(5063);
;// CONCATENATED MODULE: ./src/engine/s3/plain-credentials.ts
function plainCredentials(settings, env = process.env) {
    if (settings.credentials)
        return settings.credentials;
    if (settings.profile !== undefined || env["AWS_PROFILE"])
        return null;
    const accessKeyId = env["AWS_ACCESS_KEY_ID"];
    const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
    if (!accessKeyId || !secretAccessKey)
        return null;
    const sessionToken = env["AWS_SESSION_TOKEN"];
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

// EXTERNAL MODULE: ./src/engine/s3/providers.ts
var providers = __webpack_require__(5535);
// EXTERNAL MODULE: ./src/engine/s3/s3-lean-http.ts + 2 modules
var s3_lean_http = __webpack_require__(1773);
// EXTERNAL MODULE: ./src/engine/s3/s3-xml.ts
var s3_xml = __webpack_require__(999);
// EXTERNAL MODULE: ./src/engine/upload/served-headers.ts + 1 modules
var served_headers = __webpack_require__(4508);
// EXTERNAL MODULE: ./src/engine/checksum/crc64xz.ts
var crc64xz = __webpack_require__(7346);
;// CONCATENATED MODULE: ./src/engine/s3/oss-crc64.ts

const OSS_CRC64_HEADER = "x-oss-hash-crc64ecma";
// Where the middlewares leave what they read, on the SDK command's output.
const ANSWERED = "svuOssHashCrc64ecma";
const LISTED = "svuOssListedCrc64ecma";
/**
 * The checksum form the engine compares (base64 of the 8 raw bytes). A value that is not a decimal uint64
 * stays visible as it came, so it can never equal a local CRC and the mismatch message shows it.
 */
function crc64EcmaChecksum(headerValue) {
    return ((0,crc64xz/* crc64EcmaFromHeader */.u8)(headerValue)?.toString("base64") ?? `unreadable ${OSS_CRC64_HEADER} "${headerValue}"`);
}
/** Each listed part's HashCrc64ecma, by part number, from a ListParts answer's XML. */
function listedPartCrcs(xml) {
    const crcs = new Map();
    for (const [, part] of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
        const number = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(part)?.[1];
        const crc = /<HashCrc64ecma>([^<]*)<\/HashCrc64ecma>/.exec(part)?.[1];
        if (number !== undefined && crc !== undefined)
            crcs.set(Number(number), crc.trim());
    }
    return crcs;
}
/** The CRC64ECMA an SDK answer carried in its headers, in the engine's form; undefined when none. */
function answeredCrc64(output) {
    const value = output[ANSWERED];
    return typeof value === "string" ? crc64EcmaChecksum(value) : undefined;
}
/** A ListParts answer's per-part CRC64ECMA, in the engine's form; undefined for a part listed without one. */
function listedCrc64(output, partNumber) {
    const listed = output[LISTED];
    if (!(listed instanceof Map) || partNumber === undefined)
        return undefined;
    const value = listed.get(partNumber);
    return value === undefined ? undefined : crc64EcmaChecksum(value);
}
/** Keeps OSS's CRC-64 headers and ListParts' HashCrc64ecma on the outputs of the SDK's commands. */
function keepOssCrc64(client) {
    // Inside the deserializer: the only place the raw ListParts body can still be read. It is read whole and
    // handed on as bytes, which the SDK's deserializer takes as it would the stream.
    client.middlewareStack.add((next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName !== "ListPartsCommand")
            return result;
        const response = result.response;
        const body = await bodyBytes(response.body);
        response.body = body;
        context[LISTED] = listedPartCrcs(Buffer.from(body).toString("utf8"));
        return result;
    }, { step: "deserialize", priority: "low", name: "svuOssListedCrc64" });
    // Outside the deserializer: the output exists here.
    client.middlewareStack.add((next, context) => async (args) => {
        const result = await next(args);
        const output = result.output;
        if (output === undefined)
            return result;
        const header = result.response.headers?.[OSS_CRC64_HEADER];
        if (typeof header === "string" && header !== "")
            output[ANSWERED] = header;
        const listed = context[LISTED];
        if (listed !== undefined)
            output[LISTED] = listed;
        return result;
    }, { step: "deserialize", priority: "high", name: "svuOssAnsweredCrc64" });
}
async function bodyBytes(body) {
    if (body instanceof Uint8Array)
        return body;
    if (body === undefined || body === null)
        return new Uint8Array();
    const chunks = [];
    for await (const chunk of body) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    }
    return Buffer.concat(chunks);
}

;// CONCATENATED MODULE: ./src/engine/s3/s3-client.ts













function toFields(checksums) {
    const fields = {};
    for (const algorithm of algorithms/* AMZ_CHECKSUM_ALGORITHMS */.Sp) {
        const value = checksums[algorithm];
        if (value !== undefined)
            fields[`Checksum${algorithm}`] = value;
    }
    return fields;
}
function fromFields(fields) {
    const checksums = {};
    for (const algorithm of algorithms/* AMZ_CHECKSUM_ALGORITHMS */.Sp) {
        const value = fields[`Checksum${algorithm}`];
        if (value)
            checksums[algorithm] = value;
    }
    return checksums;
}
/**
 * The fields PutObject, CompleteMultipartUpload and HeadObject answers share; `crc64` is OSS's CRC-64 from the
 * answer's headers, in the engine's form.
 */
function writeAnswerFrom(answer, crc64) {
    return {
        etag: stripQuotes(answer.ETag),
        ...(answer.VersionId ? { versionId: answer.VersionId } : {}),
        checksums: { ...fromFields(answer), ...(crc64 !== undefined ? { CRC64ECMA: crc64 } : {}) },
        ...(answer.ChecksumType ? { checksumType: answer.ChecksumType } : {}),
        ...(answer.ServerSideEncryption ? { sse: answer.ServerSideEncryption } : {}),
    };
}
/** The same headers as raw HTTP, for the lean PutObject path. */
function objectHeaderLines(headers) {
    const lines = { "content-type": headers.contentType };
    if (headers.contentEncoding !== undefined)
        lines["content-encoding"] = headers.contentEncoding;
    if (headers.cacheControl !== undefined)
        lines["cache-control"] = headers.cacheControl;
    if (headers.contentDisposition !== undefined)
        lines["content-disposition"] = headers.contentDisposition;
    if (headers.contentLanguage !== undefined)
        lines["content-language"] = headers.contentLanguage;
    for (const [name, value] of Object.entries(headers.metadata ?? {}))
        lines[`x-amz-meta-${name}`] = value;
    if (headers.tagging !== undefined)
        lines["x-amz-tagging"] = headers.tagging;
    if (headers.storageClass !== undefined)
        lines["x-amz-storage-class"] = headers.storageClass;
    if (headers.sse !== undefined)
        lines["x-amz-server-side-encryption"] = headers.sse;
    if (headers.sseKmsKeyId !== undefined) {
        lines["x-amz-server-side-encryption-aws-kms-key-id"] = headers.sseKmsKeyId;
    }
    return lines;
}
function checksumHeaderLines(checksums, contentMd5) {
    const lines = contentMd5 ? { "content-md5": contentMd5 } : {};
    for (const algorithm of algorithms/* AMZ_CHECKSUM_ALGORITHMS */.Sp) {
        const value = checksums[algorithm];
        if (value !== undefined)
            lines[`x-amz-checksum-${algorithm.toLowerCase()}`] = value;
    }
    return lines;
}
function answerFromHeaders(headers) {
    const one = (name) => {
        const value = headers[name];
        return typeof value === "string" && value !== "" ? value : undefined;
    };
    const checksums = {};
    for (const algorithm of algorithms/* AMZ_CHECKSUM_ALGORITHMS */.Sp) {
        const value = one(`x-amz-checksum-${algorithm.toLowerCase()}`);
        if (value !== undefined)
            checksums[algorithm] = value;
    }
    const crc64 = one(OSS_CRC64_HEADER);
    if (crc64 !== undefined)
        checksums.CRC64ECMA = crc64EcmaChecksum(crc64);
    const versionId = one("x-amz-version-id");
    const checksumType = one("x-amz-checksum-type");
    const sse = one("x-amz-server-side-encryption");
    return {
        etag: stripQuotes(one("etag")),
        ...(versionId ? { versionId } : {}),
        checksums,
        ...(checksumType === "FULL_OBJECT" || checksumType === "COMPOSITE" ? { checksumType } : {}),
        ...(sse ? { sse } : {}),
    };
}
/** Whether a Complete carries any x-amz-checksum, for the object or a part. */
function namesAmzChecksum(input) {
    const named = (checksums) => Object.keys(toFields(checksums)).length > 0;
    return named(input.objectChecksums) || input.parts.some((part) => named(part.checksums));
}
/**
 * The header of a write that must not replace an existing key, as the store spells it (providers.ts); none on
 * a store without one, where the check before the write is all there is.
 */
function createGuard(provider) {
    switch (provider.conditionalCreate) {
        case "if-none-match":
            return { "if-none-match": "*" };
        case "x-oss-forbid-overwrite":
            return { "x-oss-forbid-overwrite": "true" };
        case null:
            return {};
    }
}
const GUARDED_COMMANDS = new Set(["PutObjectCommand", "CompleteMultipartUploadCommand"]);
function headerFields(headers) {
    return {
        ContentType: headers.contentType,
        ContentEncoding: headers.contentEncoding,
        CacheControl: headers.cacheControl,
        ContentDisposition: headers.contentDisposition,
        ContentLanguage: headers.contentLanguage,
        Metadata: headers.metadata,
        Tagging: headers.tagging,
        // The SDK types these as string unions; the store is the judge of which values it accepts.
        StorageClass: headers.storageClass,
        ServerSideEncryption: headers.sse,
        SSEKMSKeyId: headers.sseKmsKeyId,
    };
}
const UNSIGNED_PAYLOAD_COMMANDS = new Set(["UploadPartCommand", "PutObjectCommand"]);
/** The region requests are signed for: the setting, else the environment's, else us-east-1. */
function signingRegion(settings) {
    return settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
}
function createSdkClient(s3, settings, tuning, agents, credentials, provider) {
    const client = new s3.S3Client({
        region: signingRegion(settings),
        endpoint: settings.endpoint,
        forcePathStyle: settings.forcePathStyle ?? false,
        // The lean path's own, when it has them, so both paths sign alike.
        ...(credentials ? { credentials } : {}),
        // Credentials and region from this profile of the shared AWS files, as AWS_PROFILE would pick it.
        ...(settings.profile ? { profile: settings.profile } : {}),
        // We compute and send checksums ourselves; letting the SDK do it would switch to aws-chunked bodies,
        // which S3-compatible stores reject (aws-sdk-js-v3 #6810).
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        // Retries are ours (retry.ts): one loop that knows about re-reading parts and reports each attempt.
        maxAttempts: 1,
        requestHandler: {
            httpAgent: agents.http,
            // A proxy agent is an http.Agent that speaks TLS inside its tunnel; the SDK only needs an Agent.
            httpsAgent: agents.https,
            connectionTimeout: 10_000,
            socketTimeout: tuning.stallTimeoutMs,
        },
    });
    // SigV4 would otherwise hash every body once more; integrity is carried by our checksums and Content-MD5.
    client.middlewareStack.add((next, context) => (args) => {
        const request = args.request;
        if (UNSIGNED_PAYLOAD_COMMANDS.has(context.commandName ?? "") && request.headers) {
            request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
        }
        return next(args);
    }, { step: "build", name: "svuUnsignedPayload" });
    keepOssCrc64(client);
    // The SDK knows only If-None-Match; a store with another guard gets its own header instead (before signing).
    const guard = createGuard(provider);
    if (provider.conditionalCreate !== "if-none-match") {
        client.middlewareStack.add((next, context) => (args) => {
            const request = args.request;
            // The SDK writes it "If-None-Match".
            const entries = Object.entries(request.headers ?? {});
            const others = entries.filter(([name]) => name.toLowerCase() !== "if-none-match");
            if (GUARDED_COMMANDS.has(context.commandName ?? "") && others.length < entries.length) {
                request.headers = { ...Object.fromEntries(others), ...guard };
            }
            return next(args);
        }, { step: "build", name: "svuCreateGuard" });
    }
    return client;
}
/**
 * A ListObjectsV2 answer asked with encoding-type=url: only what key lookups need (keys decoded only when the
 * answer says they were encoded, s3-xml.ts).
 */
function parseKeysPage(xml) {
    const { blocks, rest } = (0,s3_xml/* xmlBlocks */.AH)(xml, "Contents");
    const encoded = (0,s3_xml/* saysUrlEncoded */.e)(rest);
    const objects = [];
    for (const entry of blocks) {
        const key = (0,s3_xml/* xmlField */.wy)(entry, "Key");
        if (key === undefined)
            continue;
        objects.push({
            key: (0,s3_xml/* urlDecodedKey */.Nl)(key, encoded),
            size: Number((0,s3_xml/* xmlField */.wy)(entry, "Size") ?? 0),
            etag: stripQuotes((0,s3_xml/* xmlField */.wy)(entry, "ETag")),
        });
    }
    const next = (0,s3_xml/* xmlField */.wy)(rest, "IsTruncated") === "true" ? (0,s3_xml/* xmlField */.wy)(rest, "NextContinuationToken") : undefined;
    return next ? { objects, next } : { objects };
}
/**
 * A ListParts page from the SDK's output or the lean path's parse of the same XML; `crc64Of` gives a part's
 * OSS CRC-64 in the engine's form.
 */
function partsPageFrom(answer, crc64Of) {
    const parts = (answer.Parts ?? []).map((part) => {
        const crc64 = crc64Of(part.PartNumber);
        return {
            number: part.PartNumber ?? 0,
            size: part.Size ?? -1,
            etag: stripQuotes(part.ETag),
            checksums: { ...fromFields(part), ...(crc64 !== undefined ? { CRC64ECMA: crc64 } : {}) },
            ...(part.LastModified ? { lastModified: part.LastModified } : {}),
        };
    });
    const nextMarker = answer.IsTruncated ? answer.NextPartNumberMarker : undefined;
    return {
        parts,
        ...(nextMarker ? { nextMarker } : {}),
        ...(answer.ChecksumAlgorithm ? { checksumAlgorithm: answer.ChecksumAlgorithm } : {}),
        ...(answer.ChecksumType ? { checksumType: answer.ChecksumType } : {}),
        ...(answer.StorageClass ? { storageClass: answer.StorageClass } : {}),
    };
}
/** A ListMultipartUploads page from the SDK's output or the lean path's parse of the same XML. */
function uploadsPageFrom(answer) {
    const uploads = (answer.Uploads ?? []).flatMap((upload) => upload.Key !== undefined && upload.UploadId
        ? [
            {
                key: upload.Key,
                uploadId: upload.UploadId,
                initiated: upload.Initiated,
                ...(upload.StorageClass ? { storageClass: upload.StorageClass } : {}),
                ...(upload.ChecksumAlgorithm ? { checksumAlgorithm: upload.ChecksumAlgorithm } : {}),
                ...(upload.ChecksumType ? { checksumType: upload.ChecksumType } : {}),
            },
        ]
        : []);
    const next = answer.IsTruncated && answer.NextKeyMarker !== undefined
        ? { keyMarker: answer.NextKeyMarker, uploadIdMarker: answer.NextUploadIdMarker ?? "" }
        : undefined;
    return next ? { uploads, next } : { uploads };
}
/** A header of a lean answer, as the SDK reads it into its output: absent when empty. */
function headerValue(answer, name) {
    const value = answer.headers[name];
    return typeof value === "string" && value !== "" ? value : undefined;
}
/** A CompleteMultipartUpload answer on the lean path: the body's fields and the headers' (as the SDK's). */
function leanCompleteAnswer(answer) {
    const versionId = headerValue(answer, "x-amz-version-id");
    const sse = headerValue(answer, "x-amz-server-side-encryption");
    const crc64 = headerValue(answer, OSS_CRC64_HEADER);
    return writeAnswerFrom({
        ...(0,s3_xml/* parseComplete */.Jj)(documentOf(answer)),
        ...(versionId !== undefined ? { VersionId: versionId } : {}),
        ...(sse !== undefined ? { ServerSideEncryption: sse } : {}),
    }, crc64 !== undefined ? crc64EcmaChecksum(crc64) : undefined);
}
function createdUploadId(uploadId) {
    if (!uploadId)
        throw new Error("CreateMultipartUpload answered without an UploadId");
    return uploadId;
}
function documentOf(answer) {
    return (answer.body ?? Buffer.alloc(0)).toString("utf8");
}
function stripQuotes(etag) {
    return (etag ?? "").replace(/^"+|"+$/g, "");
}
function isNotFound(error) {
    const shape = error;
    return shape.name === "NotFound" || shape.name === "NoSuchKey" || shape.$metadata?.httpStatusCode === 404;
}
/**
 * A HEAD answer has no body, so a 400 or 403 arrives without its code (wrong region, unknown key, bad
 * secret, denied all look alike). The same request as a 1-byte GET carries the code; that error replaces it.
 */
async function explainHeadError(sdk, bucket, key, error, signal) {
    const status = error.$metadata?.httpStatusCode;
    if (status !== 400 && status !== 403)
        return error;
    try {
        const { client, s3 } = await sdk();
        await sdkSend(signal, async (options) => {
            const answer = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=0-0" }), options);
            await answer.Body?.transformToByteArray();
        });
        return error;
    }
    catch (explained) {
        const code = explained.name;
        return code && code !== "NoSuchKey" && code !== "InvalidRange" && code !== "Unknown" ? explained : error;
    }
}
/**
 * The SDK's own endpoint rules, for what plainBucketEndpoint leaves to them (FIPS, dual-stack, configured
 * endpoints, other partitions); null for anything not plain SigV4 (S3 Express, multi-region access points),
 * which the SDK then sends itself.
 */
async function sdkBucketEndpoint({ client }, settings, bucket) {
    const config = client.config;
    const region = await config.region();
    const endpoint = settings.endpoint ?? (await config.serviceConfiguredEndpoint?.());
    const resolved = config.endpointProvider({
        Bucket: bucket,
        Region: region,
        UseFIPS: await config.useFipsEndpoint(),
        UseDualStack: await config.useDualstackEndpoint(),
        Accelerate: config.useAccelerateEndpoint ?? false,
        ForcePathStyle: settings.forcePathStyle ?? false,
        ...(endpoint ? { Endpoint: endpoint } : {}),
    });
    const scheme = resolved.properties?.authSchemes?.[0];
    if (scheme?.name !== "sigv4")
        return null;
    return {
        url: new URL(resolved.url.toString()),
        signingRegion: typeof scheme.signingRegion === "string" ? scheme.signingRegion : region,
        signingName: typeof scheme.signingName === "string" ? scheme.signingName : "s3",
    };
}
/** Where the requests go, for the proxy choice: the endpoint, or Amazon S3's regional host. */
function storeUrl(settings) {
    return new URL(settings.endpoint ?? `https://s3.${settings.region ?? "us-east-1"}.amazonaws.com`);
}
/**
 * One SDK call; the SDK adds a listener of its own to the signal it is given, so it gets a child of the run's
 * signal: the store's callers may hand every request the one run signal (abort-scope.ts).
 */
async function sdkSend(signal, send) {
    return (0,abort_scope/* withChildSignal */.Hv)(signal, (child) => send(child === undefined ? {} : { abortSignal: child }));
}
function createS3Store(settings, tuning) {
    const provider = (0,providers/* providerProfile */.FQ)(settings.provider, settings.endpoint);
    // A store without x-amz-checksum may refuse even the header that asks for them (B2: "Unsupported header").
    const keepsChecksums = provider.checksums.length > 0;
    const checksumMode = keepsChecksums ? { "x-amz-checksum-mode": "ENABLED" } : {};
    const agents = (0,s3_network/* createAgents */.jQ)(storeUrl(settings), settings.network ?? {}, tuning);
    // Awaited by each request, which reports a failure to load the proxy agents; not a crash before that.
    agents.catch(() => undefined);
    // A role the run assumes itself renews its sessions; both paths ask it per request.
    const credentials = settings.assumeRole
        ? webIdentityCredentials(settings.assumeRole, settings.network ?? {}, tuning.stallTimeoutMs)
        : plainCredentials(settings);
    let loaded;
    let loading;
    const sdk = () => (loading ??= Promise.all([__webpack_require__.e(/* import() */ 711).then(__webpack_require__.t.bind(__webpack_require__, 3711, 19)), agents]).then(([s3, ready]) => {
        loaded = { s3, client: createSdkClient(s3, settings, tuning, ready, credentials, provider) };
        return loaded;
    }));
    const signingCredentials = async () => typeof credentials === "function"
        ? credentials()
        : (credentials ?? (await sdk()).client.config.credentials());
    const region = signingRegion(settings);
    const lean = (0,s3_lean_http/* createLeanHttp */.h)({
        endpointFor: async (bucket) => (0,lean_endpoint/* plainBucketEndpoint */.i)({ ...settings, region }, bucket) ??
            sdkBucketEndpoint(await sdk(), settings, bucket),
        credentials: signingCredentials,
        clockOffsetMs: () => loaded?.client.config.systemClockOffset ?? 0,
        network: settings.network ?? {},
    }, agents, tuning.stallTimeoutMs, tuning.maxSockets);
    /** One ListObjectsV2 page: lean, keys URL-encoded so no key (control characters included) upsets the XML. */
    async function listPage(input, signal) {
        const leanAnswer = await lean({
            method: "GET",
            bucket: input.bucket,
            key: "",
            query: {
                "list-type": "2",
                prefix: input.prefix,
                ...(input.maxKeys !== undefined ? { "max-keys": String(input.maxKeys) } : {}),
                "encoding-type": "url",
                ...(input.continuationToken !== undefined
                    ? { "continuation-token": input.continuationToken }
                    : input.startAfter !== undefined
                        ? { "start-after": input.startAfter }
                        : {}),
            },
            headers: {},
            document: "expected",
        }, signal);
        return leanAnswer === null ? sdkListPage(input, signal) : parseKeysPage(documentOf(leanAnswer));
    }
    async function sdkListPage({ bucket, prefix, continuationToken, startAfter, maxKeys }, signal) {
        const { client, s3 } = await sdk();
        const answer = await sdkSend(signal, (options) => client.send(new s3.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: continuationToken,
            StartAfter: startAfter,
            MaxKeys: maxKeys,
        }), options));
        const objects = (answer.Contents ?? []).flatMap((object) => object.Key !== undefined
            ? [{ key: object.Key, size: object.Size ?? 0, etag: stripQuotes(object.ETag) }]
            : []);
        const next = answer.IsTruncated ? answer.NextContinuationToken : undefined;
        return next ? { objects, next } : { objects };
    }
    return {
        async headObject({ bucket, key, versionId, partNumber }, signal) {
            try {
                const leanAnswer = await lean({
                    method: "HEAD",
                    bucket,
                    key,
                    query: {
                        ...(versionId ? { versionId } : {}),
                        ...(partNumber !== undefined ? { partNumber: String(partNumber) } : {}),
                    },
                    headers: checksumMode,
                }, signal);
                if (leanAnswer?.status === 404)
                    return null;
                if (leanAnswer) {
                    const size = Number(leanAnswer.headers["content-length"] ?? 0);
                    const planRecord = leanAnswer.headers["x-amz-meta-svu-plan"];
                    const partsCount = Number(leanAnswer.headers["x-amz-mp-parts-count"] ?? Number.NaN);
                    return {
                        size,
                        ...answerFromHeaders(leanAnswer.headers),
                        ...(typeof planRecord === "string" ? { planRecord } : {}),
                        served: (0,served_headers/* servedFromHeaderLines */.SC)(leanAnswer.headers),
                        ...(Number.isInteger(partsCount) ? { partsCount } : {}),
                        ...(leanAnswer.headers["x-amz-server-side-encryption-customer-algorithm"]
                            ? { sseCustomer: true }
                            : {}),
                    };
                }
                const { client, s3 } = await sdk();
                const head = await sdkSend(signal, (options) => client.send(new s3.HeadObjectCommand({
                    Bucket: bucket,
                    Key: key,
                    VersionId: versionId,
                    PartNumber: partNumber,
                    ...(keepsChecksums ? { ChecksumMode: "ENABLED" } : {}),
                }), options));
                const planRecord = head.Metadata?.["svu-plan"];
                return {
                    size: head.ContentLength ?? 0,
                    ...writeAnswerFrom(head, answeredCrc64(head)),
                    ...(planRecord !== undefined ? { planRecord } : {}),
                    served: (0,served_headers/* servedFromHeaderLines */.SC)({
                        "content-type": head.ContentType,
                        "content-encoding": head.ContentEncoding,
                        "cache-control": head.CacheControl,
                        "content-disposition": head.ContentDisposition,
                        "content-language": head.ContentLanguage,
                    }),
                    ...(head.PartsCount !== undefined ? { partsCount: head.PartsCount } : {}),
                    ...(head.SSECustomerAlgorithm ? { sseCustomer: true } : {}),
                };
            }
            catch (error) {
                if (isNotFound(error))
                    return null;
                throw await explainHeadError(sdk, bucket, key, error, signal);
            }
        },
        async getObjectRange({ bucket, key, versionId, start, end, ifMatch }, onChunk, signal) {
            const range = `bytes=${start}-${end}`;
            const leanAnswer = await lean({
                method: "GET",
                bucket,
                key,
                query: versionId ? { versionId } : {},
                headers: { range, "if-match": `"${ifMatch}"` },
                onBody: onChunk,
            }, signal);
            if (leanAnswer !== null)
                return;
            const { client, s3 } = await sdk();
            // The body streams under the same child signal: an abort must stop it too.
            await sdkSend(signal, async (options) => {
                const answer = await client.send(new s3.GetObjectCommand({
                    Bucket: bucket,
                    Key: key,
                    VersionId: versionId,
                    Range: range,
                    IfMatch: `"${ifMatch}"`,
                }), options);
                await (0,body_sink/* eachBodyChunk */.J)(answer.Body, onChunk);
            });
        },
        listObjectsPage: listPage,
        listKeysPage: listPage,
        async putObject(input, signal) {
            const leanAnswer = await lean({
                method: "PUT",
                bucket: input.bucket,
                key: input.key,
                query: {},
                headers: {
                    ...objectHeaderLines(input.headers),
                    ...checksumHeaderLines(input.checksums, input.contentMd5),
                    ...(input.ifNoneMatch ? createGuard(provider) : {}),
                    ...(input.ifMatch !== undefined ? { "if-match": `"${input.ifMatch}"` } : {}),
                },
                body: input.body,
            }, signal);
            if (leanAnswer !== null)
                return answerFromHeaders(leanAnswer.headers);
            const { client, s3 } = await sdk();
            const answer = await sdkSend(signal, (options) => client.send(new s3.PutObjectCommand({
                Bucket: input.bucket,
                Key: input.key,
                Body: input.body,
                ContentLength: input.body.byteLength,
                ContentMD5: input.contentMd5,
                IfNoneMatch: input.ifNoneMatch ? "*" : undefined,
                IfMatch: input.ifMatch !== undefined ? `"${input.ifMatch}"` : undefined,
                ...headerFields(input.headers),
                ...toFields(input.checksums),
            }), options));
            return writeAnswerFrom(answer, answeredCrc64(answer));
        },
        async deleteObject({ bucket, key, versionId }, signal) {
            const query = versionId ? { versionId } : {};
            if ((await lean({ method: "DELETE", bucket, key, query, headers: {} }, signal)) !== null)
                return;
            const { client, s3 } = await sdk();
            await sdkSend(signal, (options) => client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }), options));
        },
        async createMultipartUpload(input, signal) {
            // A checksum the store computes itself (OSS's CRC64ECMA) is named in no request.
            const named = input.algorithm !== null && !(0,algorithms/* isStoreComputed */.JY)(input.algorithm) ? input.algorithm : null;
            const leanAnswer = await lean({
                method: "POST",
                bucket: input.bucket,
                key: input.key,
                query: { uploads: "" },
                headers: {
                    ...objectHeaderLines(input.headers),
                    ...(named !== null ? { "x-amz-checksum-algorithm": named } : {}),
                    ...(named !== null && input.checksumType ? { "x-amz-checksum-type": input.checksumType } : {}),
                },
                document: "expected",
            }, signal);
            if (leanAnswer !== null)
                return createdUploadId((0,s3_xml/* parseInitiate */.XM)(documentOf(leanAnswer)));
            const { client, s3 } = await sdk();
            const answer = await sdkSend(signal, (options) => client.send(new s3.CreateMultipartUploadCommand({
                Bucket: input.bucket,
                Key: input.key,
                ...headerFields(input.headers),
                ...(named !== null
                    ? { ChecksumAlgorithm: named, ChecksumType: input.checksumType ?? undefined }
                    : {}),
            }), options));
            return createdUploadId(answer.UploadId);
        },
        async uploadPart(input, signal) {
            const leanAnswer = await lean({
                method: "PUT",
                bucket: input.bucket,
                key: input.key,
                query: { partNumber: String(input.partNumber), uploadId: input.uploadId },
                headers: checksumHeaderLines(input.checksums, input.contentMd5),
                body: input.body,
            }, signal);
            if (leanAnswer !== null) {
                const { etag, checksums, sse } = answerFromHeaders(leanAnswer.headers);
                return { etag, checksums, ...(sse ? { sse } : {}) };
            }
            const { client, s3 } = await sdk();
            const answer = await sdkSend(signal, (options) => client.send(new s3.UploadPartCommand({
                Bucket: input.bucket,
                Key: input.key,
                UploadId: input.uploadId,
                PartNumber: input.partNumber,
                Body: input.body,
                ContentLength: input.body.byteLength,
                ContentMD5: input.contentMd5,
                ...toFields(input.checksums),
            }), options));
            const crc64 = answeredCrc64(answer);
            return {
                etag: stripQuotes(answer.ETag),
                checksums: { ...fromFields(answer), ...(crc64 !== undefined ? { CRC64ECMA: crc64 } : {}) },
                ...(answer.ServerSideEncryption ? { sse: answer.ServerSideEncryption } : {}),
            };
        },
        async listPartsPage(input, signal) {
            const leanAnswer = await lean({
                method: "GET",
                bucket: input.bucket,
                key: input.key,
                query: {
                    uploadId: input.uploadId,
                    ...(input.marker !== undefined ? { "part-number-marker": input.marker } : {}),
                    ...(input.maxParts !== undefined ? { "max-parts": String(input.maxParts) } : {}),
                },
                headers: {},
                document: "expected",
            }, signal);
            if (leanAnswer !== null) {
                const xml = documentOf(leanAnswer);
                const crcs = listedPartCrcs(xml);
                return partsPageFrom((0,s3_xml/* parseListParts */.cq)(xml), (number) => {
                    const crc = number === undefined ? undefined : crcs.get(number);
                    return crc === undefined ? undefined : crc64EcmaChecksum(crc);
                });
            }
            const { client, s3 } = await sdk();
            const answer = await sdkSend(signal, (options) => client.send(new s3.ListPartsCommand({
                Bucket: input.bucket,
                Key: input.key,
                UploadId: input.uploadId,
                PartNumberMarker: input.marker,
                MaxParts: input.maxParts,
            }), options));
            return partsPageFrom(answer, (number) => listedCrc64(answer, number));
        },
        async completeMultipartUpload(input, signal) {
            // Named only beside an x-amz-checksum: a store's own CRC (OSS) has no type to send.
            const checksumType = namesAmzChecksum(input) ? (input.checksumType ?? undefined) : undefined;
            const leanAnswer = await lean({
                method: "POST",
                bucket: input.bucket,
                key: input.key,
                query: { uploadId: input.uploadId },
                headers: {
                    "content-type": "application/xml",
                    ...checksumHeaderLines(input.objectChecksums, undefined),
                    ...(checksumType !== undefined ? { "x-amz-checksum-type": checksumType } : {}),
                    "x-amz-mp-object-size": String(input.objectSize),
                    ...(input.ifNoneMatch ? createGuard(provider) : {}),
                },
                body: (0,s3_xml/* completeBody */.Y4)(input.parts),
                document: "required",
            }, signal);
            if (leanAnswer !== null)
                return leanCompleteAnswer(leanAnswer);
            const { client, s3 } = await sdk();
            const answer = await sdkSend(signal, (options) => client.send(new s3.CompleteMultipartUploadCommand({
                Bucket: input.bucket,
                Key: input.key,
                UploadId: input.uploadId,
                MultipartUpload: {
                    Parts: input.parts.map((part) => ({
                        PartNumber: part.number,
                        ETag: `"${part.etag}"`,
                        ...toFields(part.checksums),
                    })),
                },
                ...toFields(input.objectChecksums),
                ChecksumType: checksumType,
                MpuObjectSize: input.objectSize,
                IfNoneMatch: input.ifNoneMatch ? "*" : undefined,
            }), options));
            return writeAnswerFrom(answer, answeredCrc64(answer));
        },
        async abortMultipartUpload({ bucket, key, uploadId }, signal) {
            const query = { uploadId };
            if ((await lean({ method: "DELETE", bucket, key, query, headers: {} }, signal)) !== null)
                return;
            const { client, s3 } = await sdk();
            await sdkSend(signal, (options) => client.send(new s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), options));
        },
        async listUploadsPage(input, signal) {
            const leanAnswer = await lean({
                method: "GET",
                bucket: input.bucket,
                key: "",
                query: {
                    uploads: "",
                    prefix: input.prefix,
                    // No encoding-type=url: Ceph RGW 16.2 then encodes the keys but neither says so nor encodes the
                    // next key marker. A control character comes back as a character reference (&#x01;), which this
                    // parser (unlike the SDK's) reads.
                    ...(input.keyMarker !== undefined ? { "key-marker": input.keyMarker } : {}),
                    ...(input.uploadIdMarker !== undefined ? { "upload-id-marker": input.uploadIdMarker } : {}),
                },
                headers: {},
                document: "expected",
            }, signal);
            if (leanAnswer !== null)
                return uploadsPageFrom((0,s3_xml/* parseListUploads */.u7)(documentOf(leanAnswer)));
            const { client, s3 } = await sdk();
            const answer = await sdkSend(signal, (options) => client.send(new s3.ListMultipartUploadsCommand({
                Bucket: input.bucket,
                Prefix: input.prefix,
                KeyMarker: input.keyMarker,
                UploadIdMarker: input.uploadIdMarker,
            }), options));
            return uploadsPageFrom(answer);
        },
        async getLifecycle(bucket, signal) {
            try {
                const { client, s3 } = await sdk();
                const answer = await sdkSend(signal, (options) => client.send(new s3.GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), options));
                const minimumObjectSize = answer.TransitionDefaultMinimumObjectSize;
                return {
                    rules: answer.Rules ?? [],
                    ...(minimumObjectSize ? { transitionDefaultMinimumObjectSize: minimumObjectSize } : {}),
                };
            }
            catch (error) {
                if (error.name === "NoSuchLifecycleConfiguration")
                    return { rules: [] };
                throw error;
            }
        },
        async putLifecycle(bucket, lifecycle, signal) {
            const { client, s3 } = await sdk();
            await sdkSend(signal, (options) => client.send(new s3.PutBucketLifecycleConfigurationCommand({
                Bucket: bucket,
                LifecycleConfiguration: { Rules: lifecycle.rules },
                // A PUT without it resets the bucket's setting to S3's default; send back what GET said.
                ...(lifecycle.transitionDefaultMinimumObjectSize
                    ? { TransitionDefaultMinimumObjectSize: lifecycle.transitionDefaultMinimumObjectSize }
                    : {}),
            }), options));
        },
        signingCredentials,
        destroy() {
            lean.destroy();
            // The SDK's handler would destroy the agents too; a run that never loaded it still has to.
            if (loaded)
                loaded.client.destroy();
            else
                void loading?.then(({ client }) => client.destroy(), () => undefined);
            void agents.then((made) => made.destroy(), () => undefined);
        },
    };
}


/***/ }),

/***/ 1773:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  h: () => (/* binding */ createLeanHttp),
  g: () => (/* binding */ encodeKey)
});

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: ./src/engine/abort-scope.ts
var abort_scope = __webpack_require__(8153);
// EXTERNAL MODULE: ./src/engine/s3/body-sink.ts
var body_sink = __webpack_require__(9897);
// EXTERNAL MODULE: ./src/engine/s3/network.ts
var network = __webpack_require__(9203);
// EXTERNAL MODULE: ./src/engine/s3/sigv4.ts
var sigv4 = __webpack_require__(8258);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
// EXTERNAL MODULE: external "node:module"
var external_node_module_ = __webpack_require__(8995);
;// CONCATENATED MODULE: ./src/engine/s3/http1-response.ts
// The HTTP/1.1 response grammar socket-http.ts needs, as pure functions over bytes: where a head ends, what it
// says, and how its body is framed (RFC 9112). Anything outside the narrow shape S3 answers in is a
// ProtocolSurprise, so the caller can hand the request to Node's client instead of guessing.
/** A response this reader does not handle; thrown before any body byte was given to anyone. */
class ProtocolSurprise extends Error {
    constructor(detail) {
        super(`unexpected HTTP response: ${detail}`);
        this.name = "ProtocolSurprise";
    }
}
/** Larger than any S3 head (2 KiB of user metadata plus its own headers); a bigger one is a surprise. */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLFCRLF = Buffer.from("\r\n\r\n");
/**
 * The index just past the blank line that ends the head in `bytes`, or -1 while it has not arrived;
 * `from` skips bytes already searched (minus 3, so a CRLFCRLF split between two reads is still found).
 */
function findHeadEnd(bytes, from = 0) {
    const at = bytes.indexOf(CRLFCRLF, Math.max(0, from - 3));
    return at < 0 ? -1 : at + 4;
}
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
// RFC 9110 token characters, by char code: a table, not a regex per header line (every small file's answer
// passes here).
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
    TOKEN_CHARS[c.charCodeAt(0)] = 1;
}
function isToken(text, start, end) {
    if (start >= end)
        return false;
    for (let at = start; at < end; at++) {
        const code = text.charCodeAt(at);
        if (code >= 128 || TOKEN_CHARS[code] === 0)
            return false;
    }
    return true;
}
const SPACE = 0x20;
const TAB = 0x09;
function isBlank(code) {
    return code === SPACE || code === TAB;
}
/** Parses the head (status line and headers, without the final blank line) of an answer to `method`. */
function parseResponseHead(head, method) {
    const text = head.toString("latin1");
    let end = text.length;
    while (end >= 2 && text.charCodeAt(end - 2) === 13 && text.charCodeAt(end - 1) === 10)
        end -= 2;
    const firstBreak = text.indexOf("\r\n");
    const statusEnd = firstBreak < 0 || firstBreak > end ? end : firstBreak;
    const statusText = text.slice(0, statusEnd);
    const statusLine = STATUS_LINE.exec(statusText);
    if (!statusLine)
        throw new ProtocolSurprise(`status line ${JSON.stringify(statusText.slice(0, 80))}`);
    const minor = statusLine[1];
    const status = Number(statusLine[2]);
    if (status < 200)
        throw new ProtocolSurprise(`interim answer ${status}`);
    const headers = Object.create(null);
    for (let start = statusEnd + 2; start <= end && statusEnd < end;) {
        let lineEnd = text.indexOf("\r\n", start);
        if (lineEnd < 0 || lineEnd > end)
            lineEnd = end;
        // Folded lines (obs-fold) are obsolete; RFC 9112 lets a client reject them.
        if (isBlank(text.charCodeAt(start)))
            throw new ProtocolSurprise("a folded header line");
        const colon = text.indexOf(":", start);
        if (colon < 0 || colon >= lineEnd || !isToken(text, start, colon)) {
            throw new ProtocolSurprise(`header line ${JSON.stringify(text.slice(start, lineEnd).slice(0, 80))}`);
        }
        const lower = text.slice(start, colon).toLowerCase();
        let valueStart = colon + 1;
        let valueEnd = lineEnd;
        while (valueStart < valueEnd && isBlank(text.charCodeAt(valueStart)))
            valueStart++;
        while (valueEnd > valueStart && isBlank(text.charCodeAt(valueEnd - 1)))
            valueEnd--;
        const value = text.slice(valueStart, valueEnd);
        const previous = headers[lower];
        headers[lower] = previous === undefined ? value : `${previous}, ${value}`;
        start = lineEnd + 2;
    }
    const connection = headers["connection"];
    const keepAlive = connection === undefined
        ? minor === "1"
        : minor === "1"
            ? !/(^|,)\s*close\s*(,|$)/.test(connection.toLowerCase())
            : /(^|,)\s*keep-alive\s*(,|$)/.test(connection.toLowerCase());
    return { status, headers, framing: framingOf(status, headers, method), keepAlive };
}
const DIGITS = /^\d{1,15}$/;
// RFC 9112 section 6.3, in its order.
function framingOf(status, headers, method) {
    if (method === "HEAD" || status === 204 || status === 304)
        return { kind: "none" };
    const transferEncoding = headers["transfer-encoding"];
    if (transferEncoding !== undefined) {
        const codings = transferEncoding
            .toLowerCase()
            .split(",")
            .map((coding) => coding.trim());
        // Chunked alone is what a server sends; a compression under it would need decoding we do not do.
        if (codings.length === 1 && codings[0] === "chunked")
            return { kind: "chunked" };
        throw new ProtocolSurprise(`Transfer-Encoding ${transferEncoding}`);
    }
    const contentLength = headers["content-length"];
    if (contentLength === undefined)
        return { kind: "close" };
    if (DIGITS.test(contentLength))
        return { kind: "length", length: Number(contentLength) };
    // Repeated identical values are allowed (RFC 9110 section 8.6); differing ones are an attack or a bug.
    const values = new Set(contentLength.split(",").map((value) => value.trim()));
    const [only] = values;
    if (values.size !== 1 || !DIGITS.test(only)) {
        throw new ProtocolSurprise(`Content-Length ${contentLength}`);
    }
    return { kind: "length", length: Number(only) };
}
/**
 * Decodes a chunked body fed in pieces (RFC 9112 section 7.1), for error answers: their bodies are small,
 * so the data is gathered, up to `limit` bytes. Trailer fields are read past and dropped.
 */
class ChunkedDecoder {
    limit;
    pending = Buffer.alloc(0);
    chunkLeft = 0;
    /** "size": expecting a chunk-size line; "data": inside a chunk; "crlf": after its data; "trailer": at the end. */
    state = "size";
    parts = [];
    gathered = 0;
    constructor(limit) {
        this.limit = limit;
    }
    get done() {
        return this.state === "done";
    }
    /** The decoded body so far (at most `limit` bytes). */
    body() {
        return Buffer.concat(this.parts);
    }
    /** Feeds the next bytes; returns how many of them belong to the body (the rest follow its end). */
    feed(bytes) {
        const input = this.pending.byteLength > 0 ? Buffer.concat([this.pending, bytes]) : bytes;
        const carried = this.pending.byteLength;
        this.pending = Buffer.alloc(0);
        let at = 0;
        while (at < input.byteLength && this.state !== "done") {
            if (this.state === "data") {
                const take = Math.min(this.chunkLeft, input.byteLength - at);
                this.keep(input.subarray(at, at + take));
                at += take;
                this.chunkLeft -= take;
                if (this.chunkLeft === 0)
                    this.state = "crlf";
                continue;
            }
            const lineEnd = input.indexOf("\r\n", at);
            if (lineEnd < 0) {
                if (input.byteLength - at > 4096)
                    throw new ProtocolSurprise("a chunk line longer than 4 KiB");
                this.pending = Buffer.from(input.subarray(at));
                at = input.byteLength;
                break;
            }
            const line = input.toString("latin1", at, lineEnd);
            at = lineEnd + 2;
            if (this.state === "crlf") {
                if (line !== "")
                    throw new ProtocolSurprise("chunk data longer than its size");
                this.state = "size";
            }
            else if (this.state === "size") {
                const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
                if (!size)
                    throw new ProtocolSurprise(`chunk size line ${JSON.stringify(line.slice(0, 40))}`);
                this.chunkLeft = parseInt(size[1], 16);
                this.state = this.chunkLeft === 0 ? "trailer" : "data";
            }
            else if (line === "") {
                this.state = "done";
            }
        }
        return at - carried;
    }
    keep(data) {
        const room = this.limit - this.gathered;
        if (room <= 0)
            return;
        const kept = data.byteLength <= room ? data : data.subarray(0, room);
        this.parts.push(Buffer.from(kept));
        this.gathered += kept.byteLength;
    }
}

;// CONCATENATED MODULE: ./src/engine/s3/socket-http.ts
// HTTP/1.1 exchanges on our own keep-alive sockets, for GET bodies (and small requests: HEAD, PUT). Node's client copies every body chunk out
// of the socket's buffer into a new one and runs a stream per answer: ~2 CPU-s per GiB of body. Here the
// kernel reads into one reused buffer per socket and the body goes to its sink straight from there (~0.4
// CPU-s/GiB; bench/results/download-transport-2026-11-30.md). Direct connections only: behind a proxy the agents of
// network.ts carry the request. An answer outside the shape parsed here comes back as "unsupported" before any
// body byte reached the sink, so the caller can send the request through Node's client instead. A PUT's body is
// written from the caller's buffer (no copy): the exchange settles only once the socket no longer needs it.




// node:tls only when a GET goes over TLS (network.ts says why).
const requireBuiltin = (0,external_node_module_.createRequire)(import.meta.url);
/** One read's worth: libuv's own read size, and small enough to stay in cache while the sink hashes it. */
const READ_BUFFER_BYTES = 64 * 1024;
/** S3's error documents are a few hundred bytes. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** Below the 5 s keep-alive timeout of Node servers (S3's is longer), so we close an idle socket first. */
const IDLE_TIMEOUT_MS = 4_000;
/** A reused socket the server closed before answering: the request goes again on a new one. */
const STALE = Symbol("stale connection");
function timeoutError(ms) {
    const error = new Error(`no traffic on the connection for ${ms} ms`);
    error.name = "TimeoutError";
    return error;
}
function abortError(signal) {
    return Object.assign(new Error("The operation was aborted"), {
        name: "AbortError",
        code: "ABORT_ERR",
        cause: signal.reason,
    });
}
/** Retried like a reset (retry.ts): the store or the network cut the answer short. */
function closedError(detail) {
    return Object.assign(new Error(`the connection closed ${detail}`), { code: "ECONNRESET" });
}
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** Up to this, a body is copied next to its head and goes out in one write: cheaper than Node's corked writev. */
const SINGLE_WRITE_BODY_BYTES = 16 * 1024;
/** The request line and headers, blank line included; latin1, so one character is one byte. */
function requestHead(request) {
    let head = `${request.method} ${request.target} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(request.headers)) {
        // A line break in a value would start a header of its own on the wire.
        if (!TOKEN.test(name) || INVALID_VALUE.test(value)) {
            throw new TypeError(`header ${JSON.stringify(name)} has a character HTTP does not allow`);
        }
        head += `${name}: ${value}\r\n`;
    }
    if (/[^\x21-\x7e]/.test(request.target))
        throw new TypeError("the request path has unencoded characters");
    return `${head}\r\n`;
}
function createSocketHttp(options) {
    const idle = new Map();
    let tls;
    const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    const tlsOptions = () => (tls ??= options.tls());
    function release(connection) {
        connection.onBytes = null;
        connection.lentBuffer = null;
        connection.onClose = null;
        const list = idle.get(connection.key) ?? [];
        if (list.length >= options.maxIdle || connection.socket.destroyed) {
            connection.socket.destroy();
            return;
        }
        connection.onTimeout = () => connection.socket.destroy();
        // Its age is checked when it is taken again, not by a timer: re-arming a socket's timer costs a Timeout
        // object per call, twice an exchange. The stall timer armed at open() also ends a socket idle that long.
        connection.idleSince = performance.now();
        // An idle socket must not keep the process alive.
        connection.socket.unref();
        list.push(connection);
        idle.set(connection.key, list);
    }
    function takeIdle(key) {
        const list = idle.get(key);
        while (list && list.length > 0) {
            const connection = list.pop();
            if (connection.socket.destroyed)
                continue;
            if (performance.now() - connection.idleSince < idleTimeoutMs)
                return connection;
            connection.socket.destroy();
        }
        return undefined;
    }
    function open(url, key) {
        const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
        const host = url.hostname.replace(/^\[|\]$/g, "");
        const https = url.protocol === "https:";
        const port = Number(url.port || (https ? 443 : 80));
        const connection = {
            socket: undefined,
            key,
            onBytes: null,
            lentBuffer: null,
            onClose: null,
            onTimeout: () => undefined,
            idleSince: 0,
        };
        const onread = {
            // Asked again after every read, for the memory of the next one.
            buffer: () => connection.lentBuffer?.() ?? readBuffer,
            callback: (read, buffer) => {
                if (connection.onBytes !== null)
                    return connection.onBytes(buffer.subarray(0, read));
                // Bytes nobody asked for on an idle socket: it is out of step with the server.
                connection.socket.destroy();
                return false;
            },
        };
        connection.socket = https
            ? requireBuiltin("node:tls").connect({
                ...tlsOptions(),
                host,
                port,
                // Node's https agent sends SNI for names only, never for an address.
                ...((0,external_node_net_.isIP)(host) === 0 ? { servername: host } : {}),
                onread,
            })
            : (0,external_node_net_.connect)({ host, port, onread });
        const { socket } = connection;
        socket.setNoDelay(true);
        // Node refreshes it on every read and write: it measures silence within an exchange without being re-armed.
        socket.setTimeout(options.stallTimeoutMs);
        let lastError;
        socket.on("error", (error) => {
            lastError = error;
        });
        socket.on("timeout", () => connection.onTimeout());
        socket.on("close", () => {
            const list = idle.get(key);
            const at = list?.indexOf(connection) ?? -1;
            if (at >= 0)
                list.splice(at, 1);
            connection.onClose?.(lastError);
        });
        return connection;
    }
    function run(connection, request, reused) {
        const { socket } = connection;
        return new Promise((resolve, reject) => {
            let headBytes = Buffer.alloc(0);
            let head = null;
            let anyByte = false;
            let settled = false;
            /** Bytes of a length-framed body still to come. */
            let remaining = 0;
            let reusable = true;
            const errorParts = [];
            let errorBytes = 0;
            let chunked = null;
            /** Until the kernel took the whole body, the socket reads from the caller's buffer. */
            let bodyWritten = request.body === undefined || request.body.byteLength === 0;
            let stopListening = () => undefined;
            const cleanup = () => {
                settled = true;
                stopListening();
                connection.onBytes = null;
                connection.lentBuffer = null;
                connection.onClose = null;
                connection.onTimeout = () => undefined;
            };
            const fail = (error) => {
                if (settled)
                    return;
                cleanup();
                socket.destroy();
                reject(error);
            };
            const finish = () => {
                if (settled)
                    return;
                cleanup();
                // An answer before the whole body was taken (a store refusing at once): the rest of the body must
                // not go out, and the caller's buffer must be free once this settles; destroy() does both.
                if (reusable && head.keepAlive && bodyWritten)
                    release(connection);
                else
                    socket.destroy();
                const isError = head.status < 200 || head.status >= 300;
                resolve({
                    kind: "answer",
                    status: head.status,
                    headers: head.headers,
                    errorBody: isError ? Buffer.concat(errorParts) : Buffer.alloc(0),
                });
            };
            const unsupported = (reason) => {
                if (settled)
                    return;
                cleanup();
                socket.destroy();
                resolve({ kind: "unsupported", reason });
            };
            function onAbort() {
                fail(abortError(request.signal));
            }
            const keepError = (bytes) => {
                const room = ERROR_BODY_LIMIT - errorBytes;
                if (room <= 0)
                    return;
                const kept = Buffer.from(bytes.byteLength <= room ? bytes : bytes.subarray(0, room));
                errorParts.push(kept);
                errorBytes += kept.byteLength;
            };
            const onHead = (bytes) => {
                let end;
                if (headBytes.byteLength === 0) {
                    end = findHeadEnd(bytes);
                    if (end >= 0) {
                        head = parseResponseHead(bytes.subarray(0, end - 4), request.method);
                        return bytes.subarray(end);
                    }
                }
                const searched = headBytes.byteLength;
                headBytes = Buffer.concat([headBytes, bytes]);
                end = findHeadEnd(headBytes, searched);
                if (end < 0) {
                    if (headBytes.byteLength > MAX_HEAD_BYTES)
                        throw new ProtocolSurprise("a head larger than 64 KiB");
                    return null;
                }
                head = parseResponseHead(headBytes.subarray(0, end - 4), request.method);
                return headBytes.subarray(end);
            };
            /** Starts the body after the head; false when the answer is not one this reader takes. */
            const startBody = () => {
                const { status, framing } = head;
                const success = status >= 200 && status < 300;
                if (framing.kind === "length")
                    remaining = framing.length;
                if (success && request.onBody && framing.kind !== "length" && framing.kind !== "none") {
                    unsupported(`a ${status} body framed by ${framing.kind === "chunked" ? "chunked encoding" : "connection close"}`);
                    return false;
                }
                if (framing.kind === "chunked")
                    chunked = new ChunkedDecoder(ERROR_BODY_LIMIT);
                if (framing.kind === "close")
                    reusable = false;
                return true;
            };
            const onSuccessBody = (bytes) => {
                const take = Math.min(remaining, bytes.byteLength);
                // More than the answer's length on a connection with one request in flight: out of step.
                if (take < bytes.byteLength)
                    reusable = false;
                remaining -= take;
                let wait;
                try {
                    wait = request.onBody
                        ? request.onBody(take === bytes.byteLength ? bytes : bytes.subarray(0, take))
                        : undefined;
                }
                catch (error) {
                    fail(error);
                    return false;
                }
                if (remaining === 0) {
                    if (wait === undefined)
                        finish();
                    else
                        wait.then(finish, fail);
                    return true;
                }
                if (wait === undefined)
                    return true;
                wait.then(() => {
                    if (!settled)
                        socket.resume();
                }, fail);
                return false;
            };
            const onErrorBody = (bytes) => {
                const framing = head.framing;
                if (chunked !== null) {
                    const used = chunked.feed(bytes);
                    if (used < bytes.byteLength)
                        reusable = false;
                    if (chunked.done) {
                        keepError(chunked.body());
                        finish();
                    }
                    return true;
                }
                if (framing.kind === "close") {
                    keepError(bytes);
                    return true;
                }
                const take = Math.min(remaining, bytes.byteLength);
                if (take < bytes.byteLength)
                    reusable = false;
                keepError(bytes.subarray(0, take));
                remaining -= take;
                if (remaining === 0)
                    finish();
                return true;
            };
            const onBytes = (bytes) => {
                let rest = bytes;
                if (head === null) {
                    rest = onHead(bytes);
                    if (rest === null)
                        return true;
                    if (!startBody())
                        return false;
                    if (head.framing.kind === "none" || (head.framing.kind === "length" && remaining === 0)) {
                        if (rest.byteLength > 0)
                            reusable = false;
                        finish();
                        return true;
                    }
                    if (rest.byteLength === 0)
                        return true;
                }
                return head.status >= 200 && head.status < 300 ? onSuccessBody(rest) : onErrorBody(rest);
            };
            connection.onBytes = (bytes) => {
                if (settled)
                    return true;
                anyByte = true;
                try {
                    return onBytes(bytes);
                }
                catch (error) {
                    // Only heads and error bodies are parsed, so no byte has reached the sink yet.
                    if (error instanceof ProtocolSurprise)
                        unsupported(error.message);
                    else
                        fail(error);
                    return false;
                }
            };
            connection.onClose = (error) => {
                if (settled)
                    return;
                if (head !== null && head.framing.kind === "close" && (head.status < 200 || head.status >= 300)) {
                    finish();
                    return;
                }
                // A server's keep-alive close racing our reuse, or a request it got and dropped: a GET is sent again
                // here (its body is what counts, and its reader proves it). A PUT may have landed and a HEAD is a
                // proof step: the caller's retry decides and reports it, as with Node's client.
                if (!anyByte && reused && request.method === "GET") {
                    cleanup();
                    resolve(STALE);
                    return;
                }
                const detail = head === null
                    ? "before the answer's head arrived"
                    : `with ${remaining} byte(s) of the answer's body still to come`;
                fail(error ?? closedError(detail));
            };
            connection.onTimeout = () => fail(timeoutError(options.stallTimeoutMs));
            const readInto = request.onBody?.readInto;
            // Only inside a 2xx body framed by its length, and never past its end: the bytes of whatever comes
            // after it (nothing, on a connection with one request in flight) cannot land in the sink's memory.
            connection.lentBuffer =
                readInto === undefined
                    ? null
                    : () => !settled && head !== null && head.status >= 200 && head.status < 300 && remaining > 0
                        ? readInto(remaining)
                        : null;
            if (request.signal?.aborted) {
                fail(abortError(request.signal));
                return;
            }
            // The run's own signal, shared by every exchange: one listener on it however many are in flight.
            if (request.signal)
                stopListening = (0,abort_scope/* whenAborted */.eG)(request.signal, onAbort);
            let headText;
            try {
                headText = requestHead(request);
            }
            catch (error) {
                cleanup();
                release(connection);
                reject(error);
                return;
            }
            socket.ref();
            const body = request.body;
            if (bodyWritten || body === undefined) {
                socket.write(headText, "latin1");
                return;
            }
            const onBodyWritten = () => {
                bodyWritten = true;
            };
            if (body.byteLength <= SINGLE_WRITE_BODY_BYTES) {
                const bytes = Buffer.allocUnsafe(headText.length + body.byteLength);
                bytes.write(headText, 0, "latin1");
                body.copy(bytes, headText.length);
                socket.write(bytes, onBodyWritten);
                return;
            }
            // Head and body in one writev, the body from the caller's buffer.
            socket.cork();
            socket.write(headText, "latin1");
            socket.write(body, onBodyWritten);
            socket.uncork();
        });
    }
    return {
        async exchange(request) {
            const key = `${request.url.protocol}//${request.url.host}`;
            const reused = takeIdle(key);
            if (reused !== undefined) {
                const outcome = await run(reused, request, true);
                if (outcome !== STALE)
                    return outcome;
            }
            const outcome = await run(open(request.url, key), request, false);
            // A new connection is never stale: run() resolves STALE only for reused ones.
            return outcome;
        },
        destroy() {
            for (const list of idle.values())
                for (const connection of list)
                    connection.socket.destroy();
            idle.clear();
        },
    };
}

// EXTERNAL MODULE: ./src/engine/s3/s3-xml.ts
var s3_xml = __webpack_require__(999);
;// CONCATENATED MODULE: ./src/engine/s3/s3-lean-http.ts
// The per-file and per-part calls (UploadPart, PutObject, HeadObject) skip the SDK's per-request middleware,
// which cost ~1 ms of CPU per call (measured: 1,000 × 64 KiB files took 3.4 ms CPU each with the SDK doing
// both HeadObjects, 0.7 ms without them): one SigV4-signed request with the client's credentials and endpoint
// rules. Ranged GetObject bodies stream through it too, straight to the caller's sink. The connection picks
// the transport: a direct one carries every request over our own sockets (socket-http.ts; Node's client cost
// ~a fifth of a small file's CPU), a proxy the agents of network.ts with Node's client. Control calls whose
// answer is an XML document (ListObjectsV2, ListMultipartUploads, CreateMultipartUpload, ListParts,
// CompleteMultipartUpload) and deletes (AbortMultipartUpload, DeleteObject) go through it as well, always over
// Node's client (stores send those documents chunked), so a multipart run never loads the SDK (~0.17 CPU-s).
// Only s3-client.ts uses this; it decides where the SDK is still needed.







// The SDK's key encoding: RFC 3986 per path segment, slashes kept. Exported for the differential test.
function encodeKey(key) {
    return key
        .split("/")
        .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
        .join("/");
}
// What the SDK names an error whose answer has no body (every HEAD error).
const BODYLESS_CODES = {
    301: "MovedPermanently",
    400: "BadRequest",
    403: "Forbidden",
    404: "NotFound",
    412: "PreconditionFailed",
};
/** An S3-style error the engine's retry and error mapping read exactly like an SDK exception. */
function s3Error(status, body, headers) {
    const field = (name) => {
        const text = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
        return text === undefined ? undefined : (0,s3_xml/* xmlText */.xK)(text);
    };
    const code = field("Code") ?? BODYLESS_CODES[status] ?? "Unknown";
    const requestId = headers["x-amz-request-id"];
    // A wrong region's answer names the bucket's (the body's <Region>, or the header on a redirect).
    const bucketRegion = headers["x-amz-bucket-region"];
    const region = field("Region") ?? (typeof bucketRegion === "string" ? bucketRegion : undefined);
    const error = new Error(field("Message") ?? `HTTP ${status} without an error body`);
    error.name = code;
    error.Code = code;
    if (region)
        error.Region = region;
    error.$metadata = { httpStatusCode: status, ...(typeof requestId === "string" ? { requestId } : {}) };
    return error;
}
/**
 * A 2xx answer the SDK turns into an error (its throw200Exceptions middleware): a document ending in an S3
 * <Error> (a CompleteMultipartUpload that failed after its 200 went out) is read as a 503 with that error's
 * code, and an empty body where one is required as InternalError 503. Both are retried (retry.ts).
 */
function errorIn200(body, required, headers) {
    if (body.byteLength === 0 && required) {
        return Object.assign(new Error("S3 aborted request"), {
            name: "InternalError",
            $metadata: { httpStatusCode: 503 },
        });
    }
    const tail = body.subarray(Math.max(0, body.byteLength - 16)).toString("utf8");
    return tail.endsWith("</Error>") ? s3Error(503, body.toString("utf8"), headers) : null;
}
function s3_lean_http_timeoutError(ms) {
    const error = new Error(`no traffic on the connection for ${ms} ms`);
    error.name = "TimeoutError";
    return error;
}
function hasBody(method) {
    return method === "PUT" || method === "POST";
}
function createLeanHttp(setup, agents, stallTimeoutMs, maxSockets) {
    const endpoints = new Map();
    const sockets = createSocketHttp({
        tls: () => (0,network/* storeTlsOptions */.$s)(setup.network),
        stallTimeoutMs,
        maxIdle: maxSockets,
    });
    async function resolve(bucket) {
        const endpoint = await setup.endpointFor(bucket);
        if (endpoint === null)
            return null;
        return {
            url: endpoint.url,
            sign: (0,sigv4/* createSigner */.rO)(endpoint.signingRegion, endpoint.signingName),
            ownSockets: (0,network/* proxyFor */.iJ)(endpoint.url, setup.network.proxy) === undefined,
        };
    }
    /** The request through Node's client on the agents (and so the proxy) of network.ts. */
    async function viaAgents(url, target, pathAndQuery, headers, signal) {
        const https = url.protocol === "https:";
        const agent = https ? (await agents).https : (await agents).http;
        // node:https only when a request needs it (network.ts says why).
        const send = https ? (await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 4708, 23))).request : external_node_http_.request;
        return new Promise((resolveAnswer, reject) => {
            const request = send({
                method: target.method,
                protocol: url.protocol,
                hostname: url.hostname.replace(/^\[|\]$/g, ""),
                port: url.port || (https ? 443 : 80),
                path: pathAndQuery,
                headers,
                agent,
                ...(signal ? { signal } : {}),
            });
            request.setTimeout(stallTimeoutMs, () => request.destroy(s3_lean_http_timeoutError(stallTimeoutMs)));
            request.on("error", reject);
            request.on("response", (response) => {
                const status = response.statusCode ?? 0;
                const success = status >= 200 && status < 300;
                const answer = (body) => ({
                    kind: "answer",
                    status,
                    headers: response.headers,
                    errorBody: success ? Buffer.alloc(0) : body,
                    ...(success && target.document ? { document: body } : {}),
                });
                if (success && target.onBody) {
                    (0,body_sink/* eachBodyChunk */.J)(response, target.onBody).then(() => resolveAnswer(answer(Buffer.alloc(0))), (error) => {
                        // The rest of the body is not wanted: the connection cannot be reused mid-body.
                        request.destroy();
                        reject(error);
                    });
                    return;
                }
                const chunks = [];
                let kept = 0;
                response.on("data", (chunk) => {
                    if (success && !target.document)
                        return;
                    if (success || kept < ERROR_BODY_LIMIT)
                        chunks.push(chunk);
                    kept += chunk.byteLength;
                });
                response.on("error", reject);
                response.on("end", () => resolveAnswer(answer(Buffer.concat(chunks))));
            });
            request.end(hasBody(target.method) ? (target.body ?? Buffer.alloc(0)) : undefined);
        });
    }
    const send = async (target, signal) => {
        let endpoint = endpoints.get(target.bucket);
        if (endpoint === undefined) {
            endpoint = resolve(target.bucket);
            endpoints.set(target.bucket, endpoint);
        }
        const resolved = await endpoint;
        if (resolved === null)
            return null;
        const { url, sign } = resolved;
        // An empty key addresses the bucket itself (ListObjectsV2), as the SDK sends it: no trailing slash.
        const bucketPath = url.pathname.replace(/\/$/, "");
        const path = target.key === "" ? bucketPath || "/" : `${bucketPath}/${encodeKey(target.key)}`;
        const body = target.body ?? Buffer.alloc(0);
        const control = target.method === "POST" || target.method === "DELETE";
        const credentials = await setup.credentials();
        const headers = sign({
            method: target.method,
            path,
            query: target.query,
            headers: {
                ...target.headers,
                host: url.host,
                ...(hasBody(target.method) ? { "content-length": String(body.byteLength) } : {}),
                // Integrity of data rides on our checksum headers; hashing it for SigV4 would double the CPU cost. A
                // control call's body is small and carries the part list, so it is signed.
                "x-amz-content-sha256": control ? (0,sigv4/* sha256Hex */.fg)(body) : "UNSIGNED-PAYLOAD",
            },
        }, credentials, new Date(Date.now() + setup.clockOffsetMs()));
        const search = new URLSearchParams(target.query).toString().replace(/\+/g, "%20");
        const pathAndQuery = search ? `${path}?${search}` : path;
        let exchanged = null;
        // Not documents: S3 sends them chunked, which socket-http.ts leaves to Node's client; nor POST (a Complete
        // sent twice could meet its own success as NoSuchUpload) or DELETE. An answer it cannot read sends the
        // request again through Node's client; for a PUT that is a retry of a write that may have landed, as after
        // a reset: idempotent for the same bytes, and If-None-Match's 412 is then confirmed by reading the object
        // (confirm-object.ts).
        const method = target.method;
        const overSockets = method === "PUT" || method === "HEAD" || (method === "GET" && !target.document);
        if (resolved.ownSockets && overSockets) {
            const overSocket = await sockets.exchange({
                method,
                url,
                target: pathAndQuery,
                headers,
                ...(target.onBody ? { onBody: target.onBody } : {}),
                ...(method === "PUT" ? { body } : {}),
                ...(signal ? { signal } : {}),
            });
            if (overSocket.kind === "answer")
                exchanged = overSocket;
            else
                resolved.ownSockets = false;
        }
        exchanged ??= await (0,abort_scope/* withChildSignal */.Hv)(signal, (child) => viaAgents(url, target, pathAndQuery, headers, child));
        const { status } = exchanged;
        if (status >= 200 && status < 300 && target.document) {
            const document = exchanged.document ?? Buffer.alloc(0);
            const error = errorIn200(document, target.document === "required", exchanged.headers);
            if (error)
                throw error;
            return { status, headers: exchanged.headers, body: document };
        }
        if ((status >= 200 && status < 300) || (status === 404 && target.method === "HEAD")) {
            return { status, headers: exchanged.headers };
        }
        throw s3Error(status, exchanged.errorBody.toString("utf8"), exchanged.headers);
    };
    return Object.assign(send, { destroy: () => sockets.destroy() });
}


/***/ }),

/***/ 999:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AH: () => (/* binding */ xmlBlocks),
/* harmony export */   Jj: () => (/* binding */ parseComplete),
/* harmony export */   Nl: () => (/* binding */ urlDecodedKey),
/* harmony export */   XM: () => (/* binding */ parseInitiate),
/* harmony export */   Y4: () => (/* binding */ completeBody),
/* harmony export */   cq: () => (/* binding */ parseListParts),
/* harmony export */   e: () => (/* binding */ saysUrlEncoded),
/* harmony export */   u7: () => (/* binding */ parseListUploads),
/* harmony export */   wy: () => (/* binding */ xmlField),
/* harmony export */   xK: () => (/* binding */ xmlText)
/* harmony export */ });
const XML_ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
/** XML text as the SDK's parser gives it: entities and character references decoded. */
function xmlText(text) {
    return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (entity, name) => {
        if (!name.startsWith("#"))
            return XML_ENTITIES[name] ?? entity;
        const codePoint = name.startsWith("#x") ? parseInt(name.slice(2), 16) : Number(name.slice(1));
        return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
    });
}
const fieldPatterns = new Map();
/** The decoded text of the first <name> element in `xml` (a leaf: no child elements), if any. */
function xmlField(xml, name) {
    let pattern = fieldPatterns.get(name);
    if (pattern === undefined) {
        pattern = new RegExp(`<${name}>([^<]*)</${name}>`);
        fieldPatterns.set(name, pattern);
    }
    const match = pattern.exec(xml);
    if (match)
        return xmlText(match[1]);
    // An empty element, as some stores write an empty marker.
    return xml.includes(`<${name}/>`) ? "" : undefined;
}
/** The inner XML of each <name> element, and the document without them (where its own fields are read). */
function xmlBlocks(xml, name) {
    const pattern = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g");
    const blocks = [...xml.matchAll(pattern)].map((match) => match[1]);
    return { blocks, rest: xml.replace(pattern, "") };
}
/** Whether a ListObjectsV2 answer says its keys are URL-encoded. */
function saysUrlEncoded(rest) {
    return /<EncodingType>url<\/EncodingType>/i.test(rest);
}
/**
 * A key from an answer asked with encoding-type=url. Decoded only when the answer says it was encoded: a
 * store that ignores the parameter sends keys as they are, and decoding "100%.txt" would fail or change it.
 */
function urlDecodedKey(key, encoded) {
    // S3's URL encoding writes a space as "+", as forms do.
    return encoded ? decodeURIComponent(key.replace(/\+/g, " ")) : key;
}
// The SDK's parser turns "true" into true and anything else into false.
function flag(text) {
    return text === undefined ? undefined : text === "true";
}
function integer(text) {
    return text === undefined ? undefined : Number(text);
}
function date(text) {
    if (text === undefined)
        return undefined;
    const parsed = new Date(text);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}
/** The x-amz-checksum algorithms, in the order the SDK writes them in a Complete's parts. */
const PART_CHECKSUMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];
function checksumFields(xml) {
    const fields = {};
    for (const algorithm of PART_CHECKSUMS) {
        const value = xmlField(xml, `Checksum${algorithm}`);
        if (value !== undefined)
            fields[`Checksum${algorithm}`] = value;
    }
    return fields;
}
/** CreateMultipartUpload's answer: the upload's id. */
function parseInitiate(xml) {
    return xmlField(xml, "UploadId");
}
/** The fields of a CompleteMultipartUpload answer's body (its headers carry the rest). */
function parseComplete(xml) {
    const checksumType = xmlField(xml, "ChecksumType");
    const etag = xmlField(xml, "ETag");
    return {
        ...(etag !== undefined ? { ETag: etag } : {}),
        ...checksumFields(xml),
        ...(checksumType !== undefined ? { ChecksumType: checksumType } : {}),
    };
}
/** A ListParts page. */
function parseListParts(xml) {
    const { blocks, rest } = xmlBlocks(xml, "Part");
    const top = (name) => xmlField(rest, name);
    const parts = blocks.map((block) => {
        const number = integer(xmlField(block, "PartNumber"));
        const size = integer(xmlField(block, "Size"));
        const etag = xmlField(block, "ETag");
        const lastModified = date(xmlField(block, "LastModified"));
        return {
            ...(number !== undefined ? { PartNumber: number } : {}),
            ...(size !== undefined ? { Size: size } : {}),
            ...(etag !== undefined ? { ETag: etag } : {}),
            ...(lastModified !== undefined ? { LastModified: lastModified } : {}),
            ...checksumFields(block),
        };
    });
    const truncated = flag(top("IsTruncated"));
    const next = top("NextPartNumberMarker");
    const algorithm = top("ChecksumAlgorithm");
    const type = top("ChecksumType");
    const storageClass = top("StorageClass");
    return {
        Parts: parts,
        ...(truncated !== undefined ? { IsTruncated: truncated } : {}),
        ...(next !== undefined ? { NextPartNumberMarker: next } : {}),
        ...(algorithm !== undefined ? { ChecksumAlgorithm: algorithm } : {}),
        ...(type !== undefined ? { ChecksumType: type } : {}),
        ...(storageClass !== undefined ? { StorageClass: storageClass } : {}),
    };
}
/** A ListMultipartUploads page: keys as the store wrote them, character references (&#x01;) decoded. */
function parseListUploads(xml) {
    const { blocks, rest } = xmlBlocks(xml, "Upload");
    const uploads = blocks.map((block) => {
        const key = xmlField(block, "Key");
        const uploadId = xmlField(block, "UploadId");
        const initiated = date(xmlField(block, "Initiated"));
        const storageClass = xmlField(block, "StorageClass");
        const algorithm = xmlField(block, "ChecksumAlgorithm");
        const type = xmlField(block, "ChecksumType");
        return {
            ...(key !== undefined ? { Key: key } : {}),
            ...(uploadId !== undefined ? { UploadId: uploadId } : {}),
            ...(initiated !== undefined ? { Initiated: initiated } : {}),
            ...(storageClass !== undefined ? { StorageClass: storageClass } : {}),
            ...(algorithm !== undefined ? { ChecksumAlgorithm: algorithm } : {}),
            ...(type !== undefined ? { ChecksumType: type } : {}),
        };
    });
    const truncated = flag(xmlField(rest, "IsTruncated"));
    const nextKey = xmlField(rest, "NextKeyMarker");
    const nextUploadId = xmlField(rest, "NextUploadIdMarker");
    return {
        Uploads: uploads,
        ...(truncated !== undefined ? { IsTruncated: truncated } : {}),
        ...(nextKey !== undefined ? { NextKeyMarker: nextKey } : {}),
        ...(nextUploadId !== undefined ? { NextUploadIdMarker: nextUploadId } : {}),
    };
}
// The SDK's escaping of element text (its xml-builder).
const ELEMENT_ESCAPES = {
    "&": "&amp;",
    '"': "&quot;",
    "'": "&apos;",
    "<": "&lt;",
    ">": "&gt;",
    "\r": "&#x0D;",
    "\n": "&#x0A;",
    "\u0085": "&#x85;",
    "\u2028": "&#x2028;",
};
function escapeText(text) {
    return text.replace(/[&"'<>\r\n\u0085\u2028]/g, (c) => ELEMENT_ESCAPES[c]);
}
/** CompleteMultipartUpload's body, as the SDK writes it: each part's quoted ETag, checksums and number. */
function completeBody(parts) {
    let xml = '<?xml version="1.0" encoding="UTF-8"?>' +
        '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">';
    for (const part of parts) {
        xml += `<Part><ETag>${escapeText(`"${part.etag}"`)}</ETag>`;
        for (const algorithm of PART_CHECKSUMS) {
            const value = part.checksums[algorithm];
            if (value !== undefined)
                xml += `<Checksum${algorithm}>${escapeText(value)}</Checksum${algorithm}>`;
        }
        xml += `<PartNumber>${part.number}</PartNumber></Part>`;
    }
    return Buffer.from(`${xml}</CompleteMultipartUpload>`, "utf8");
}


/***/ }),

/***/ 8258:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   fg: () => (/* binding */ sha256Hex),
/* harmony export */   rO: () => (/* binding */ createSigner),
/* harmony export */   wZ: () => (/* binding */ createPresigner)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
// SigV4 header signing for the lean path: the same result as @smithy/signature-v4 with an unsigned payload,
// without its per-call HMAC for the key cache lookup and its chain of awaits (~20 µs per request, three
// requests per small file). Only s3-lean-http.ts uses this.


// Headers proxies may change or add; the SDK never signs them either.
const UNSIGNABLE = new Set([
    "authorization",
    "cache-control",
    "connection",
    "expect",
    "from",
    "keep-alive",
    "max-forwards",
    "pragma",
    "referer",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
]);
// Headers the signer sets itself; a caller's copy would be sent twice or signed stale.
const GENERATED = new Set(["authorization", "x-amz-date", "date"]);
function isSignable(name) {
    return !UNSIGNABLE.has(name) && !name.startsWith("proxy-") && !name.startsWith("sec-");
}
/**
 * Header names are case-insensitive and SigV4 signs them in lower case, so names are lower-cased here and
 * sent that way; names that differ only in case become one header whose values are joined by commas, as
 * SigV4 merges repeated headers. The merged value is what goes on the wire, so the store sees what was signed.
 */
function wireHeaders(given) {
    // No prototype: a header named __proto__ is still a header.
    const headers = Object.create(null);
    for (const [name, value] of Object.entries(given)) {
        const lower = name.toLowerCase();
        if (GENERATED.has(lower))
            continue;
        const previous = headers[lower];
        headers[lower] = previous === undefined ? value : `${trimSpaces(previous)},${trimSpaces(value)}`;
    }
    return headers;
}
function trimSpaces(value) {
    return value.replace(/^[ \t]+|[ \t]+$/g, "");
}
// Most values (dates, checksums, lengths) have no line break, tab, doubled or outer space: they sign as they are.
const NEEDS_CANONICAL_FORM = /[\r\n\t]| {2}|^ | $/;
// SigV4 trims and collapses spaces; HTTP strips only spaces and tabs around a value (not every Unicode
// space, as String.trim would), and line breaks never reach the wire.
function canonicalValue(value) {
    if (!NEEDS_CANONICAL_FORM.test(value))
        return value;
    return value
        .replace(/[\r\n]/g, " ")
        .replace(/[ \t]+/g, " ")
        .replace(/^ | $/g, "");
}
function rfc3986(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
// One call without a Hash object where Node has it (20.12+, 21.7+): a few µs less per request.
const oneShotHash = node_crypto__WEBPACK_IMPORTED_MODULE_0__.hash;
/** Hex SHA-256, as SigV4 writes a canonical request's and a signed payload's hashes. */
const sha256Hex = oneShotHash === undefined
    ? (data) => (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)("sha256").update(data).digest("hex")
    : (data) => oneShotHash("sha256", data, "hex");
function hmac(key, data) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHmac)("sha256", key).update(data).digest();
}
/** SigV4's timestamp of a date (20261201T010203Z); the last one is kept, since requests come many a second. */
function amzDates() {
    let second = Number.NaN;
    let text = "";
    return (date) => {
        const now = Math.floor(date.getTime() / 1000);
        if (now !== second) {
            second = now;
            text = date.toISOString().replace(/[-:]|\.\d{3}/g, "");
        }
        return text;
    };
}
// Sorted by encoded name: raw and encoded order differ ("a-" < "a/" but "a%2F" < "a-").
function canonicalQueryOf(query) {
    const entries = Object.entries(query);
    if (entries.length === 0)
        return "";
    return entries
        .map(([name, value]) => [rfc3986(name), rfc3986(value)])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => `${name}=${value}`)
        .join("&");
}
/** Derives signing keys for one region and service, once per secret and day. */
function signingKeys(region, service) {
    let cached = null;
    return (secret, day) => {
        if (cached?.secret !== secret || cached.day !== day) {
            const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), "aws4_request");
            cached = { secret, day, key };
        }
        return cached.key;
    };
}
/** The hex signature of a request's canonical form under `scope`. */
function signatureOf(key, request, amzDate, scope) {
    let canonicalHeaders = "";
    for (const name of request.names)
        canonicalHeaders += `${name}:${canonicalValue(request.headers[name])}\n`;
    const canonicalRequest = `${request.method}\n${request.path}\n${request.canonicalQuery}\n` +
        `${canonicalHeaders}\n${request.signedHeaders}\n${request.payloadHash}`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    return hmac(key, stringToSign).toString("hex");
}
/** A signer for one region and service; signing keys are derived once per secret and day. */
function createSigner(region, service) {
    const signingKey = signingKeys(region, service);
    const amzDateOf = amzDates();
    /**
     * The headers to send: the request's, with lower-case names and case-variants merged, plus x-amz-date, the
     * session token and authorization.
     */
    return (request, credentials, date) => {
        const amzDate = amzDateOf(date);
        const day = amzDate.slice(0, 8);
        const headers = wireHeaders(request.headers);
        headers["x-amz-date"] = amzDate;
        if (credentials.sessionToken)
            headers["x-amz-security-token"] = credentials.sessionToken;
        const names = Object.keys(headers).filter(isSignable).sort();
        const signedHeaders = names.join(";");
        const scope = `${day}/${region}/${service}/aws4_request`;
        const signature = signatureOf(signingKey(credentials.secretAccessKey, day), {
            method: request.method,
            path: request.path,
            canonicalQuery: canonicalQueryOf(request.query),
            headers,
            names,
            signedHeaders,
            payloadHash: headers["x-amz-content-sha256"] ?? "",
        }, amzDate, scope);
        headers["authorization"] =
            `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
                `SignedHeaders=${signedHeaders}, Signature=${signature}`;
        return headers;
    };
}
/**
 * A query-string (presigned) SigV4 signer for one region and service, over an unsigned payload as S3's
 * presigned URLs are. Returns the whole query string to put after "?", the signature last.
 */
function createPresigner(region, service) {
    const signingKey = signingKeys(region, service);
    const amzDateOf = amzDates();
    return (request, credentials, date) => {
        const amzDate = amzDateOf(date);
        const day = amzDate.slice(0, 8);
        const scope = `${day}/${region}/${service}/aws4_request`;
        const headers = wireHeaders(request.headers);
        const names = Object.keys(headers).filter(isSignable).sort();
        const signedHeaders = names.join(";");
        // Sent in the canonical (sorted) order too.
        const canonicalQuery = canonicalQueryOf({
            ...request.query,
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": `${credentials.accessKeyId}/${scope}`,
            "X-Amz-Date": amzDate,
            "X-Amz-Expires": String(request.expiresSeconds),
            "X-Amz-SignedHeaders": signedHeaders,
            ...(credentials.sessionToken ? { "X-Amz-Security-Token": credentials.sessionToken } : {}),
        });
        const signature = signatureOf(signingKey(credentials.secretAccessKey, day), {
            method: request.method,
            path: request.path,
            canonicalQuery,
            headers,
            names,
            signedHeaders,
            payloadHash: "UNSIGNED-PAYLOAD",
        }, amzDate, scope);
        return `${canonicalQuery}&X-Amz-Signature=${signature}`;
    };
}


/***/ }),

/***/ 4508:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  nO: () => (/* binding */ SERVED_HEADER_NAMES),
  MF: () => (/* binding */ headerDifferences),
  Po: () => (/* binding */ objectHeadersFor),
  SC: () => (/* binding */ servedFromHeaderLines)
});

// UNUSED EXPORTS: servedHeaders

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./node_modules/mime/dist/types/other.js
var other = __webpack_require__(7580);
// EXTERNAL MODULE: ./node_modules/mime/dist/types/standard.js
var standard = __webpack_require__(9269);
;// CONCATENATED MODULE: ./src/engine/upload/content-type.ts



// Build artifacts the database has no type for; anything else unknown is served as bytes, always safe.
const MISSING = {
    tgz: "application/gzip",
    zst: "application/zstd",
    sha256: "text/plain",
};
let typeByExtension;
/**
 * mime's database as mime.getType reads it (a "*" extension names a type without claiming the extension).
 * Built on first use: `import mime from "mime"` builds its tables while the bundle loads, ~15 ms of every
 * start-up, --version and --help included.
 */
function databaseType(extension) {
    if (typeByExtension === undefined) {
        typeByExtension = new Map();
        for (const types of [standard/* default */.A, other/* default */.A]) {
            for (const [type, extensions] of Object.entries(types)) {
                for (const name of extensions)
                    if (!name.startsWith("*"))
                        typeByExtension.set(name, type);
            }
        }
    }
    return typeByExtension.get(extension) ?? null;
}
/**
 * The type of the file's own bytes: "app.js.gz" is application/gzip (aws s3 cp would say text/javascript,
 * which serves gzip bytes as script); a header rule sets text/javascript with Content-Encoding gzip.
 * Text types say UTF-8: without a charset browsers read text/plain and text/html as windows-1252.
 */
function guessContentType(path) {
    // extname, not a lookup of the whole path: that takes a bare "txt" or "Makefile" for an extension.
    const extension = (0,external_node_path_.extname)(path).slice(1).toLowerCase();
    const type = extension === "" ? null : (MISSING[extension] ?? databaseType(extension));
    if (type === null)
        return "application/octet-stream";
    return type.startsWith("text/") ? `${type}; charset=utf-8` : type;
}

;// CONCATENATED MODULE: ./src/engine/upload/served-headers.ts
// The headers an object is served with: which ones this run sends for a file, and how they compare with
// those a stored object already has.

/** Field → HTTP header name, in the order messages list them. */
const SERVED_HEADER_NAMES = {
    contentType: "Content-Type",
    contentEncoding: "Content-Encoding",
    cacheControl: "Cache-Control",
    contentDisposition: "Content-Disposition",
    contentLanguage: "Content-Language",
};
const FIELDS = Object.keys(SERVED_HEADER_NAMES);
/** The file's own headers over the run's, each one on its own; Content-Type guessed when neither sets it. */
function servedHeaders(object, file) {
    const own = file.headers ?? {};
    const served = {};
    for (const field of FIELDS) {
        const value = own[field] ?? object[field];
        if (value !== undefined)
            served[field] = value;
    }
    return { ...served, contentType: served.contentType ?? guessContentType(file.path) };
}
/** Every header a new object of this file is created with: the served ones, metadata, tags, class, SSE. */
function objectHeadersFor(object, file) {
    const headers = servedHeaders(object, file);
    if (object.metadata !== undefined)
        headers.metadata = object.metadata;
    if (object.tags !== undefined && Object.keys(object.tags).length > 0) {
        headers.tagging = new URLSearchParams(object.tags).toString();
    }
    if (object.storageClass !== undefined)
        headers.storageClass = object.storageClass;
    if (object.sse !== undefined)
        headers.sse = object.sse;
    if (object.sseKmsKeyId !== undefined)
        headers.sseKmsKeyId = object.sseKmsKeyId;
    return headers;
}
/** HEAD answer header lines (lower-case names) → the served headers they show. */
function servedFromHeaderLines(headers) {
    const served = {};
    for (const field of FIELDS) {
        const value = headers[SERVED_HEADER_NAMES[field].toLowerCase()];
        if (typeof value === "string" && value !== "")
            served[field] = value;
    }
    return served;
}
// Stores may re-case or re-space what they were sent ("text/html;charset=UTF-8"); that is no difference.
function normalized(value) {
    return value?.replace(/\s+/g, "").toLowerCase();
}
/** Each header whose stored value is not the one this run would send, as `Name "stored" (this run: "wanted")`. */
function headerDifferences(wanted, stored) {
    const shown = (value) => (value === undefined ? "none" : `"${value}"`);
    return FIELDS.filter((field) => normalized(wanted[field]) !== normalized(stored[field])).map((field) => `${SERVED_HEADER_NAMES[field]} ${shown(stored[field])} (this run: ${shown(wanted[field])})`);
}


/***/ })

};
