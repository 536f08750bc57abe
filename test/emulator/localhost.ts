// Connecting to `<bucket>.localhost`: RFC 6761 §6.3 makes every name under localhost the loopback, but glibc's
// resolver (and so Node's dns.lookup) knows only "localhost" itself. Test clients pass this as `lookup`.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family: number,
) => void;

export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

/** dns.lookup, except that localhost names are 127.0.0.1 (where the emulator listens). */
export function localhostLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  if (!isLocalhostName(hostname)) {
    dnsLookup(hostname, options, callback);
    return;
  }
  if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }], 4);
  else callback(null, "127.0.0.1", 4);
}
