// --help text, generated from the one settings list so it cannot miss a flag.
import { ENV_PREFIX, INPUTS, envName } from "./inputs.js";

export function helpText(): string {
  const options = INPUTS.map((input) => {
    const flag = input.boolean ? `--${input.name}[=false]` : `--${input.name} <value>`;
    const fallback = input.required ? " (required)" : input.default ? ` (default: ${input.default})` : "";
    return `  ${flag}\n      ${input.description}${fallback}\n      env: ${envName(input.name)}`;
  });
  return [
    "Usage: s3-verified-upload [upload] [options] <glob…>",
    "       s3-verified-upload cleanup --bucket <name> [--prefix <p>] [--older-than 7d] [--dry-run]",
    "                                  [--lifecycle-abort-days <n>]",
    "       s3-verified-upload download --bucket <name> [--prefix <p>] [--base-dir <dir>] [<key glob…>]",
    "                                   [--version-id <id>] [--expected-manifest <upload manifest>]",
    "       s3-verified-upload broker --config <broker.json>   (the presigned-part broker; see its --help)",
    "",
    "Uploads files to S3 (or an S3-compatible store) with multipart uploads whose every part is checksummed",
    "and verified before the object is completed. Globs are relative to the working directory; a leading",
    '"!" excludes. Quote them so the shell does not expand them: s3-verified-upload --bucket b "dist/**"',
    "",
    "download fetches the objects under the prefix (or those the key globs, relative to the prefix, select)",
    "into base-dir, each proven against its stored checksum or ETag before it is renamed into place.",
    "",
    "Options (each also read from an environment variable; a flag wins over the variable):",
    ...options,
    "  --json",
    "      Print the results as JSON on stdout; progress still goes to stderr.",
    "  --checksums-file <path>",
    "      Write each uploaded (or downloaded) or unchanged file's SHA-256 to <path> in sha256sum format, named",
    "      by path relative to base-dir: `sha256sum -c <path>` run in base-dir checks the local files.",
    "  --help, -h / --version",
    "",
    `Credentials and region come from the AWS SDK default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, web identity,`,
    `instance metadata…). Setting variables start with ${ENV_PREFIX}.`,
    "Proxies: HTTPS_PROXY, HTTP_PROXY and NO_PROXY (lower case wins). A private CA: AWS_CA_BUNDLE, or",
    "ca_bundle in the AWS profile (--profile or AWS_PROFILE); its certificates are trusted besides Node's own.",
    "",
    "Exit codes: 0 all files uploaded or unchanged and verified; 1 the run failed (an upload failed, or no",
    "file matched with if-no-files-found=error); 2 bad usage or configuration; 130 stopped by Ctrl-C, 143 by",
    "SIGTERM (after aborting this run's multipart uploads, or keeping them with --on-failure keep).",
    "",
  ].join("\n");
}
