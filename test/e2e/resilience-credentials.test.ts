// Credentials that expire mid-upload are read again from the provider chain: a credential_process hands out
// short-lived session credentials and counts how often it is asked; a multi-part upload must ask again.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import {
  cliFromSourceArgs,
  nodeBinary,
  nodeRuntimes,
  patternBytes,
  readObject,
  runCommand,
} from "./helpers.js";

const MiB = 1024 * 1024;
const BUCKET = "expiring";
describe.each(nodeRuntimes())("on $name", (node) => {
  let emulator: Emulator;
  let dir: string;

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: [BUCKET] });
    dir = await mkdtemp(path.join(tmpdir(), "svu-creds-"));
  });

  afterAll(async () => {
    await emulator?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe("expiring credentials", () => {
    it("are fetched again from the provider chain during one upload", async () => {
      const counter = path.join(dir, "issued");
      await writeFile(counter, "");
      // Valid for one minute: inside the SDK's five-minute refresh window, so each use finds them expiring.
      const issuer = path.join(dir, "issue.mjs");
      await writeFile(
        issuer,
        `import { appendFileSync } from "node:fs";
  appendFileSync(${JSON.stringify(counter)}, "x");
  console.log(JSON.stringify({
    Version: 1,
    AccessKeyId: ${JSON.stringify(emulator.credentials.accessKeyId)},
    SecretAccessKey: ${JSON.stringify(emulator.credentials.secretAccessKey)},
    SessionToken: "session-" + Date.now(),
    Expiration: new Date(Date.now() + 60_000).toISOString(),
  }));
  `,
      );
      const config = path.join(dir, "config");
      await writeFile(config, `[default]\ncredential_process = ${process.execPath} ${issuer}\n`);
      const bytes = patternBytes(16 * MiB + 3, 5);
      await writeFile(path.join(dir, "app.bin"), bytes);
      const env = {
        PATH: process.env["PATH"],
        HOME: dir,
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_REGION: emulator.region,
        NODE_NO_WARNINGS: "1",
      };
      const run = await runCommand(
        nodeBinary(node),
        [...cliFromSourceArgs(emulator, BUCKET), "--part-size", "5MiB", "--concurrency", "1", "app.bin"],
        env,
        dir,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain("verified by checksum");
      expect((await readObject(emulator, BUCKET, "app.bin")).equals(bytes)).toBe(true);
      // Four parts plus the control calls: one fetch at the start would be 1.
      expect((await readFile(counter, "utf8")).length).toBeGreaterThan(2);
    });
  });
});
