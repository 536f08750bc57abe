import { defineConfig } from "vitest/config";

// The bench's own tests live beside it; `npx vitest run -c bench/vitest.config.ts` runs them.
export default defineConfig({
  test: {
    include: ["bench/**/*.test.ts"],
    root: ".",
    testTimeout: 60_000,
  },
});
