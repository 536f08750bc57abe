// `s3-verified-upload broker`: one command starts the broker from its config file; bad input is refused with
// the field and the fix; an abort (SIGTERM in the CLI) stops it cleanly.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";

let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv, signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      env,
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      ...(signal ? { signal } : {}),
    },
    out,
    err,
  };
}

const CONFIG = {
  corsOrigins: ["https://app.example.com"],
  listen: { host: "127.0.0.1", port: 0 },
  s3: { endpoint: "http://127.0.0.1:9", region: "us-east-1" },
  issuers: [{ issuer: "https://token.actions.githubusercontent.com", audience: "broker" }],
  rules: [
    {
      issuer: "https://token.actions.githubusercontent.com",
      claims: { repository: "org/app" },
      bucket: "b",
      prefix: "org/app/",
    },
  ],
};
const KEYS = { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret" };

describe("s3-verified-upload broker", () => {
  it("refuses a missing --config, a bad file and missing credentials with the fix", async () => {
    const none = io(KEYS);
    expect(await main(["broker"], none.io)).toBe(2);
    expect(none.err.join("")).toContain("--config <broker.json> is required");
    const file = path.join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ ...CONFIG, rules: [{ ...CONFIG.rules[0], prefix: "org/app" }] }));
    const bad = io(KEYS);
    expect(await main(["broker", "--config", file], bad.io)).toBe(2);
    expect(bad.err.join("")).toContain(`${file}: rules[0].prefix must end with /`);
    const good = path.join(dir, "good.json");
    await writeFile(good, JSON.stringify(CONFIG));
    const noKeys = io({});
    expect(await main(["broker", "--config", good], noKeys.io)).toBe(2);
    expect(noKeys.err.join("")).toContain("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  });

  it("serves until aborted, answering 401 to a call without a token and logging it", async () => {
    const file = path.join(dir, "broker.json");
    await writeFile(file, JSON.stringify(CONFIG));
    const controller = new AbortController();
    const run = io(KEYS, controller.signal);
    const exit = main(["broker", "--config", file], run.io);
    let url: string | undefined;
    while (url === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      url = /broker listening on (\S+)/.exec(run.err.join(""))?.[1];
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // A page of an allowed origin may call it (Uppy in a browser); any other origin gets no CORS headers.
    const preflight = await fetch(`${url}/s3/multipart`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect([preflight.status, preflight.headers.get("access-control-allow-origin")]).toEqual([
      204,
      "https://app.example.com",
    ]);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    const stranger = await fetch(`${url}/healthz`, { headers: { origin: "https://evil.example" } });
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
    const denied = await fetch(`${url}/s3/multipart`, {
      method: "POST",
      body: "{}",
      headers: { origin: "https://app.example.com" },
    });
    expect([denied.status, denied.headers.get("access-control-allow-origin")]).toEqual([
      401,
      "https://app.example.com",
    ]);
    controller.abort();
    expect(await exit).toBe(0);
    const lines = run.out
      .join("")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ action: "create", outcome: "unauthenticated", status: 401 }),
    ]);
  });
});
