#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 2363:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ij: () => (/* binding */ EXIT_OK),
/* harmony export */   Ri: () => (/* binding */ EXIT_USAGE),
/* harmony export */   aR: () => (/* binding */ isCliCommand),
/* harmony export */   hj: () => (/* binding */ EXIT_FAILED)
/* harmony export */ });
/* unused harmony export CLI_COMMANDS */
// What the CLI's entry and its commands share: exit codes, the process streams, the subcommand names.
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const CLI_COMMANDS = ["upload", "download", "cleanup"];
function isCliCommand(word) {
    return CLI_COMMANDS.includes(word);
}


/***/ }),

/***/ 7283:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   N8: () => (/* binding */ ENV_PREFIX),
/* harmony export */   mc: () => (/* binding */ INPUTS),
/* harmony export */   pD: () => (/* binding */ envName)
/* harmony export */ });
// The one list of settings: action.yml, the CLI flags, the S3VU_* variables, --help and the README tables
// all follow it (test/unit/frontend-docs.test.ts fails when action.yml or the README drift from it).
const INPUTS = [
    { name: "bucket", description: "Name of the S3 bucket to upload to.", default: "", required: true },
    {
        name: "path",
        description: 'Files to upload: newline-separated glob patterns relative to the working directory; a leading "!" excludes. Download mode: globs over keys relative to "prefix"; empty takes every key under it.',
        default: "",
        required: true,
        multiline: true,
    },
    {
        name: "prefix",
        description: 'Key prefix put before every key; a "/" is added between prefix and path unless it ends in one.',
        default: "",
    },
    {
        name: "base-dir",
        description: "Directory the keys are relative to: base-dir/a/b.txt becomes key prefix/a/b.txt (and, in download mode, key prefix/a/b.txt is written to base-dir/a/b.txt).",
        default: ".",
    },
    {
        name: "part-size",
        description: "Size of each multipart part, 5MiB to 5GiB (bytes, or with a unit: KB, MB, GB, KiB, MiB, GiB); raised automatically so a file needs at most 10,000 parts.",
        default: "16MiB",
    },
    {
        name: "concurrency",
        description: "How many parts are in flight at once (1 to 64). Files up to 256 KiB sent as one PutObject also have their own slots: 4 per unit of concurrency, at most 64.",
        default: "4",
    },
    {
        name: "checksum-algorithm",
        description: "Checksum sent with every part and verified: CRC64NVME, CRC32, CRC32C, SHA1, SHA256 or none.",
        default: "CRC64NVME",
    },
    {
        name: "checksum-type",
        description: "FULL_OBJECT or COMPOSITE; empty picks the algorithm's default (FULL_OBJECT for CRCs, COMPOSITE for SHA1/SHA256).",
        default: "",
    },
    {
        name: "content-md5",
        description: "Also send Content-MD5 with every part and single upload (true/false).",
        default: "false",
        boolean: true,
    },
    {
        name: "multipart-threshold",
        description: "Files smaller than this go up in one PutObject, larger ones as multipart uploads (at most 5GiB); empty means the part size.",
        default: "",
    },
    {
        name: "region",
        description: "AWS region; empty uses the SDK default chain (AWS_REGION, profile).",
        default: "",
    },
    {
        name: "profile",
        description: "AWS profile (from ~/.aws/config and credentials) for credentials, region and ca_bundle; empty uses AWS_PROFILE or default.",
        default: "",
    },
    {
        name: "role-to-assume",
        description: "ARN of an IAM role to assume with an OIDC token (GitHub Actions: needs permissions id-token: write; elsewhere set web-identity-token-file); assumed again with a new token before each session ends, so runs of any length keep going. Empty uses the SDK default chain.",
        default: "",
    },
    {
        name: "role-session-name",
        description: "Session name for role-to-assume (2 to 64 letters, digits and +=,.@-), as CloudTrail shows it.",
        default: "s3-verified-upload",
    },
    {
        name: "role-duration-seconds",
        description: "Session length asked for role-to-assume, 900 to 43200 seconds (at most the role's maximum session duration); sessions are renewed before they end whatever their length.",
        default: "3600",
    },
    {
        name: "web-identity-token-file",
        description: "File holding the OIDC token for role-to-assume (GitLab: an id_tokens variable written to a file), read again at each renewal; empty in GitHub Actions asks for the job's token (audience sts.amazonaws.com).",
        default: "",
    },
    {
        name: "broker-url",
        description: "Base URL of a presigned-part broker (s3-verified-upload broker): upload through it with an OIDC token instead of S3 credentials, every part signed with its checksum; https unless on loopback. Upload mode only; empty uploads with S3 credentials.",
        default: "",
    },
    {
        name: "broker-audience",
        description: "Audience of the GitHub OIDC token sent to broker-url (the one its issuers entry expects; needs permissions id-token: write). Elsewhere the token comes from web-identity-token-file.",
        default: "",
    },
    {
        name: "endpoint",
        description: "Endpoint URL of an S3-compatible store, e.g. http://127.0.0.1:9000; empty for Amazon S3.",
        default: "",
    },
    {
        name: "provider",
        description: "The store behind endpoint, for its rules and strongest proof: auto (by the endpoint's host: amazonaws.com, aliyuncs.com, r2.cloudflarestorage.com, storage.googleapis.com, backblazeb2.com; others are generic), aws, oss, r2, gcs, b2, ceph, minio or generic.",
        default: "auto",
    },
    {
        name: "force-path-style",
        description: "Address the bucket as endpoint/bucket/key instead of bucket.endpoint/key (true/false).",
        default: "false",
        boolean: true,
    },
    {
        name: "overwrite",
        description: "Replace objects that already exist with different content; false skips identical objects and fails on different ones.",
        default: "false",
        boolean: true,
    },
    {
        name: "if-no-files-found",
        description: "What to do when the patterns match no file: error, warn or ignore.",
        default: "error",
    },
    {
        name: "include-hidden-files",
        description: 'Also upload files and directories whose names start with "." (true/false).',
        default: "false",
        boolean: true,
    },
    {
        name: "content-type",
        description: "Content-Type for every object; empty guesses it from each file's extension.",
        default: "",
    },
    {
        name: "content-encoding",
        description: "Content-Encoding for every object, e.g. gzip; empty sends none (a .gz file is stored as application/gzip and downloads as is).",
        default: "",
    },
    { name: "cache-control", description: "Cache-Control header for every object.", default: "" },
    {
        name: "headers",
        description: 'Per-file headers, one "pattern | Header: value" per line (a glob relative to base-dir), e.g. **/*.js.gz | Content-Encoding: gzip; later lines win.',
        default: "",
        multiline: true,
    },
    {
        name: "metadata",
        description: "User metadata, one key=value per line (stored as x-amz-meta-key).",
        default: "",
        multiline: true,
    },
    {
        name: "tags",
        description: "Object tags, one key=value per line (at most 10).",
        default: "",
        multiline: true,
    },
    {
        name: "storage-class",
        description: "Storage class, e.g. STANDARD, STANDARD_IA, INTELLIGENT_TIERING; empty uses the bucket's default.",
        default: "",
    },
    {
        name: "sse",
        description: "Server-side encryption: AES256, aws:kms or aws:kms:dsse; empty uses the bucket's default.",
        default: "",
    },
    {
        name: "sse-kms-key-id",
        description: "KMS key id or ARN for sse aws:kms / aws:kms:dsse; empty uses the AWS managed key.",
        default: "",
    },
    {
        name: "verify",
        description: "Check the completed object (HeadObject: size, checksum, ETag) against the local file; parts are always checked with ListParts (true/false).",
        default: "true",
        boolean: true,
    },
    {
        name: "require-checksums",
        description: "Fail instead of falling back to ETag/MD5 verification when the store keeps no checksums (true/false).",
        default: "false",
        boolean: true,
    },
    {
        name: "sha256",
        description: "Compute each file's SHA-256 (hex, as sha256sum prints it) from the bytes read for the upload (in download mode, from the bytes written), for the results, the manifest and the checksums-file output (true/false).",
        default: "false",
        boolean: true,
    },
    {
        name: "on-failure",
        description: "What to do with a failed multipart upload or download: abort (delete its parts or temp file) or keep (a rerun resumes it).",
        default: "abort",
    },
    {
        name: "dry-run",
        description: "Ask the store what each file would do: upload, unchanged (proven identical) or refused (and why); writes nothing (true/false).",
        default: "false",
        boolean: true,
    },
    {
        name: "mode",
        description: 'upload; download: fetch the objects under "prefix" into "base-dir", each verified against its stored checksum or ETag; or cleanup: abort in-progress multipart uploads under "prefix" older than "older-than" ("path" is not used).',
        default: "upload",
    },
    {
        name: "older-than",
        description: "Cleanup mode: only uploads initiated at least this long ago are aborted, e.g. 7d, 12h, 30m.",
        default: "7d",
    },
    {
        name: "lifecycle-abort-days",
        description: 'Cleanup mode: also add a bucket lifecycle rule aborting incomplete uploads under "prefix" after this many days, keeping other rules; empty adds none.',
        default: "",
    },
    {
        name: "version-id",
        description: 'Download mode: fetch this version of the one key "path" names (no wildcards); empty fetches the current version.',
        default: "",
    },
    {
        name: "expected-manifest",
        description: "Download mode: path of a manifest written by an upload of this tool; every downloaded file must have the size and checksum it records, or it fails and is not kept.",
        default: "",
    },
];
const ENV_PREFIX = "S3VU_";
/** "base-dir" → "S3VU_BASE_DIR". */
function envName(input) {
    return ENV_PREFIX + input.toUpperCase().replaceAll("-", "_");
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 3339:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("module");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 8995:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:module");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 6466:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 2018:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  hj: () => (/* reexport */ cli_io/* EXIT_FAILED */.hj),
  Ij: () => (/* reexport */ cli_io/* EXIT_OK */.Ij),
  Ri: () => (/* reexport */ cli_io/* EXIT_USAGE */.Ri),
  iW: () => (/* binding */ main)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
// EXTERNAL MODULE: ./src/frontend/inputs.ts
var inputs = __nccwpck_require__(7283);
;// CONCATENATED MODULE: ./src/frontend/cli-args.ts
// argv → setting values, globs and CLI switches; nothing is validated here beyond the shape of the flags.

const SWITCHES = ["json", "help", "version"];
function isSwitch(name) {
    return SWITCHES.includes(name);
}
function parseArgs(argv) {
    const args = { values: new Map(), globs: [], json: false, help: false, version: false };
    let onlyGlobs = false;
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        if (onlyGlobs || !arg.startsWith("-") || arg === "-") {
            args.globs.push(arg);
            continue;
        }
        if (arg === "--") {
            onlyGlobs = true;
            continue;
        }
        if (arg === "-h") {
            args.help = true;
            continue;
        }
        const match = /^--([a-z0-9-]+)(?:=([\s\S]*))?$/.exec(arg);
        // Only the name: a value after "=" may be a secret (an endpoint with a password).
        if (!match)
            return { ok: false, error: `Unknown option "${arg.split("=")[0]}"; see --help.` };
        let name = match[1];
        let inline = match[2];
        if (isSwitch(name) && inline === undefined) {
            args[name] = true;
            continue;
        }
        // A CLI-only setting: the action gives the same file as an output instead.
        if (name === "checksums-file") {
            const given = inline ?? argv[++index];
            if (given === undefined || given === "") {
                return { ok: false, error: `Option "--checksums-file" needs a path; see --help.` };
            }
            args.checksumsFile = given;
            continue;
        }
        if (name.startsWith("no-") &&
            inline === undefined &&
            inputs/* INPUTS */.mc.find((i) => i.name === name.slice(3))?.boolean) {
            name = name.slice(3);
            inline = "false";
        }
        const input = inputs/* INPUTS */.mc.find((candidate) => candidate.name === name);
        if (!input)
            return { ok: false, error: `Unknown option "--${name}"; see --help.` };
        let value;
        if (inline !== undefined) {
            value = inline;
        }
        else if (input.boolean) {
            // A boolean flag never takes the next word, so `--overwrite dist/**` keeps its glob.
            value = "true";
        }
        else {
            const next = argv[index + 1];
            if (next === undefined)
                return { ok: false, error: `Option "--${name}" needs a value; see --help.` };
            value = next;
            index++;
        }
        const previous = args.values.get(name);
        if (previous !== undefined && !input.multiline) {
            return { ok: false, error: `Option "--${name}" is given more than once; give it once.` };
        }
        args.values.set(name, previous === undefined ? value : `${previous}\n${value}`);
    }
    return { ok: true, args };
}

// EXTERNAL MODULE: ./src/frontend/cli-io.ts
var cli_io = __nccwpck_require__(2363);
// EXTERNAL MODULE: external "node:module"
var external_node_module_ = __nccwpck_require__(8995);
var external_node_module_default = /*#__PURE__*/__nccwpck_require__.n(external_node_module_);
;// CONCATENATED MODULE: ./src/frontend/compile-cache.ts

/**
 * Node ≥ 22.1 can keep V8's compiled code of the modules loaded after this call (the bundle's chunks) on disk and
 * reuse it on the next start. The directory is Node's own choice, NODE_COMPILE_CACHE or
 * os.tmpdir()/node-compile-cache, and NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node never throws here: on a
 * read-only or full file system the cache is simply not used. Node 20 has no compile cache; nothing happens.
 */
function enableCompileCache() {
    const node = (external_node_module_default());
    node.enableCompileCache?.();
}

;// CONCATENATED MODULE: ./src/frontend/help.ts
// --help text, generated from the one settings list so it cannot miss a flag.

function helpText() {
    const options = inputs/* INPUTS */.mc.map((input) => {
        const flag = input.boolean ? `--${input.name}[=false]` : `--${input.name} <value>`;
        const fallback = input.required ? " (required)" : input.default ? ` (default: ${input.default})` : "";
        return `  ${flag}\n      ${input.description}${fallback}\n      env: ${(0,inputs/* envName */.pD)(input.name)}`;
    });
    return [
        "Usage: s3-verified-upload [upload] [options] <glob…>",
        "       s3-verified-upload cleanup --bucket <name> [--prefix <p>] [--older-than 7d] [--dry-run]",
        "                                  [--lifecycle-abort-days <n>]",
        "       s3-verified-upload download --bucket <name> [--prefix <p>] [--base-dir <dir>] [<key glob…>]",
        "                                   [--version-id <id>] [--expected-manifest <upload manifest>]",
        "       s3-verified-upload broker --config <broker.json>   (the presigned-part broker; see its --help)",
        "",
        "Uploads files to S3 (or an S3-compatible store) with multipart uploads whose every part is checksummed",
        "and verified before the object is completed. Globs are relative to the working directory; a leading",
        '"!" excludes. Quote them so the shell does not expand them: s3-verified-upload --bucket b "dist/**"',
        "",
        "download fetches the objects under the prefix (or those the key globs, relative to the prefix, select)",
        "into base-dir, each proven against its stored checksum or ETag before it is renamed into place.",
        "",
        "Options (each also read from an environment variable; a flag wins over the variable):",
        ...options,
        "  --json",
        "      Print the results as JSON on stdout; progress still goes to stderr.",
        "  --checksums-file <path>",
        "      Write each uploaded (or downloaded) or unchanged file's SHA-256 to <path> in sha256sum format, named",
        "      by path relative to base-dir: `sha256sum -c <path>` run in base-dir checks the local files.",
        "  --help, -h / --version",
        "",
        `Credentials and region come from the AWS SDK default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, web identity,`,
        `instance metadata…). Setting variables start with ${inputs/* ENV_PREFIX */.N8}.`,
        "Proxies: HTTPS_PROXY, HTTP_PROXY and NO_PROXY (lower case wins). A private CA: AWS_CA_BUNDLE, or",
        "ca_bundle in the AWS profile (--profile or AWS_PROFILE); its certificates are trusted besides Node's own.",
        "",
        "Exit codes: 0 all files uploaded or unchanged and verified; 1 the run failed (an upload failed, or no",
        "file matched with if-no-files-found=error); 2 bad usage or configuration; 130 stopped by Ctrl-C, 143 by",
        "SIGTERM (after aborting this run's multipart uploads, or keeping them with --on-failure keep).",
        "",
    ].join("\n");
}

;// CONCATENATED MODULE: ./src/frontend/version.ts
// Kept in step with package.json by test/unit/frontend-docs.test.ts; a JSON import would drag package.json into dist.
const VERSION = "0.1.0";

;// CONCATENATED MODULE: ./src/frontend/unsettled.ts
/**
 * With nothing left on the event loop, Node exits 0 even if the run's promise never settled — a bug that
 * would look like a successful upload. When that happens, report it and exit 1 instead.
 */
function failIfUnsettled(work, report) {
    let settled = false;
    const markSettled = () => {
        settled = true;
    };
    work.then(markSettled, markSettled);
    process.once("beforeExit", () => {
        if (settled)
            return;
        report("internal error: the run stopped before it finished (a pending step never completed); " +
            "nothing from this run counts as uploaded or verified. Please report this with the log.");
        process.exitCode = 1;
    });
}

;// CONCATENATED MODULE: ./src/frontend/sdk-warning.ts
/**
 * On Node 20 the AWS SDK prints, on its first client, a 9-line warning that its releases after January 2027
 * will need Node 22. The bundle pins its SDK, so the warning is about nothing a user of this tool can act on,
 * on a runtime the tool supports. It is turned off the way the SDK documents (aws/aws-sdk-js-v3#7983), before
 * any client exists; every other warning stays, and a value the user set is kept.
 */
function silenceSdkNodeVersionWarning(env) {
    env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
;// CONCATENATED MODULE: ./src/frontend/interrupt.ts

/** The abort reason a signal gives the run, so that the exit code can name it once cleanup is done. */
class SignalAbort extends DOMException {
    signalName;
    constructor(signalName) {
        // AbortError, as AbortController's own reason: the engine and the SDK treat it as a cancellation.
        super(`${signalName} received`, "AbortError");
        this.signalName = signalName;
    }
}
/**
 * A run a signal stopped exits 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM), as a shell reports
 * a command the signal killed, so scripts and CI see an interruption and not a failed upload.
 */
function exitCode(code, signal) {
    const reason = signal.reason;
    return signal.aborted && reason instanceof SignalAbort ? 128 + external_node_os_.constants.signals[reason.signalName] : code;
}

;// CONCATENATED MODULE: ./src/cli.ts
// CLI entry: flags and S3VU_* variables → shared config → shared run → progress on stderr, results on stdout.
// Only what --help, --version and a malformed command line need is imported here; the run itself
// (cli-commands.ts: settings, engine, AWS SDK) is loaded with import() once there is work, so that ncc puts it
// in a chunk of its own and a start-up parses ~40 KB instead of the whole bundle.











async function main(argv, io) {
    // The broker is a service with its own configuration file, not a transfer: none of the transfer flags apply.
    if (argv[0] === "broker") {
        const { runBroker } = await Promise.all(/* import() */[__nccwpck_require__.e(842), __nccwpck_require__.e(678), __nccwpck_require__.e(442), __nccwpck_require__.e(129)]).then(__nccwpck_require__.bind(__nccwpck_require__, 6129));
        return runBroker(argv.slice(1), io);
    }
    // "upload" may be named explicitly; "download" and "cleanup" are the same as --mode download / cleanup.
    const command = (0,cli_io/* isCliCommand */.aR)(argv[0]) ? argv[0] : "upload";
    const parsed = parseArgs((0,cli_io/* isCliCommand */.aR)(argv[0]) ? argv.slice(1) : argv);
    if (!parsed.ok) {
        io.stderr.write(`error: ${parsed.error}\n`);
        return cli_io/* EXIT_USAGE */.Ri;
    }
    const args = parsed.args;
    if (args.help) {
        io.stdout.write(helpText());
        return cli_io/* EXIT_OK */.Ij;
    }
    if (args.version) {
        io.stdout.write(`${VERSION}\n`);
        return cli_io/* EXIT_OK */.Ij;
    }
    const { runCommand } = await Promise.all(/* import() */[__nccwpck_require__.e(842), __nccwpck_require__.e(382), __nccwpck_require__.e(442), __nccwpck_require__.e(917)]).then(__nccwpck_require__.bind(__nccwpck_require__, 5917));
    return runCommand(command, args, io);
}
function invokedDirectly() {
    const script = process.argv[1];
    if (script === undefined)
        return false;
    try {
        return import.meta.url === (0,external_node_url_namespaceObject.pathToFileURL)((0,external_node_fs_.realpathSync)(script)).href;
    }
    catch {
        return false;
    }
}
if (invokedDirectly()) {
    enableCompileCache();
    silenceSdkNodeVersionWarning(process.env);
    const controller = new AbortController();
    // First Ctrl-C stops and aborts the uploads cleanly; a second one kills at once.
    process.once("SIGINT", () => controller.abort(new SignalAbort("SIGINT")));
    process.once("SIGTERM", () => controller.abort(new SignalAbort("SIGTERM")));
    const io = {
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
        signal: controller.signal,
    };
    const run = main(process.argv.slice(2), io).then((code) => {
        process.exitCode = exitCode(code, controller.signal);
    }, (error) => {
        process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = cli_io/* EXIT_FAILED */.hj;
    });
    failIfUnsettled(run, (message) => process.stderr.write(`error: ${message}\n`));
}

var __webpack_exports__EXIT_FAILED = __webpack_exports__.hj;
var __webpack_exports__EXIT_OK = __webpack_exports__.Ij;
var __webpack_exports__EXIT_USAGE = __webpack_exports__.Ri;
var __webpack_exports__main = __webpack_exports__.iW;
export { __webpack_exports__EXIT_FAILED as EXIT_FAILED, __webpack_exports__EXIT_OK as EXIT_OK, __webpack_exports__EXIT_USAGE as EXIT_USAGE, __webpack_exports__main as main };
