#!/usr/bin/env node
// The `lucid-mcp` command. A committed file (not build output), so that installing the repository links
// the command before `pnpm build` has produced dist/; it runs the built CLI.
try {
  await import("../dist/cli.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli.js")) {
    process.stderr.write("lucid-mcp: dist/cli.js is missing; build the package first (pnpm build).\n");
    process.exit(1);
  }
  throw error;
}
