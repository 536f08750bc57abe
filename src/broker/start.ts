// Wires a parsed configuration to a listening broker: the store client, the part signer, the token verifier and
// the audit sink. The S3 credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN).
import type { AddressInfo } from "node:net";
import { createS3Store } from "../engine/s3/s3-client.js";
import type { SigningCredentials } from "../engine/s3/sigv4.js";
import type { BrokerConfig } from "./config.js";
import { createLifecycle } from "./lifecycle.js";
import { createPartSigner, objectUrl } from "./part-url.js";
import { createBrokerServer, type AuditLine } from "./server.js";
import { createTokenVerifier } from "./tokens.js";

export interface RunningBroker {
  url: string;
  close(): Promise<void>;
}

export function credentialsFromEnv(
  env: NodeJS.ProcessEnv,
): { ok: true; value: SigningCredentials } | { ok: false; error: string } {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    return {
      ok: false,
      error:
        "the broker signs with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and neither may be empty: set both in its environment",
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

export async function startBroker(
  config: BrokerConfig,
  credentials: SigningCredentials,
  audit: (line: AuditLine) => void,
): Promise<RunningBroker> {
  const store = createS3Store({ ...config.s3, credentials }, { maxSockets: 32, stallTimeoutMs: 60_000 });
  const lifecycle = createLifecycle({
    config,
    store,
    credentials: () => Promise.resolve(credentials),
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
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        store.destroy();
      }),
  };
}
