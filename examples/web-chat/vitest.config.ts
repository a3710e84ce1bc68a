import { defineConfig } from "vitest/config";

// Browser tests: the real local server (anvil), the web chat's server and Debian's Chromium over loopback.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 120_000, include: ["test/**/*.test.ts"] },
});
