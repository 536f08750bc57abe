import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { profileSetting, readNetwork } from "../../src/frontend/network-env.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), "svu-network-env-"));
}

/** No shared config of this machine leaks into a test. */
const isolated = (dir: string) => ({ AWS_CONFIG_FILE: path.join(dir, "absent"), HOME: dir });

describe("proxy variables", () => {
  it("take the lower-case name over the upper-case one, like curl and the AWS CLI", () => {
    const result = readNetwork(
      {
        HTTPS_PROXY: "http://upper:1",
        https_proxy: "http://lower:2",
        HTTP_PROXY: "http://upper:3",
        NO_PROXY: "upper.lan",
        no_proxy: "lower.lan",
      },
      undefined,
    );
    expect(result).toEqual({
      ok: true,
      network: {
        proxy: { httpsProxy: "http://lower:2/", httpProxy: "http://upper:3/", noProxy: "lower.lan" },
      },
    });
  });

  it("an empty lower-case variable turns the upper-case one off", () => {
    expect(readNetwork({ HTTPS_PROXY: "http://upper:1", https_proxy: "" }, undefined)).toEqual({
      ok: true,
      network: {},
    });
  });

  it("a proxy without a scheme is http://", () => {
    const result = readNetwork({ HTTPS_PROXY: "proxy.corp:3128" }, undefined);
    expect(result.ok && result.network.proxy?.httpsProxy).toBe("http://proxy.corp:3128/");
  });

  it("a socks proxy or a malformed URL is a setting error naming the variable, without the password", () => {
    const socks = readNetwork({ HTTPS_PROXY: "socks5://u:secret@proxy:1080" }, undefined);
    expect(socks.ok).toBe(false);
    expect(!socks.ok && socks.errors.join()).toContain("HTTPS_PROXY");
    expect(!socks.ok && socks.errors.join()).not.toContain("secret");
    const malformed = readNetwork({ http_proxy: "http://u:secret@[bad" }, undefined);
    expect(!malformed.ok && malformed.errors.join()).toContain("http_proxy");
    expect(!malformed.ok && malformed.errors.join()).not.toContain("secret");
  });
});

describe("CA bundle", () => {
  it("AWS_CA_BUNDLE is read and named as the source", () => {
    const dir = scratch();
    const file = path.join(dir, "ca.pem");
    writeFileSync(file, PEM);
    const result = readNetwork({ ...isolated(dir), AWS_CA_BUNDLE: file }, undefined);
    expect(result).toEqual({
      ok: true,
      network: { extraCa: { pem: PEM, source: `AWS_CA_BUNDLE (${file})` } },
    });
  });

  it("keeps NODE_EXTRA_CA_CERTS trusted beside it (the agents' CA list replaces Node's)", () => {
    const dir = scratch();
    const file = path.join(dir, "ca.pem");
    const extra = path.join(dir, "extra.pem");
    writeFileSync(file, PEM);
    writeFileSync(extra, PEM.replace("fake", "extra"));
    const result = readNetwork(
      { ...isolated(dir), AWS_CA_BUNDLE: file, NODE_EXTRA_CA_CERTS: extra },
      undefined,
    );
    expect(result.ok && result.network.extraCa?.pem).toBe(
      `${PEM.trimEnd()}\n${PEM.replace("fake", "extra")}`,
    );
  });

  it("a missing or non-PEM file is an error naming the variable and the path", () => {
    const dir = scratch();
    const missing = readNetwork({ ...isolated(dir), AWS_CA_BUNDLE: path.join(dir, "nope.pem") }, undefined);
    expect(!missing.ok && missing.errors[0]).toContain(
      `AWS_CA_BUNDLE: cannot read the CA bundle "${dir}/nope.pem"`,
    );
    const text = path.join(dir, "text.pem");
    writeFileSync(text, "not a certificate");
    const wrong = readNetwork({ ...isolated(dir), AWS_CA_BUNDLE: text }, undefined);
    expect(!wrong.ok && wrong.errors[0]).toContain("holds no PEM certificate");
  });

  it("the chosen profile's ca_bundle, from AWS_CONFIG_FILE; the flag over AWS_PROFILE over default", () => {
    const dir = scratch();
    for (const name of ["default", "env", "flag"]) writeFileSync(path.join(dir, `${name}.pem`), PEM);
    const config = path.join(dir, "config");
    writeFileSync(
      config,
      [
        "[default]",
        `ca_bundle = ${dir}/default.pem`,
        "[profile env]",
        `ca_bundle=${dir}/env.pem`,
        "[profile flag]",
        "s3 =",
        "  ca_bundle = /nested/is/not/this",
        `ca_bundle = ${dir}/flag.pem`,
      ].join("\n"),
    );
    const source = (env: Record<string, string>, profile?: string) => {
      const result = readNetwork({ HOME: dir, AWS_CONFIG_FILE: config, ...env }, profile);
      return result.ok ? result.network.extraCa?.source : result.errors.join();
    };
    expect(source({})).toBe(`ca_bundle of profile "default" in ${config} (${dir}/default.pem)`);
    expect(source({ AWS_PROFILE: "env" })).toBe(`ca_bundle of profile "env" in ${config} (${dir}/env.pem)`);
    expect(source({ AWS_PROFILE: "env" }, "flag")).toBe(
      `ca_bundle of profile "flag" in ${config} (${dir}/flag.pem)`,
    );
    // AWS_CA_BUNDLE wins over any profile, as for the AWS CLI.
    expect(source({ AWS_CA_BUNDLE: `${dir}/env.pem` }, "flag")).toBe(`AWS_CA_BUNDLE (${dir}/env.pem)`);
    expect(source({}, "unknown")).toBeUndefined();
  });

  it("a missing shared config file reads as empty, as for the AWS CLI", () => {
    const dir = scratch();
    expect(readNetwork({ HOME: dir, AWS_CONFIG_FILE: path.join(dir, "none") }, "corp")).toEqual({
      ok: true,
      network: {},
    });
    expect(readNetwork({ HOME: dir }, undefined)).toEqual({ ok: true, network: {} });
  });

  it("profileSetting reads only top-level keys of [profile NAME] (and [default])", () => {
    const ini = "[profile a]\nregion = x\n[a]\nregion = wrong\n[default]\nregion = d\n";
    expect(profileSetting(ini, "a", "region")).toBe("x");
    expect(profileSetting(ini, "default", "region")).toBe("d");
  });
});

describe("parseConfig", () => {
  it("carries profile and network settings into the engine's S3 settings", () => {
    const dir = scratch();
    const result = parseConfig(
      (name) => ({ bucket: "my-bucket", path: "x", profile: "corp" })[name],
      undefined,
      { ...isolated(dir), HTTPS_PROXY: "http://proxy:3128" },
    );
    expect(result.ok && result.config.engine.s3).toEqual({
      region: undefined,
      endpoint: undefined,
      forcePathStyle: false,
      profile: "corp",
      provider: "aws",
      network: { proxy: { httpsProxy: "http://proxy:3128/" } },
    });
  });

  it("reports a bad network setting with the other input errors", () => {
    const dir = scratch();
    const result = parseConfig((name) => ({ bucket: "my-bucket", path: "x" })[name], undefined, {
      ...isolated(dir),
      AWS_CA_BUNDLE: path.join(dir, "missing.pem"),
    });
    expect(!result.ok && result.errors.join()).toContain("AWS_CA_BUNDLE");
  });
});
