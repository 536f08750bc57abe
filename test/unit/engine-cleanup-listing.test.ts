// MinIO answers ListMultipartUploads with a prefix only for uploads of exactly that key (minio/minio#11686,
// #20989); a cleanup under "dir/" must still find dir/a and dir/b there.
import { describe, expect, it } from "vitest";
import { listPendingUploads } from "../../src/engine/cleanup/cleanup.js";
import type { PendingUpload, S3Store, UploadsPage } from "../../src/engine/s3/s3-client.js";

const UPLOADS: PendingUpload[] = ["dir/a", "dir/b", "other/c"].map((key, index) => ({
  key,
  uploadId: `u${index}`,
  initiated: new Date(0),
}));

/** ListMultipartUploads as MinIO answers it, one upload a page so pagination is exercised. */
function exactKeyStore(): { store: S3Store; prefixes: string[] } {
  const prefixes: string[] = [];
  const store = {
    async listUploadsPage(input: { prefix: string; keyMarker?: string }): Promise<UploadsPage> {
      prefixes.push(input.prefix);
      const matching = UPLOADS.filter((upload) =>
        input.prefix === "" ? true : upload.key === input.prefix,
      ).filter((upload) => input.keyMarker === undefined || upload.key > input.keyMarker);
      const [first, ...rest] = matching;
      if (first === undefined) return { uploads: [] };
      return rest.length > 0
        ? { uploads: [first], next: { keyMarker: first.key, uploadIdMarker: first.uploadId } }
        : { uploads: [first] };
    },
  } as unknown as S3Store;
  return { store, prefixes };
}

const once = <T>(operation: () => Promise<T>): Promise<T> => operation();

describe("pending uploads on a store that lists by exact key", () => {
  it("a prefix that is no key lists the whole bucket and keeps the keys under the prefix", async () => {
    const { store, prefixes } = exactKeyStore();
    const listed = await listPendingUploads(store, "b", "dir/", once, undefined, "exact-key");
    expect(listed.map((upload) => upload.key)).toEqual(["dir/a", "dir/b"]);
    expect(new Set(prefixes)).toEqual(new Set([""]));
  });

  it("one key as the prefix (resume's) is asked as it is on a store that lists by any prefix", async () => {
    const { store, prefixes } = exactKeyStore();
    const listed = await listPendingUploads(store, "b", "dir/b", once);
    expect(listed.map((upload) => upload.key)).toEqual(["dir/b"]);
    expect(prefixes).toEqual(["dir/b"]);
  });
});
