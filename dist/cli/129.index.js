export const id = 129;
export const ids = [129];
export const modules = {

/***/ 6129:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runBroker: () => (/* binding */ runBroker)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./src/frontend/cli-io.ts
var cli_io = __webpack_require__(2363);
;// CONCATENATED MODULE: ./src/broker/config.ts
const GIB = 1024 ** 3;
const S3_MAX_PART_BYTES = 5 * GIB;
const S3_MAX_PARTS = 10_000;
const S3_MAX_OBJECT_BYTES = 5 * 1024 * GIB;
class ConfigError extends Error {
}
function fail(field, problem, fix) {
    throw new ConfigError(`${field} ${problem}: ${fix}`);
}
function isRecord(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
function config_text(value, field, fallback) {
    if (value === undefined && fallback !== undefined)
        return fallback;
    if (typeof value !== "string" || value === "")
        fail(field, "must be a non-empty string", "set it");
    return value;
}
function count(value, field, fallback, max) {
    if (value === undefined)
        return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
        fail(field, `must be a whole number from 1 to ${max}`, `got ${JSON.stringify(value)}`);
    }
    return value;
}
/** Tokens are only worth checking against keys fetched over TLS, except from this machine (tests, sidecars). */
function trustedUrl(value, field) {
    const raw = config_text(value, field);
    let url;
    try {
        url = new URL(raw);
    }
    catch {
        fail(field, "is not a URL", `got ${JSON.stringify(raw)}`);
    }
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
        fail(field, "must be an https URL", `got ${raw} (plain http is accepted only on loopback)`);
    }
    return raw;
}
function parseIssuer(value, field) {
    if (!isRecord(value))
        fail(field, "must be an object", 'write { "issuer": "...", "audience": "..." }');
    const jwksUri = value.jwksUri === undefined ? undefined : trustedUrl(value.jwksUri, `${field}.jwksUri`);
    return {
        issuer: trustedUrl(value.issuer, `${field}.issuer`),
        audience: config_text(value.audience, `${field}.audience`),
        ...(jwksUri ? { jwksUri } : {}),
    };
}
const SSE_MODES = ["AES256", "aws:kms", "aws:kms:dsse"];
function textList(value, field, example) {
    if (value === undefined)
        return undefined;
    if (!Array.isArray(value) || value.length === 0) {
        fail(field, "must be a non-empty list", `e.g. ${example}, or leave it out`);
    }
    return value.map((item, index) => config_text(item, `${field}[${index}]`));
}
function parseRule(value, field, issuers) {
    if (!isRecord(value))
        fail(field, "must be an object", "see the broker section of the README");
    const issuer = config_text(value.issuer, `${field}.issuer`);
    if (!issuers.some((known) => known.issuer === issuer)) {
        fail(`${field}.issuer`, `names ${issuer}, which is not in "issuers"`, "add it there or fix the name");
    }
    if (!isRecord(value.claims) || Object.keys(value.claims).length === 0) {
        fail(`${field}.claims`, "must name at least one claim", 'a rule for every token of an issuer is a mistake; e.g. { "repository": "org/app" }');
    }
    const claims = {};
    for (const [name, pattern] of Object.entries(value.claims)) {
        claims[name] = config_text(pattern, `${field}.claims.${name}`);
    }
    const prefix = config_text(value.prefix, `${field}.prefix`);
    if (!prefix.endsWith("/")) {
        fail(`${field}.prefix`, "must end with /", `"${prefix}" would also admit keys of a sibling such as "${prefix}-other/..."`);
    }
    const maxPartBytes = count(value.maxPartBytes, `${field}.maxPartBytes`, S3_MAX_PART_BYTES, S3_MAX_PART_BYTES);
    if (value.overwrite !== undefined && typeof value.overwrite !== "boolean") {
        fail(`${field}.overwrite`, "must be true or false", `got ${JSON.stringify(value.overwrite)}`);
    }
    const storageClasses = textList(value.storageClasses, `${field}.storageClasses`, '["STANDARD"]');
    const sse = textList(value.sse, `${field}.sse`, '["AES256"]');
    const unknownMode = sse?.find((mode) => !SSE_MODES.includes(mode));
    if (unknownMode !== undefined) {
        fail(`${field}.sse`, `names ${unknownMode}`, `use ${SSE_MODES.join(", ")}`);
    }
    return {
        ...(storageClasses ? { storageClasses } : {}),
        ...(sse ? { sse } : {}),
        sseKmsKeyIds: textList(value.sseKmsKeyIds, `${field}.sseKmsKeyIds`, '["arn:aws:kms:..."]') ?? [],
        issuer,
        claims,
        bucket: config_text(value.bucket, `${field}.bucket`),
        prefix,
        maxObjectBytes: count(value.maxObjectBytes, `${field}.maxObjectBytes`, S3_MAX_OBJECT_BYTES, S3_MAX_OBJECT_BYTES),
        maxParts: count(value.maxParts, `${field}.maxParts`, S3_MAX_PARTS, S3_MAX_PARTS),
        maxPartBytes,
        overwrite: value.overwrite === true,
    };
}
function parseCredentials(value, region) {
    if (value === undefined)
        return { source: "environment" };
    const example = '{ "profile": "broker" } or { "roleArn": "arn:aws:iam::…:role/…", "webIdentityTokenFile": "/path" }';
    if (!isRecord(value))
        fail("s3.credentials", "must be an object", `e.g. ${example}`);
    if (value.profile !== undefined && value.roleArn !== undefined) {
        fail("s3.credentials", "names both a profile and a role", "keep one of them");
    }
    if (value.profile !== undefined)
        return { source: "profile", profile: config_text(value.profile, "s3.credentials.profile") };
    if (value.roleArn === undefined)
        fail("s3.credentials", "names neither a profile nor a roleArn", `e.g. ${example}`);
    const roleArn = config_text(value.roleArn, "s3.credentials.roleArn");
    if (!/^arn:[^:]+:iam::\d{12}:role\/.+$/.test(roleArn)) {
        fail("s3.credentials.roleArn", "is not a role ARN", `got ${roleArn}; e.g. arn:aws:iam::123456789012:role/broker`);
    }
    return {
        source: "role",
        roleArn,
        webIdentityTokenFile: config_text(value.webIdentityTokenFile, "s3.credentials.webIdentityTokenFile"),
        sessionName: config_text(value.sessionName, "s3.credentials.sessionName", "s3-verified-upload-broker"),
        durationSeconds: count(value.durationSeconds, "s3.credentials.durationSeconds", 3600, 43_200),
        stsEndpoint: value.stsEndpoint === undefined
            ? `https://sts.${region}.amazonaws.com`
            : trustedUrl(value.stsEndpoint, "s3.credentials.stsEndpoint"),
    };
}
function parseS3(value) {
    if (value === undefined) {
        return {
            region: "us-east-1",
            forcePathStyle: false,
            requireContentMd5: false,
            credentials: { source: "environment" },
        };
    }
    if (!isRecord(value))
        fail("s3", "must be an object", 'e.g. { "region": "eu-west-1" }');
    const endpoint = value.endpoint === undefined ? undefined : config_text(value.endpoint, "s3.endpoint");
    if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) {
        fail("s3.endpoint", "must start with http:// or https://", `got ${endpoint}`);
    }
    if (value.forcePathStyle !== undefined && typeof value.forcePathStyle !== "boolean") {
        fail("s3.forcePathStyle", "must be true or false", `got ${JSON.stringify(value.forcePathStyle)}`);
    }
    if (value.requireContentMd5 !== undefined && typeof value.requireContentMd5 !== "boolean") {
        fail("s3.requireContentMd5", "must be true or false", `got ${JSON.stringify(value.requireContentMd5)}`);
    }
    const region = config_text(value.region, "s3.region", "us-east-1");
    return {
        ...(endpoint ? { endpoint } : {}),
        region,
        credentials: parseCredentials(value.credentials, region),
        // An S3-compatible store may ignore x-amz-checksum-* (RGW does): until told otherwise, MD5 guards the parts.
        requireContentMd5: value.requireContentMd5 ?? endpoint !== undefined,
        // A custom endpoint is path-style unless told otherwise: most S3-compatible stores want that.
        forcePathStyle: value.forcePathStyle ?? endpoint !== undefined,
    };
}
function parseListen(value) {
    if (value === undefined)
        return { host: "127.0.0.1", port: 8080 };
    if (!isRecord(value))
        fail("listen", "must be an object", 'e.g. { "host": "0.0.0.0", "port": 8080 }');
    const port = value.port === undefined ? 8080 : value.port;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
        fail("listen.port", "must be a port number from 0 to 65535", `got ${JSON.stringify(port)}`);
    }
    return { host: config_text(value.host, "listen.host", "127.0.0.1"), port };
}
function parseOrigins(value) {
    if (value === undefined)
        return [];
    if (!Array.isArray(value))
        fail("corsOrigins", "must be a list of origins", 'e.g. ["https://app.example.com"]');
    return value.map((origin, index) => {
        const raw = config_text(origin, `corsOrigins[${index}]`);
        let parsed;
        try {
            parsed = new URL(raw);
        }
        catch {
            parsed = undefined;
        }
        // An origin is scheme://host[:port] exactly; "*" would let any page spend a visitor's token.
        if (parsed === undefined || parsed.origin !== raw) {
            fail(`corsOrigins[${index}]`, "must be an origin such as https://app.example.com", `got ${raw}`);
        }
        return raw;
    });
}
function parseBrokerConfig(json, source) {
    let data;
    try {
        data = JSON.parse(json);
    }
    catch (error) {
        return { ok: false, error: `${source} is not valid JSON (${error.message}): fix its syntax` };
    }
    try {
        if (!isRecord(data))
            fail("the file", "must hold a JSON object", "see the broker section of the README");
        if (!Array.isArray(data.issuers) || data.issuers.length === 0) {
            fail("issuers", "must list at least one trusted OIDC issuer", 'e.g. [{ "issuer": "https://...", "audience": "..." }]');
        }
        const issuers = data.issuers.map((issuer, index) => parseIssuer(issuer, `issuers[${index}]`));
        if (!Array.isArray(data.rules) || data.rules.length === 0) {
            fail("rules", "must list at least one policy rule", "without rules every call would be refused");
        }
        const rules = data.rules.map((rule, index) => parseRule(rule, `rules[${index}]`, issuers));
        return {
            ok: true,
            value: {
                listen: parseListen(data.listen),
                s3: parseS3(data.s3),
                urlExpiresSeconds: count(data.urlExpiresSeconds, "urlExpiresSeconds", 900, 7 * 24 * 3600),
                corsOrigins: parseOrigins(data.corsOrigins),
                issuers,
                rules,
            },
        };
    }
    catch (error) {
        if (error instanceof ConfigError)
            return { ok: false, error: `${source}: ${error.message}` };
        throw error;
    }
}

// EXTERNAL MODULE: ./src/engine/s3/s3-client.ts + 5 modules
var s3_client = __webpack_require__(1706);
// EXTERNAL MODULE: ./src/engine/checksum/algorithms.ts
var algorithms = __webpack_require__(8588);
// EXTERNAL MODULE: ./src/engine/cleanup/cleanup.ts + 1 modules
var cleanup = __webpack_require__(7442);
;// CONCATENATED MODULE: ./src/broker/object-settings.ts
const SERVED = ["cacheControl", "contentDisposition", "contentEncoding", "contentLanguage"];
const object_settings_SSE_MODES = ["AES256", "aws:kms", "aws:kms:dsse"];
// S3's user metadata names travel as x-amz-meta-<name> headers: an HTTP token, stored lower-case.
const METADATA_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
class Malformed extends Error {
}
/** Control characters would end or split the header the value travels in. */
function hasControl(value) {
    return [...value].some((char) => char < " " || char === "\u007f");
}
function optionalText(body, field) {
    const value = body[field];
    if (value === undefined)
        return undefined;
    if (typeof value !== "string" || value === "" || hasControl(value)) {
        throw new Malformed(`${field} must be a non-empty string without control characters`);
    }
    return value;
}
function stringRecord(body, field) {
    const value = body[field];
    if (value === undefined)
        return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Malformed(`${field} must be an object of names to string values`);
    }
    const entries = Object.entries(value);
    for (const [name, item] of entries) {
        if (typeof item !== "string" || hasControl(item)) {
            throw new Malformed(`${field}.${name} must be a string without control characters`);
        }
    }
    return Object.fromEntries(entries);
}
function settingsOf(body) {
    const type = body.type;
    const headers = {
        contentType: typeof type === "string" && type !== "" ? type : "application/octet-stream",
    };
    for (const field of SERVED) {
        const value = optionalText(body, field);
        if (value !== undefined)
            headers[field] = value;
    }
    const metadata = stringRecord(body, "metadata");
    if (metadata !== undefined) {
        const bad = Object.keys(metadata).find((name) => !METADATA_NAME.test(name));
        if (bad !== undefined)
            throw new Malformed(`metadata name "${bad}" must be lower-case letters, digits or -_.`);
        if (Object.keys(metadata).length > 0)
            headers.metadata = metadata;
    }
    const tags = stringRecord(body, "tags");
    if (tags !== undefined && Object.keys(tags).length > 0)
        headers.tagging = new URLSearchParams(tags).toString();
    const storageClass = optionalText(body, "storageClass");
    if (storageClass !== undefined) {
        if (!/^[A-Z_]+$/.test(storageClass))
            throw new Malformed(`storageClass ${storageClass} is not a storage class`);
        headers.storageClass = storageClass;
    }
    const sse = optionalText(body, "sse");
    if (sse !== undefined) {
        if (!object_settings_SSE_MODES.includes(sse))
            throw new Malformed(`sse must be one of ${object_settings_SSE_MODES.join(", ")}`);
        headers.sse = sse;
    }
    const sseKmsKeyId = optionalText(body, "sseKmsKeyId");
    if (sseKmsKeyId !== undefined) {
        if (sse === undefined || sse === "AES256")
            throw new Malformed("sseKmsKeyId needs sse aws:kms or aws:kms:dsse");
        headers.sseKmsKeyId = sseKmsKeyId;
    }
    return headers;
}
/** Why the rule does not allow these settings, or undefined when it does. */
function ruleRefusal(grant, headers) {
    const allowed = (list) => (list.length > 0 ? list.join(", ") : "none");
    if (headers.storageClass !== undefined &&
        grant.storageClasses &&
        !grant.storageClasses.includes(headers.storageClass)) {
        return `storage class ${headers.storageClass} is not allowed under this prefix (allowed: ${allowed(grant.storageClasses)})`;
    }
    if (headers.sse !== undefined && grant.sse && !grant.sse.includes(headers.sse)) {
        return `SSE ${headers.sse} is not allowed under this prefix (allowed: ${allowed(grant.sse)})`;
    }
    if (headers.sseKmsKeyId !== undefined && !grant.sseKmsKeyIds.includes(headers.sseKmsKeyId)) {
        return `KMS key ${headers.sseKmsKeyId} is not allowed under this prefix (allowed: ${allowed(grant.sseKmsKeyIds)})`;
    }
    return undefined;
}
/** The create body's settings as CreateMultipartUpload headers, when well-formed and allowed by the rule. */
function objectSettings(body, grant) {
    let headers;
    try {
        headers = settingsOf(body);
    }
    catch (error) {
        if (error instanceof Malformed)
            return { ok: false, status: 400, message: error.message };
        throw error;
    }
    const refusal = ruleRefusal(grant, headers);
    return refusal === undefined ? { ok: true, headers } : { ok: false, status: 403, message: refusal };
}

;// CONCATENATED MODULE: ./src/broker/policy.ts
function claimText(value) {
    if (typeof value === "string")
        return value;
    if (typeof value === "number" || typeof value === "boolean")
        return String(value);
    return undefined;
}
function globMatches(pattern, value) {
    const source = pattern
        .split("*")
        .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${source}$`, "s").test(value);
}
/** The prefix with "${claim}" filled in; undefined when a claim is missing or could steer out of it. */
function fillPrefix(prefix, claims) {
    let missing = false;
    const filled = prefix.replace(/\$\{([^}]+)\}/g, (_, name) => {
        const value = claimText(claims[name]);
        // An empty value or one with control characters would widen or blur the prefix.
        if (value === undefined || value === "" || [...value].some((char) => char < " " || char === "\u007f"))
            missing = true;
        return value ?? "";
    });
    return missing ? undefined : filled;
}
/** The rules that apply to a caller of `issuer` with these claims, prefixes filled in. */
function grantsFor(rules, issuer, claims) {
    const grants = [];
    for (const rule of rules) {
        if (rule.issuer !== issuer)
            continue;
        const matches = Object.entries(rule.claims).every(([name, pattern]) => {
            const value = claimText(claims[name]);
            return value !== undefined && globMatches(pattern, value);
        });
        if (!matches)
            continue;
        const prefix = fillPrefix(rule.prefix, claims);
        if (prefix !== undefined)
            grants.push({ ...rule, prefix });
    }
    return grants;
}
/** The grant under which this caller may write `key` (in `bucket`, when the caller names one). */
function authoriseKey(grants, key, bucket) {
    if (grants.length === 0)
        return { ok: false, reason: "no policy rule matches this token's claims" };
    const grant = grants.find((candidate) => key.startsWith(candidate.prefix) && (bucket === undefined || candidate.bucket === bucket));
    if (grant)
        return { ok: true, grant };
    const allowed = grants.map((candidate) => `${candidate.bucket}/${candidate.prefix}`).join(", ");
    return { ok: false, reason: `this token may write only under ${allowed}` };
}

;// CONCATENATED MODULE: ./src/broker/lifecycle.ts




const lifecycle_S3_MAX_PARTS = 10_000;
function refuse(status, code, message, target, hint) {
    const outcome = status === 403 ? "denied" : status >= 500 ? "failed" : "refused";
    return {
        status,
        body: { error: { code, message, ...(hint ? { hint } : {}) } },
        outcome,
        reason: message,
        target,
    };
}
function record(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value)
        ? value
        : {};
}
function stripQuotes(etag) {
    return etag.replace(/^"+|"+$/g, "");
}
function parseAlgorithm(value) {
    const upper = typeof value === "string" ? value.toUpperCase() : undefined;
    return algorithms/* AMZ_CHECKSUM_ALGORITHMS */.Sp.find((algorithm) => algorithm === upper);
}
/** A base64 digest of exactly the algorithm's length, so a wrong or truncated value fails here, not at S3. */
function validDigest(algorithm, value) {
    if (typeof value !== "string" || !/^[A-Za-z0-9+/]+=*$/.test(value))
        return false;
    const bytes = Buffer.from(value, "base64");
    return bytes.length === (0,algorithms/* digestLength */.F0)(algorithm) && bytes.toString("base64") === value;
}
/** How the parts (and the whole object) were proven, for the client's result. */
function proofOf(algorithm, objectChecksums) {
    if (algorithm === undefined) {
        return "each part's signed Content-MD5 checked by the store; part ETags matched ListParts";
    }
    const whole = objectChecksums[algorithm] ? ` and the whole object's ${algorithm}` : "";
    return `each part's signed ${algorithm}${whole} checked by the store; parts matched ListParts`;
}
function validMd5(value) {
    return /^[A-Za-z0-9+/]{22}==$/.test(value);
}
/**
 * The store's error as the broker's answer, its code kept: NoSuchUpload 404, PreconditionFailed 412, another
 * refusal of what the client sent (BadDigest, InvalidPart, EntityTooSmall…) 409, the store failing 502.
 */
function storeFailure(error, step, target) {
    const shape = error;
    const code = shape.name ?? "Error";
    const storeStatus = shape.$metadata?.httpStatusCode ?? 0;
    const status = code === "NoSuchUpload"
        ? 404
        : code === "PreconditionFailed"
            ? 412
            : storeStatus >= 400 && storeStatus < 500 && storeStatus !== 403
                ? 409
                : 502;
    return refuse(status, code, `${step}: the store answered ${code}: ${shape.message ?? ""}`.trim(), target);
}
/** Whether the caller may write `key`; on success the audit `target` also names the granted bucket. */
function authorised(caller, key, bucket, target) {
    if (typeof key !== "string" || key === "") {
        return { answer: refuse(400, "InvalidRequest", "the object key is missing: pass ?key=<key>", target) };
    }
    const check = authoriseKey(caller.grants, key, typeof bucket === "string" && bucket !== "" ? bucket : undefined);
    if (!check.ok)
        return { answer: refuse(403, "AccessDenied", `${key}: ${check.reason}`, target) };
    target.bucket = check.grant.bucket;
    return { grant: check.grant, key };
}
function createLifecycle(deps) {
    async function create(caller, input) {
        const body = record(input.body);
        // Uppy sends a filename; the object then goes under the caller's first prefix.
        const key = typeof body.key === "string"
            ? body.key
            : typeof body.filename === "string" && caller.grants[0]
                ? `${caller.grants[0].prefix}${body.filename}`
                : undefined;
        const target = { key };
        const access = authorised(caller, key, body.bucket, target);
        if ("answer" in access)
            return access.answer;
        const { grant } = access;
        const algorithm = body.checksumAlgorithm === undefined ? "CRC64NVME" : parseAlgorithm(body.checksumAlgorithm);
        if (!algorithm) {
            return refuse(400, "InvalidRequest", "checksumAlgorithm must be one of " + algorithms/* AMZ_CHECKSUM_ALGORITHMS */.Sp.join(", "), target);
        }
        const checksumType = (body.checksumType ?? (0,algorithms/* defaultChecksumType */.PB)(algorithm));
        if (checksumType !== "FULL_OBJECT" && checksumType !== "COMPOSITE") {
            return refuse(400, "InvalidRequest", "checksumType must be FULL_OBJECT or COMPOSITE", target);
        }
        if (!(0,algorithms/* checksumTypeAllowed */.ky)(algorithm, checksumType)) {
            return refuse(400, "InvalidRequest", `${algorithm} cannot be used with ${checksumType}`, target);
        }
        if (body.size !== undefined) {
            if (typeof body.size !== "number" || !Number.isSafeInteger(body.size) || body.size < 0) {
                return refuse(400, "InvalidRequest", "size must be the object's length in bytes", target);
            }
            target.size = body.size;
            if (body.size > grant.maxObjectBytes) {
                return refuse(403, "AccessDenied", `${body.size} bytes is over this prefix's limit of ${grant.maxObjectBytes}`, target);
            }
        }
        const settings = objectSettings(body, grant);
        if (!settings.ok) {
            return refuse(settings.status, settings.status === 403 ? "AccessDenied" : "InvalidRequest", `${access.key}: ${settings.message}`, target);
        }
        try {
            const uploadId = await deps.store.createMultipartUpload({
                bucket: grant.bucket,
                key: access.key,
                headers: settings.headers,
                algorithm,
                checksumType,
            });
            target.uploadId = uploadId;
            return {
                status: 200,
                body: { key: access.key, uploadId, bucket: grant.bucket, checksumAlgorithm: algorithm, checksumType },
                outcome: "ok",
                target,
            };
        }
        catch (error) {
            return storeFailure(error, "CreateMultipartUpload", target);
        }
    }
    async function signPart(caller, input) {
        const key = input.query.get("key");
        const target = { key: key ?? undefined, uploadId: input.uploadId };
        const access = authorised(caller, key, input.query.get("bucket"), target);
        if ("answer" in access)
            return access.answer;
        const { grant } = access;
        const partNumber = Number(input.partNumber);
        const maxParts = Math.min(grant.maxParts, lifecycle_S3_MAX_PARTS);
        if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > maxParts) {
            return refuse(403, "AccessDenied", `part number must be from 1 to ${maxParts} under this prefix`, target);
        }
        target.partNumber = partNumber;
        const sizeText = input.query.get("size");
        // 0 is an empty file's one part.
        const size = sizeText === null || sizeText === "" ? NaN : Number(sizeText);
        if (!Number.isSafeInteger(size) || size < 0) {
            return refuse(400, "InvalidRequest", "size is missing: pass ?size=<the part's length in bytes>", target, "the URL signs the part's length, so the store takes no other body");
        }
        target.size = size;
        if (size > grant.maxPartBytes) {
            return refuse(403, "AccessDenied", `${size} bytes is over this prefix's part limit of ${grant.maxPartBytes}`, target);
        }
        const algorithm = parseAlgorithm(input.query.get("checksumAlgorithm"));
        const checksum = input.query.get("checksum");
        if (!algorithm || !validDigest(algorithm, checksum)) {
            return refuse(400, "InvalidRequest", "a part is signed only with its checksum: pass ?checksumAlgorithm=<the upload's algorithm>&checksum=<base64 digest of the part>", target, "the URL signs the checksum header, so the store refuses a body that does not match it");
        }
        const contentMd5 = input.query.get("contentMd5") ?? undefined;
        if (contentMd5 !== undefined && !validMd5(contentMd5)) {
            return refuse(400, "InvalidRequest", "contentMd5 must be the part's base64 MD5 (16 bytes)", target);
        }
        if (contentMd5 === undefined && deps.config.s3.requireContentMd5) {
            return refuse(400, "InvalidRequest", "this store is not trusted to check x-amz-checksum-*: pass ?contentMd5=<base64 MD5 of the part> too", target, "the URL then signs Content-MD5, which the store does check");
        }
        const signed = deps.signPart({
            bucket: grant.bucket,
            key: access.key,
            uploadId: input.uploadId ?? "",
            partNumber,
            size,
            checksumHeader: (0,algorithms/* checksumHeaderName */.wp)(algorithm),
            checksum,
            ...(contentMd5 ? { contentMd5 } : {}),
        }, await deps.credentials(), deps.now());
        return { status: 200, body: signed, outcome: "ok", target };
    }
    async function listAllParts(bucket, key, uploadId) {
        const parts = [];
        let marker;
        let algorithm;
        let checksumType;
        do {
            const page = await deps.store.listPartsPage({ bucket, key, uploadId, ...(marker ? { marker } : {}) });
            parts.push(...page.parts);
            algorithm ??= page.checksumAlgorithm;
            checksumType ??= page.checksumType;
            marker = page.nextMarker;
        } while (marker);
        return { parts, algorithm: parseAlgorithm(algorithm), checksumType };
    }
    function uppyPart(part) {
        const checksums = Object.fromEntries(Object.entries(part.checksums).map(([algorithm, value]) => [
            (0,algorithms/* sdkChecksumField */.WE)(algorithm),
            value,
        ]));
        return {
            PartNumber: part.number,
            Size: part.size,
            ETag: part.etag,
            // Resume leaves alone an upload written to a moment ago: it may be another job's, still running.
            ...(part.lastModified ? { LastModified: part.lastModified.toISOString() } : {}),
            ...checksums,
        };
    }
    /**
     * The in-progress uploads of exactly this key (not of longer keys under it), for a client resuming one: only
     * a caller who may write the key sees them, as only such a caller may sign, complete or abort them.
     */
    async function listUploads(caller, input) {
        const key = input.query.get("key");
        const target = { key: key ?? undefined };
        const access = authorised(caller, key, input.query.get("bucket"), target);
        if ("answer" in access)
            return access.answer;
        try {
            const pending = await (0,cleanup/* listPendingUploads */.W)(deps.store, access.grant.bucket, access.key, (list) => list());
            const uploads = pending
                .filter((upload) => upload.key === access.key)
                .map((upload) => ({
                key: upload.key,
                uploadId: upload.uploadId,
                ...(upload.initiated ? { initiated: upload.initiated.toISOString() } : {}),
                ...(upload.storageClass ? { storageClass: upload.storageClass } : {}),
                ...(upload.checksumAlgorithm ? { checksumAlgorithm: upload.checksumAlgorithm } : {}),
                ...(upload.checksumType ? { checksumType: upload.checksumType } : {}),
            }));
            return { status: 200, body: { uploads }, outcome: "ok", target };
        }
        catch (error) {
            return storeFailure(error, "ListMultipartUploads", target);
        }
    }
    async function listParts(caller, input) {
        const key = input.query.get("key");
        const target = { key: key ?? undefined, uploadId: input.uploadId };
        const access = authorised(caller, key, input.query.get("bucket"), target);
        if ("answer" in access)
            return access.answer;
        try {
            const listed = await listAllParts(access.grant.bucket, access.key, input.uploadId ?? "");
            return { status: 200, body: listed.parts.map(uppyPart), outcome: "ok", target };
        }
        catch (error) {
            return storeFailure(error, "ListParts", target);
        }
    }
    /** Why the client's parts and the store's differ, or undefined when they agree part for part. */
    function partsMismatch(claimed, listed, 
    /** Undefined when the store keeps no part checksums and signed Content-MD5s proved the parts. */
    algorithm) {
        if (!Array.isArray(claimed) || claimed.length === 0)
            return "the body names no parts: send { parts: [{ PartNumber, ETag }] }";
        const stored = new Map(listed.map((part) => [part.number, part]));
        const named = new Set();
        for (const entry of claimed.map(record)) {
            const number = entry.PartNumber;
            if (typeof number !== "number" || typeof entry.ETag !== "string")
                return "each part needs PartNumber and ETag";
            if (named.has(number))
                return `part ${number} is named twice`;
            named.add(number);
            const part = stored.get(number);
            if (!part)
                return `part ${number} is not in the store's ListParts`;
            if (stripQuotes(entry.ETag) !== part.etag)
                return `part ${number}'s ETag differs from the store's`;
            if (algorithm === undefined)
                continue;
            const claimedChecksum = entry[(0,algorithms/* sdkChecksumField */.WE)(algorithm)];
            if (claimedChecksum !== undefined && claimedChecksum !== part.checksums[algorithm]) {
                return `part ${number}'s ${algorithm} differs from the store's`;
            }
        }
        const extra = listed.find((part) => !named.has(part.number));
        if (extra)
            return `the store holds part ${extra.number}, which the client did not name`;
        return undefined;
    }
    /**
     * The final check after Complete: the object the store now holds, as HeadObject shows it (some stores, Ceph
     * RGW among them, answer Complete without a usable ETag). Null when the HEAD fails or finds nothing: the
     * client then cannot prove the object and says so; Complete itself has succeeded, so it is not a failure here.
     */
    async function storedObject(bucket, key, versionId, algorithm) {
        try {
            const head = await deps.store.headObject({ bucket, key, ...(versionId ? { versionId } : {}) });
            if (!head)
                return null;
            const checksum = algorithm ? head.checksums[algorithm] : undefined;
            return {
                size: head.size,
                etag: head.etag,
                ...(checksum ? { checksum } : {}),
                // The client's record of the settings it created the upload with: a resumed upload's are checked here.
                ...(head.planRecord ? { planRecord: head.planRecord } : {}),
            };
        }
        catch {
            return null;
        }
    }
    async function complete(caller, input) {
        const key = input.query.get("key");
        const uploadId = input.uploadId ?? "";
        const target = { key: key ?? undefined, uploadId };
        const access = authorised(caller, key, input.query.get("bucket"), target);
        if ("answer" in access)
            return access.answer;
        const { grant } = access;
        const body = record(input.body);
        let listed;
        try {
            listed = await listAllParts(grant.bucket, access.key, uploadId);
        }
        catch (error) {
            return storeFailure(error, "ListParts", target);
        }
        const storeKeptChecksums = listed.algorithm !== undefined &&
            listed.parts.every((part) => part.checksums[listed.algorithm] !== undefined);
        if (!storeKeptChecksums && !deps.config.s3.requireContentMd5) {
            return refuse(409, "ChecksumMissing", "not completed: the store lists the parts without checksums, so nothing proves them", target, "for a store that ignores x-amz-checksum-* (Ceph RGW) set s3.requireContentMd5: true in the broker config");
        }
        const algorithm = storeKeptChecksums ? listed.algorithm : undefined;
        const mismatch = partsMismatch(body.parts, listed.parts, algorithm);
        if (mismatch) {
            return refuse(409, "PartsMismatch", `not completed: ${mismatch}`, target, "upload the missing or changed parts again, or abort the upload");
        }
        const size = listed.parts.reduce((total, part) => total + part.size, 0);
        target.size = size;
        if (body.size !== undefined && body.size !== size) {
            return refuse(409, "SizeMismatch", `not completed: the parts hold ${size} bytes, the client declared ${String(body.size)}`, target);
        }
        if (size > grant.maxObjectBytes || listed.parts.length > grant.maxParts) {
            return refuse(403, "AccessDenied", `not completed: ${size} bytes in ${listed.parts.length} parts is over this prefix's limits`, target);
        }
        const objectChecksums = {};
        if (body.checksum !== undefined && algorithm !== undefined) {
            if (!validDigest(algorithm, body.checksum)) {
                return refuse(400, "InvalidRequest", `checksum must be the object's base64 ${algorithm}`, target);
            }
            objectChecksums[algorithm] = body.checksum;
        }
        const checksumType = algorithm !== undefined &&
            (listed.checksumType === "COMPOSITE" || listed.checksumType === "FULL_OBJECT")
            ? listed.checksumType
            : null;
        try {
            const answer = await deps.store.completeMultipartUpload({
                bucket: grant.bucket,
                key: access.key,
                uploadId,
                parts: [...listed.parts]
                    .sort((a, b) => a.number - b.number)
                    .map((part) => ({
                    number: part.number,
                    etag: part.etag,
                    checksums: algorithm ? { [algorithm]: part.checksums[algorithm] } : {},
                })),
                objectChecksums,
                checksumType,
                objectSize: size,
                // The client may ask for If-None-Match where the rule allows overwriting, never drop it.
                ifNoneMatch: !grant.overwrite || body.ifNoneMatch === true,
            });
            const stored = await storedObject(grant.bucket, access.key, answer.versionId, algorithm);
            return {
                status: 200,
                body: {
                    location: deps.objectUrl(grant.bucket, access.key),
                    bucket: grant.bucket,
                    key: access.key,
                    size,
                    etag: answer.etag,
                    ...(answer.versionId ? { versionId: answer.versionId } : {}),
                    ...(algorithm
                        ? {
                            checksumAlgorithm: algorithm,
                            checksumType: answer.checksumType ?? checksumType,
                            checksum: answer.checksums[algorithm],
                        }
                        : {}),
                    proof: proofOf(algorithm, objectChecksums),
                    stored,
                },
                outcome: "ok",
                target,
            };
        }
        catch (error) {
            return storeFailure(error, "CompleteMultipartUpload", target);
        }
    }
    async function abort(caller, input) {
        const key = input.query.get("key");
        const target = { key: key ?? undefined, uploadId: input.uploadId };
        const access = authorised(caller, key, input.query.get("bucket"), target);
        if ("answer" in access)
            return access.answer;
        try {
            await deps.store.abortMultipartUpload({
                bucket: access.grant.bucket,
                key: access.key,
                uploadId: input.uploadId ?? "",
            });
            return { status: 200, body: {}, outcome: "ok", target };
        }
        catch (error) {
            return storeFailure(error, "AbortMultipartUpload", target);
        }
    }
    /**
     * What is stored at a key the caller may write: its size, ETag and checksums, so a client can find its file
     * already uploaded ("unchanged") instead of uploading it again. { exists: false } when nothing is there.
     */
    async function head(caller, input) {
        const key = input.query.get("key");
        const target = { key: key ?? undefined };
        const access = authorised(caller, key, input.query.get("bucket"), target);
        if ("answer" in access)
            return access.answer;
        try {
            const stored = await deps.store.headObject({ bucket: access.grant.bucket, key: access.key });
            const body = stored
                ? {
                    exists: true,
                    size: stored.size,
                    etag: stored.etag,
                    checksums: stored.checksums,
                    ...(stored.checksumType ? { checksumType: stored.checksumType } : {}),
                    ...(stored.versionId ? { versionId: stored.versionId } : {}),
                }
                : { exists: false };
            return { status: 200, body, outcome: "ok", target };
        }
        catch (error) {
            return storeFailure(error, "HeadObject", target);
        }
    }
    return { create, listUploads, signPart, listParts, complete, abort, head };
}

// EXTERNAL MODULE: ./src/engine/s3/s3-lean-http.ts + 2 modules
var s3_lean_http = __webpack_require__(1773);
// EXTERNAL MODULE: ./src/engine/s3/sigv4.ts
var sigv4 = __webpack_require__(8258);
;// CONCATENATED MODULE: ./src/broker/part-url.ts
// Presigned UploadPart URLs made with the project's own signer: the part's checksum header and its length are
// signed headers, so the store refuses a body that is not the one the client declared. (The SDK's presigner
// hoists x-amz-checksum-* into the query string, where S3 ignores it, and from 3.729 bakes in the empty body's
// CRC32.)


/** Base URL and path of the bucket: path-style on custom endpoints and dotted names, virtual-hosted otherwise. */
function bucketLocation(s3, bucket) {
    const base = new URL(s3.endpoint ?? `https://s3.${s3.region}.amazonaws.com`);
    const basePath = base.pathname.replace(/\/$/, "");
    if (s3.forcePathStyle || bucket.includes("."))
        return { origin: base, path: `${basePath}/${bucket}` };
    const origin = new URL(base.href);
    origin.hostname = `${bucket}.${base.hostname}`;
    return { origin, path: basePath };
}
function objectUrl(s3, bucket, key) {
    const { origin, path } = bucketLocation(s3, bucket);
    return `${origin.protocol}//${origin.host}${path}/${(0,s3_lean_http/* encodeKey */.g)(key)}`;
}
function createPartSigner(s3, expiresSeconds) {
    const presign = (0,sigv4/* createPresigner */.wZ)(s3.region, "s3");
    return (part, credentials, now) => {
        const { origin, path } = bucketLocation(s3, part.bucket);
        const objectPath = `${path}/${(0,s3_lean_http/* encodeKey */.g)(part.key)}`;
        const sent = {
            [part.checksumHeader]: part.checksum,
            ...(part.contentMd5 ? { "content-md5": part.contentMd5 } : {}),
        };
        const query = presign({
            method: "PUT",
            path: objectPath,
            query: { partNumber: String(part.partNumber), uploadId: part.uploadId },
            headers: { host: origin.host, "content-length": String(part.size), ...sent },
            expiresSeconds,
        }, credentials, now);
        return {
            url: `${origin.protocol}//${origin.host}${objectPath}?${query}`,
            headers: sent,
            expires: expiresSeconds,
        };
    };
}

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
;// CONCATENATED MODULE: ./src/broker/server.ts
// The broker's HTTP edge: routes shaped like Uppy Companion's /s3/multipart, a bearer token on every call, the
// caller's grants from the policy, and one audit line per call that never holds a token or a URL signature.


// 10,000 parts with checksums fit well inside this; anything larger is not a Complete body.
const MAX_BODY_BYTES = 4 * 1024 * 1024;
function routeOf(method, path) {
    const segments = path.split("/").slice(1);
    // What is stored at a key: the client's "unchanged" check before it uploads.
    if (segments[0] === "s3" && segments[1] === "object" && segments.length === 2 && method === "GET") {
        return { action: "head" };
    }
    if (segments[0] !== "s3" || segments[1] !== "multipart")
        return undefined;
    let rest;
    try {
        rest = segments.slice(2).map((segment) => decodeURIComponent(segment));
    }
    catch {
        return undefined;
    }
    if (rest.length === 0 && method === "POST")
        return { action: "create" };
    // The key's in-progress uploads, for a client resuming one (not one of Uppy Companion's routes).
    if (rest.length === 0 && method === "GET")
        return { action: "listUploads" };
    const [uploadId, second] = rest;
    if (!uploadId || rest.length > 2)
        return undefined;
    if (rest.length === 1 && method === "GET")
        return { action: "listParts", uploadId };
    if (rest.length === 1 && method === "DELETE")
        return { action: "abort", uploadId };
    if (second === "complete" && method === "POST")
        return { action: "complete", uploadId };
    if (second !== undefined && /^\d+$/.test(second) && method === "GET") {
        return { action: "signPart", uploadId, partNumber: second };
    }
    return undefined;
}
async function readJson(req) {
    const chunks = [];
    let length = 0;
    for await (const chunk of req) {
        length += chunk.length;
        if (length > MAX_BODY_BYTES)
            return { ok: false, error: `the body is over ${MAX_BODY_BYTES} bytes` };
        chunks.push(chunk);
    }
    if (length === 0)
        return { ok: true, value: {} };
    try {
        return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
    }
    catch {
        return { ok: false, error: "the body is not JSON" };
    }
}
function send(res, status, body, extra = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
        "cache-control": "no-store",
        ...extra,
    });
    res.end(text);
}
/** The headers a page of an allowed origin needs to read the answer; none for other callers. */
function corsHeaders(req, origins) {
    const origin = req.headers.origin;
    if (origin === undefined || !origins.includes(origin))
        return {};
    return { "access-control-allow-origin": origin, vary: "Origin" };
}
/** The claims the caller's rules read (patterns and prefix placeholders): who acted, without the whole token. */
function policyClaims(config, issuer, claims) {
    const names = new Set(config.rules
        .filter((rule) => rule.issuer === issuer)
        .flatMap((rule) => [
        ...Object.keys(rule.claims),
        ...[...rule.prefix.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]),
    ]));
    return Object.fromEntries([...names].filter((name) => name in claims).map((name) => [name, claims[name]]));
}
function createBrokerServer(deps) {
    const handle = async (req, res) => {
        const url = new URL(req.url ?? "/", "http://broker");
        const method = req.method ?? "GET";
        const cors = corsHeaders(req, deps.config.corsOrigins);
        const reply = (status, body, extra = {}) => send(res, status, body, { ...cors, ...extra });
        if (method === "OPTIONS") {
            res.writeHead(204, {
                ...cors,
                "access-control-allow-methods": "GET, POST, DELETE",
                "access-control-allow-headers": "authorization, content-type",
                "access-control-max-age": "600",
            });
            res.end();
            return;
        }
        if (method === "GET" && url.pathname === "/healthz") {
            reply(200, { ok: true });
            return;
        }
        const route = routeOf(method, url.pathname);
        const time = new Date().toISOString();
        if (!route) {
            deps.audit({
                time,
                action: "unknown",
                outcome: "refused",
                status: 404,
                reason: `${method} ${url.pathname}`,
            });
            reply(404, { error: { code: "NotFound", message: `no route ${method} ${url.pathname}` } });
            return;
        }
        const bearer = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
        const check = bearer ? await deps.verifyToken(bearer) : { ok: false, reason: "no bearer token" };
        if (!check.ok) {
            deps.audit({
                time,
                action: route.action,
                outcome: "unauthenticated",
                status: 401,
                reason: check.reason,
            });
            reply(401, { error: { code: "Unauthorized", message: check.reason } }, { "www-authenticate": 'Bearer error="invalid_token"' });
            return;
        }
        const caller = {
            issuer: check.issuer,
            subject: typeof check.claims.sub === "string" ? check.claims.sub : "",
            claims: check.claims,
            grants: grantsFor(deps.config.rules, check.issuer, check.claims),
        };
        const body = method === "POST" ? await readJson(req) : { ok: true, value: undefined };
        let answer;
        if (!body.ok) {
            answer = {
                status: 400,
                body: { error: { code: "InvalidRequest", message: body.error } },
                outcome: "refused",
                reason: body.error,
                target: {},
            };
        }
        else {
            const input = {
                query: url.searchParams,
                body: body.value,
                ...(route.uploadId ? { uploadId: route.uploadId } : {}),
                ...(route.partNumber ? { partNumber: route.partNumber } : {}),
            };
            answer = await deps.lifecycle[route.action](caller, input);
        }
        deps.audit({
            time,
            action: route.action,
            outcome: answer.outcome,
            status: answer.status,
            issuer: caller.issuer,
            subject: caller.subject,
            claims: policyClaims(deps.config, caller.issuer, caller.claims),
            ...answer.target,
            ...(answer.reason ? { reason: answer.reason } : {}),
        });
        reply(answer.status, answer.body);
    };
    return (0,external_node_http_.createServer)((req, res) => {
        handle(req, res).catch((error) => {
            deps.audit({
                time: new Date().toISOString(),
                action: "unknown",
                outcome: "failed",
                status: 500,
                reason: error.message,
            });
            if (!res.headersSent)
                send(res, 500, { error: { code: "InternalError", message: "the broker failed; see its log" } });
            else
                res.destroy();
        });
    });
}

// EXTERNAL MODULE: ./node_modules/jose/dist/webapi/util/errors.js
var errors = __webpack_require__(5674);
// EXTERNAL MODULE: ./node_modules/jose/dist/webapi/jwks/remote.js + 1 modules
var remote = __webpack_require__(7315);
// EXTERNAL MODULE: ./node_modules/jose/dist/webapi/util/decode_jwt.js
var decode_jwt = __webpack_require__(7961);
// EXTERNAL MODULE: ./node_modules/jose/dist/webapi/jwt/verify.js + 2 modules
var verify = __webpack_require__(4490);
;// CONCATENATED MODULE: ./src/broker/tokens.ts
// OIDC bearer tokens: signature against the issuer's JWKS, issuer, audience and expiry, checked by jose.

// Asymmetric only: an HS256 token would be checked with a key the issuer publishes, i.e. forgeable by anyone.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];
const CLOCK_TOLERANCE_SECONDS = 5;
async function discoverJwksUri(issuer) {
    const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    const answer = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!answer.ok)
        throw new Error(`${url} answered ${answer.status}`);
    const document = (await answer.json());
    if (typeof document.jwks_uri !== "string")
        throw new Error(`${url} names no jwks_uri`);
    return new URL(document.jwks_uri);
}
function reasonOf(error) {
    if (error instanceof errors/* JWTExpired */.n)
        return "the token has expired";
    if (error instanceof errors/* JWTClaimValidationFailed */.ie)
        return `the token's ${error.claim} claim is not accepted`;
    if (error instanceof errors/* JWSSignatureVerificationFailed */.h2)
        return "the token's signature does not verify";
    if (error instanceof errors/* JWKSNoMatchingKey */.BT)
        return "no key of the issuer matches the token";
    if (error instanceof errors/* JOSEAlgNotAllowed */.Rb)
        return "the token's signing algorithm is not accepted";
    if (error instanceof errors/* JOSEError */.i4)
        return `the token is not valid (${error.code})`;
    return `the issuer's keys could not be fetched (${error.message})`;
}
function createTokenVerifier(issuers) {
    // One key set per issuer, made on first use; jose caches the keys and refetches on an unknown kid.
    const keySets = new Map();
    const keySetFor = (config) => {
        let keySet = keySets.get(config.issuer);
        if (keySet === undefined) {
            const uri = config.jwksUri ? Promise.resolve(new URL(config.jwksUri)) : discoverJwksUri(config.issuer);
            keySet = uri.then((url) => (0,remote/* createRemoteJWKSet */.RD)(url));
            // A failed discovery is tried again on the next call rather than remembered.
            keySet.catch(() => keySets.delete(config.issuer));
            keySets.set(config.issuer, keySet);
        }
        return keySet;
    };
    return async (token) => {
        let unverifiedIssuer;
        try {
            unverifiedIssuer = (0,decode_jwt/* decodeJwt */.i)(token).iss;
        }
        catch {
            return { ok: false, reason: "the bearer token is not a JWT" };
        }
        const config = issuers.find((candidate) => candidate.issuer === unverifiedIssuer);
        if (!config)
            return { ok: false, reason: "the token's issuer is not trusted by this broker" };
        try {
            const { payload } = await (0,verify/* jwtVerify */.V)(token, await keySetFor(config), {
                issuer: config.issuer,
                audience: config.audience,
                algorithms: ALGORITHMS,
                requiredClaims: ["exp"],
                clockTolerance: CLOCK_TOLERANCE_SECONDS,
            });
            return { ok: true, issuer: config.issuer, claims: payload };
        }
        catch (error) {
            return { ok: false, reason: reasonOf(error) };
        }
    };
}

;// CONCATENATED MODULE: ./src/broker/start.ts
// Wires a parsed configuration to a listening broker: the store client, the part signer, the token verifier and
// the audit sink. The S3 credentials come from the environment's keys, a shared-config profile or a role the
// broker assumes with a token file (s3.credentials); the part signer signs with whatever the store client
// signs with at that moment, so a renewed role session presigns too.






function credentialsFromEnv(env) {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
        return {
            ok: false,
            error: 'the broker signs with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and neither may be empty: set both in its environment, or name a profile or a role in its config\'s "s3.credentials"',
        };
    }
    return {
        ok: true,
        value: {
            accessKeyId,
            secretAccessKey,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        },
    };
}
/** The access s3.credentials names, or the environment's keys (an error naming the fix when they are missing). */
function brokerAccess(config, env) {
    const source = config.s3.credentials;
    if (source.source === "profile")
        return { ok: true, value: { profile: source.profile } };
    if (source.source === "role") {
        const file = source.webIdentityTokenFile;
        return {
            ok: true,
            value: {
                assumeRole: {
                    roleArn: source.roleArn,
                    sessionName: source.sessionName,
                    durationSeconds: source.durationSeconds,
                    stsEndpoint: source.stsEndpoint,
                    // Read again for each assumption: the file holds a fresh token whenever it is rotated.
                    webIdentityToken: async () => (await (0,promises_.readFile)(file, "utf8")).trim(),
                },
            },
        };
    }
    const credentials = credentialsFromEnv(env);
    return credentials.ok ? { ok: true, value: { credentials: credentials.value } } : credentials;
}
async function startBroker(config, access, audit) {
    const { credentials: _source, ...s3 } = config.s3;
    const store = (0,s3_client/* createS3Store */.oT)({ ...s3, ...access }, { maxSockets: 32, stallTimeoutMs: 60_000 });
    const lifecycle = createLifecycle({
        config,
        store,
        credentials: () => store.signingCredentials(),
        signPart: createPartSigner(config.s3, config.urlExpiresSeconds),
        objectUrl: (bucket, key) => objectUrl(config.s3, bucket, key),
        now: () => new Date(),
    });
    const server = createBrokerServer({
        config,
        verifyToken: createTokenVerifier(config.issuers),
        lifecycle,
        audit,
    });
    await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.listen.port, config.listen.host, () => resolve());
    });
    const address = server.address();
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return {
        url: `http://${host}:${address.port}`,
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
            store.destroy();
        }),
    };
}

;// CONCATENATED MODULE: ./src/broker.ts
// The presigned-part broker's entry: `s3-verified-upload broker --config broker.json`. It holds the S3
// credentials; callers bring an OIDC token and get presigned UploadPart URLs that sign each part's checksum.
// Audit lines go to stdout (one JSON object per call), the broker's own messages to stderr.




const USAGE = `usage: s3-verified-upload broker --config <broker.json>
  (or S3VU_BROKER_CONFIG=<broker.json>); S3 credentials from the config's s3.credentials (a profile or a
  role to assume), else AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. The file format is
  in the README's broker section.
`;
function configPath(argv, env) {
    const at = argv.indexOf("--config");
    if (at !== -1)
        return argv[at + 1];
    const inline = argv.find((arg) => arg.startsWith("--config="));
    return inline ? inline.slice("--config=".length) : env.S3VU_BROKER_CONFIG;
}
async function runBroker(argv, io) {
    if (argv.includes("--help") || argv.includes("-h")) {
        io.stdout.write(USAGE);
        return cli_io/* EXIT_OK */.Ij;
    }
    const path = configPath(argv, io.env);
    const unknown = argv.filter((arg, index) => !arg.startsWith("--config") && argv[index - 1] !== "--config");
    if (!path || unknown.length > 0) {
        io.stderr.write(`error: ${path ? `unknown argument ${unknown[0]}` : "--config <broker.json> is required"}\n${USAGE}`);
        return cli_io/* EXIT_USAGE */.Ri;
    }
    let text;
    try {
        text = await (0,promises_.readFile)(path, "utf8");
    }
    catch (error) {
        io.stderr.write(`error: cannot read the broker config ${path} (${error.message}): check --config\n`);
        return cli_io/* EXIT_USAGE */.Ri;
    }
    const config = parseBrokerConfig(text, path);
    if (!config.ok) {
        io.stderr.write(`error: ${config.error}\n`);
        return cli_io/* EXIT_USAGE */.Ri;
    }
    const access = brokerAccess(config.value, io.env);
    if (!access.ok) {
        io.stderr.write(`error: ${access.error}\n`);
        return cli_io/* EXIT_USAGE */.Ri;
    }
    let broker;
    try {
        broker = await startBroker(config.value, access.value, (line) => io.stdout.write(`${JSON.stringify(line)}\n`));
    }
    catch (error) {
        io.stderr.write(`error: the broker cannot listen on ${config.value.listen.host}:${config.value.listen.port} (${error.message}): change listen in ${path}\n`);
        return cli_io/* EXIT_FAILED */.hj;
    }
    io.stderr.write(`broker listening on ${broker.url}\n`);
    const signal = io.signal;
    await new Promise((resolve) => {
        if (!signal)
            return;
        if (signal.aborted)
            resolve();
        else
            signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await broker.close();
    io.stderr.write("broker stopped\n");
    return cli_io/* EXIT_OK */.Ij;
}


/***/ })

};
