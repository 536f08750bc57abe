// A local OIDC issuer (an RS256 key made per test run, its discovery document and JWKS on loopback), the strict
// emulator and a broker between them.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { parseBrokerConfig } from "../../src/broker/config.js";
import { startBroker, type RunningBroker } from "../../src/broker/start.js";
import type { AuditLine } from "../../src/broker/server.js";

export const AUDIENCE = "s3vu-broker-test";

export interface Issuer {
  url: string;
  /** A token signed by this issuer's key; `claims` may override iss and aud; exp defaults to 5 minutes. */
  token(claims: JWTPayload, options?: { expiresIn?: string | number; key?: CryptoKey }): Promise<string>;
  /** A key the issuer does not publish, with the same kid: what a forger would sign with. */
  forgedKey: CryptoKey;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<Issuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const forged = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  let url = "";
  const server: Server = createServer((req, res) => {
    const body =
      req.url === "/.well-known/openid-configuration"
        ? { issuer: url, jwks_uri: `${url}/jwks` }
        : req.url === "/jwks"
          ? { keys: [jwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    forgedKey: forged.privateKey,
    token: (claims, options = {}) =>
      new SignJWT({ ...claims })
        .setProtectedHeader({ alg: "RS256", kid: "test-key" })
        .setIssuer(claims.iss ?? url)
        .setAudience(claims.aud ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? "5m")
        .sign(options.key ?? privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface StoreTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  bucket: string;
}

export interface BrokerFixture {
  /** The emulator, when the broker signs for it (no `store` given). */
  emulator: Emulator | undefined;
  store: StoreTarget;
  issuer: Issuer;
  broker: RunningBroker;
  audit: AuditLine[];
  stop(): Promise<void>;
}

/**
 * A broker for `store` (default: a new emulator with bucket "artifacts"); tokens of owner "org" may write under
 * "<repository>/", at most `maxParts` (default 8) parts of `maxPartBytes` (default 1 MiB).
 */
export async function startBrokerFixture(
  options: {
    store?: StoreTarget;
    maxPartBytes?: number;
    requireContentMd5?: boolean;
    /** The rule lets Complete replace an existing object (default false). */
    overwrite?: boolean;
    /** The rule's part count (default 8) and object size (default 4 parts) limits. */
    maxParts?: number;
    maxObjectBytes?: number;
    /** More fields of the one policy rule (e.g. its storage class and SSE lists). */
    rule?: Record<string, unknown>;
  } = {},
): Promise<BrokerFixture> {
  const emulator = options.store
    ? undefined
    : await startEmulator({ buckets: ["artifacts"], minPartSize: 1024 });
  const store = options.store ?? {
    endpoint: emulator!.endpoint,
    region: emulator!.region,
    credentials: emulator!.credentials,
    bucket: "artifacts",
  };
  const maxPartBytes = options.maxPartBytes ?? 1024 * 1024;
  const issuer = await startIssuer();
  const config = parseBrokerConfig(
    JSON.stringify({
      listen: { host: "127.0.0.1", port: 0 },
      // The emulator checks x-amz-checksum-* as S3 does.
      s3: {
        endpoint: store.endpoint,
        region: store.region,
        requireContentMd5: options.requireContentMd5 ?? false,
      },
      issuers: [{ issuer: issuer.url, audience: AUDIENCE }],
      rules: [
        {
          issuer: issuer.url,
          claims: { repository_owner: "org" },
          bucket: store.bucket,
          prefix: "${repository}/",
          maxParts: options.maxParts ?? 8,
          maxPartBytes,
          maxObjectBytes: options.maxObjectBytes ?? 4 * maxPartBytes,
          ...(options.overwrite ? { overwrite: true } : {}),
          ...options.rule,
        },
      ],
    }),
    "test config",
  );
  if (!config.ok) throw new Error(config.error);
  const audit: AuditLine[] = [];
  const broker = await startBroker(config.value, { credentials: store.credentials }, (line) =>
    audit.push(line),
  );
  return {
    emulator,
    store,
    issuer,
    broker,
    audit,
    stop: async () => {
      await broker.close();
      await issuer.close();
      await emulator?.stop();
    },
  };
}

export interface BrokerAnswer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

/** One call to the broker with a bearer token (none when `token` is undefined). */
export async function callBroker(
  broker: RunningBroker,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<BrokerAnswer> {
  const answer = await fetch(`${broker.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: answer.status, body: (await answer.json()) as BrokerAnswer["body"] };
}
