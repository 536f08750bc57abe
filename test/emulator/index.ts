// Public entry point of the strict local S3 emulator used by tests, benchmarks and the demo.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { Store } from "./storage.js";
import { Faults, type FaultInjector } from "./faults.js";
import { createS3Server, type RequestLogEntry } from "./server.js";
import type { CompleteReplay } from "./context.js";
import { StsService, type IssuedSession, type StsFault, type StsOptions } from "./sts.js";
import { storeProfile, type ProfileName } from "./profiles.js";

export type { FaultInjector, FaultRule, FaultAction } from "./faults.js";
export type { RequestLogEntry } from "./server.js";
export type { CompleteReplay } from "./context.js";
export type { IssuedSession, StsFault, StsOptions } from "./sts.js";
export { PROFILES, type ProfileName } from "./profiles.js";
export { localhostLookup } from "./localhost.js";

export interface EmulatorOptions {
  /** Default 0 (a free port); the host is always 127.0.0.1. */
  port?: number;
  /** Default: a fresh temp dir, removed on stop(). */
  dataDir?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Default "us-east-1". */
  region?: string;
  /** Default: the profile's (5 MiB; OSS 100 KB); tests lower it to make >1,000-part uploads cheap. */
  minPartSize?: number;
  /**
   * The store to behave like where it differs from S3 (profiles.ts, README "Store profiles"). Default "aws".
   * Virtual-hosted requests (Host `<bucket>.localhost:PORT`) work under every profile; "oss" refuses path-style.
   */
  profile?: ProfileName;
  /** Benchmark mode: payloads are discarded unhashed; client checksums/ETags are recorded as sent; GetObject is 501. */
  sink?: boolean;
  /** Created at start. */
  buckets?: string[];
  /** Seed for random fault draws (rules may carry their own). Default 1. */
  faultSeed?: number;
  /**
   * Every bucket's default encryption. Default "AES256". Under "aws:kms" objects and parts written without
   * their own x-amz-server-side-encryption are KMS-encrypted, and like every KMS write their ETags are not MD5s.
   */
  defaultEncryption?: "AES256" | "aws:kms";
  /** Serve https with this key and certificate (PEM); the endpoint is then https://127.0.0.1:PORT. */
  tls?: { key: string; cert: string };
  /** A CompleteMultipartUpload repeated after success: "no-such-upload" (default, as AWS documents) or "same-answer" (as RGW). */
  completeReplay?: CompleteReplay;
  /** Serve STS AssumeRoleWithWebIdentity at the endpoint (POST /) and accept the session keys it issues. */
  sts?: StsOptions;
}

export interface Emulator {
  /** http://127.0.0.1:PORT: path-style requests and ListBuckets. */
  endpoint: string;
  /** http://localhost:PORT: the service host for virtual-hosted clients, which address `<bucket>.localhost:PORT`. */
  virtualHostEndpoint: string;
  profile: ProfileName;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  requestLog: RequestLogEntry[];
  faults: FaultInjector;
  /** The sessions STS issued, in order (empty without the sts option). */
  stsSessions: IssuedSession[];
  /** Refusals STS answers to its next calls, one each, in order (empty without the sts option). */
  stsFaults: StsFault[];
  createBucket(name: string, opts?: { versioning?: boolean }): Promise<void>;
  /**
   * Moves the Initiated time of a bucket's in-progress uploads (all, or those for `key`) back by `ms`, and
   * their parts' LastModified with it.
   */
  backdateUploads(bucket: string, ms: number, key?: string): void;
  /** Settles once every request under way has been answered or cut off, e.g. after killing a client. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_ACCESS_KEY_ID = "AKIAEMULATOR00000001";
export const DEFAULT_SECRET_ACCESS_KEY = "emulatorSecretKey/0000000000000000000000";

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "s3-emulator-")));
  const store = new Store(dataDir);
  await store.init();
  const profile = storeProfile(options.profile ?? "aws");
  const region = options.region ?? "us-east-1";
  const credentials = {
    accessKeyId: options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
    secretAccessKey: options.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY,
  };
  const faults = new Faults(options.faultSeed ?? 1);
  const requestLog: RequestLogEntry[] = [];
  const config = {
    endpoint: "",
    region,
    minPartSize: options.minPartSize ?? profile.minPartSize,
    sink: options.sink ?? false,
    defaultEncryption: options.defaultEncryption ?? "AES256",
    completeReplay: options.completeReplay ?? "no-such-upload",
    profile,
  };
  const sts = options.sts ? new StsService(options.sts) : undefined;
  const { server, shutdown, idle } = createS3Server({
    store,
    faults,
    config,
    credentials,
    requestLog,
    ...(options.tls ? { tls: options.tls } : {}),
    ...(sts ? { sts } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  config.endpoint = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  for (const name of options.buckets ?? []) store.createBucket(name);
  return {
    endpoint: config.endpoint,
    virtualHostEndpoint: `${options.tls ? "https" : "http"}://localhost:${port}`,
    profile: profile.name,
    region,
    credentials,
    requestLog,
    faults,
    stsSessions: sts?.issued ?? [],
    stsFaults: sts?.faults ?? [],
    async createBucket(name, opts) {
      const bucket = store.createBucket(name);
      if (opts?.versioning) bucket.versioning = "Enabled";
    },
    backdateUploads(bucketName, ms, key) {
      for (const upload of store.bucket(bucketName).uploads.values()) {
        if (key !== undefined && upload.key !== key) continue;
        upload.initiated = new Date(upload.initiated.getTime() - ms);
        for (const part of upload.parts.values()) {
          part.lastModified = new Date(part.lastModified.getTime() - ms);
        }
      }
    },
    idle,
    async stop() {
      await shutdown();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
