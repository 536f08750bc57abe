// `npm start`: a local S3 emulator, the real CLI uploading some of this repository to it, and what landed.
import type { FileResult } from "../src/engine/types.js";
import { main } from "../src/cli.js";
import { formatBytes } from "../src/frontend/format.js";
import { silenceSdkNodeVersionWarning } from "../src/frontend/sdk-warning.js";
import { startEmulator } from "../test/emulator/index.js";

const BUCKET = "demo-artifacts";

const emulator = await startEmulator({ buckets: [BUCKET] });
try {
  // The engine takes credentials from the SDK default chain like in CI; point that chain at the emulator.
  delete process.env["AWS_PROFILE"];
  process.env["AWS_ACCESS_KEY_ID"] = emulator.credentials.accessKeyId;
  process.env["AWS_SECRET_ACCESS_KEY"] = emulator.credentials.secretAccessKey;
  delete process.env["AWS_SESSION_TOKEN"];
  process.env["AWS_REGION"] = emulator.region;
  // As the CLI's entry point does; main() alone leaves process-wide settings to its caller.
  silenceSdkNodeVersionWarning(process.env);

  const argv = [
    "--bucket",
    BUCKET,
    "--endpoint",
    emulator.endpoint,
    "--force-path-style",
    "--prefix",
    "demo",
    // Low enough that the larger files go up as multipart uploads and get their parts checked with ListParts.
    "--multipart-threshold",
    "8KiB",
    "--json",
    "README.md",
    "package.json",
    "src/**/*.ts",
  ];
  console.log(`Emulator at ${emulator.endpoint}; running: s3-verified-upload ${argv.join(" ")}\n`);
  let json = "";
  const code = await main(argv, {
    env: process.env,
    stdout: { write: (text: string) => (json += text) },
    stderr: process.stderr,
  });
  const report = JSON.parse(json) as { files: FileResult[] };
  console.log(`\nWhat landed in s3://${BUCKET} and how each object was verified:\n`);
  const rows = report.files.map((file) => [
    file.key,
    formatBytes(file.size),
    file.multipart ? `multipart, ${file.parts} part(s) listed back` : "single PutObject",
    `${file.checksumAlgorithm ?? "none"} ${file.checksumRemote ?? ""}`,
    file.verified ? `yes, by ${file.verification}` : `NO (${file.status})`,
  ]);
  const header = ["key", "size", "upload", "stored checksum", "verified"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  for (const row of [header, ...rows]) {
    console.log("  " + row.map((text, column) => text.padEnd(widths[column]!)).join("  "));
  }
  console.log(`\nCLI exit code ${code}. Run it again: the emulator starts empty each time.`);
  process.exitCode = code;
} finally {
  await emulator.stop();
}
