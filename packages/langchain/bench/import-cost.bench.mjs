// Cold import of the adapter (`@lucid-dreams/langchain`, dist/index.js) vs its framework alone
// (`@langchain/core/tools`).
//
// See lib/import-cost.mjs: fresh node processes run from this package's directory, interleaved, medians of
// paired differences to bare `node -e 0`; then what the adapter loads beyond `@langchain/core/tools` and what
// each extra import costs once it is loaded.
// Target: importing the adapter costs at most 1.2x importing `@langchain/core/tools` (both as time over bare
// node).

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { runImportCost } from "../../../bench-lib/import-cost.mjs";
import { DIST_INDEX, PACKAGE_DIR, requireBuild } from "./lib/report.mjs";

requireBuild();
// The generated SDK is a dependency of @lucid-dreams/agent-auth, not of this package: resolve it from there.
const sdkUrl = pathToFileURL(
  createRequire(import.meta.resolve("@lucid-dreams/agent-auth")).resolve("@lucid-dreams/sdk"),
).href;

runImportCost({
  number: 1,
  title: "@lucid-dreams/langchain vs @langchain/core/tools",
  packageDir: PACKAGE_DIR,
  framework: { label: "@langchain/core/tools", specifier: "@langchain/core/tools" },
  adapter: { label: "@lucid-dreams/langchain", url: pathToFileURL(DIST_INDEX).href },
  lucid: {
    label: "@lucid-dreams/agent-auth + /tools, alone (zod included)",
    specifiers: ["@lucid-dreams/agent-auth", "@lucid-dreams/agent-auth/tools"],
  },
  steps: [
    { label: "@langchain/core/messages (ToolMessage)", specifier: "@langchain/core/messages" },
    { label: "@lucid-dreams/agent-auth/tools", specifier: "@lucid-dreams/agent-auth/tools" },
    { label: "@lucid-dreams/sdk (generated client)", specifier: sdkUrl },
    { label: "@lucid-dreams/agent-auth (root)", specifier: "@lucid-dreams/agent-auth" },
    { label: "@lucid-dreams/langchain (its own files)", specifier: pathToFileURL(DIST_INDEX).href },
  ],
  target: 1.2,
});
process.exit(0);
