// @ts-check
// One lib-storage client run, in its own process so the harness can measure it alone.
// Plain JavaScript on purpose: a TypeScript loader would add its own start-up CPU to the figures.
// usage: node bench/lib-storage-upload.mjs <dir> <bucket> <key-prefix> <part-size> <queue-size> <default|CRC32C>
// Endpoint, region and keys come from S3_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.

import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";

const [dir, bucket, prefix, partSizeText, queueSizeText, checksum] = process.argv.slice(2);
if (!dir || !bucket || !prefix || !partSizeText || !queueSizeText || !checksum) {
  console.error(
    "usage: lib-storage-upload.mjs <dir> <bucket> <key-prefix> <part-size> <queue-size> <default|CRC32C>",
  );
  process.exit(2);
}
const partSize = Number(partSizeText);
const queueSize = Number(queueSizeText);

const client = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: process.env.AWS_REGION,
  forcePathStyle: true,
});

/** @param {string} name */
async function uploadOne(name) {
  const upload = new Upload({
    client,
    partSize,
    queueSize,
    params: {
      Bucket: bucket,
      Key: `${prefix}/${name}`,
      Body: createReadStream(path.join(dir, name)),
      ...(checksum === "CRC32C" ? { ChecksumAlgorithm: "CRC32C" } : {}),
    },
  });
  await upload.done();
}

// Many small files go up queueSize at a time, the same parallelism a single large file gets. A tree's
// files keep their relative paths as keys, as aws s3 cp --recursive and rclone copy do.
const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
  .filter((entry) => entry.isFile())
  .map((entry) =>
    path
      .relative(dir, path.join(entry.parentPath ?? entry.path, entry.name))
      .split(path.sep)
      .join("/"),
  )
  .sort();
let next = 0;
async function worker() {
  while (next < names.length) await uploadOne(/** @type {string} */ (names[next++]));
}
await Promise.all(Array.from({ length: Math.min(queueSize, names.length) }, worker));
client.destroy();
