// The action with broker-url: the job's OIDC token comes from GitHub's token service (core.getIDToken) with
// broker-audience, is reused while it has life left, and is never printed; no AWS variable in the process.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3ClientFor } from "../emulator/sdk-client.js";
import { AUDIENCE, startBrokerFixture, type BrokerFixture } from "../helpers/broker-fixture.js";
import { repoRoot, runCommand } from "../e2e/helpers.js";

const MiB = 1024 * 1024;
const TSX = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;

let fx: BrokerFixture;
let tokenService: Server;
let dir = "";
const audiences: string[] = [];
const issued: string[] = [];

beforeAll(async () => {
  fx = await startBrokerFixture({ maxPartBytes: 8 * MiB });
  dir = await mkdtemp(path.join(tmpdir(), "svu-broker-action-"));
  // GitHub's token service as core.getIDToken calls it: bearer request token, audience in the query.
  tokenService = createServer((req, res) => {
    const audience = new URL(req.url ?? "/", "http://localhost").searchParams.get("audience") ?? "";
    if (req.headers.authorization !== "Bearer request-token") {
      res.writeHead(401).end();
      return;
    }
    audiences.push(audience);
    void fx.issuer
      .token({
        sub: "repo:org/app:ref:refs/heads/main",
        repository: "org/app",
        repository_owner: "org",
        aud: audience,
      })
      .then((value) => {
        issued.push(value);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value }));
      });
  });
  await new Promise<void>((resolve) => tokenService.listen(0, "127.0.0.1", resolve));
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => tokenService.close(() => resolve()));
  await fx?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function objectBytes(key: string): Promise<Buffer> {
  const client = s3ClientFor(fx.emulator!);
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: "artifacts", Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } finally {
    client.destroy();
  }
}

describe("the action with broker-url in a job with id-token: write", () => {
  it("uploads with a job token for broker-audience, asked once and reused, never printed", async () => {
    const work = await mkdtemp(path.join(dir, "job-"));
    const big = randomBytes(6 * MiB + 17);
    const small = randomBytes(500);
    await writeFile(path.join(work, "big.bin"), big);
    await writeFile(path.join(work, "small.bin"), small);
    await writeFile(path.join(work, "out"), "");
    await writeFile(path.join(work, "summary"), "");
    const { port } = tokenService.address() as AddressInfo;
    const run = await runCommand(
      process.execPath,
      ["--import", TSX, path.join(repoRoot, "src/action.ts")],
      {
        PATH: process.env["PATH"],
        HOME: dir,
        GITHUB_OUTPUT: path.join(work, "out"),
        GITHUB_STEP_SUMMARY: path.join(work, "summary"),
        RUNNER_TEMP: work,
        ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token",
        INPUT_BUCKET: "artifacts",
        INPUT_PATH: "big.bin\nsmall.bin",
        INPUT_PREFIX: "org/app/gh",
        "INPUT_BROKER-URL": fx.broker.url,
        "INPUT_BROKER-AUDIENCE": AUDIENCE,
        "INPUT_PART-SIZE": "5MiB",
      },
      work,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((await objectBytes("org/app/gh/big.bin")).equals(big)).toBe(true);
    expect((await objectBytes("org/app/gh/small.bin")).equals(small)).toBe(true);
    expect(audiences.length).toBeGreaterThanOrEqual(1);
    expect(audiences.every((audience) => audience === AUDIENCE)).toBe(true);
    // Two files make 2 creates, 3 part signatures, 2 ListParts and 2 Completes: one token serves them all.
    expect(issued).toHaveLength(1);
    const outputs = await readFile(path.join(work, "out"), "utf8");
    // core.setSecret prints "::add-mask::<value>" for the runner to hide it; nothing else may show it.
    const shown = (run.stdout + run.stderr + outputs)
      .split("\n")
      .filter((line) => !line.startsWith("::add-mask::"))
      .join("\n");
    for (const token of issued) expect(shown).not.toContain(token);
    expect(outputs).toContain("org/app/gh/big.bin");
  }, 180_000);
});
