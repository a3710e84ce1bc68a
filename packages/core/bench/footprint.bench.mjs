// 4. Install footprint of a working user project: an AI-SDK agent with a wallet, as a user installs it from npm.
//
// Four projects, each `npm init -y` then `npm install --ignore-scripts --no-audit --no-fund` in a temp dir,
// all in this run, all with the same peers (`ai`, `zod`, `viem`):
//   ours           the packed tarballs of @lucid-dreams/sdk, @lucid-dreams/agent-auth and @lucid-dreams/ai-sdk
//                  (`pnpm pack` replaces `workspace:^` with the version) + the peers;
//   original       @lucid-dreams/agent-auth@0.2.24 (the published original, with its dependencies) + the peers;
//   GOAT           @goat-sdk/core, @goat-sdk/adapter-vercel-ai, @goat-sdk/wallet-viem + the peers;
//   AgentKit       @coinbase/agentkit, @coinbase/agentkit-vercel-ai-sdk + the peers;
// and the peers alone, to say what each adds beyond them. Counted: package directories under node_modules
// (nested ones included) and `du -sk node_modules`. Needs the npm registry.
// Targets (counts, not timings): ours adds <= 15 packages beyond the peers, and installs fewer packages than the
// original.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { header, PACKAGE_DIR, positiveInt, requireBuild, table, target } from "./lib/report.mjs";

requireBuild();
const PEERS = ["ai", "zod", "viem"];
const PROJECTS = [
  { name: "peers alone", specs: [] },
  { name: "ours (agent-auth + sdk + ai-sdk)", specs: "ours" },
  { name: "original 0.2.24", specs: ["@lucid-dreams/agent-auth@0.2.24"] },
  {
    name: "GOAT (core + adapter-vercel-ai + wallet-viem)",
    specs: ["@goat-sdk/core", "@goat-sdk/adapter-vercel-ai", "@goat-sdk/wallet-viem"],
  },
  {
    name: "AgentKit (agentkit + vercel-ai-sdk)",
    specs: ["@coinbase/agentkit", "@coinbase/agentkit-vercel-ai-sdk"],
  },
];

header(
  "4. install footprint of a working user project (adapter + peers ai, zod, viem), installed with npm now",
  [
    "packages = directories under node_modules (nested included); size = du -sk node_modules; --ignore-scripts",
  ],
);

/** One command; an install that takes longer than BENCH_INSTALL_TIMEOUT_S (default 900 s) counts as failed. */
const run = (command, args, cwd) =>
  execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: "pipe",
    maxBuffer: 64 << 20,
    timeout: positiveInt(process.env.BENCH_INSTALL_TIMEOUT_S, 900) * 1000,
  });

/** Every installed package (name@version), walking node_modules and nested node_modules. */
function installedPackages(nodeModules, found = []) {
  if (!existsSync(nodeModules)) return found;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith(".")) continue;
    const dirs = entry.startsWith("@")
      ? readdirSync(join(nodeModules, entry)).map((name) => join(nodeModules, entry, name))
      : [join(nodeModules, entry)];
    for (const dir of dirs) {
      const manifest = join(dir, "package.json");
      if (!existsSync(manifest)) continue;
      const { name, version } = JSON.parse(readFileSync(manifest, "utf8"));
      found.push({ name, version });
      installedPackages(join(dir, "node_modules"), found);
    }
  }
  return found;
}

function install(tmp, index, specs) {
  const project = join(tmp, `project-${index}`);
  mkdirSync(project);
  run("npm", ["init", "-y"], project);
  const args = ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"];
  run("npm", [...args, ...specs, ...PEERS], project);
  const packages = installedPackages(join(project, "node_modules"));
  const kb = Number(run("du", ["-sk", "node_modules"], project).split("\t")[0]);
  rmSync(project, { recursive: true, force: true });
  return { packages, mb: kb / 1024 };
}

const tmp = mkdtempSync(join(tmpdir(), "lucid-bench-footprint-"));
const date = new Date().toISOString().slice(0, 10);
try {
  const tarballs = join(tmp, "tarballs");
  for (const dir of ["sdk", "core", "ai-sdk"]) {
    run("corepack", ["pnpm", "pack", "--pack-destination", tarballs], join(PACKAGE_DIR, "..", dir));
  }
  const ours = readdirSync(tarballs).map((file) => join(tarballs, file));
  const rows = [["", "packages", "beyond the peers", "node_modules"]];
  const results = [];
  for (const [index, project] of PROJECTS.entries()) {
    try {
      const result = install(tmp, index, project.specs === "ours" ? ours : project.specs);
      results.push(result);
      const beyond = result.packages.length - results[0].packages.length;
      rows.push([
        project.name,
        result.packages.length,
        index === 0 ? "" : beyond,
        `${result.mb.toFixed(1)} MB`,
      ]);
      console.log(`   installed ${rows.at(-1).join(", ")}`);
    } catch (error) {
      results.push(undefined);
      const why = String(error.stderr || error.message)
        .trim()
        .split("\n")
        .slice(-2)
        .join(" / ");
      rows.push([project.name, "install failed", why.slice(0, 80), ""]);
    }
  }
  table(rows);
  console.log(
    `   installed on ${date} with npm ${run("npm", ["--version"], tmp).trim()}, peers: ${PEERS.join(", ")}`,
  );
  const [peers, oursResult, original] = results;
  const beyond = oursResult && peers ? oursResult.packages.length - peers.packages.length : undefined;
  const peerNames = new Set(peers?.packages.map((p) => `${p.name}@${p.version}`));
  const added = oursResult?.packages.filter((p) => !peerNames.has(`${p.name}@${p.version}`)) ?? [];
  console.log(`   ours adds: ${added.map((p) => `${p.name}@${p.version}`).join(", ")}`);
  target(
    "install footprint beyond the peers",
    "ours adds <= 15 packages beyond ai, zod, viem",
    beyond === undefined ? "not installed" : `${beyond} packages`,
    beyond === undefined ? null : beyond <= 15,
  );
  target(
    "install footprint vs the original",
    "ours installs fewer packages than the original 0.2.24 (same peers)",
    oursResult && original
      ? `${oursResult.packages.length} vs ${original.packages.length} packages, ${oursResult.mb.toFixed(1)} vs ${original.mb.toFixed(1)} MB`
      : "not installed",
    oursResult && original ? oursResult.packages.length < original.packages.length : null,
  );
} catch (error) {
  const why = String(error.stderr || error.message)
    .trim()
    .split("\n")
    .slice(-3)
    .join(" / ");
  console.log(`   could not measure: ${why}`);
  target(
    "install footprint beyond the peers",
    "ours adds <= 15 packages beyond ai, zod, viem",
    "failed",
    null,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
