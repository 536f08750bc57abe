// Credentials of a role assumed with an OIDC token, assumed again with a NEW token before they end, so a run
// of any length keeps signing with live credentials. Every request asks for credentials when it is signed; a
// request already signed keeps its signature, which S3 checks when the request arrives.
import type { SessionCredentials } from "./assume-role.js";
import type { WebIdentityRole } from "../../types.js";

/** At most this long before the end a session is replaced, so no request is signed with minutes left. */
const MAX_REFRESH_MARGIN_MS = 5 * 60_000;

/** A credential provider as the SDK takes it; the lean path calls the same one (s3-lean-http.ts). */
export type CredentialProvider = (() => Promise<SessionCredentials>) & { memoized?: boolean };

/**
 * When a session is due for replacement, on this machine's clock: a quarter of its life before its end, at most
 * five minutes (a 1-hour session is replaced after 55 minutes, a 4-second test session after 3). Its life is
 * the shorter of the two clocks' readings, so a local clock behind STS's cannot outlast the session.
 */
export function refreshAt(session: SessionCredentials, obtainedAt: number): number {
  const end = session.expiration.getTime();
  const life = Math.min(end - obtainedAt, session.serverDate ? end - session.serverDate.getTime() : Infinity);
  return obtainedAt + life - Math.min(MAX_REFRESH_MARGIN_MS, life / 4);
}

export function roleCredentialProvider(
  role: Pick<WebIdentityRole, "roleArn" | "sessionName" | "durationSeconds" | "webIdentityToken">,
  assume: (request: {
    roleArn: string;
    sessionName: string;
    durationSeconds: number;
    token: string;
  }) => Promise<SessionCredentials>,
  now: () => number = Date.now,
): CredentialProvider {
  let current: { session: SessionCredentials; replaceAt: number } | undefined;
  // One AssumeRole at a time: every request signed meanwhile waits for the same new session.
  let pending: Promise<SessionCredentials> | undefined;

  async function assumeAgain(): Promise<SessionCredentials> {
    const obtainedAt = now();
    // A new token every time: GitHub's tokens live minutes, and a re-read token file may have been rotated.
    const token = await role.webIdentityToken();
    const session = await assume({
      roleArn: role.roleArn,
      sessionName: role.sessionName,
      durationSeconds: role.durationSeconds,
      token,
    });
    current = { session, replaceAt: refreshAt(session, obtainedAt) };
    return session;
  }

  const provider: CredentialProvider = async () => {
    if (current && now() < current.replaceAt) return current.session;
    pending ??= assumeAgain().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  // The SDK would wrap it in its own cache, which keeps credentials until 5 minutes before their end and so
  // asks every request anew for shorter sessions; this provider caches and refreshes by itself.
  provider.memoized = true;
  return provider;
}
