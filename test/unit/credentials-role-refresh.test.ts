// The refresh rule of role-credentials.ts on a pinned clock: when a session is replaced, with which token.
import { describe, expect, it } from "vitest";
import type { SessionCredentials } from "../../src/engine/s3/credentials/assume-role.js";
import { refreshAt, roleCredentialProvider } from "../../src/engine/s3/credentials/role-credentials.js";

const ROLE = { roleArn: "arn:aws:iam::1:role/r", sessionName: "s", durationSeconds: 3600 };

function harness(lifeMs: number) {
  let clock = 1_000_000;
  let tokens = 0;
  const asked: string[] = [];
  const provider = roleCredentialProvider(
    { ...ROLE, webIdentityToken: async () => `token-${++tokens}` },
    async (request): Promise<SessionCredentials> => {
      asked.push(request.token);
      return {
        accessKeyId: `key-${asked.length}`,
        secretAccessKey: "secret",
        sessionToken: "session",
        expiration: new Date(clock + lifeMs),
      };
    },
    () => clock,
  );
  return { provider, asked, advance: (ms: number) => (clock += ms) };
}

describe("role session refresh", () => {
  it("replaces a 1-hour session 5 minutes before its end, a 4-second one a second before", () => {
    const session = (life: number): SessionCredentials => ({
      accessKeyId: "a",
      secretAccessKey: "b",
      sessionToken: "c",
      expiration: new Date(life),
    });
    expect(refreshAt(session(3_600_000), 0)).toBe(3_300_000);
    expect(refreshAt(session(4_000), 0)).toBe(3_000);
  });

  it("counts a session's life by STS's clock when this machine's clock is behind", () => {
    // STS says 12:00 and the session ends 13:00; this machine thinks it is 11:50 when the answer arrives.
    const serverNow = Date.UTC(2026, 0, 1, 12);
    const localNow = serverNow - 10 * 60_000;
    const session: SessionCredentials = {
      accessKeyId: "a",
      secretAccessKey: "b",
      sessionToken: "c",
      expiration: new Date(serverNow + 3_600_000),
      serverDate: new Date(serverNow),
    };
    expect(refreshAt(session, localNow)).toBe(localNow + 55 * 60_000);
  });

  it("keeps a session until its refresh time, then assumes the role again with a new token", async () => {
    const { provider, asked, advance } = harness(3_600_000);
    expect((await provider()).accessKeyId).toBe("key-1");
    advance(3_299_999);
    expect((await provider()).accessKeyId).toBe("key-1");
    advance(1);
    expect((await provider()).accessKeyId).toBe("key-2");
    expect(asked).toEqual(["token-1", "token-2"]);
  });

  it("requests signed while the role is being assumed wait for the one new session", async () => {
    const { provider, asked } = harness(60_000);
    const keys = await Promise.all([provider(), provider(), provider()]);
    expect(keys.map((key) => key.accessKeyId)).toEqual(["key-1", "key-1", "key-1"]);
    expect(asked).toHaveLength(1);
  });

  it("a failed AssumeRole fails the requests waiting for it; the next request tries again", async () => {
    let fail = true;
    const provider = roleCredentialProvider({ ...ROLE, webIdentityToken: async () => "t" }, async () => {
      if (fail) throw new Error("STS down");
      return {
        accessKeyId: "k",
        secretAccessKey: "s",
        sessionToken: "t",
        expiration: new Date(Date.now() + 60_000),
      };
    });
    await expect(provider()).rejects.toThrow("STS down");
    fail = false;
    expect((await provider()).accessKeyId).toBe("k");
  });

  it("tells the SDK it caches by itself, so the SDK asks it on every request", () => {
    expect(harness(1).provider.memoized).toBe(true);
  });
});
