// The presigned-part broker's entry: `s3-verified-upload broker --config broker.json`. It holds the S3
// credentials; callers bring an OIDC token and get presigned UploadPart URLs that sign each part's checksum.
// Audit lines go to stdout (one JSON object per call), the broker's own messages to stderr.
import { readFile } from "node:fs/promises";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIO } from "./frontend/cli-io.js";
import { parseBrokerConfig } from "./broker/config.js";
import { brokerAccess, startBroker } from "./broker/start.js";

const USAGE = `usage: s3-verified-upload broker --config <broker.json>
  (or S3VU_BROKER_CONFIG=<broker.json>); S3 credentials from the config's s3.credentials (a profile or a
  role to assume), else AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. The file format is
  in the README's broker section.
`;

function configPath(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const at = argv.indexOf("--config");
  if (at !== -1) return argv[at + 1];
  const inline = argv.find((arg) => arg.startsWith("--config="));
  return inline ? inline.slice("--config=".length) : env.S3VU_BROKER_CONFIG;
}

export async function runBroker(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const path = configPath(argv, io.env);
  const unknown = argv.filter((arg, index) => !arg.startsWith("--config") && argv[index - 1] !== "--config");
  if (!path || unknown.length > 0) {
    io.stderr.write(
      `error: ${path ? `unknown argument ${unknown[0]}` : "--config <broker.json> is required"}\n${USAGE}`,
    );
    return EXIT_USAGE;
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    io.stderr.write(
      `error: cannot read the broker config ${path} (${(error as Error).message}): check --config\n`,
    );
    return EXIT_USAGE;
  }
  const config = parseBrokerConfig(text, path);
  if (!config.ok) {
    io.stderr.write(`error: ${config.error}\n`);
    return EXIT_USAGE;
  }
  const access = brokerAccess(config.value, io.env);
  if (!access.ok) {
    io.stderr.write(`error: ${access.error}\n`);
    return EXIT_USAGE;
  }
  let broker;
  try {
    broker = await startBroker(config.value, access.value, (line) =>
      io.stdout.write(`${JSON.stringify(line)}\n`),
    );
  } catch (error) {
    io.stderr.write(
      `error: the broker cannot listen on ${config.value.listen.host}:${config.value.listen.port} (${(error as Error).message}): change listen in ${path}\n`,
    );
    return EXIT_FAILED;
  }
  io.stderr.write(`broker listening on ${broker.url}\n`);
  const signal = io.signal;
  await new Promise<void>((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await broker.close();
  io.stderr.write("broker stopped\n");
  return EXIT_OK;
}
