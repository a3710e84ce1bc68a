// 3. Cold import of the adapter (`@lucid-dreams/ai-sdk`, dist/index.js) vs its framework alone (`ai`).
//
// See lib/import-cost.mjs: fresh node processes run from this package's directory, interleaved, medians of
// paired differences to bare `node -e 0`; then what the adapter loads beyond `ai` and what each extra import
// costs once `ai` is loaded.
// Target: importing the adapter costs at most 1.2x importing `ai` (both as time over bare node).

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
  number: 3,
  title: "@lucid-dreams/ai-sdk vs ai",
  packageDir: PACKAGE_DIR,
  framework: { label: "ai", specifier: "ai" },
  adapter: { label: "@lucid-dreams/ai-sdk", url: pathToFileURL(DIST_INDEX).href },
  lucid: {
    label: "@lucid-dreams/agent-auth + /tools, alone (zod included)",
    specifiers: ["@lucid-dreams/agent-auth", "@lucid-dreams/agent-auth/tools"],
  },
  steps: [
    { label: "@lucid-dreams/agent-auth/tools", specifier: "@lucid-dreams/agent-auth/tools" },
    { label: "@lucid-dreams/sdk (generated client)", specifier: sdkUrl },
    { label: "@lucid-dreams/agent-auth (root)", specifier: "@lucid-dreams/agent-auth" },
    { label: "@lucid-dreams/ai-sdk (its own files)", specifier: pathToFileURL(DIST_INDEX).href },
  ],
  target: 1.2,
});
process.exit(0);
