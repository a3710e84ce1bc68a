import { defineConfig } from "vitest/config";

/**
 * The adapter's tests again, against AI SDK 7: every import of `ai` (the adapter's and the tests') resolves to the
 * `ai7` dev dependency (`npm:ai@^7`). `pnpm test` runs both passes.
 */
export default defineConfig({
  resolve: { alias: [{ find: /^ai(\/.*)?$/, replacement: "ai7$1" }] },
  test: {
    name: "ai7",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { LUCID_AI_SDK_MAJOR: "7" },
    include: ["src/**/*.test.ts"],
    exclude: ["src/readme-snippets.test.ts", "src/public-exports.test.ts"],
  },
});
