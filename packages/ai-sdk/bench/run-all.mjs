// Runs every `*.bench.mjs` of this folder, each in its own node process (a clean heap and JIT per benchmark),
// then prints a summary of the targets. Always exits 0: benchmarks report, they never fail a build.
//
//   node bench/run-all.mjs                          all of them
//   node bench/run-all.mjs tool-overhead import     only those whose file name contains one of the words

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireBuild, table } from "./lib/report.mjs";

requireBuild();
const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((file) => file.endsWith(".bench.mjs"))
  .filter((file) => filters.length === 0 || filters.some((word) => file.includes(word)))
  .sort((a, b) => order(a) - order(b));

/** The order: tool-call overhead, local signing, import cost. */
function order(file) {
  const index = ["tool-overhead", "local-signing", "import-cost"].findIndex((name) => file.startsWith(name));
  return index === -1 ? 99 : index;
}

const summaryDir = mkdtempSync(join(tmpdir(), "lucid-bench-summary-"));
const summaryFile = join(summaryDir, "targets.jsonl");
console.log(`@lucid-dreams/ai-sdk benchmarks: node ${process.version}, ${process.platform}/${process.arch}`);
console.log("Timings are ratios to baselines measured in the same run; machines are shared and noisy.");
try {
  for (const bench of benches) {
    const child = spawnSync(process.execPath, [join(here, bench)], {
      stdio: "inherit",
      env: { ...process.env, BENCH_SUMMARY_FILE: summaryFile },
    });
    if (child.status !== 0) console.log(`   ${bench} exited with ${child.status ?? child.signal}: see above`);
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
