// The agents that reach the store through the user's proxy: loaded by network.ts only when a proxy is used
// (these and their libraries cost ~15 ms of start-up that most runs do not need).
import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";
import type * as tls from "node:tls";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { ProxyError, redactedProxy } from "./network.js";

/** Basic credentials from the proxy URL, sent as a header so no library logs them with the URL. */
function proxyParts(proxy: URL): { url: URL; headers: Record<string, string> } {
  const url = new URL(redactedProxy(proxy));
  if (!proxy.username && !proxy.password) return { url, headers: {} };
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { url, headers: { "Proxy-Authorization": `Basic ${Buffer.from(user).toString("base64")}` } };
}

/**
 * The CONNECT tunnel's answer decides: anything but 200 fails the request with the proxy named (the library
 * would hand the proxy's answer to the HTTP client as if the store had sent it).
 */
export class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    private readonly proxyUrl: URL,
    options: ConstructorParameters<typeof HttpsProxyAgent<string>>[1],
    private readonly targetTls: tls.ConnectionOptions,
  ) {
    const { url, headers } = proxyParts(proxyUrl);
    // The same trust for an https:// proxy as for the store.
    super(url.href, { ...options, ...targetTls, headers });
  }

  override async connect(request: ClientRequest, options: Parameters<HttpsProxyAgent<string>["connect"]>[1]) {
    const target = `${options.host}:${options.port}`;
    let status = 0;
    let reason = "";
    const onConnect = (answer: { statusCode: number; statusText?: string }): void => {
      status = answer.statusCode;
      reason = answer.statusText ?? "";
    };
    request.once("proxyConnect", onConnect);
    let socket: Socket;
    try {
      socket = (await super.connect(request, { ...options, ...this.targetTls })) as Socket;
    } catch (error) {
      throw proxyFailure(this.proxyUrl, target, error);
    } finally {
      request.off("proxyConnect", onConnect);
    }
    if (status !== 200) {
      socket.destroy();
      throw new ProxyError(
        this.proxyUrl,
        target,
        "ProxyConnectRefused",
        `the proxy answered CONNECT with ${status} ${reason}`.trim(),
        status,
      );
    }
    return socket;
  }
}

/** Plain-HTTP endpoints: requests go to the proxy in absolute form, as curl and the AWS CLI send them. */
export class ForwardAgent extends HttpProxyAgent<string> {
  constructor(
    private readonly proxyUrl: URL,
    options: ConstructorParameters<typeof HttpProxyAgent<string>>[1],
  ) {
    const { url, headers } = proxyParts(proxyUrl);
    super(url.href, { ...options, headers });
  }

  override async connect(
    request: Parameters<HttpProxyAgent<string>["connect"]>[0],
    options: Parameters<HttpProxyAgent<string>["connect"]>[1],
  ) {
    try {
      return await super.connect(request, options);
    } catch (error) {
      throw proxyFailure(this.proxyUrl, `${options.host}:${options.port}`, error);
    }
  }
}

function proxyFailure(proxy: URL, target: string, error: unknown): ProxyError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const failure = new ProxyError(
    proxy,
    target,
    typeof code === "string" ? code : "ProxyError",
    `cannot reach the proxy (${message})`,
  );
  return Object.assign(failure, { cause: error });
}
