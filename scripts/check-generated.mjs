#!/usr/bin/env node
// Regenerates every generated file and fails when that changes anything tracked by git:
// generated code must only ever change through its source (openapi.yaml, contracts/*.sol) and the generator.
import { execFileSync } from "node:child_process";

const run = (cmd, args) =>
  execFileSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

run("corepack", ["pnpm", "--silent", "-r", "run", "generate"]);
const drift = run("git", [
  "status",
  "--porcelain",
  "--",
  "packages/sdk/src/generated",
  "packages/local-server/src/generated",
]).trim();
if (drift) {
  console.error("Generated code is out of date with its source. Run `pnpm generate` and commit the result:");
  console.error(drift);
  process.exit(1);
}
console.log("generated code: no drift");
