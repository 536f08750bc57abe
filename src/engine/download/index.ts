// PLACEHOLDER: replaced by the engine lane at merge
import type { DownloadOptions, DownloadRun, ListOptions, RemoteFile, RemoteObject } from "./types.js";

export type * from "./types.js";

export async function runDownloads(_files: RemoteFile[], _options: DownloadOptions): Promise<DownloadRun> {
  throw new Error("download engine not merged yet");
}

/** ListObjectsV2, every page. */
export async function listRemoteFiles(_options: ListOptions): Promise<RemoteObject[]> {
  throw new Error("download engine not merged yet");
}
