// The upload clients under test, each as a plain command line against the shared server.

import { writeFileSync } from "node:fs";
import { access, constants, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "./measure.js";
import type { ClientId } from "./options.js";
import type { Server } from "./server.js";
import type { Workload } from "./test-data.js";

export interface ClientContext {
  projectRoot: string;
  server: Server;
  bucket: string;
  /** Private HOME and config files live here, so no machine or user configuration leaks in. */
  home: string;
  partSize: number;
  concurrency: number;
  /** Our CLI bundle (a private copy, so a rebuild mid-run cannot change it) and the name to show for it. */
  cli: { path: string; shown: string };
}

export interface Client {
  id: ClientId;
  label: string;
  /** How it was configured, for the results page. */
  settings: string;
  /** Why it cannot run here, or null when it can. */
  missing(): Promise<string | null>;
  command(workload: Workload, keyPrefix: string): Command;
}

const AWS = "/usr/bin/aws";
const RCLONE = "/usr/bin/rclone";
const CURL = "/usr/bin/curl";

export async function makeClients(context: ClientContext): Promise<Client[]> {
  const { server, bucket, home, projectRoot } = context;
  const env = cleanEnv(context);
  const awsConfig = path.join(home, "aws-config");
  await writeFile(awsConfig, `[default]\nregion = ${server.region}\ns3 =\n  addressing_style = path\n`);
  const rcloneConfig = path.join(home, "rclone.conf");
  await writeFile(
    rcloneConfig,
    [
      "[bench]",
      "type = s3",
      "provider = Other",
      `access_key_id = ${server.accessKeyId}`,
      `secret_access_key = ${server.secretAccessKey}`,
      `endpoint = ${server.endpoint}`,
      `region = ${server.region}`,
      "force_path_style = true",
      // rclone sends "x-amz-acl: private" by default, which S3 refuses on buckets with ACLs disabled (the default
      // since April 2023, and the emulator's); the bucket owner's full control is the one canned ACL they take.
      "acl = bucket-owner-full-control",
      // The bench bucket exists; rclone's check would try to create it with a bucket ACL, refused the same way.
      "no_check_bucket = true",
      "",
    ].join("\n"),
  );
  const node = process.execPath;
  const cli = context.cli.path;
  const libStorage = path.join(projectRoot, "bench/lib-storage-upload.mjs");
  const single = (w: Workload) => w.fileCount === 1;

  const libStorageClient = (id: ClientId, checksum: "default" | "CRC32C"): Client => ({
    id,
    label: checksum === "default" ? "lib-storage (SDK default CRC32)" : "lib-storage CRC32C",
    settings: `@aws-sdk/lib-storage Upload, partSize ${mib(context.partSize)}, queueSize ${context.concurrency}, ${
      checksum === "default" ? "SDK default checksum" : "ChecksumAlgorithm CRC32C"
    }, Body = fs.createReadStream; many files ${context.concurrency} at a time`,
    missing: async () => null,
    command: (w, prefix) => ({
      argv: [
        node,
        libStorage,
        w.dir,
        bucket,
        prefix,
        String(context.partSize),
        String(context.concurrency),
        checksum,
      ],
      env,
    }),
  });

  const oursClient = (id: ClientId, label: string, how: string, flags: string[]): Client => ({
    id,
    label,
    settings: `node ${context.cli.shown}, ${how} (CRC64NVME full-object, ListParts verification)`,
    missing: async () =>
      (await isReadable(cli))
        ? null
        : `${context.cli.shown} does not exist: run "npm run build" to bundle the CLI`,
    command: (w, prefix) => ({
      argv: [node, cli, ...ourUploadArgs(server, bucket, `${prefix}/`, w, flags)],
      env,
    }),
  });

  return [
    oursClient("ours", "s3-verified-upload (ours)", "default settings", []),
    oursClient("ours-md5", "ours + Content-MD5", "default settings plus --content-md5", ["--content-md5"]),
    {
      id: "aws-cli",
      label: "aws s3 cp",
      settings: "Debian awscli v2 at its defaults (8 MiB parts, 10 concurrent requests), path-style config",
      missing: async () => ((await isExecutable(AWS)) ? null : `${AWS} not found: apt-get install -y awscli`),
      command: (w, prefix) => ({
        argv: single(w)
          ? [AWS, "s3", "cp", w.paths[0]!, `s3://${bucket}/${prefix}/data.bin`, ...awsFlags(server)]
          : [AWS, "s3", "cp", "--recursive", w.dir, `s3://${bucket}/${prefix}/`, ...awsFlags(server)],
        env: { ...env, AWS_CONFIG_FILE: awsConfig },
      }),
    },
    libStorageClient("lib-storage", "default"),
    libStorageClient("lib-storage-crc32c", "CRC32C"),
    {
      id: "rclone",
      label: "rclone",
      settings:
        "Debian rclone at its defaults (5 MiB chunks, 4 concurrent), provider Other, path style, " +
        "acl bucket-owner-full-control and no_check_bucket (its default ACL private, and creating the bucket, " +
        "are refused where ACLs are disabled, as on new S3 buckets)",
      missing: async () =>
        (await isExecutable(RCLONE)) ? null : `${RCLONE} not found: apt-get install -y rclone`,
      command: (w, prefix) => ({
        argv: single(w)
          ? [RCLONE, "--config", rcloneConfig, "copyto", w.paths[0]!, `bench:${bucket}/${prefix}/data.bin`]
          : [RCLONE, "--config", rcloneConfig, "copy", w.dir, `bench:${bucket}/${prefix}`],
        env,
      }),
    },
    {
      id: "curl",
      label: "curl -T (raw transport)",
      settings: `curl PutObject per file, SigV4 with UNSIGNED-PAYLOAD, no checksums; many files ${context.concurrency} in parallel`,
      missing: async () => ((await isExecutable(CURL)) ? null : `${CURL} not found: apt-get install -y curl`),
      command: (w, prefix) => ({ argv: curlArgv(context, w, prefix), env }),
    },
  ];
}

function awsFlags(server: Server): string[] {
  return ["--endpoint-url", server.endpoint, "--no-progress", "--only-show-errors"];
}

/** Our CLI's arguments for one workload: shared by the benchmark and the profiler so both measure one thing. */
export function ourUploadArgs(
  server: Server,
  bucket: string,
  keyPrefix: string,
  w: Workload,
  flags: readonly string[],
): string[] {
  return [
    "--bucket",
    bucket,
    "--endpoint",
    server.endpoint,
    "--force-path-style",
    "--region",
    server.region,
    "--prefix",
    keyPrefix,
    "--base-dir",
    w.dir,
    ...flags,
    // Many files go as their directory, the way a workflow names its dist/.
    w.fileCount === 1 ? w.paths[0]! : w.dir,
  ];
}

/** curl's SigV4 arguments for the bench server, payload unsigned. */
export function curlSigning(server: Server): string[] {
  return [
    "--aws-sigv4",
    `aws:amz:${server.region}:s3`,
    "--user",
    `${server.accessKeyId}:${server.secretAccessKey}`,
    "-H",
    "x-amz-content-sha256: UNSIGNED-PAYLOAD",
    // Not "-H Expect:": curl 7.88 then signs an empty Expect header and S3 servers answer 403.
  ];
}

function curlArgv(
  { server, bucket, concurrency, home }: ClientContext,
  w: Workload,
  prefix: string,
): string[] {
  const signing = curlSigning(server);
  const url = (i: number) => `${server.endpoint}/${bucket}/${prefix}/${w.files[i]!.path}`;
  if (w.fileCount === 1) return [CURL, "-sS", "--fail", ...signing, "-T", w.paths[0]!, url(0)];
  // 10,000 "-T file url" pairs would pass the kernel's argument size limit: they go in a config file, written
  // before the clock starts (curl reads it as part of its run, as it would read its arguments).
  const config = path.join(home, `curl-${prefix.replaceAll("/", "_")}.conf`);
  writeFileSync(config, w.paths.map((file, i) => `upload-file = "${file}"\nurl = "${url(i)}"\n`).join(""));
  return [
    CURL,
    "-sS",
    "--fail",
    "--globoff",
    "--parallel",
    "--parallel-max",
    String(concurrency),
    ...signing,
    "--config",
    config,
  ];
}

function cleanEnv({ server, home }: ClientContext): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: "C.UTF-8",
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_DEFAULT_REGION: server.region,
    S3_ENDPOINT: server.endpoint,
    AWS_CONFIG_FILE: path.join(home, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    RCLONE_CONFIG: path.join(home, "rclone.conf"),
  };
}

function mib(bytes: number): string {
  return `${bytes / 1024 / 1024} MiB`;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function isReadable(file: string): Promise<boolean> {
  return access(file, constants.R_OK).then(
    () => true,
    () => false,
  );
}
