// The cold-import benchmark shared by the adapters (packages/ai-sdk/bench and packages/langchain/bench): importing
// the adapter vs importing its framework alone.
//
// Timing: wall time of fresh node processes, interleaved run after run (the order rotates), every child run
// with `cwd` = the package directory so that bare specifiers (`ai`, `@langchain/core/tools`) resolve from it:
//   `node -e 0` (bare node), `node --input-type=module -e 0` (the ESM loader alone, for reference),
//   `node --input-type=module -e "await import('<framework>')"`, the same for the adapter's built
//   `dist/index.js`, and for the Lucid modules the adapter brings (reference).
// Reported: medians, the median of paired differences to bare node, and the ratio adapter / framework of those
// differences (the target), also over the ESM-loader baseline and of the raw wall times.
// Attribution (separate runs): the modules each import loads, recorded by a loader hook (record-loads.mjs),
// grouped by package, the adapter's beyond the framework's; and, in fresh processes, the time of each import
// step after the framework is loaded (framework, then each module the adapter adds, then the adapter itself).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  fmtMs,
  fmtRatio,
  header,
  median,
  positiveInt,
  ROUNDS,
  spread,
  table,
  target,
  verdict,
} from "./report.mjs";

const RUNS = positiveInt(process.env.BENCH_IMPORT_RUNS, 30);
const STEP_RUNS = positiveInt(process.env.BENCH_IMPORT_STEP_RUNS, 12);
const importOf = (specifiers) => [
  "--input-type=module",
  "-e",
  specifiers.map((s) => `await import(${JSON.stringify(s)});`).join(" "),
];

/** Wall time of one node process. A failure is retried once after a pause (dist/ may be mid-rebuild). */
function wallMs(args, cwd, retry = true) {
  const start = performance.now();
  const child = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
  const elapsed = performance.now() - start;
  if (child.status === 0) return elapsed;
  if (retry) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    return wallMs(args, cwd, false);
  }
  const why = child.stderr.split("\n").find((line) => /Error/.test(line)) ?? child.stderr.trim();
  throw new Error(`node ${args.join(" ")} failed: ${why}`);
}

/** The package a loaded file belongs to: `ai`, `@langchain/core`, or `packages/core` for a workspace file. */
function packageOf(url) {
  const path = fileURLToPath(url);
  if (path.includes("/node_modules/")) {
    const rest = path.slice(path.lastIndexOf("/node_modules/") + 14).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return path
    .replace(/\/(dist|src)\/.*$/, "")
    .split("/")
    .slice(-2)
    .join("/");
}

/**
 * Runs the benchmark and prints its target line.
 * - `framework`: `{ label, specifier }`, imported by its bare specifier from `packageDir`.
 * - `adapter`: `{ label, url }`, the adapter's built entry (file URL).
 * - `lucid`: `{ label, specifiers }`, the Lucid modules the adapter imports (timed alone as a reference).
 * - `steps`: `[{ label, specifier }]`, imported one after the other after the framework, in one process, to
 *   split the adapter's extra cost; the adapter itself is the last step.
 */
export function runImportCost({ number, title, packageDir, framework, adapter, lucid, steps, target: goal }) {
  header(`${number}. cold import: ${title}`, [
    `${RUNS} fresh processes per command, interleaved (order rotated), cwd ${packageDir};`,
    "delta = median of paired differences to bare `node -e 0`; ratio = adapter delta / framework delta",
  ]);
  const name = `cold import: ${adapter.label} vs ${framework.label}`;
  const goalText = `adapter import <= ${goal}x the framework import (deltas over bare node)`;
  try {
    const commands = [
      { name: "node -e 0 (bare)", args: ["-e", "0"] },
      { name: "node --input-type=module -e 0 (ESM loader)", args: ["--input-type=module", "-e", "0"] },
      { name: `import ${framework.label} (framework)`, args: importOf([framework.specifier]) },
      { name: `import ${adapter.label} (adapter)`, args: importOf([adapter.url]) },
      { name: `import ${lucid.label} (reference)`, args: importOf(lucid.specifiers) },
    ];
    for (const command of commands) {
      wallMs(command.args, packageDir); // warm the file system cache
      command.times = [];
    }
    for (let run = 0; run < RUNS; run++) {
      for (let i = 0; i < commands.length; i++) {
        const command = commands[(run + i) % commands.length];
        command.times.push(wallMs(command.args, packageDir));
      }
    }
    const [bare, esm, fw, ad] = commands;
    const paired = (a, b) => median(a.times.map((t, run) => t - b.times[run]));
    const rows = [["", "median", "over bare (paired)", "over ESM loader (paired)"]];
    for (const command of commands) {
      command.delta = paired(command, bare);
      command.deltaEsm = paired(command, esm);
      rows.push([command.name, fmtMs(median(command.times)), fmtMs(command.delta), fmtMs(command.deltaEsm)]);
    }
    table(rows);
    const ratio = ad.delta / fw.delta;
    const ratioEsm = ad.deltaEsm / fw.deltaEsm;
    const ratioWall = median(ad.times) / median(fw.times);
    const extra = paired(ad, fw);
    console.log(
      `   adapter / framework: ${fmtRatio(ratio)} over bare node (target), ${fmtRatio(ratioEsm)} over the ESM ` +
        `loader, ${fmtRatio(ratioWall)} of wall times; adapter - framework (paired) ${fmtMs(extra)}`,
    );

    attribute({ packageDir, framework, adapter, steps });

    // Per round (runs split into ROUNDS groups): the adapter's cost over bare node / the framework's.
    const perRound = Math.max(1, Math.floor(RUNS / ROUNDS));
    const ratios = [];
    for (let start = 0; start + perRound <= RUNS; start += perRound) {
      const over = (command) =>
        median(command.times.slice(start, start + perRound).map((t, i) => t - bare.times[start + i]));
      ratios.push(over(ad) / over(fw));
    }
    verdict(name, goalText, spread(ratios), goal, true, fmtRatio);
  } catch (error) {
    console.log(`   could not measure: ${error?.stack ?? error}`);
    target(name, goalText, "import failed", null);
  }
}

/** What the adapter loads beyond its framework, and what each extra import costs once the framework is loaded. */
function attribute({ packageDir, framework, adapter, steps }) {
  const recordDir = mkdtempSync(join(tmpdir(), "lucid-bench-loads-"));
  try {
    const hook = fileURLToPath(new URL("./record-loads.mjs", import.meta.url));
    const loadsOf = (specifier) => {
      const file = join(recordDir, `${Math.random().toString(36).slice(2)}.txt`);
      const script = `await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(process.moduleLoadList));`;
      const child = spawnSync(process.execPath, ["--import", hook, "--input-type=module", "-e", script], {
        cwd: packageDir,
        env: { ...process.env, BENCH_RECORD_LOADS: file },
        encoding: "utf8",
      });
      if (child.status !== 0) throw new Error(`module check failed: ${child.stderr.trim()}`);
      const urls = readFileSync(file, "utf8").split("\n").filter(Boolean);
      return { urls: new Set(urls), natives: new Set(JSON.parse(child.stdout)) };
    };
    const fw = loadsOf(framework.specifier);
    const ad = loadsOf(adapter.url);
    const files = (set) => [...set].filter((url) => url.startsWith("file:"));
    const added = files(ad.urls).filter((url) => !fw.urls.has(url));
    const notLoaded = files(fw.urls).filter((url) => !ad.urls.has(url));
    const byPackage = new Map();
    for (const url of added) {
      const entry = byPackage.get(packageOf(url)) ?? { files: 0, bytes: 0 };
      entry.files += 1;
      entry.bytes += statSync(fileURLToPath(url)).size;
      byPackage.set(packageOf(url), entry);
    }
    const fwPackages = new Set(files(fw.urls).map(packageOf));
    const builtins = [...ad.urls].filter((url) => url.startsWith("node:") && !fw.urls.has(url));
    const natives = [...ad.natives]
      .filter((entry) => !fw.natives.has(entry))
      .filter((entry) => entry.startsWith("NativeModule ") && !entry.startsWith("NativeModule internal/"))
      .map((entry) => entry.slice(13));
    console.log(
      `   modules: framework ${files(fw.urls).length} files, adapter ${files(ad.urls).length} files ` +
        `(${added.length} beyond the framework's, ${notLoaded.length} of the framework's not loaded)`,
    );
    table([
      ["   added by the adapter", "files", "KiB", "package also loaded by the framework"],
      ...[...byPackage]
        .sort((a, b) => b[1].bytes - a[1].bytes)
        .map(([pkg, { files: n, bytes }]) => [
          `   ${pkg}`,
          n,
          (bytes / 1024).toFixed(1),
          fwPackages.has(pkg) ? "yes" : "no",
        ]),
    ]);
    console.log(
      `   node: imports added: ${builtins.join(", ") || "none"}; builtins Node loaded only for the adapter: ` +
        `${natives.join(", ") || "none"}`,
    );
    // Which of the adapter's files import what (static imports of packages), to name the edge that pulls a graph in.
    const distDir = dirname(fileURLToPath(adapter.url));
    for (const file of readdirSync(distDir).filter((f) => f.endsWith(".js"))) {
      const source = readFileSync(join(distDir, file), "utf8");
      for (const [, names, from] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^."][^"]*)"/g)) {
        const list = names
          .split(",")
          .map((n) => n.trim())
          .filter(Boolean)
          .join(", ");
        console.log(`   dist/${file} imports { ${list} } from "${from}"`);
      }
    }

    // Each step's import time, once the framework is loaded, in fresh processes (medians).
    const all = [{ label: framework.label, specifier: framework.specifier }, ...steps];
    const script = `const t = []; for (const s of ${JSON.stringify(all.map((s) => s.specifier))}) {
      const start = performance.now(); await import(s); t.push(performance.now() - start); }
      console.log(JSON.stringify(t));`;
    const samples = all.map(() => []);
    for (let run = 0; run < STEP_RUNS; run++) {
      const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: packageDir,
        encoding: "utf8",
      });
      if (child.status !== 0) throw new Error(`step timing failed: ${child.stderr.trim()}`);
      JSON.parse(child.stdout).forEach((ms, i) => {
        samples[i].push(ms);
      });
    }
    console.log(`   in-process import steps, in this order, median of ${STEP_RUNS} fresh processes:`);
    table([
      ["   step", "ms"],
      ...all.map((step, i) => [`   ${i === 0 ? "" : "then "}${step.label}`, fmtMs(median(samples[i]))]),
    ]);
  } catch (error) {
    console.log(`   attribution failed: ${error?.message ?? error}`);
  } finally {
    rmSync(recordDir, { recursive: true, force: true });
  }
}
