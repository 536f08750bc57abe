// The action bundle (dist/index.js) under cancellation and in cleanup mode, as the runner runs it:
// SIGTERM says in the log that the upload is kept, the next run resumes it, and mode cleanup removes stale ones.
import { rm } from "node:fs/promises";
import path from "node:path";
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/index.js";
import {
  ciEnv,
  exitReason,
  makeTree,
  nodeBinary,
  nodeRuntimes,
  patternBytes,
  readObject,
  repoRoot,
  s3For,
  startCommand,
} from "./helpers.js";
import { whenLogged } from "../helpers/request-log.js";

const MiB = 1024 * 1024;
const ACTION = path.join(repoRoot, "dist", "index.js");
const BUCKET = "action-resilience";
describe.each(nodeRuntimes())("on $name", (node) => {
  let emulator: Emulator;
  let sdk: S3Client;
  let workspace: string;
  const bytes = patternBytes(40 * MiB + 5, 11);

  beforeAll(async () => {
    emulator = await startEmulator({ buckets: [BUCKET] });
    sdk = s3For(emulator);
    workspace = await makeTree({ "out/app.bin": bytes });
  });

  afterAll(async () => {
    sdk?.destroy();
    await emulator?.stop();
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  function startAction(inputs: Record<string, string>): ReturnType<typeof startCommand> {
    const env = ciEnv(emulator, {
      INPUT_BUCKET: BUCKET,
      INPUT_ENDPOINT: emulator.endpoint,
      "INPUT_FORCE-PATH-STYLE": "true",
      ...Object.fromEntries(
        Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
      ),
    });
    return startCommand(nodeBinary(node), [ACTION], env, workspace);
  }

  async function pending(prefix: string): Promise<string[]> {
    const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
    return (answer.Uploads ?? []).map((upload) => upload.Key!);
  }

  describe("the action bundle", () => {
    it("on SIGTERM with on-failure keep says so, keeps the upload, and the rerun resumes it", async () => {
      const inputs = { path: "out/app.bin", prefix: "cancelled", "part-size": "5MiB", concurrency: "2" };
      const key = "cancelled/out/app.bin";
      const mark = emulator.requestLog.length;
      const run = startAction({ ...inputs, "on-failure": "keep" });
      // Sent the moment the third part is stored: six are still to come, so the signal lands mid-upload.
      await whenLogged(
        emulator,
        mark,
        3,
        (entry) => entry.operation === "UploadPart" && entry.status === 200,
        () => run.child.kill("SIGTERM"),
        exitReason(run),
      );
      const cancelled = await run.done;
      expect(cancelled.code).toBe(1);
      expect(cancelled.stdout).toContain(
        "::warning::Cancelled: stopping; in-progress multipart uploads are kept (on-failure: keep) and a rerun resumes them.",
      );
      expect(cancelled.stdout).toMatch(/::error::.*was kept \(on-failure: keep\) for a later resume/);
      expect(await pending(key)).toEqual([key]);
      // Resume leaves alone an upload written to within its quiet period (another job may still be running
      // it); a CI rerun comes minutes later, this one at once, so the upload's times are moved back instead.
      await emulator.idle();
      emulator.backdateUploads(BUCKET, 10 * 60_000, key);

      const rerun = await startAction(inputs).done;
      expect(rerun.code, rerun.stdout).toBe(0);
      expect(rerun.stdout).toMatch(/note: Resumed multipart upload .*: kept \d+ of 9 parts/);
      expect((await readObject(emulator, BUCKET, key)).equals(bytes)).toBe(true);
      expect(await pending(key)).toEqual([]);
    });

    it("mode cleanup aborts stale uploads under the prefix", async () => {
      for (const key of ["stale/a.bin", "stale/b.bin", "kept/c.bin"]) {
        await sdk.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
      }
      emulator.backdateUploads(BUCKET, 3 * 86_400_000);
      const run = await startAction({ mode: "cleanup", prefix: "stale/", "older-than": "2d" }).done;
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain("aborted: stale/a.bin");
      expect(run.stdout).toContain("2 aborted, 0 would abort, 0 too young, 0 failed");
      expect(await pending("")).toEqual(["kept/c.bin"]);
    });
  });
});
