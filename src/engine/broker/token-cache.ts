// The broker's token source for a run: a token is reused while it has more than a margin of life left, then a
// new one is fetched (GitHub's token service, or the token file read again). The expiry is read from the JWT's
// payload without checking its signature: it only decides when to ask again; the broker checks the token.

/** A token this close to its end is replaced, so it cannot expire between fetch and the broker's check. */
const RENEW_BEFORE_MS = 2 * 60 * 1000;

function expiryOf(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function cachedToken(fetchToken: () => Promise<string>, now: () => number = Date.now) {
  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return (): Promise<string> => {
    if (current && now() < current.renewAt) return Promise.resolve(current.token);
    // Concurrent calls share one fetch instead of each asking the token service.
    pending ??= fetchToken()
      .then((token) => {
        const expiry = expiryOf(token);
        // A token without a readable expiry is fetched again for each call.
        current = expiry === undefined ? undefined : { token, renewAt: expiry - RENEW_BEFORE_MS };
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
