// 4. Install footprint of @lucid-dreams/agent-auth + @lucid-dreams/sdk, as a user gets them from npm.
//
// How: `pnpm pack` both packages into a temp dir (pack replaces `workspace:^` with the version), then in a
// fresh `npm init -y` project `npm install --omit=peer --no-audit --no-fund <both tarballs>`, and again with
// every optional peer installed too (zod, viem, @opentelemetry/api). Counted: the package directories under
// node_modules (nested ones included) other than the two packages themselves, and `du -sk node_modules`.
// Needs the npm registry. The published original's figure is cited, not reinstalled: 477 packages, 705 MB.
// Target: at most 15 packages beyond the peers.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { header, PACKAGE_DIR, requireBuild, table, target } from "./lib/report.mjs";

requireBuild();
const OURS = new Set(["@lucid-dreams/agent-auth", "@lucid-dreams/sdk"]);
const OPTIONAL_PEERS = ["zod", "viem", "@opentelemetry/api"];
const SDK_DIR = join(PACKAGE_DIR, "..", "sdk");

header("4. install footprint: agent-auth + sdk from their packed tarballs, installed with npm", [
  "packages = directories under node_modules (nested included) other than the two; size = du -sk node_modules",
]);

const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: "utf8", stdio: "pipe" });

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

function install(tmp, name, specs) {
  const project = join(tmp, name);
  mkdirSync(project);
  run("npm", ["init", "-y"], project);
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...specs], project);
  const packages = installedPackages(join(project, "node_modules")).filter((p) => !OURS.has(p.name));
  const mb = (path) => Number(run("du", ["-sk", path], project).split("\t")[0]) / 1024;
  const sizes = [...OURS, ...packages.map((p) => p.name)]
    .filter((pkg) => existsSync(join(project, "node_modules", pkg)))
    .map((pkg) => `${pkg} ${mb(join(project, "node_modules", pkg)).toFixed(1)} MB`);
  return { packages, mb: mb(join(project, "node_modules")), sizes };
}

const tmp = mkdtempSync(join(tmpdir(), "lucid-bench-footprint-"));
try {
  const tarballs = join(tmp, "tarballs");
  for (const dir of [SDK_DIR, PACKAGE_DIR])
    run("corepack", ["pnpm", "pack", "--pack-destination", tarballs], dir);
  const files = readdirSync(tarballs).map((file) => join(tarballs, file));
  const coreTarball = files.find((file) => file.includes("agent-auth"));
  const manifest = JSON.parse(run("tar", ["-xOzf", coreTarball, "package/package.json"], tmp));
  console.log(
    `   packed: ${readdirSync(tarballs).join(", ")}; agent-auth depends on ${JSON.stringify(manifest.dependencies)}`,
  );

  const bare = install(tmp, "without-peers", ["--omit=peer", ...files]);
  const withPeers = install(tmp, "with-optional-peers", [...files, ...OPTIONAL_PEERS]);
  const ownNames = new Set(bare.packages.map((p) => p.name));
  const peersDeps = withPeers.packages.filter(
    (p) => !OPTIONAL_PEERS.includes(p.name) && !ownNames.has(p.name),
  );
  table([
    ["", "packages", "node_modules"],
    ["ours, --omit=peer", bare.packages.length, `${bare.mb.toFixed(1)} MB`],
    [
      `ours + optional peers (${OPTIONAL_PEERS.join(", ")})`,
      withPeers.packages.length,
      `${withPeers.mb.toFixed(1)} MB`,
    ],
    ["original 0.2.24 (cited, not reinstalled)", 477, "705 MB"],
  ]);
  console.log(
    `   --omit=peer installs: ${bare.packages.map((p) => `${p.name}@${p.version}`).join(", ") || "nothing else"}`,
  );
  console.log(`   sizes (--omit=peer): ${bare.sizes.join(", ")}`);
  console.log(
    `   with optional peers: ${OPTIONAL_PEERS.length} peers + ${peersDeps.length} of their own dependencies + ours (${[...ownNames].join(", ")})`,
  );
  target(
    "install footprint",
    "<= 15 packages beyond the peers",
    `${bare.packages.length} packages, ${bare.mb.toFixed(1)} MB (original: 477 packages, 705 MB)`,
    bare.packages.length <= 15,
  );
} catch (error) {
  console.log(
    `   could not measure: ${String(error.stderr || error.message)
      .trim()
      .split("\n")
      .slice(-3)
      .join(" / ")}`,
  );
  target(
    "install footprint",
    "<= 15 packages beyond the peers",
    "npm install failed (registry reachable?)",
    null,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
