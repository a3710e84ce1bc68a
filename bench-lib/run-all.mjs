// Runs benchmarks one after another, each in its own node process (a clean heap and JIT per benchmark, and no
// two benchmarks competing for the cores), then prints a summary of the targets. Always exits 0: benchmarks
// report, they never fail a build. Arguments filter the benchmarks: only those whose file name contains one of
// the words run.
//   node bench-lib/run-all.mjs [words...]        every package's bench folder (the root `pnpm bench`)
//   runAll({ packageName, benchDir, order })     one package's folder (its bench/run-all.mjs)

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { table } from "./report.mjs";

/**
 * @param {{ packageName: string, benchDir: string, order: string[] }} options `order`: file-name prefixes in the
 *   order the benchmarks should run (the order); others run last.
 */
export function runAll({ packageName, benchDir, order }) {
  runSuites(`${packageName} benchmarks`, [{ benchDir, order }]);
}

/** The benchmark files of a folder, filtered by the command-line words, in `order` (by file-name prefix). */
function benchesOf({ benchDir, order }) {
  const rank = (file) => {
    const index = order.findIndex((name) => file.startsWith(name));
    return index === -1 ? order.length : index;
  };
  const filters = process.argv.slice(2);
  return readdirSync(benchDir)
    .filter((file) => file.endsWith(".bench.mjs"))
    .filter((file) => filters.length === 0 || filters.some((word) => file.includes(word)))
    .sort((a, b) => rank(a) - rank(b))
    .map((file) => join(benchDir, file));
}

function runSuites(title, suites) {
  const benches = suites.flatMap(benchesOf);
  const summaryDir = mkdtempSync(join(tmpdir(), "lucid-bench-summary-"));
  const summaryFile = join(summaryDir, "targets.jsonl");
  console.log(`${title}: node ${process.version}, ${process.platform}/${process.arch}, one at a time`);
  console.log("Timings are ratios to baselines measured in the same run; machines are shared and noisy.");
  try {
    for (const bench of benches) {
      const child = spawnSync(process.execPath, [bench], {
        stdio: "inherit",
        env: { ...process.env, BENCH_SUMMARY_FILE: summaryFile },
      });
      if (child.status !== 0)
        console.log(`   ${bench} exited with ${child.status ?? child.signal}: see above`);
    }
    let lines = [];
    try {
      lines = readFileSync(summaryFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    } catch {
      // no benchmark recorded a target
    }
    console.log("\n== summary of targets");
    table([
      ["", "target", "verdict", "measured"],
      ...lines.map((t) => [t.name, t.goal, t.verdict, t.measured]),
    ]);
  } finally {
    rmSync(summaryDir, { recursive: true, force: true });
  }
  process.exit(0);
}

// Run directly (the root `pnpm bench`): every package's bench folder, one benchmark at a time.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "packages");
  const suites = readdirSync(packagesDir)
    .map((name) => join(packagesDir, name, "bench"))
    .filter((benchDir) => existsSync(benchDir))
    .map((benchDir) => ({ benchDir, order: [] }));
  runSuites("all benchmarks", suites);
}
