// Heap per signed-in runtime, ours vs the published original 0.2.24.
//
// What: heap retained by N signed-in runtimes (after a full GC), divided by N, for each candidate, in a child
// process of its own per round (node --expose-gc), rounds alternating which candidate goes first. The
// sign-in goes through an in-memory fake server (bench/lib/sign-in-fixture.mjs), the same for both.
// Target: ours <= 4 KB per runtime (ratio to the original reported beside it).

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  DIST_INDEX,
  fmtRatio,
  header,
  positiveInt,
  ROUNDS,
  requireBuild,
  spread,
  table,
  verdict,
} from "./lib/report.mjs";

requireBuild();
const N = positiveInt(process.env.BENCH_RUNTIMES, 1000);

if (process.argv[2] === "--child") {
  const which = process.argv[3];
  const { fakeAuthFetch, signInOurs, signInOriginal } = await import("./lib/sign-in-fixture.mjs");
  const mod = which === "ours" ? await import(DIST_INDEX) : await import("lucid-published-agent-auth");
  const signIn = which === "ours" ? signInOurs : signInOriginal;
  const { fetch } = fakeAuthFetch();
  // Warm up (module-level caches, JIT) with a few runtimes not counted.
  const warm = [];
  for (let i = 0; i < 20; i++) warm.push(await signIn(mod, fetch));
  const heap = () => {
    for (let i = 0; i < 4; i++) globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  const before = heap();
  const runtimes = [];
  for (let i = 0; i < N; i++) runtimes.push(await signIn(mod, fetch));
  const after = heap();
  process.stdout.write(JSON.stringify({ bytes: (after - before) / N, kept: runtimes.length + warm.length }));
  for (const runtime of [...warm, ...runtimes]) await runtime.shutdown?.();
  process.exit(0);
}

header(`heap per signed-in runtime: ${N} runtimes, ours vs the original 0.2.24`, [
  `${ROUNDS} rounds, one child process (--expose-gc) per candidate per round, order alternating`,
  "sign-in through an in-memory fake server (no signature checks), background refresh off for ours",
]);

const self = fileURLToPath(import.meta.url);
const measure = (which) => {
  const child = spawnSync(process.execPath, ["--expose-gc", self, "--child", which], { encoding: "utf8" });
  if (child.status !== 0) throw new Error(`${which}: ${child.stderr.slice(0, 500)}`);
  return JSON.parse(child.stdout).bytes;
};
const ours = [];
const original = [];
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 0) {
    ours.push(measure("ours"));
    original.push(measure("original"));
  } else {
    original.push(measure("original"));
    ours.push(measure("ours"));
  }
}
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
const oursKb = spread(ours);
const ratio = spread(ours.map((value, i) => value / original[i]));
table([
  ["", "min", "median", "max"],
  ["ours per runtime", kb(oursKb.min), kb(oursKb.median), kb(oursKb.max)],
  ["original per runtime", ...Object.values(spread(original)).map(kb)],
  ["ours / original", fmtRatio(ratio.min), fmtRatio(ratio.median), fmtRatio(ratio.max)],
]);
verdict("heap per runtime", "ours <= 4 KB per signed-in runtime", oursKb, 4096, true, kb);
process.exit(0);
