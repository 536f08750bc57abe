// Many small files under one folder would each cost a HeadObject before the write (is the key free?) and one
// after it (does the store hold what it answered?). ListObjectsV2 answers both for up to 1,000 keys at once:
// lookups made within a moment of each other share one listing, sent after the last of them was made, so what
// it shows is the store's state after each caller's write. It only ever spares a request: a key it cannot
// answer for (the listing failed, or other keys crowd the range past the page budget) is `undefined`, and the
// caller makes the HeadObject it would have made anyway. A page that fails transiently is retried like any
// request first: giving up on it would trade one request for a HeadObject per key.
import type { S3Store } from "../s3/s3-client.js";
import { commonPrefix } from "../s3/preflight.js";
import { withRetry, type RetryPolicy } from "../retry.js";

/** What a listing says of an object: S3 lists size and ETag, never the additional checksum. */
export interface ListedObject {
  size: number;
  etag: string;
}

export interface KeyListing {
  /** The key as a listing sent after this call shows it: listed, absent (null), or unknown (undefined). */
  lookup(key: string): Promise<ListedObject | null | undefined>;
  /** Lists every key of the run before its writes, 1,000 a request, for the overwrite checks to come. */
  listAhead(keys: readonly string[]): void;
  /** The key as listed ahead, or as a listing sent now shows it when it was not listed ahead. */
  listedBefore(key: string): Promise<ListedObject | null | undefined>;
}

/** ListObjectsV2 returns at most 1,000 keys a page. */
const MAX_BATCH = 1000;
/** Pages per batch: past them, other objects crowd the range and HeadObjects are cheaper. */
const PAGE_BUDGET = 2;

interface Waiting {
  key: string;
  resolve: (answer: ListedObject | null | undefined) => void;
}

/** Keys in the order S3 lists them, UTF-8 binary order, which JavaScript's string order is not beyond the BMP. */
function inListingOrder(keys: Iterable<string>): Array<{ key: string; bytes: Buffer }> {
  return Array.from(keys, (key) => ({ key, bytes: Buffer.from(key) })).sort((a, b) =>
    Buffer.compare(a.bytes, b.bytes),
  );
}

/** How a failed page is retried; `onRetry` names the first key the page was to answer for. */
export interface ListingRetry {
  policy: RetryPolicy;
  onRetry: (attempt: number, reason: string, firstKey: string) => void;
}

interface ListingTarget {
  store: S3Store;
  bucket: string;
  signal: AbortSignal | undefined;
  retry: ListingRetry;
}

export function createKeyListing(
  store: S3Store,
  bucket: string,
  signal: AbortSignal | undefined,
  retry: ListingRetry,
): KeyListing {
  const target: ListingTarget = { store, bucket, signal, retry };
  let batch: Waiting[] = [];
  let listing = false;
  let scheduled = false;
  // One listing at a time, like a group commit: lookups made while one is under way wait for the next, so a
  // batch grows with the rate of lookups and a lone lookup is answered at once.
  const flush = async (): Promise<void> => {
    scheduled = false;
    listing = true;
    while (batch.length > 0) {
      const taken = batch.slice(0, MAX_BATCH);
      batch = batch.slice(MAX_BATCH);
      await answerBatch(target, taken);
    }
    listing = false;
  };
  const lookup = (key: string): Promise<ListedObject | null | undefined> =>
    new Promise((resolve) => {
      batch.push({ key, resolve });
      if (listing || scheduled) return;
      scheduled = true;
      // Lookups made in the same turn of the event loop go together.
      setImmediate(() => void flush());
    });
  const ahead = new Map<string, Promise<ListedObject | null | undefined>>();
  return {
    lookup,
    listAhead(keys) {
      for (const key of keys) ahead.set(key, lookup(key));
    },
    listedBefore(key) {
      const listed = ahead.get(key);
      ahead.delete(key);
      return listed ?? lookup(key);
    },
  };
}

async function answerBatch(target: ListingTarget, waiting: readonly Waiting[]): Promise<void> {
  const keys = inListingOrder(new Set(waiting.map((entry) => entry.key)));
  const answers = new Map<string, ListedObject | null>();
  try {
    await listRange(target, keys, answers);
  } catch {
    // Retries spent or not worth it (access denied): unknown, not absent. Each caller asks with HeadObject,
    // whose failure names the cause.
  }
  for (const entry of waiting) entry.resolve(answers.get(entry.key));
}

/** Lists from just before the first key; every key up to the last one listed is then listed or absent. */
async function listRange(
  { store, bucket, signal, retry }: ListingTarget,
  keys: ReadonlyArray<{ key: string; bytes: Buffer }>,
  answers: Map<string, ListedObject | null>,
): Promise<void> {
  const prefix = commonPrefix(keys.map(({ key }) => key));
  // The first key less its last character (a whole code point) sorts just before it.
  const startAfter = Array.from(keys[0]!.key).slice(0, -1).join("");
  const wanted = new Set(keys.map(({ key }) => key));
  let continuationToken: string | undefined;
  let settled = 0;
  for (let page = 0; page < PAGE_BUDGET && settled < keys.length; page++) {
    const page = {
      bucket,
      prefix,
      ...(continuationToken ? { continuationToken } : { startAfter }),
      maxKeys: Math.min(MAX_BATCH, 2 * keys.length + 8),
    };
    const firstKey = keys[settled]!.key;
    const listed = await withRetry(() => store.listKeysPage(page, signal), {
      policy: retry.policy,
      ...(signal ? { signal } : {}),
      onRetry: (attempt, reason) => retry.onRetry(attempt, reason, firstKey),
    });
    for (const object of listed.objects) {
      if (wanted.has(object.key)) answers.set(object.key, { size: object.size, etag: object.etag });
    }
    const last = listed.objects.at(-1)?.key;
    const lastBytes = last === undefined ? undefined : Buffer.from(last);
    while (
      settled < keys.length &&
      (listed.next === undefined ||
        (lastBytes !== undefined && Buffer.compare(keys[settled]!.bytes, lastBytes) <= 0))
    ) {
      const { key } = keys[settled]!;
      if (!answers.has(key)) answers.set(key, null);
      settled++;
    }
    if (listed.next === undefined) return;
    continuationToken = listed.next;
  }
}
