// What every operation handler receives about one request.
import type { IncomingMessage } from "node:http";
import type { AuthResult } from "./sigv4.js";
import type { FaultAction } from "./faults.js";
import type { Route } from "./router.js";
import type { Store } from "./storage.js";
import type { StoreProfile } from "./profiles.js";

export interface EmulatorConfig {
  endpoint: string;
  region: string;
  minPartSize: number;
  sink: boolean;
  /** The x-amz-server-side-encryption of writes that name none. */
  defaultEncryption: string;
  completeReplay: CompleteReplay;
  /** The store whose differences from S3 this instance plays (profiles.ts). */
  profile: StoreProfile;
}

/**
 * A CompleteMultipartUpload repeated after it succeeded: "no-such-upload" as AWS documents, or "same-answer" (the
 * first answer again, while the object it made is current) as Ceph RGW and other stores do.
 */
export type CompleteReplay = "no-such-upload" | "same-answer";
export const COMPLETE_REPLAYS: readonly CompleteReplay[] = ["no-such-upload", "same-answer"];

export interface RequestContext {
  req: IncomingMessage;
  route: Route;
  auth: AuthResult;
  store: Store;
  config: EmulatorConfig;
  /** A fault that must hit the stored bytes after the client has been answered normally. */
  storedFault: Extract<FaultAction, "corrupt-stored" | "drop-stored"> | undefined;
}

export function header(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
