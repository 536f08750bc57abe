// The sockets every request rides on: direct or through the user's proxy, trusting the user's extra CA, kept
// alive. The SDK client and the lean path share the one pair built here, so both route the same way. The
// proxy agents (proxy-agents.ts and their libraries) are loaded only when a proxy is used, node:https and
// node:tls only when a request goes over TLS (~30–50 ms to load on Node 24; never for an http:// endpoint).

const requireBuiltin = createRequire(import.meta.url);
import { Agent as HttpAgent } from "node:http";
import type * as https from "node:https";
import { createRequire } from "node:module";
import { BlockList, isIP } from "node:net";
import type * as tls from "node:tls";

/** HTTP_PROXY, HTTPS_PROXY and NO_PROXY as the environment gave them (lower case already preferred). */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

export interface NetworkSettings {
  proxy?: ProxySettings;
  /** PEM certificates trusted on top of Node's own roots; `source` names where they came from. */
  extraCa?: { pem: string; source: string };
}

/** A proxy as messages show it: the credentials in its URL stay out of every log line. */
export function redactedProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/** A failure to reach the store through the proxy, named so the hint can blame the proxy, not the store. */
export class ProxyError extends Error {
  readonly proxy: string;
  readonly code: string;
  readonly $metadata?: { httpStatusCode: number };
  constructor(proxy: URL, target: string, code: string, detail: string, status?: number) {
    super(`through proxy ${redactedProxy(proxy)} to ${target}: ${detail}`);
    this.name = "ProxyError";
    this.proxy = redactedProxy(proxy);
    this.code = code;
    // A proxy's 5xx is as passing as the store's; 407 and 403 are settings and fail at once (retry.ts).
    if (status !== undefined) this.$metadata = { httpStatusCode: status };
  }
}

interface NoProxyRule {
  /** A host name without a leading dot (matching it and its subdomains), or undefined for an IP rule. */
  domain?: string;
  port?: number;
}

/** NO_PROXY as curl and the AWS CLI read it: "*", host, .domain, *.domain, host:port, IPs and CIDR ranges. */
export function parseNoProxy(text: string | undefined): {
  all: boolean;
  rules: NoProxyRule[];
  ips: BlockList;
} {
  const ips = new BlockList();
  const rules: NoProxyRule[] = [];
  let all = false;
  for (const raw of (text ?? "").split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") {
      all = true;
      continue;
    }
    const cidr = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(cidr[1]!)) {
      const family = isIP(cidr[1]!) === 6 ? "ipv6" : "ipv4";
      ips.addSubnet(cidr[1]!, Number(cidr[2]), family);
      continue;
    }
    const { host, port } = splitHostPort(entry);
    if (isIP(host)) {
      // A port on an IP rule is rare; the address alone decides, as in curl.
      ips.addAddress(host, isIP(host) === 6 ? "ipv6" : "ipv4");
      continue;
    }
    const domain = host.replace(/^\*?\.+/, "");
    if (domain !== "") rules.push({ domain, ...(port !== undefined ? { port } : {}) });
  }
  return { all, rules, ips };
}

function splitHostPort(entry: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  // Several colons without brackets: a bare IPv6 address, no port.
  if (isIP(entry) === 6) return { host: entry };
  const withPort = /^(.*):(\d+)$/.exec(entry);
  return withPort ? { host: withPort[1]!, port: Number(withPort[2]) } : { host: entry };
}

/** Whether NO_PROXY sends requests to this URL's host straight, past the proxy. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  const { all, rules, ips } = parseNoProxy(noProxy);
  if (all) return true;
  const host = url.hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const family = isIP(host);
  if (family !== 0) return ips.check(host, family === 6 ? "ipv6" : "ipv4");
  return rules.some(
    (rule) =>
      rule.domain !== undefined &&
      (host === rule.domain || host.endsWith(`.${rule.domain}`)) &&
      (rule.port === undefined || rule.port === port),
  );
}

/** The proxy requests to this URL go through, or undefined for a direct connection. */
export function proxyFor(url: URL, proxy: ProxySettings | undefined): URL | undefined {
  const configured = url.protocol === "https:" ? proxy?.httpsProxy : proxy?.httpProxy;
  if (!configured || bypassesProxy(url, proxy?.noProxy)) return undefined;
  return new URL(configured);
}

export interface Agents {
  http: HttpAgent;
  /** An https.Agent, or a proxy agent that speaks TLS to the store inside its tunnel; made on first use. */
  readonly https: HttpAgent;
  /** The proxy the endpoint's requests go through, without credentials; undefined when direct. */
  proxy?: string;
  /** Destroys the agents made so far. */
  destroy(): void;
}

function agentPair(http: HttpAgent, makeHttps: () => HttpAgent, proxy: string | undefined): Agents {
  let httpsAgent: HttpAgent | undefined;
  return {
    http,
    get https() {
      return (httpsAgent ??= makeHttps());
    },
    ...(proxy !== undefined ? { proxy } : {}),
    destroy() {
      http.destroy();
      httpsAgent?.destroy();
    },
  };
}

export interface AgentTuning {
  maxSockets: number;
}

/** Node's own roots (with NODE_EXTRA_CA_CERTS where this Node.js can list them) plus the user's CA. */
function trustedCas(extraPem: string): string[] {
  const tls = requireBuiltin("node:tls") as typeof import("node:tls");
  const defaults = (tls as { getCACertificates?: (type: "default") => string[] }).getCACertificates;
  return [...(defaults ? defaults("default") : tls.rootCertificates), extraPem];
}

/** The TLS trust for connections to the store: Node's roots, plus the user's CA when one is given. */
export function storeTlsOptions(network: NetworkSettings): tls.ConnectionOptions {
  return network.extraCa ? { ca: trustedCas(network.extraCa.pem) } : {};
}

/**
 * The agents for requests to `endpoint` (the store's URL, or a representative Amazon S3 host): through the
 * proxy unless NO_PROXY names the host. The pair is used for every request of the run, so keep-alive holds.
 * Settings that cannot work (a proxy URL that does not parse) throw here, before any request.
 */
export function createAgents(endpoint: URL, network: NetworkSettings, tuning: AgentTuning): Promise<Agents> {
  const keepAlive = { keepAlive: true, maxSockets: tuning.maxSockets };
  const targetTls = (): tls.ConnectionOptions => storeTlsOptions(network);
  const httpEndpoint = new URL(endpoint.href);
  httpEndpoint.protocol = "http:";
  const httpsEndpoint = new URL(endpoint.href);
  httpsEndpoint.protocol = "https:";
  const httpProxy = proxyFor(httpEndpoint, network.proxy);
  const httpsProxy = proxyFor(httpsEndpoint, network.proxy);
  const used = endpoint.protocol === "https:" ? httpsProxy : httpProxy;
  const named = used ? redactedProxy(used) : undefined;
  const directHttps = (): HttpAgent => {
    const { Agent } = requireBuiltin("node:https") as typeof https;
    return new Agent({ ...keepAlive, ...targetTls() });
  };
  if (!httpProxy && !httpsProxy) {
    return Promise.resolve(agentPair(new HttpAgent(keepAlive), directHttps, named));
  }
  return import("./proxy-agents.js").then(({ ForwardAgent, TunnelAgent }) =>
    agentPair(
      httpProxy ? new ForwardAgent(httpProxy, keepAlive) : new HttpAgent(keepAlive),
      httpsProxy ? () => new TunnelAgent(httpsProxy, keepAlive, targetTls()) : directHttps,
      named,
    ),
  );
}
