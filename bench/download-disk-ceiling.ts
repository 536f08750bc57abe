// What a download's writes alone get from a disk: 1 GiB through the engine's own write path (the temp file
// and its O_DIRECT descriptor, the run's write slabs, early writeback, fsync), with no network and no hashing.
// Run it beside the downloads, alternated, to tell a download bound by the disk from one bound by
// anything else (the disk this bench runs on is shared, and its rate drifts minute by minute). Into tmpfs
// (--dir /dev/shm) the writes are CPU, not I/O: the kernel copies every byte into freshly allocated pages,
// so the CPU it prints per GiB is the floor any client pays there (the process's start-up left out).
//   npx tsx bench/download-disk-ceiling.ts [--dir /tmp] [--rounds 3] [--concurrency 4] [--slab-mib 4] [--gib 1]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createEarlyWriteback } from "../src/engine/download/early-writeback.js";
import { createSlabPool, WRITE_BATCH_BYTES } from "../src/engine/download/range-writer.js";
import { createTempFile, discardTempFile } from "../src/engine/download/temp-file.js";
import { flag } from "./tool-args.js";

const dir = flag("dir", os.tmpdir());
const rounds = Number(flag("rounds", "3"));
const concurrency = Number(flag("concurrency", "4"));
const slabBytes = Number(flag("slab-mib", String(WRITE_BATCH_BYTES / 2 ** 20))) * 2 ** 20;
const TOTAL = Number(flag("gib", "1")) * 1024 ** 3;

const scratch = await mkdtemp(path.join(dir, "s3vu-disk-ceiling-"));
try {
  for (let round = 1; round <= rounds; round++) {
    const temp = await createTempFile(path.join(scratch, "data.bin"), TOTAL);
    const slabs = createSlabPool(slabBytes);
    const writeback = createEarlyWriteback(temp.handle);
    try {
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      let next = 0;
      // Like `concurrency` GETs, each writing one slab after the other into its own stretch of the file.
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          const slab = slabs.take().fill(7);
          while (next < TOTAL) {
            const at = next;
            next += slab.byteLength;
            const done = temp.direct ? await temp.direct.write(slab, at, slabs.aligned(slab)) : 0;
            if (done < slab.byteLength)
              await temp.handle.write(slab, done, slab.byteLength - done, at + done);
            writeback.written(slab.byteLength);
          }
          slabs.give(slab);
        }),
      );
      const written = performance.now();
      await writeback.settle();
      await temp.handle.sync();
      const synced = performance.now();
      const cpu = process.cpuUsage(cpuBefore);
      const seconds = (synced - started) / 1000;
      console.log(
        `round ${round}: ${(TOTAL / 1e6 / seconds).toFixed(0)} MB/s (${temp.direct ? "O_DIRECT" : "buffered"} ` +
          `${slabBytes / 2 ** 20} MiB writes, ${concurrency} at a time, ` +
          `writes ${(written - started).toFixed(0)} ms, final sync ${(synced - written).toFixed(0)} ms, ` +
          `CPU ${((cpu.user + cpu.system) / 1e6 / (TOTAL / 1024 ** 3)).toFixed(2)} s/GiB ` +
          `(user ${(cpu.user / 1e6).toFixed(2)} s, sys ${(cpu.system / 1e6).toFixed(2)} s), ` +
          `load ${os.loadavg()[0]!.toFixed(1)})`,
      );
    } finally {
      slabs.close();
      await discardTempFile(temp, false);
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
