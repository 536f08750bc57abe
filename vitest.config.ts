import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "bench/**/*.test.ts"],
    // Sized for a 2-core machine shared with other jobs, where a suite that takes 20 s alone can take several
    // times that; suites that start many processes set their own, longer timeouts. A timeout is a hang
    // detector here, never a speed check (speed is measured in bench/).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Integration suites start servers and move hundreds of MiB; two cores cannot run many at once.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
