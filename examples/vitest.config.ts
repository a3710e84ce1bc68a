import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  // web-chat/ is its own workspace package with its own tests.
  test: { testTimeout: 90_000, pool: "forks", exclude: [...configDefaults.exclude, "web-chat/**"] },
});
