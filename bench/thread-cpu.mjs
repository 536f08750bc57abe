// Preloaded into a client (NODE_OPTIONS=--import) by bench/crc64-cost.ts: at exit, writes each thread's
// CPU seconds (user+sys from /proc) to $S3VU_THREAD_CPU_FILE as JSON. The main thread's share is what bounds
// a single event loop's throughput, which whole-process CPU time does not show once work moves to threads.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const out = process.env.S3VU_THREAD_CPU_FILE;
if (out) {
  process.on("exit", () => {
    const ticks = 100; // USER_HZ on Linux
    const threads = [];
    for (const tid of readdirSync("/proc/self/task")) {
      try {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
        const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const cpu = (Number(fields[11]) + Number(fields[12])) / ticks;
        threads.push({ tid: Number(tid), name, main: Number(tid) === process.pid, cpu });
      } catch {
        // a thread that ended while we listed them
      }
    }
    writeFileSync(out, JSON.stringify(threads));
  });
}
