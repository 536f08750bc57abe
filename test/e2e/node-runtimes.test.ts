// The bundle suites run on every Node in nodeRuntimes(); this says whether Node 24 (the action's runtime) is
// one of them. Locally its absence shows as a skipped test; under CI=true it is a failure.
import { describe, expect, it } from "vitest";
import { nodeRuntimes, runCommand, nodeBinary } from "./helpers.js";

const inCi = process.env["CI"] === "true";
const node24 = nodeRuntimes().find((node) => node.name.startsWith("Node 24"));

describe("Node runtimes for the bundle tests", () => {
  it.skipIf(!node24 && !inCi)(
    "include Node 24, the action's runtime (install: bash .ci/install-node24.sh)",
    async () => {
      expect(node24, "Node 24 is missing: run `bash .ci/install-node24.sh`").toBeDefined();
      const run = await runCommand(nodeBinary(node24!), ["-p", "process.versions.node"], {}, process.cwd());
      expect(run.stdout).toMatch(/^24\.\d+\.\d+\n$/);
    },
  );
});
