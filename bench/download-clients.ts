// The download clients under test: each fetches the same stored object into its own empty folder.

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { curlSigning } from "./clients.js";
import type { Command } from "./measure.js";
import type { ClientId } from "./options.js";
import type { Server } from "./server.js";

export const DOWNLOAD_CLIENT_IDS = [
  "ours",
  "aws-cli",
  "rclone",
  "curl",
] as const satisfies readonly ClientId[];
export type DownloadClientId = (typeof DOWNLOAD_CLIENT_IDS)[number];

/** What every download client needs: the server, where the object is, and private config files. */
export interface DownloadContext {
  server: Server;
  bucket: string;
  /** Our CLI bundle (a private copy) and the name to show for it. */
  cli: { path: string; shown: string };
  /** Private HOME: the download clients' config files are written here, so no machine config leaks in. */
  home: string;
}

export interface DownloadClient {
  id: DownloadClientId;
  label: string;
  settings: string;
  /** Fetches `key` into the empty folder `into`, keeping the key's last segment as the file name. */
  command(key: string, into: string): Command;
  /** The file the command writes. */
  output(key: string, into: string): string;
}

const AWS = "/usr/bin/aws";
const RCLONE = "/usr/bin/rclone";
const CURL = "/usr/bin/curl";

export async function makeDownloadClients(context: DownloadContext): Promise<DownloadClient[]> {
  const { server, bucket, home, cli } = context;
  const awsConfig = path.join(home, "aws-download-config");
  await writeFile(awsConfig, `[default]\nregion = ${server.region}\ns3 =\n  addressing_style = path\n`);
  const rcloneConfig = path.join(home, "rclone-download.conf");
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
      "",
    ].join("\n"),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: "C.UTF-8",
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_DEFAULT_REGION: server.region,
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    RCLONE_CONFIG: rcloneConfig,
  };
  const output = (key: string, into: string) => path.join(into, path.posix.basename(key));
  return [
    {
      id: "ours",
      label: "s3-verified-upload download (ours)",
      settings: `node ${cli.shown} download, default settings (16 MiB ranges, concurrency 4, verification on: the stored CRC64NVME is recomputed from the bytes received; fsync before rename)`,
      command: (key, into) => ({
        argv: [process.execPath, cli.path, ...ourDownloadArgs(server, bucket, key, into)],
        env,
      }),
      output,
    },
    {
      id: "aws-cli",
      label: "aws s3 cp (download)",
      settings:
        "Debian awscli v2 at its defaults (8 MiB ranges, 10 concurrent requests), path-style config; no fsync",
      command: (key, into) => ({
        argv: [
          AWS,
          "s3",
          "cp",
          `s3://${bucket}/${key}`,
          `${into}/`,
          "--endpoint-url",
          server.endpoint,
          "--no-progress",
          "--only-show-errors",
        ],
        env,
      }),
      output,
    },
    {
      id: "rclone",
      label: "rclone copy (download)",
      settings:
        "Debian rclone copy at its defaults (multi-thread download, 4 streams), provider Other, path style; no fsync",
      command: (key, into) => ({
        argv: [RCLONE, "--config", rcloneConfig, "copy", `bench:${bucket}/${key}`, into],
        env,
      }),
      output,
    },
    {
      // What the machine charges for the bytes alone, in the same rounds: the network and the copy into the
      // destination (on tmpfs the kernel's copy into fresh pages, whose cost drifts with the host), so a row
      // can be told from the platform's state at the time.
      id: "curl",
      label: "curl GET (raw transport)",
      settings:
        "curl GetObject, one connection, SigV4 with UNSIGNED-PAYLOAD, written to the destination: no hashing, no proof, no fsync",
      command: (key, into) => ({
        argv: [
          CURL,
          "-sS",
          "--fail",
          ...curlSigning(server),
          "-o",
          output(key, into),
          `${server.endpoint}/${bucket}/${key}`,
        ],
        env,
      }),
      output,
    },
  ];
}

/** Our CLI's download arguments: the object's folder as prefix, its name as the key glob. */
export function ourDownloadArgs(server: Server, bucket: string, key: string, into: string): string[] {
  return [
    "download",
    "--bucket",
    bucket,
    "--endpoint",
    server.endpoint,
    "--force-path-style",
    "--region",
    server.region,
    "--prefix",
    path.posix.dirname(key),
    "--base-dir",
    into,
    path.posix.basename(key),
  ];
}
