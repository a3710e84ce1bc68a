// Shared helpers of the benchmarks: statistics, formatting, and the target lines the runner summarises.
// Benchmarks report; they never fail. Timings are compared as ratios to baselines measured in the same run.

import { appendFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Rounds per measurement (median reported). Override with BENCH_ROUNDS. */
export const ROUNDS = positiveInt(process.env.BENCH_ROUNDS, 5);

export function positiveInt(text, fallback) {
  const value = Number.parseInt(text ?? "", 10);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const fmtInt = (n) => Math.round(n).toLocaleString("en-US");
export const fmtMs = (n) => `${n < 0.1 ? n.toFixed(4) : n < 10 ? n.toFixed(3) : n.toFixed(1)} ms`;
export const fmtRatio = (n) => `${n.toFixed(3)}x`;

export function header(title, what) {
  console.log(`\n== ${title}`);
  for (const line of what) console.log(`   ${line}`);
}

/** Prints an aligned table: rows of cells, the first row being the header. */
export function table(rows) {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
  for (const row of rows) {
    console.log(`   ${row.map((cell, col) => String(cell).padEnd(widths[col])).join("  ")}`);
  }
}

/** min / median / max of a list of per-round values. */
export function spread(values) {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/**
 * The verdict of a target over the per-round spread of a value: "met" when every round is within the limit,
 * "missed" when no round is, "not decided" when the spread straddles it. `atMost`: true when lower is better.
 */
export function decide({ min, max }, limit, atMost = true) {
  const worst = atMost ? max : min;
  const best = atMost ? min : max;
  const within = (value) => (atMost ? value <= limit : value >= limit);
  if (within(worst)) return "met";
  if (!within(best)) return "missed";
  return "not decided";
}

/**
 * Prints and records a target judged over a spread (see `decide`): `target: goal -> verdict (min / median /
 * max)`. `format` renders one value; `atMost` is true when lower is better.
 */
export function verdict(name, goal, values, limit, atMost = true, format = (n) => n.toFixed(3)) {
  const result = decide(values, limit, atMost);
  const measured = `min ${format(values.min)} / median ${format(values.median)} / max ${format(values.max)}`;
  console.log(`   target: ${goal} -> ${result} (${measured})`);
  record({ name, goal, measured, verdict: result });
  return result;
}

function record(line) {
  if (process.env.BENCH_SUMMARY_FILE)
    appendFileSync(process.env.BENCH_SUMMARY_FILE, `${JSON.stringify(line)}\n`);
}

/**
 * Prints `target: ... -> met/MISSED (measured)` and records it for the runner's summary (the file named by
 * BENCH_SUMMARY_FILE). `met` is true, false, or null when the target could not be measured.
 */
export function target(name, goal, measured, met) {
  const verdict = met === null ? "NOT MEASURED" : met ? "met" : "MISSED";
  console.log(`   target: ${goal} -> ${verdict} (${measured})`);
  record({ name, goal, measured, verdict });
}

/**
 * The paths of the package whose bench folder holds `benchLibUrl` (its `bench/lib/`), and `requireBuild()`,
 * which exits 0 (benchmarks never fail the build) with a hint when one of `entries` has not been built.
 */
export function packagePaths(benchLibUrl, entries = ["index.js"]) {
  const packageDir = join(dirname(fileURLToPath(benchLibUrl)), "..", "..");
  const dist = entries.map((entry) => join(packageDir, "dist", entry));
  return {
    PACKAGE_DIR: packageDir,
    DIST_INDEX: dist[0],
    DIST_ENTRIES: dist,
    requireBuild() {
      const missing = dist.find((file) => !existsSync(file));
      if (!missing) return;
      console.log(
        `  skipped: ${missing} is missing; run \`corepack pnpm build\` at the repository root first.`,
      );
      process.exit(0);
    },
  };
}
