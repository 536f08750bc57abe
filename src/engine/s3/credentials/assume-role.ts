// STS AssumeRoleWithWebIdentity as one unsigned form POST: the OIDC token is the proof, so there is nothing
// to sign, and the SDK's STS client (its own middleware stack and a second endpoint resolver) is not needed.
import { request as httpRequest, type Agent } from "node:http";

/** Session credentials of an assumed role, and when they end. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** STS's Date header: how long the session lasts by STS's clock, whatever this machine's says. */
  serverDate?: Date;
}

export interface AssumeRoleRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  /** The OIDC token; sent in the body only, never in a URL or a message. */
  token: string;
}

export interface StsConnection {
  endpoint: URL;
  agents: { http: Agent; https: Agent };
  /** The request is cut after this long without traffic. */
  timeoutMs: number;
}

/**
 * STS's own answer (code, message, status), read by retry.ts and errors.ts like an S3 error; `service` tells
 * the hints apart from S3's codes of the same name (AccessDenied means the role's trust policy here).
 */
export class StsError extends Error {
  readonly Code: string;
  readonly service = "sts";
  readonly $metadata: { httpStatusCode: number; requestId?: string };
  constructor(code: string, message: string, status: number, requestId: string | undefined) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: status, ...(requestId ? { requestId } : {}) };
  }
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function field(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match
    ? match[1]!.replace(/&(amp|lt|gt|quot|apos);/g, (_, entity: string) => XML_ENTITIES[entity]!)
    : undefined;
}

/** The credentials of a 200 answer; an answer without all four fields is STS misbehaving, not a session. */
export function parseAssumeRoleAnswer(xml: string, dateHeader?: string): SessionCredentials {
  const credentials = /<Credentials>([\s\S]*?)<\/Credentials>/.exec(xml)?.[1] ?? "";
  const accessKeyId = field(credentials, "AccessKeyId");
  const secretAccessKey = field(credentials, "SecretAccessKey");
  const sessionToken = field(credentials, "SessionToken");
  const expiration = new Date(field(credentials, "Expiration") ?? "");
  if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiration.getTime())) {
    throw new StsError(
      "InvalidStsAnswer",
      "AssumeRoleWithWebIdentity answered 200 without AccessKeyId, SecretAccessKey, SessionToken and Expiration",
      502,
      undefined,
    );
  }
  const serverDate = new Date(dateHeader ?? "");
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiration,
    ...(Number.isNaN(serverDate.getTime()) ? {} : { serverDate }),
  };
}

export async function assumeRoleWithWebIdentity(
  connection: StsConnection,
  request: AssumeRoleRequest,
  signal?: AbortSignal,
): Promise<SessionCredentials> {
  const body = Buffer.from(
    new URLSearchParams({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: request.roleArn,
      RoleSessionName: request.sessionName,
      DurationSeconds: String(request.durationSeconds),
      WebIdentityToken: request.token,
    }).toString(),
  );
  const { endpoint } = connection;
  const https = endpoint.protocol === "https:";
  // TLS code loads only for an https STS, as for the store (startup-modules.test.ts).
  const send = https ? (await import("node:https")).request : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send({
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname.replace(/^\[|\]$/g, ""),
      port: endpoint.port || (https ? 443 : 80),
      path: endpoint.pathname || "/",
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "content-length": String(body.byteLength),
        accept: "text/xml",
        // One call per session: an idle kept-alive socket would only hold the process open.
        connection: "close",
      },
      agent: https ? connection.agents.https : connection.agents.http,
      ...(signal ? { signal } : {}),
    });
    outgoing.setTimeout(connection.timeoutMs, () => {
      const error = new Error(`STS sent nothing for ${connection.timeoutMs} ms`);
      error.name = "TimeoutError";
      outgoing.destroy(error);
    });
    outgoing.on("error", reject);
    outgoing.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const xml = Buffer.concat(chunks).toString("utf8");
        const status = response.statusCode ?? 0;
        if (status === 200) {
          try {
            resolve(parseAssumeRoleAnswer(xml, response.headers.date));
          } catch (error) {
            reject(error as Error);
          }
          return;
        }
        const requestId = field(xml, "RequestId") ?? response.headers["x-amzn-requestid"];
        reject(
          new StsError(
            field(xml, "Code") ?? `HTTP${status}`,
            `STS AssumeRoleWithWebIdentity for ${request.roleArn}: ${field(xml, "Message") ?? `HTTP ${status} without an error body`}`,
            status,
            typeof requestId === "string" ? requestId : undefined,
          ),
        );
      });
    });
    outgoing.end(body);
  });
}
