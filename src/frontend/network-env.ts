// The network settings users already have for curl and the AWS CLI: *_PROXY variables, AWS_CA_BUNDLE and the
// profile's ca_bundle. Read once here, so the engine gets plain values and never looks at the environment.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { NetworkSettings, ProxySettings } from "../engine/types.js";

export type Env = Readonly<Record<string, string | undefined>>;

export type NetworkResult = { ok: true; network: NetworkSettings } | { ok: false; errors: string[] };

/** The lower-case name wins when both are set, even when empty (as for curl and the AWS CLI). */
function proxyVariable(env: Env, lower: string): { name: string; value: string } | undefined {
  const upper = lower.toUpperCase();
  const name = env[lower] !== undefined ? lower : upper;
  const value = env[name]?.trim();
  return value ? { name, value } : undefined;
}

/** The value with any user:password hidden, for messages. */
function withoutCredentials(text: string): string {
  return text.replace(/\/\/[^/@]*@/, "//***@");
}

function proxyUrl(name: string, value: string, errors: string[]): string | undefined {
  // "proxy:3128" means http://proxy:3128 to curl and the AWS CLI alike.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    errors.push(
      `Environment variable ${name}: "${withoutCredentials(value)}" is not a proxy URL; use e.g. http://proxy.example.com:3128.`,
    );
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    errors.push(
      `Environment variable ${name}: ${url.protocol}// proxies are not supported; use an http:// or https:// proxy.`,
    );
    return undefined;
  }
  return url.href;
}

function proxySettings(env: Env, errors: string[]): ProxySettings | undefined {
  const proxy: ProxySettings = {};
  const https = proxyVariable(env, "https_proxy");
  const http = proxyVariable(env, "http_proxy");
  const noProxy = proxyVariable(env, "no_proxy");
  const httpsProxy = https && proxyUrl(https.name, https.value, errors);
  const httpProxy = http && proxyUrl(http.name, http.value, errors);
  if (httpsProxy) proxy.httpsProxy = httpsProxy;
  if (httpProxy) proxy.httpProxy = httpProxy;
  if (noProxy) proxy.noProxy = noProxy.value;
  return httpsProxy || httpProxy ? proxy : undefined;
}

/** One key of one profile in the shared config file: `[default]` or `[profile NAME]`. */
export function profileSetting(ini: string, profile: string, key: string): string | undefined {
  let inProfile = false;
  let found: string | undefined;
  for (const raw of ini.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[\s*([^\]]*?)\s*\]/.exec(line);
    if (section) {
      const name = section[1]!.replace(/^profile\s+/, "");
      inProfile = name === profile && (section[1]!.startsWith("profile ") || profile === "default");
      continue;
    }
    // An indented line continues a nested setting (s3 = ...), which holds no ca_bundle.
    if (!inProfile || raw !== line) continue;
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair && pair[1] === key) found = pair[2]!.trim();
  }
  return found;
}

interface CaSource {
  file: string;
  /** Where the path was set, as the user would look for it. */
  origin: string;
}

function caSource(env: Env, profile: string | undefined): CaSource | undefined {
  const fromEnv = env["AWS_CA_BUNDLE"]?.trim();
  if (fromEnv) return { file: fromEnv, origin: "AWS_CA_BUNDLE" };
  const configFile = env["AWS_CONFIG_FILE"]?.trim() || path.join(home(env), ".aws", "config");
  let ini: string;
  try {
    ini = readFileSync(expandHome(configFile, env), "utf8");
  } catch {
    // No shared config file is the usual case on CI, and the AWS CLI and SDK read a missing one as empty.
    return undefined;
  }
  const name = profile ?? (env["AWS_PROFILE"]?.trim() || "default");
  const file = profileSetting(ini, name, "ca_bundle");
  return file ? { file, origin: `ca_bundle of profile "${name}" in ${configFile}` } : undefined;
}

function home(env: Env): string {
  return env["HOME"] || homedir();
}

function expandHome(file: string, env: Env): string {
  return file === "~" || file.startsWith("~/") ? path.join(home(env), file.slice(1)) : file;
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}

function readCa(source: CaSource, env: Env, errors: string[]): NetworkSettings["extraCa"] {
  let pem: string;
  try {
    pem = readFileSync(expandHome(source.file, env), "utf8");
  } catch (error) {
    errors.push(
      `${source.origin}: cannot read the CA bundle "${source.file}" (${reason(error)}); point it to a PEM file with the CA certificates to trust.`,
    );
    return undefined;
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    errors.push(
      `${source.origin}: "${source.file}" holds no PEM certificate (-----BEGIN CERTIFICATE-----); point it to the CA's certificate in PEM form.`,
    );
    return undefined;
  }
  return { pem: withNodeExtraCerts(pem, env), source: `${source.origin} (${source.file})` };
}

/**
 * The agents' own CA list replaces Node's, and Node 20 cannot list NODE_EXTRA_CA_CERTS among its defaults: keep
 * those certificates trusted by adding them here (Node warns itself when that file is unreadable).
 */
function withNodeExtraCerts(pem: string, env: Env): string {
  const extra = env["NODE_EXTRA_CA_CERTS"]?.trim();
  if (!extra) return pem;
  try {
    return `${pem.trimEnd()}\n${readFileSync(extra, "utf8")}`;
  } catch {
    return pem;
  }
}

/**
 * Proxy and CA settings from the environment and the shared AWS config. `profile` is the one the user chose
 * (--profile / input "profile"); AWS_PROFILE and then "default" otherwise.
 */
export function readNetwork(env: Env, profile: string | undefined): NetworkResult {
  const errors: string[] = [];
  const proxy = proxySettings(env, errors);
  const source = caSource(env, profile);
  const extraCa = source && readCa(source, env, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, network: { ...(proxy ? { proxy } : {}), ...(extraCa ? { extraCa } : {}) } };
}
