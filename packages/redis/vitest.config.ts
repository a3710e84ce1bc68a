import { defineConfig } from "vitest/config";

// The tests run a real redis-server per file (loopback, a free port) and the real local server.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 30_000 },
});
