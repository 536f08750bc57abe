// argv → setting values, globs and CLI switches; nothing is validated here beyond the shape of the flags.
import { INPUTS } from "./inputs.js";

export interface CliArgs {
  /** Setting name → text, for the shared config parser. */
  values: Map<string, string>;
  globs: string[];
  json: boolean;
  /** Where to write the sha256sum-format list of the files stored (the action's checksums-file output). */
  checksumsFile?: string;
  help: boolean;
  version: boolean;
}

export type ArgsResult = { ok: true; args: CliArgs } | { ok: false; error: string };

const SWITCHES = ["json", "help", "version"] as const;
type Switch = (typeof SWITCHES)[number];

function isSwitch(name: string): name is Switch {
  return (SWITCHES as readonly string[]).includes(name);
}

export function parseArgs(argv: readonly string[]): ArgsResult {
  const args: CliArgs = { values: new Map(), globs: [], json: false, help: false, version: false };
  let onlyGlobs = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (onlyGlobs || !arg.startsWith("-") || arg === "-") {
      args.globs.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyGlobs = true;
      continue;
    }
    if (arg === "-h") {
      args.help = true;
      continue;
    }
    const match = /^--([a-z0-9-]+)(?:=([\s\S]*))?$/.exec(arg);
    // Only the name: a value after "=" may be a secret (an endpoint with a password).
    if (!match) return { ok: false, error: `Unknown option "${arg.split("=")[0]}"; see --help.` };
    let name = match[1]!;
    let inline = match[2];
    if (isSwitch(name) && inline === undefined) {
      args[name] = true;
      continue;
    }
    // A CLI-only setting: the action gives the same file as an output instead.
    if (name === "checksums-file") {
      const given = inline ?? argv[++index];
      if (given === undefined || given === "") {
        return { ok: false, error: `Option "--checksums-file" needs a path; see --help.` };
      }
      args.checksumsFile = given;
      continue;
    }
    if (
      name.startsWith("no-") &&
      inline === undefined &&
      INPUTS.find((i) => i.name === name.slice(3))?.boolean
    ) {
      name = name.slice(3);
      inline = "false";
    }
    const input = INPUTS.find((candidate) => candidate.name === name);
    if (!input) return { ok: false, error: `Unknown option "--${name}"; see --help.` };
    let value: string;
    if (inline !== undefined) {
      value = inline;
    } else if (input.boolean) {
      // A boolean flag never takes the next word, so `--overwrite dist/**` keeps its glob.
      value = "true";
    } else {
      const next = argv[index + 1];
      if (next === undefined) return { ok: false, error: `Option "--${name}" needs a value; see --help.` };
      value = next;
      index++;
    }
    const previous = args.values.get(name);
    if (previous !== undefined && !input.multiline) {
      return { ok: false, error: `Option "--${name}" is given more than once; give it once.` };
    }
    args.values.set(name, previous === undefined ? value : `${previous}\n${value}`);
  }
  return { ok: true, args };
}
