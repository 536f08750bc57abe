// GitHub Action entry (action.yml runs dist/index.js): turns on Node's compile cache, then loads and runs the
// action (action-run.ts, @actions/core included) with import(), which ncc emits as chunk files beside index.js:
// code in the entry itself is compiled before the cache is on, so the entry holds only this.
import { enableCompileCache } from "./frontend/compile-cache.js";
import { failIfUnsettled } from "./frontend/unsettled.js";

/** core.setFailed without @actions/core: an ::error:: workflow command (data escaped as the runner reads it). */
function fail(message: string): void {
  const data = message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  process.stdout.write(`::error::${data}\n`);
  process.exitCode = 1;
}

enableCompileCache();
const run = import("./action-run.js")
  .then(({ main }) => main())
  .catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
failIfUnsettled(run, fail);
