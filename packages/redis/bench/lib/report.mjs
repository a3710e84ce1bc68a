// This package's paths for the shared benchmark helpers of ../../../../bench-lib/report.mjs.
import { appendFileSync } from "node:fs";
import { fmtRatio, median, packagePaths } from "../../../../bench-lib/report.mjs";

export * from "../../../../bench-lib/report.mjs";
export const { PACKAGE_DIR, DIST_INDEX, DIST_ENTRIES, requireBuild } = packagePaths(import.meta.url, [
  "index.js",
]);

/**
 * Prints and records the verdict of a ratio target measured over several rounds: `met` only if the largest
 * ratio is within `limit`, `missed` if even the smallest is outside it, `not decided` otherwise (the rounds
 * straddle the target: the machine was too noisy to tell).
 */
export function verdict(name, goal, ratios, limit) {
  const min = Math.min(...ratios);
  const max = Math.max(...ratios);
  const measured = `min ${fmtRatio(min)}, median ${fmtRatio(median(ratios))}, max ${fmtRatio(max)} over ${ratios.length} rounds`;
  const word = max <= limit ? "met" : min > limit ? "MISSED" : "NOT DECIDED";
  console.log(`   target: ${goal} -> ${word} (${measured})`);
  if (process.env.BENCH_SUMMARY_FILE) {
    appendFileSync(
      process.env.BENCH_SUMMARY_FILE,
      `${JSON.stringify({ name, goal, measured, verdict: word })}\n`,
    );
  }
}
