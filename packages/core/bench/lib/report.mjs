// This package's paths for the shared benchmark helpers of ../../../../bench-lib/report.mjs.
import { packagePaths } from "../../../../bench-lib/report.mjs";

export * from "../../../../bench-lib/report.mjs";
export const { PACKAGE_DIR, DIST_INDEX, DIST_ENTRIES, requireBuild } = packagePaths(import.meta.url, [
  "index.js",
  "node.js",
  "tools.js",
]);
export const DIST_NODE = DIST_ENTRIES[1];
export const DIST_TOOLS = DIST_ENTRIES[2];
