import { defineConfig } from "vitest/config";

// The tests run against the real local server (HTTP over loopback and a local anvil chain); a loaded machine
// makes them slower, never wrong: the timeout only catches a test that hangs.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 30_000 },
});
