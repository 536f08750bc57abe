// The endpoint setting: a plain http(s) origin. Its error messages never repeat credentials, a query or a
// fragment, since those are where a pasted URL carries secrets.

const EXAMPLES = "use e.g. https://s3.example.com or http://127.0.0.1:9000";
const CREDENTIALS_FIX = "remove them and use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY";

/** Everything from "?" or "#" on is dropped before the endpoint is shown. */
function shown(endpoint: string): string {
  const cut = endpoint.search(/[?#]/);
  return cut === -1 ? endpoint : `${endpoint.slice(0, cut)}?…`;
}

function hasScheme(endpoint: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint);
}

/** The host[:port] a scheme-less endpoint names, if it names one and nothing more. */
function bareHost(endpoint: string): string | undefined {
  try {
    const url = new URL(`https://${endpoint}`);
    return url.pathname === "/" && !url.search && !url.hash && url.host !== "" ? url.host : undefined;
  } catch {
    return undefined;
  }
}

export function checkEndpoint(endpoint: string): string | undefined {
  // user[:password]@ before the host, with or without a scheme.
  const userInfo = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#@]*@/i.exec(endpoint);
  if (userInfo) {
    const error = `Input "endpoint": the URL contains credentials; ${CREDENTIALS_FIX}.`;
    const rest = endpoint.slice(userInfo[0].length);
    if (/^https?:\/\//i.test(endpoint)) return error;
    if (hasScheme(endpoint)) return `${error} It also is not an http(s) URL; ${EXAMPLES}.`;
    const host = bareHost(rest);
    return `${error} It also has no http:// or https:// scheme; ${host ? `add one, e.g. https://${host}.` : `${EXAMPLES}.`}`;
  }
  if (!hasScheme(endpoint)) {
    const host = bareHost(endpoint);
    if (host !== undefined) {
      return `Input "endpoint": "${endpoint}" has no http:// or https:// scheme; add one, e.g. https://${host} (or http:// for a store without TLS).`;
    }
  }
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return `Input "endpoint": "${shown(endpoint)}" is not an http(s) URL; ${EXAMPLES}.`;
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    return `Input "endpoint": "${shown(endpoint)}" has a path or query; give only scheme, host and port, and the bucket in "bucket".`;
  }
  return undefined;
}
