// Command line: runs the emulator until SIGINT/SIGTERM and prints how to reach it.
import { parseArgs } from "node:util";
import { startEmulator } from "./index.js";
import { COMPLETE_REPLAYS, type CompleteReplay } from "./context.js";
import { PROFILES, type ProfileName } from "./profiles.js";

function usageError(message: string): never {
  console.error(
    `emulator: ${message}\nusage: tsx test/emulator/main.ts [--port 9000] [--data-dir DIR] [--bucket NAME]... [--sink] [--min-part-size BYTES] [--complete-replay ${COMPLETE_REPLAYS.join("|")}] [--profile ${PROFILES.join("|")}]`,
  );
  process.exit(2);
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    usageError(`--port ${text} is not a port number; use 0-65535`);
  return port;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        "data-dir": { type: "string" },
        bucket: { type: "string", multiple: true },
        sink: { type: "boolean" },
        "min-part-size": { type: "string" },
        region: { type: "string" },
        "complete-replay": { type: "string" },
        profile: { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  const minPartSize = values["min-part-size"] === undefined ? undefined : Number(values["min-part-size"]);
  if (minPartSize !== undefined && !(Number.isInteger(minPartSize) && minPartSize > 0)) {
    usageError(`--min-part-size ${values["min-part-size"]} must be a positive integer of bytes`);
  }
  const replay = values["complete-replay"];
  if (replay !== undefined && !COMPLETE_REPLAYS.includes(replay as CompleteReplay)) {
    usageError(`--complete-replay ${replay} is not a replay mode; use one of ${COMPLETE_REPLAYS.join(", ")}`);
  }
  const profile = values.profile;
  if (profile !== undefined && !PROFILES.includes(profile as ProfileName)) {
    usageError(`--profile ${profile} is not a store profile; use one of ${PROFILES.join(", ")}`);
  }
  const emulator = await startEmulator({
    port: parsePort(values.port),
    dataDir: values["data-dir"],
    buckets: values.bucket,
    sink: values.sink,
    minPartSize,
    region: values.region,
    completeReplay: replay as CompleteReplay | undefined,
    profile: profile as ProfileName | undefined,
  });
  // Virtual-hosted clients take the localhost name and address <bucket>.localhost:PORT (README: store profiles).
  console.log(`S3_ENDPOINT=${emulator.profile === "oss" ? emulator.virtualHostEndpoint : emulator.endpoint}`);
  console.log(`S3_PROFILE=${emulator.profile}`);
  console.log(`AWS_ACCESS_KEY_ID=${emulator.credentials.accessKeyId}`);
  console.log(`AWS_SECRET_ACCESS_KEY=${emulator.credentials.secretAccessKey}`);
  console.log(`AWS_DEFAULT_REGION=${emulator.region}`);
  const shutdown = () => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

await main();
