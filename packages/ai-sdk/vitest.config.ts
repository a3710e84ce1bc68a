import { defineConfig } from "vitest/config";

// The tests run against the real local server (HTTP over loopback and a local anvil chain).
// Two projects: `ai6` runs every test with the installed `ai` 6; `ai7` runs the streaming/agent suite again with
// `ai` (and `ai/test`) resolved to the `ai7` devDependency, for the test file and the adapter source it imports.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: "ai6", env: { LUCID_AI_SDK_MAJOR: "6" } } },
      {
        extends: true,
        test: { name: "ai7", include: ["src/streaming.test.ts"], env: { LUCID_AI_SDK_MAJOR: "7" } },
        resolve: {
          alias: [
            { find: /^ai$/, replacement: "ai7" },
            { find: /^ai\/test$/, replacement: "ai7/test" },
          ],
        },
      },
    ],
  },
});
