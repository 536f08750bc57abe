// The file system as the glob sees it, except that entries it would drop without a word (FIFOs, sockets,
// devices, and symbolic links whose target is missing or loops) look like files: they are then matched
// (or excluded) by the patterns like any file, and findFiles can name each one it skips.
import { readdir, stat } from "node:fs/promises";
import type { Dirent } from "node:fs";
import path from "node:path";
import type { GlobOptions } from "tinyglobby";

type GlobFs = NonNullable<GlobOptions["fs"]>;

function asFile(entry: Dirent): Dirent {
  return Object.assign(Object.create(entry) as Dirent, {
    isFile: () => true,
    isSymbolicLink: () => false,
  });
}

async function revealed(directory: string, entry: Dirent): Promise<Dirent> {
  // A working link stays a link, so the glob follows it as before.
  if (entry.isSymbolicLink() && (await stat(path.join(directory, entry.name)).catch(() => null))) {
    return entry;
  }
  return asFile(entry);
}

async function entriesOf(directory: string): Promise<Dirent[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  // Files and directories, nearly every entry, are taken as they are: no promise each.
  const others: number[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!entry.isFile() && !entry.isDirectory()) others.push(index);
  }
  if (others.length === 0) return entries;
  const replaced = await Promise.all(others.map((index) => revealed(directory, entries[index]!)));
  others.forEach((index, at) => (entries[index] = replaced[at]!));
  return entries;
}

/** The glob calls readdir(path, { withFileTypes: true }, callback) only. */
function revealingReaddir(
  directory: string,
  _options: unknown,
  callback: (error: NodeJS.ErrnoException | null, entries: Dirent[]) => void,
): void {
  entriesOf(directory).then(
    (entries) => callback(null, entries),
    (error: NodeJS.ErrnoException) => callback(error, []),
  );
}

export const revealingFs: GlobFs = { readdir: revealingReaddir as unknown as GlobFs["readdir"] };
