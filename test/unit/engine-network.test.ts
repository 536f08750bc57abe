import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { createServer, type AddressInfo } from "node:net";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { describe, expect, it } from "vitest";
import { hintFor, stepFailed } from "../../src/engine/errors.js";
import { bypassesProxy, createAgents, ProxyError, proxyFor } from "../../src/engine/s3/network.js";

const bypass = (url: string, noProxy: string | undefined) => bypassesProxy(new URL(url), noProxy);

describe("NO_PROXY", () => {
  it("is empty or unset: nothing bypasses", () => {
    expect(bypass("https://s3.example.com", undefined)).toBe(false);
    expect(bypass("https://s3.example.com", " , ")).toBe(false);
  });

  it('"*" bypasses every host', () => {
    expect(bypass("https://s3.example.com", "*")).toBe(true);
    expect(bypass("http://10.1.2.3:9000", "other.com,*")).toBe(true);
  });

  it("a host name matches itself and its subdomains, not names that merely end the same", () => {
    expect(bypass("https://example.com", "example.com")).toBe(true);
    expect(bypass("https://s3.example.com", "example.com")).toBe(true);
    expect(bypass("https://badexample.com", "example.com")).toBe(false);
    expect(bypass("https://example.com.evil.net", "example.com")).toBe(false);
  });

  it(".domain and *.domain match the domain and its subdomains", () => {
    expect(bypass("https://s3.corp.internal", ".corp.internal")).toBe(true);
    expect(bypass("https://corp.internal", ".corp.internal")).toBe(true);
    expect(bypass("https://a.b.corp.internal", "*.corp.internal")).toBe(true);
    expect(bypass("https://notcorp.internal", ".corp.internal")).toBe(false);
  });

  it("is case-insensitive and takes commas or spaces between entries", () => {
    expect(bypass("https://S3.Example.COM", "foo.org  EXAMPLE.com")).toBe(true);
    expect(bypass("https://minio.lan", "foo.org,\tminio.lan")).toBe(true);
  });

  it("host:port matches only that port (the scheme's default when the URL names none)", () => {
    expect(bypass("http://minio.lan:9000", "minio.lan:9000")).toBe(true);
    expect(bypass("http://minio.lan:9001", "minio.lan:9000")).toBe(false);
    expect(bypass("https://minio.lan", "minio.lan:443")).toBe(true);
    expect(bypass("http://minio.lan", "minio.lan:443")).toBe(false);
  });

  it("IP addresses match exactly, CIDR ranges by prefix, IPv6 with or without brackets", () => {
    expect(bypass("http://127.0.0.1:9000", "127.0.0.1")).toBe(true);
    expect(bypass("http://127.0.0.2:9000", "127.0.0.1")).toBe(false);
    expect(bypass("http://10.20.30.40", "10.0.0.0/8")).toBe(true);
    expect(bypass("http://11.0.0.1", "10.0.0.0/8")).toBe(false);
    expect(bypass("http://[::1]:9000", "::1")).toBe(true);
    expect(bypass("http://[::1]:9000", "[::1]")).toBe(true);
    expect(bypass("http://[fd00::5]", "fd00::/8")).toBe(true);
    // A name is not an address: "localhost" does not cover 127.0.0.1.
    expect(bypass("http://127.0.0.1", "localhost")).toBe(false);
  });
});

describe("proxyFor", () => {
  const proxy = { httpsProxy: "http://tunnel:3128/", httpProxy: "http://forward:3128/", noProxy: ".lan" };

  it("takes HTTPS_PROXY for https endpoints and HTTP_PROXY for http ones", () => {
    expect(proxyFor(new URL("https://s3.example.com"), proxy)?.host).toBe("tunnel:3128");
    expect(proxyFor(new URL("http://s3.example.com"), proxy)?.host).toBe("forward:3128");
  });

  it("goes direct when NO_PROXY names the host or no proxy is set for the scheme", () => {
    expect(proxyFor(new URL("https://minio.lan"), proxy)).toBeUndefined();
    expect(
      proxyFor(new URL("https://s3.example.com"), { httpProxy: "http://forward:3128/" }),
    ).toBeUndefined();
    expect(proxyFor(new URL("https://s3.example.com"), undefined)).toBeUndefined();
  });
});

describe("createAgents", () => {
  const tuning = { maxSockets: 7 };

  it("without a proxy: plain keep-alive agents with the pool size", async () => {
    const agents = await createAgents(new URL("https://s3.example.com"), {}, tuning);
    expect(agents.https).toBeInstanceOf(HttpsAgent);
    expect(agents.http).toBeInstanceOf(HttpAgent);
    expect(agents.http).not.toBeInstanceOf(HttpProxyAgent);
    for (const agent of [agents.http, agents.https]) {
      expect((agent as HttpAgent & { keepAlive: boolean }).keepAlive).toBe(true);
      expect(agent.maxSockets).toBe(7);
    }
    expect(agents.proxy).toBeUndefined();
  });

  it("with a proxy: tunnel and forward agents, keep-alive and pool size kept, credentials not in the name", async () => {
    const agents = await createAgents(
      new URL("https://s3.example.com"),
      {
        proxy: {
          httpsProxy: "http://user:p%40ss@proxy.corp:3128/",
          httpProxy: "http://user:p%40ss@proxy.corp:3128/",
        },
      },
      tuning,
    );
    expect(agents.https).toBeInstanceOf(HttpsProxyAgent);
    expect(agents.http).toBeInstanceOf(HttpProxyAgent);
    for (const agent of [agents.http, agents.https]) {
      expect((agent as HttpAgent & { keepAlive: boolean }).keepAlive).toBe(true);
      expect(agent.maxSockets).toBe(7);
    }
    expect(agents.proxy).toBe("http://proxy.corp:3128");
    // The library logs its proxy URL under DEBUG; the credentials travel as a header instead.
    expect((agents.https as HttpsProxyAgent<string>).proxy.href).toBe("http://proxy.corp:3128/");
    expect((agents.https as HttpsProxyAgent<string>).proxyHeaders).toEqual({
      "Proxy-Authorization": `Basic ${Buffer.from("user:p@ss").toString("base64")}`,
    });
  });

  it("NO_PROXY naming the endpoint's host: plain agents", async () => {
    const agents = await createAgents(
      new URL("http://minio.lan:9000"),
      {
        proxy: {
          httpProxy: "http://proxy.corp:3128/",
          httpsProxy: "http://proxy.corp:3128/",
          noProxy: ".lan",
        },
      },
      tuning,
    );
    expect(agents.http).not.toBeInstanceOf(HttpProxyAgent);
    expect(agents.https).toBeInstanceOf(HttpsAgent);
    expect(agents.proxy).toBeUndefined();
  });

  it("an extra CA is added to Node's roots, not put in their place", async () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const agents = await createAgents(
      new URL("https://s3.example.com"),
      { extraCa: { pem, source: "test" } },
      tuning,
    );
    const ca = (agents.https as HttpsAgent).options.ca as string[];
    expect(ca.at(-1)).toBe(pem);
    expect(ca.length).toBeGreaterThan(100);
  });
});

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A proxy that answers every CONNECT with `status`. */
async function refusingProxy(status: number): Promise<{ url: string; close: () => void }> {
  const server = createServer((socket) => {
    socket.once("data", () => socket.end(`HTTP/1.1 ${status} Refused\r\ncontent-length: 0\r\n\r\n`));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://user:secret@127.0.0.1:${port}/`, close: () => server.close() };
}

function requestError(agent: HttpAgent, url: string): Promise<Error> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith("https:") ? httpsRequest : httpRequest;
    const request = send(url, { agent, method: "HEAD" }, () => reject(new Error("answered")));
    request.on("error", resolve);
    request.end();
  });
}

describe("proxy failures", () => {
  it("an unreachable proxy fails as the proxy's fault, named without its credentials", async () => {
    const proxy = `http://user:secret@127.0.0.1:${await closedPort()}/`;
    const agents = await createAgents(
      new URL("https://s3.example.com"),
      { proxy: { httpsProxy: proxy, httpProxy: proxy } },
      { maxSockets: 2 },
    );
    for (const [agent, url] of [
      [agents.https, "https://s3.example.com/bucket/key"],
      [agents.http, "http://s3.example.com/bucket/key"],
    ] as const) {
      const error = await requestError(agent, url);
      expect(error).toBeInstanceOf(ProxyError);
      expect((error as ProxyError).code).toBe("ECONNREFUSED");
      expect(error.message).not.toContain("secret");
      const failure = stepFailed("HeadObject", error, "general hint");
      expect(failure.message).toContain("cannot be reached");
      expect(failure.message).toContain("NO_PROXY");
      expect(failure.message).not.toContain("secret");
    }
  });

  it("a refused CONNECT fails with the proxy's status instead of reaching the client as the store's answer", async () => {
    const proxy = await refusingProxy(407);
    try {
      const agents = await createAgents(
        new URL("https://s3.example.com"),
        { proxy: { httpsProxy: proxy.url } },
        { maxSockets: 2 },
      );
      const error = await requestError(agents.https, "https://s3.example.com/bucket/key");
      expect(error).toBeInstanceOf(ProxyError);
      expect((error as ProxyError).$metadata?.httpStatusCode).toBe(407);
      expect(hintFor(error)).toContain("wants credentials");
      expect(error.message).not.toContain("secret");
    } finally {
      proxy.close();
    }
  });
});

describe("hints", () => {
  const withCode = (code: string) => Object.assign(new Error("tls"), { code });

  it.each([
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  ])("%s names AWS_CA_BUNDLE and the profile's ca_bundle", (code) => {
    expect(hintFor(withCode(code))).toMatch(/AWS_CA_BUNDLE.*ca_bundle/);
  });

  it("an expired or misnamed certificate says so", () => {
    expect(hintFor(withCode("CERT_HAS_EXPIRED"))).toContain("expired");
    expect(hintFor(withCode("ERR_TLS_CERT_ALTNAME_INVALID"))).toContain("host name");
  });

  it("an unresolvable host mentions HTTPS_PROXY", () => {
    expect(hintFor(withCode("ENOTFOUND"))).toContain("HTTPS_PROXY");
  });

  it("a 407 answer to a plain-HTTP request names the proxy's credentials", () => {
    const answer = Object.assign(new Error("HTTP 407"), {
      name: "Unknown",
      $metadata: { httpStatusCode: 407 },
    });
    expect(hintFor(answer)).toContain("HTTP_PROXY");
  });
});
