import { defineConfig } from "vitest/config";

// Tests count operations (10,000 fuzzed inputs, 100 SIGKILLs, ...) rather than timing them, so a loaded machine
// makes them slower, never wrong: the timeout only catches a test that hangs.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 30_000 },
});
