import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration suites start servers and move hundreds of MiB; two cores cannot run many at once.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
