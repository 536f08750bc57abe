// What the CLI's entry and its commands share: exit codes, the process streams, the subcommand names.

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIO {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  signal?: AbortSignal;
}

export const CLI_COMMANDS = ["upload", "download", "cleanup"] as const;
export type CliCommand = (typeof CLI_COMMANDS)[number];

export function isCliCommand(word: string | undefined): word is CliCommand {
  return (CLI_COMMANDS as readonly (string | undefined)[]).includes(word);
}
