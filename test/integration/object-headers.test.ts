// Header rules and run-wide headers as stored objects show them: parsed by the one config parser, matched by
// the file finder, sent by the engine on both write paths (the lean PutObject and CreateMultipartUpload),
// and read back with HeadObject by an independent client (/usr/bin/aws when present, else the SDK).
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { runUploads, type EngineOptions } from "../../src/engine/index.js";
import { findFiles } from "../../src/frontend/files.js";
import type { Emulator } from "../emulator/index.js";
import { PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";
import { deleteBucketAndClose, openRgwBucket, rgwEngineOptions, startRgw } from "../helpers/rgw.js";
import { awsCliEnv } from "../helpers/aws-cli.js";

const AWS = "/usr/bin/aws";
const MiB = 1024 * 1024;

const RULES = [
  "**/*.js.gz | Content-Type: text/javascript",
  "**/*.js.gz | Content-Encoding: gzip",
  "**/*.js.gz | Cache-Control: public, max-age=31536000, immutable",
  "*.html | Cache-Control: no-cache",
  "*.html | Content-Language: en",
  'downloads/* | Content-Disposition: attachment; filename="report, final.pdf"',
].join("\n");

interface Served {
  ContentType?: string;
  ContentEncoding?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
}

interface Store {
  options: (overrides?: Partial<EngineOptions>) => EngineOptions;
  sdk: S3Client;
  bucket: string;
  dir: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

function awsHead(store: Store, key: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    execFile(
      AWS,
      ["s3api", "head-object", "--bucket", store.bucket, "--key", key, "--endpoint-url", store.endpoint],
      {
        env: {
          ...awsCliEnv(store.dir, store.credentials, "us-east-1"),
        },
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`aws s3api head-object ${key}: ${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

async function served(store: Store, key: string): Promise<Served> {
  const head = existsSync(AWS)
    ? await awsHead(store, key)
    : await store.sdk.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
  const { ContentType, ContentEncoding, CacheControl, ContentDisposition, ContentLanguage } = head;
  return Object.fromEntries(
    Object.entries({
      ContentType,
      ContentEncoding,
      CacheControl,
      ContentDisposition,
      ContentLanguage,
    }).filter(([, value]) => value !== undefined),
  );
}

/** Writes the files under a fresh directory and returns what the file finder makes of them with `inputs`. */
async function filesFor(store: Store, sizes: Record<string, number>, inputs: Record<string, string>) {
  const root = path.join(store.dir, randomUUID().slice(0, 8));
  for (const [name, size] of Object.entries(sizes)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), randomBytes(size));
  }
  const parsed = parseConfig((name) => ({ bucket: store.bucket, path: "**", ...inputs })[name]);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const found = await findFiles({ ...parsed.config, prefix: path.basename(root) }, root);
  if (!found.ok) throw new Error(found.error);
  return { files: found.files, object: parsed.config.engine.object, prefix: path.basename(root) };
}

function headerCases(store: () => Store, multipartSize: number): void {
  it("stores each file's headers from the rules over the run-wide ones, on both write paths", async () => {
    const { files, object, prefix } = await filesFor(
      store(),
      {
        "assets/app.js.gz": 1000,
        "assets/big.js.gz": multipartSize,
        "index.html": 100,
        "fonts/inter.woff2": 200,
        "downloads/report.pdf": 300,
      },
      { "cache-control": "public, max-age=300", headers: RULES },
    );
    const result = await runUploads(files, store().options({ object }));
    expect(result.files.map((file) => file.error).filter(Boolean)).toEqual([]);
    expect(result.files.find((file) => file.key.endsWith("big.js.gz"))?.multipart).toBe(true);
    const immutableJs = {
      ContentType: "text/javascript",
      ContentEncoding: "gzip",
      CacheControl: "public, max-age=31536000, immutable",
    };
    expect(await served(store(), `${prefix}/assets/app.js.gz`)).toEqual(immutableJs);
    expect(await served(store(), `${prefix}/assets/big.js.gz`)).toEqual(immutableJs);
    expect(await served(store(), `${prefix}/index.html`)).toEqual({
      ContentType: "text/html; charset=utf-8",
      CacheControl: "no-cache",
      ContentLanguage: "en",
    });
    expect(await served(store(), `${prefix}/fonts/inter.woff2`)).toEqual({
      ContentType: "font/woff2",
      CacheControl: "public, max-age=300",
    });
    expect(await served(store(), `${prefix}/downloads/report.pdf`)).toEqual({
      ContentType: "application/pdf",
      CacheControl: "public, max-age=300",
      ContentDisposition: 'attachment; filename="report, final.pdf"',
    });
  });

  it("sends the content-encoding input with every file, and none for a .gz without a rule", async () => {
    const encoded = await filesFor(
      store(),
      { "a.css": 100, "big.css": multipartSize },
      {
        "content-encoding": "br",
      },
    );
    const plain = await filesFor(store(), { "logs.tar.gz": 100 }, {});
    const results = [
      ...(await runUploads(encoded.files, store().options({ object: encoded.object }))).files,
      ...(await runUploads(plain.files, store().options({ object: plain.object }))).files,
    ];
    expect(results.map((file) => file.error).filter(Boolean)).toEqual([]);
    for (const name of ["a.css", "big.css"]) {
      expect(await served(store(), `${encoded.prefix}/${name}`)).toEqual({
        ContentType: "text/css; charset=utf-8",
        ContentEncoding: "br",
      });
    }
    expect(await served(store(), `${plain.prefix}/logs.tar.gz`)).toEqual({ ContentType: "application/gzip" });
  });

  it("keeps an identical object unchanged but says which stored headers differ from this run's", async () => {
    const first = await filesFor(
      store(),
      { "index.html": 100 },
      { headers: "*.html | Cache-Control: no-cache" },
    );
    const uploaded = await runUploads(first.files, store().options({ overwrite: false }));
    expect(uploaded.files[0]?.status).toBe("uploaded");

    const same = await runUploads(first.files, store().options({ overwrite: false }));
    expect(same.files[0]?.status).toBe("unchanged");
    expect(same.files[0]?.notes.join(" ")).not.toMatch(/headers differ/);

    const changed = first.files.map((file) => ({
      ...file,
      headers: { cacheControl: "max-age=60", contentEncoding: "gzip" },
    }));
    const again = await runUploads(changed, store().options({ overwrite: false }));
    expect(again.files[0]?.status).toBe("unchanged");
    expect(again.files[0]?.notes).toContain(
      'Its stored headers differ from this run\'s: Content-Encoding none (this run: "gzip"), Cache-Control ' +
        '"no-cache" (this run: "max-age=60"); the bytes are identical, so it was left as it is: set overwrite: ' +
        "true to store this run's headers.",
    );
    expect(await served(store(), first.files[0]!.key)).toMatchObject({ CacheControl: "no-cache" });
  });
}

describe("object headers against the emulator", () => {
  let emulator: Emulator;
  let sdk: S3Client;
  let dir: string;
  const bucket = "headers";
  beforeAll(async () => {
    ({ emulator, sdk, dir } = await startWorkspace({ minPartSize: 1024, buckets: [bucket] }, "svu-headers-"));
  });
  afterAll(() => stopWorkspace({ emulator, sdk, dir }));

  headerCases(
    () => ({
      options: (overrides) => emulatorEngineOptions(emulator, bucket, overrides),
      sdk,
      bucket,
      dir,
      endpoint: emulator.endpoint,
      credentials: emulator.credentials,
    }),
    2 * PART + 1,
  );
});

const env = startRgw();

describe.skipIf(env === null)("object headers against Ceph RGW", () => {
  const bucket = `svu-headers-${randomUUID().slice(0, 8)}`;
  let sdk: S3Client;
  let s3: EngineOptions["s3"];
  let dir = "";
  beforeAll(async () => {
    ({ s3, sdk, dir } = await openRgwBucket(env!, bucket, "svu-rgw-headers-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (sdk) await deleteBucketAndClose(sdk, bucket);
  });

  headerCases(
    () => ({
      options: (overrides) => rgwEngineOptions(bucket, s3, overrides),
      sdk,
      bucket,
      dir,
      endpoint: s3.endpoint!,
      credentials: s3.credentials!,
    }),
    5 * MiB + 1,
  );
});
