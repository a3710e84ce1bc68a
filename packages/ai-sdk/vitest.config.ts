import { defineConfig } from "vitest/config";

// The tests run against the real local server (HTTP over loopback and a local anvil chain), with the installed
// `ai` 6. `vitest.ai7.config.ts` runs them again against AI SDK 7; `pnpm test` runs both passes.
export default defineConfig({
  test: {
    name: "ai6",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { LUCID_AI_SDK_MAJOR: "6" },
  },
});
