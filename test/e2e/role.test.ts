// role-to-assume end to end: the CLI with a token file (GitLab's way) and the action with GitHub's token
// service, each in a process with no AWS keys, against the emulator's STS with seconds-long sessions.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import { testIssuer } from "../helpers/oidc.js";
import { cliFromSourceArgs, makeTree, patternBytes, readObject, repoRoot, runCommand } from "./helpers.js";

const BUCKET = "role-e2e";
const ROLE = "arn:aws:iam::123456789012:role/ci";
const issuer = testIssuer();
const TSX = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    buckets: [BUCKET],
    minPartSize: 1024,
    sts: { issuer: issuer.issuer, jwks: issuer.jwks, roles: [ROLE], credentialSeconds: 3 },
  });
});

afterAll(() => emulator.stop());

/** What a CI job's process sees: no AWS keys at all, only where STS is. */
function keylessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"],
    HOME: process.env["HOME"],
    AWS_REGION: emulator.region,
    AWS_ENDPOINT_URL_STS: emulator.endpoint,
    ...extra,
  };
}

/** Output lines without the runner's mask commands (core.setSecret prints the value it asks to hide). */
function shown(text: string): string {
  return text
    .split("\n")
    .filter((line) => !line.startsWith("::add-mask::"))
    .join("\n");
}

describe("CLI with --role-to-assume and --web-identity-token-file", () => {
  it("uploads byte-exact with only the role's session credentials; the token is never printed", async () => {
    const bytes = patternBytes(200 * 1024, 7);
    const dir = await makeTree({ "app.bin": bytes });
    const token = issuer.token();
    await writeFile(path.join(dir, "token"), token);
    const run = await runCommand(
      process.execPath,
      [
        ...cliFromSourceArgs(emulator, BUCKET),
        "--role-to-assume",
        ROLE,
        "--web-identity-token-file",
        path.join(dir, "token"),
        "--part-size",
        "5MiB",
        "--prefix",
        "cli",
        "app.bin",
      ],
      keylessEnv(),
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(Buffer.compare(await readObject(emulator, BUCKET, "cli/app.bin"), bytes)).toBe(0);
    expect(emulator.stsSessions.some((session) => session.sessionName === "s3-verified-upload")).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(token);

    // Downloads (and cleanup) sign with the same session credentials.
    const back = await runCommand(
      process.execPath,
      [
        ...cliFromSourceArgs(emulator, BUCKET),
        "--mode",
        "download",
        "--role-to-assume",
        ROLE,
        "--web-identity-token-file",
        path.join(dir, "token"),
        "--prefix",
        "cli",
        "--base-dir",
        path.join(dir, "back"),
      ],
      keylessEnv(),
      dir,
    );
    expect(back.code, back.stderr).toBe(0);
    expect(Buffer.compare(await readFile(path.join(dir, "back", "app.bin")), bytes)).toBe(0);
  }, 120_000);

  it("a token file holding no valid token: the run fails once, naming STS's answer and the fix", async () => {
    const dir = await makeTree({ "app.bin": "x" });
    await writeFile(path.join(dir, "token"), "not-a-token");
    const run = await runCommand(
      process.execPath,
      [
        ...cliFromSourceArgs(emulator, BUCKET),
        "--role-to-assume",
        ROLE,
        "--web-identity-token-file",
        path.join(dir, "token"),
        "app.bin",
      ],
      keylessEnv(),
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("assuming the role failed (InvalidIdentityToken (HTTP 400)");
    expect(run.stderr).toContain("IAM OIDC identity provider");
    expect(run.stdout + run.stderr).not.toContain("not-a-token");
  }, 120_000);

  it("a token file that is not there: exit 2 before any request, naming the file", async () => {
    const dir = await makeTree({ "app.bin": "x" });
    const run = await runCommand(
      process.execPath,
      [
        ...cliFromSourceArgs(emulator, BUCKET),
        "--role-to-assume",
        ROLE,
        "--web-identity-token-file",
        path.join(dir, "missing-token"),
        "app.bin",
      ],
      keylessEnv(),
      dir,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `Input "web-identity-token-file": ${path.join(dir, "missing-token")} cannot be read (ENOENT)`,
    );
  }, 120_000);
});

describe("the action with role-to-assume in a job with id-token: write", () => {
  let tokenService: Server;
  const audiences: string[] = [];
  const issuedTokens: string[] = [];

  beforeAll(async () => {
    // GitHub's token service as core.getIDToken calls it: bearer request token, audience in the query.
    tokenService = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (req.headers.authorization !== "Bearer request-token") {
        res.writeHead(401).end();
        return;
      }
      audiences.push(url.searchParams.get("audience") ?? "");
      const value = issuer.token({ sub: "repo:octo/app:ref:refs/heads/main" });
      issuedTokens.push(value);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value }));
    });
    await new Promise<void>((resolve) => tokenService.listen(0, "127.0.0.1", resolve));
  });

  afterAll(() => new Promise<void>((resolve) => tokenService.close(() => resolve())));

  it("fetches a new job token for each new session; the upload outlives the first session", async () => {
    const bytes = patternBytes(11 * 1024 * 1024, 11);
    const dir = await makeTree({ "big.bin": bytes });
    const { port } = tokenService.address() as AddressInfo;
    const before = emulator.stsSessions.length;
    // Each of the 3 parts waits 2 s in the store: the upload outlasts its first 3-second session.
    emulator.faults.add({ operation: "UploadPart", action: "stall", stallMs: 2_000, key: "gh/big.bin" });
    const env = keylessEnv({
      GITHUB_OUTPUT: path.join(dir, "out"),
      GITHUB_STEP_SUMMARY: path.join(dir, "summary"),
      RUNNER_TEMP: dir,
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token",
      INPUT_BUCKET: BUCKET,
      INPUT_PATH: "big.bin",
      INPUT_PREFIX: "gh",
      INPUT_ENDPOINT: emulator.endpoint,
      "INPUT_FORCE-PATH-STYLE": "true",
      "INPUT_ROLE-TO-ASSUME": ROLE,
      "INPUT_ROLE-SESSION-NAME": "gh-run-1",
      "INPUT_PART-SIZE": "5MiB",
      INPUT_CONCURRENCY: "1",
    });
    await writeFile(env["GITHUB_OUTPUT"]!, "");
    await writeFile(env["GITHUB_STEP_SUMMARY"]!, "");
    const run = await runCommand(
      process.execPath,
      ["--import", TSX, path.join(repoRoot, "src/action.ts")],
      env,
      dir,
    );
    emulator.faults.clear();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(Buffer.compare(await readObject(emulator, BUCKET, "gh/big.bin"), bytes)).toBe(0);
    const sessions = emulator.stsSessions.slice(before);
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(sessions.every((session) => session.sessionName === "gh-run-1")).toBe(true);
    expect(audiences.every((audience) => audience === "sts.amazonaws.com")).toBe(true);
    expect(issuedTokens).toHaveLength(sessions.length);
    for (const token of issuedTokens) expect(shown(run.stdout + run.stderr)).not.toContain(token);
  }, 180_000);
});
