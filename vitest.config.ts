import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // One fork: tfjs backends are process-global and the machine has two cores.
    pool: "forks",
    fileParallelism: true,
    testTimeout: 60_000,
    // The memory tests drive the FinalizationRegistry through explicit collections.
    execArgv: ["--expose-gc"],
  },
});
