#!/usr/bin/env node
// Runs the transport and runtime integration tests under newer Node majors as well (the `node` package of the
// npm registry ships their binaries), because the original package broke on Node's fetch and ours must not.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const vitest = `${root}node_modules/vitest/vitest.mjs`;
const files = ["src/runtime/transport", "src/runtime/agent-runtime.integration.test.ts"];

for (const major of ["22", "24"]) {
  console.log(`node-compat: core transport and runtime tests on Node ${major}`);
  execFileSync("npx", ["--yes", `node@${major}`, vitest, "run", ...files], {
    cwd: `${root}packages/core`,
    stdio: "inherit",
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
}
