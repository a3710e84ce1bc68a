// 3. Cold import of the root entry (`@lucid-dreams/agent-auth`, dist/index.js).
//
// Timing: wall time of fresh node processes, interleaved run after run: `node -e 0` (bare node),
// `node --input-type=module -e 0` (ESM eval, for reference), `... -e "await import('<dist/index.js>')"` and
// the same for the original 0.2.24 (`lucid-published-agent-auth`, the reference) and viem. Reported: medians, and
// the median of paired differences to bare node; per round (runs split into BENCH_ROUNDS groups), the ratio of
// the root entry's cost over bare node to the original's, as min / median / max.
// Module check (separate runs, with lib/record-loads.mjs preloaded): every URL the ESM loader loads while
// importing the root entry, against importing an empty file; plus the public builtins that appear in
// `process.moduleLoadList` only because of the import. The root entry must load no viem, no jose (the /coinbase and
// /privy entries' JWT library) and no `node:` module.
// Target: importing the root entry costs no more than importing the original 0.2.24 (ratio <= 1.0).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  DIST_INDEX,
  fmtMs,
  fmtRatio,
  header,
  median,
  ROUNDS,
  requireBuild,
  spread,
  table,
  target,
  verdict,
} from "./lib/report.mjs";

requireBuild();
const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 20);
const rootUrl = pathToFileURL(DIST_INDEX).href;
const viemUrl = import.meta.resolve("viem");
const originalUrl = import.meta.resolve("lucid-published-agent-auth");
const importOf = (url) => ["--input-type=module", "-e", `await import(${JSON.stringify(url)})`];

header("3. cold import of the root entry vs bare node", [
  `${RUNS} fresh processes per command, interleaved; delta = median of paired differences to bare node`,
]);

/** Wall time of one node process. A failure is retried once after a pause (dist/ may be mid-rebuild). */
function wallMs(args, retry = true) {
  const start = performance.now();
  const child = spawnSync(process.execPath, args, { encoding: "utf8" });
  const elapsed = performance.now() - start;
  if (child.status === 0) return elapsed;
  if (retry) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    return wallMs(args, false);
  }
  const why = child.stderr.split("\n").find((line) => /Error/.test(line)) ?? child.stderr.trim();
  throw new Error(`node ${args.join(" ")} failed: ${why}`);
}

try {
  // --- timing
  const commands = [
    { name: "node -e 0 (bare)", args: ["-e", "0"] },
    { name: "node --input-type=module -e 0", args: ["--input-type=module", "-e", "0"] },
    { name: "import root entry", args: importOf(rootUrl) },
    { name: "import viem (reference)", args: importOf(viemUrl) },
    { name: "import original 0.2.24 (reference)", args: importOf(originalUrl) },
  ];
  for (const command of commands) {
    wallMs(command.args); // warm the file system cache
    command.times = [];
  }
  for (let run = 0; run < RUNS; run++) {
    for (let i = 0; i < commands.length; i++) {
      const command = commands[(run + i) % commands.length];
      command.times.push(wallMs(command.args));
    }
  }
  const [bare] = commands;
  const rows = [["", "median", "over bare (paired)", "ratio to bare"]];
  for (const command of commands) {
    const delta = median(command.times.map((t, run) => t - bare.times[run]));
    command.delta = delta;
    rows.push([
      command.name,
      fmtMs(median(command.times)),
      fmtMs(delta),
      fmtRatio(median(command.times) / median(bare.times)),
    ]);
  }
  table(rows);

  // --- module check
  const recordDir = mkdtempSync(join(tmpdir(), "lucid-bench-loads-"));
  function loadsOf(url) {
    const file = join(recordDir, `${Math.random().toString(36).slice(2)}.txt`);
    const hook = fileURLToPath(new URL("../../../bench-lib/record-loads.mjs", import.meta.url));
    const script = `await import(${JSON.stringify(url)}); console.log(JSON.stringify(process.moduleLoadList));`;
    const child = spawnSync(process.execPath, ["--import", hook, "--input-type=module", "-e", script], {
      env: { ...process.env, BENCH_RECORD_LOADS: file },
      encoding: "utf8",
    });
    if (child.status !== 0) throw new Error(`module check failed: ${child.stderr.trim()}`);
    const urls = readFileSync(file, "utf8").split("\n").filter(Boolean);
    return { urls: new Set(urls), natives: new Set(JSON.parse(child.stdout)) };
  }
  try {
    const empty = loadsOf(new URL("../../../bench-lib/empty.mjs", import.meta.url).href);
    const root = loadsOf(rootUrl);
    const added = [...root.urls].filter((url) => !empty.urls.has(url));
    const builtins = added.filter((url) => url.startsWith("node:"));
    const files = added.filter((url) => url.startsWith("file:"));
    const viemFiles = files.filter((url) =>
      /\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?viem\//.test(url),
    );
    const joseFiles = files.filter((url) =>
      /\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?jose\//.test(url),
    );
    // Public builtins (`NativeModule fs`, not `NativeModule internal/...`) the import added to moduleLoadList.
    const nativeAdded = [...root.natives]
      .filter((entry) => !empty.natives.has(entry))
      .filter((entry) => entry.startsWith("NativeModule ") && !entry.startsWith("NativeModule internal/"));
    const byPackage = new Map();
    for (const url of files) {
      const path = fileURLToPath(url);
      const pkg = path.includes("/node_modules/")
        ? path
            .slice(path.lastIndexOf("/node_modules/") + 14)
            .split("/")
            .slice(0, path.includes("/node_modules/@") ? 2 : 1)
            .join("/")
        : path
            .replace(/\/(dist|src)\/.*$/, "")
            .split("/")
            .slice(-2)
            .join("/");
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1);
    }
    console.log(
      `   root import loads ${files.length} files: ${[...byPackage].map(([p, n]) => `${p} ${n}`).join(", ")}`,
    );
    console.log(
      `   viem files: ${viemFiles.length}; jose files: ${joseFiles.length}; node: modules imported by the graph: ${builtins.join(", ") || "none"}`,
    );
    // Builtins can also be loaded without any import: touching a lazily-loaded web global at module top level
    // (e.g. `new Headers()`) makes Node load its bundled undici and with it http, tls, zlib, ...
    console.log(
      `   builtins Node loaded because of the import (process.moduleLoadList): ${nativeAdded.map((e) => e.slice(13)).join(", ") || "none"}`,
    );
    const rootCmd = commands[2];
    const originalCmd = commands[4];
    const perRound = Math.max(1, Math.floor(RUNS / ROUNDS));
    const ratios = [];
    for (let start = 0; start + perRound <= RUNS; start += perRound) {
      const over = (command) =>
        median(command.times.slice(start, start + perRound).map((t, i) => t - bare.times[start + i]));
      ratios.push(over(rootCmd) / over(originalCmd));
    }
    console.log(
      `   root entry ${fmtMs(rootCmd.delta)} over bare node, the original ${fmtMs(originalCmd.delta)}, viem ${fmtMs(commands[3].delta)}`,
    );
    verdict(
      "cold import of the root entry",
      "root entry's import cost <= 1.0x the original 0.2.24's (over bare node)",
      spread(ratios),
      1.0,
      true,
      fmtRatio,
    );
    target(
      "root entry loads no viem, no jose and no node: module",
      "0 viem files, 0 jose files, 0 node: imports, 0 builtins beyond bare node",
      `${viemFiles.length} viem files, ${joseFiles.length} jose files, ${builtins.length} node: imports, ${nativeAdded.length} builtins loaded by Node`,
      viemFiles.length === 0 && joseFiles.length === 0 && builtins.length === 0 && nativeAdded.length === 0,
    );
  } finally {
    rmSync(recordDir, { recursive: true, force: true });
  }
} catch (error) {
  console.log(`   could not measure: ${error.message}`);
  target("cold import of the root entry", "<= 1.0x the original's import cost", "import failed", null);
}
