import { defineConfig } from "vitest/config";

// The tests run against the real local server (HTTP over loopback and a local anvil chain).
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 30_000 },
});
