// Wires a parsed configuration to a listening broker: the store client, the part signer, the token verifier and
// the audit sink. The S3 credentials come from the environment's keys, a shared-config profile or a role the
// broker assumes with a token file (s3.credentials); the part signer signs with whatever the store client
// signs with at that moment, so a renewed role session presigns too.
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createS3Store } from "../engine/s3/s3-client.js";
import type { SigningCredentials } from "../engine/s3/sigv4.js";
import type { S3Settings } from "../engine/types.js";
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
        'the broker signs with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and neither may be empty: set both in its environment, or name a profile or a role in its config\'s "s3.credentials"',
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

/** How the broker's store client gets its credentials. */
export type BrokerAccess = Pick<S3Settings, "credentials" | "profile" | "assumeRole">;

/** The access s3.credentials names, or the environment's keys (an error naming the fix when they are missing). */
export function brokerAccess(
  config: BrokerConfig,
  env: NodeJS.ProcessEnv,
): { ok: true; value: BrokerAccess } | { ok: false; error: string } {
  const source = config.s3.credentials;
  if (source.source === "profile") return { ok: true, value: { profile: source.profile } };
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
          webIdentityToken: async () => (await readFile(file, "utf8")).trim(),
        },
      },
    };
  }
  const credentials = credentialsFromEnv(env);
  return credentials.ok ? { ok: true, value: { credentials: credentials.value } } : credentials;
}

export async function startBroker(
  config: BrokerConfig,
  access: BrokerAccess,
  audit: (line: AuditLine) => void,
): Promise<RunningBroker> {
  const { credentials: _source, ...s3 } = config.s3;
  const store = createS3Store({ ...s3, ...access }, { maxSockets: 32, stallTimeoutMs: 60_000 });
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
