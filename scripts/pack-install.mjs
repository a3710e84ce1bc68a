#!/usr/bin/env node
// Installs the packages as a user gets them from the registry: `pnpm pack` of every publishable package (workspace
// ranges become versions), then `npm install` of all tarballs into an empty npm project in the temp directory,
// once with zod 3.25 and once with zod 4. Fails on any npm warning, on an install that takes longer than
// INSTALL_TIMEOUT_MS (it must not hang), on a tarball without LICENSE / repository / homepage / bugs, on a
// README link that only works inside the repository, or on a source map whose sources the tarball lacks. Then it
// imports every entry point and runs `lucid-local-server --help` from the installed package.
//
// Run after `pnpm build`: `node scripts/pack-install.mjs` (`pnpm pack:install`).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = ["sdk", "core", "ai-sdk", "langchain", "local-server", "mcp", "redis"];
const INSTALL_TIMEOUT_MS = 5 * 60_000;
/** Peers a user installs next to the packages (what the READMEs' install lines name). */
const PEERS = ["ai@^6", "@langchain/core@^1", "viem@^2"];
const ZODS = ["zod@~3.25.76", "zod@^4"];

const work = mkdtempSync(join(tmpdir(), "lucid-pack-install-"));
const problems = [];
const fail = (message) => problems.push(message);

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: npmEnv(),
    ...options,
  });
}

/** Runs a command with a deadline; resolves with its output, rejects on a non-zero exit or the deadline. */
function runWithDeadline(cmd, args, cwd, timeoutMs) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...npmEnv(), npm_config_update_notifier: "false", npm_config_fund: "false" },
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      out += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`${cmd} ${args.join(" ")} did not finish within ${timeoutMs / 1000} s (a hang):\n${out}`),
      );
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}:\n${out}`));
    });
  });
}

// 1. Pack every publishable package.
const tarballDir = join(work, "tarballs");
mkdirSync(tarballDir);
const tarballs = [];
for (const name of PACKAGES) {
  const dir = join(root, "packages", name);
  if (!existsSync(join(dir, "dist"))) {
    console.error(`pack-install: packages/${name}/dist is missing; run pnpm build first.`);
    process.exit(1);
  }
  const before = new Set(readdirSync(tarballDir));
  run("corepack", ["pnpm", "pack", "--pack-destination", tarballDir], { cwd: dir });
  const created = readdirSync(tarballDir).find((file) => !before.has(file));
  tarballs.push(join(tarballDir, created));
}

// 2. Check what each tarball holds: metadata, LICENSE, README links, source maps.
const README_LINK = /\]\(([^)\s]+)\)/g;
for (const tarball of tarballs) {
  const listing = run("tar", ["-tzf", tarball]).split("\n").filter(Boolean);
  const files = new Set(listing);
  const read = (file) => run("tar", ["-xzOf", tarball, file]);
  const manifest = JSON.parse(read("package/package.json"));
  const label = manifest.name;
  if (!files.has("package/LICENSE")) fail(`${label}: no LICENSE in the tarball`);
  for (const field of ["repository", "homepage", "bugs", "license"]) {
    if (!manifest[field]) fail(`${label}: package.json has no "${field}"`);
  }
  if (manifest.repository && !manifest.repository.directory) fail(`${label}: repository has no "directory"`);
  for (const section of ["dependencies", "peerDependencies"]) {
    for (const [dep, range] of Object.entries(manifest[section] ?? {})) {
      if (String(range).startsWith("workspace:")) fail(`${label}: ${section}.${dep} is still ${range}`);
    }
  }
  const readme = files.has("package/README.md") ? read("package/README.md") : "";
  if (!readme) fail(`${label}: no README.md`);
  for (const [, target] of readme.matchAll(README_LINK)) {
    if (!/^(https?:|mailto:|#)/.test(target)) {
      fail(`${label}: README links to ${target}, which does not resolve on the registry page`);
    }
  }
  for (const file of listing.filter((f) => f.endsWith(".map"))) {
    const map = JSON.parse(read(file));
    for (const source of map.sources ?? []) {
      const shipped = join(dirname(file), source);
      if (!files.has(shipped)) fail(`${label}: ${file} points at ${source}, which the tarball does not ship`);
    }
  }
  for (const bin of Object.values(
    typeof manifest.bin === "string" ? { bin: manifest.bin } : (manifest.bin ?? {}),
  )) {
    if (!files.has(join("package", bin))) fail(`${label}: bin ${bin} is not in the tarball`);
  }
}

// 3. Install into empty npm projects, with zod 3.25 and with zod 4: no warning, no hang.
const smoke = `
import * as sdk from "@lucid-dreams/sdk";
import { zAgentChallengeRequest } from "@lucid-dreams/sdk/zod";
import * as core from "@lucid-dreams/agent-auth";
import * as tools from "@lucid-dreams/agent-auth/tools";
import * as node from "@lucid-dreams/agent-auth/node";
import * as aiSdk from "@lucid-dreams/ai-sdk";
import * as langchain from "@lucid-dreams/langchain";
import * as localServer from "@lucid-dreams/local-server";
import * as mcp from "@lucid-dreams/mcp";
import * as redis from "@lucid-dreams/agent-auth-redis";
const parsed = zAgentChallengeRequest.safeParse({ credential_id: 7 });
if (parsed.success) throw new Error("the zod schemas accepted a number as credential_id");
for (const [name, mod, fn] of [
  ["sdk", sdk, "createClient"], ["agent-auth", core, "createWallet"], ["tools", tools, "createLucidToolDescriptors"],
  ["node", node, "FileStorageAdapter"], ["ai-sdk", aiSdk, "lucidTools"], ["langchain", langchain, "LucidToolkit"],
  ["local-server", localServer, "startLocalServer"], ["mcp", mcp, "createLucidMcpServer"],
  ["agent-auth-redis", redis, "RedisSpendLedger"],
]) if (typeof mod[fn] !== "function") throw new Error(name + " has no " + fn);
console.log("imports ok");
`;
for (const zod of ZODS) {
  const project = join(work, `project-${zod.replace(/[^a-z0-9]+/gi, "-")}`);
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "lucid-install-check", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`,
  );
  const started = Date.now();
  try {
    const output = await runWithDeadline(
      "npm",
      ["install", "--no-audit", "--no-fund", "--loglevel=warn", ...tarballs, zod, ...PEERS],
      project,
      INSTALL_TIMEOUT_MS,
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const warnings = output.split("\n").filter((line) => /\bwarn\b|\bWARN\b/i.test(line));
    if (warnings.length > 0) fail(`npm install with ${zod} warned:\n  ${warnings.join("\n  ")}`);
    const installedZod = JSON.parse(
      readFileSync(join(project, "node_modules/zod/package.json"), "utf8"),
    ).version;
    console.log(`pack-install: npm install with ${zod} (zod ${installedZod}) took ${seconds} s`);
    writeFileSync(join(project, "smoke.mjs"), smoke);
    const imported = run(process.execPath, ["smoke.mjs"], { cwd: project }).trim();
    if (imported !== "imports ok") fail(`imports with ${zod}: ${imported}`);
    const help = run(resolve(project, "node_modules/.bin/lucid-local-server"), ["--help"], { cwd: project });
    if (!help.includes("Usage: lucid-local-server")) fail(`lucid-local-server --help with ${zod}: ${help}`);
    // lucid-mcp writes its usage to stderr (stdout is the MCP stream).
    const mcpHelp = spawnSync(resolve(project, "node_modules/.bin/lucid-mcp"), ["--help"], {
      cwd: project,
      encoding: "utf8",
      env: npmEnv(),
    });
    if (!`${mcpHelp.stdout}${mcpHelp.stderr}`.includes("Usage:\n  lucid-mcp")) {
      fail(`lucid-mcp --help with ${zod}: ${mcpHelp.stdout}${mcpHelp.stderr}`);
    }
  } catch (error) {
    fail(`with ${zod}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

rmSync(work, { recursive: true, force: true });
if (problems.length > 0) {
  console.error(`pack-install: ${problems.length} problem(s):\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(
  `pack-install: ${PACKAGES.length} packages packed and installed with ${ZODS.join(" and ")}: no problem`,
);

/**
 * The environment for npm: this process's, less the `npm_config_*` settings a package manager that runs this
 * script (pnpm) exports for itself, which npm does not know and would warn about, as a user's own npm would not.
 */
function npmEnv() {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^npm_config_/i.test(key) || /^npm_config_(registry|cache|userconfig)$/i.test(key),
    ),
  );
}
