import { defineConfig } from "vitest/config";

// `npm run test:faults`: the fault suite (test/faults), apart from `npm test` because
// it starts its own Postgres cluster, redis-server and runstrong processes, and its
// tests run in order on them.
export default defineConfig({
  test: {
    name: "faults",
    include: ["test/faults/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 150_000,
    hookTimeout: 150_000,
  },
});
