// 10,000 sign-ins: the client's cost of creating a runtime and signing it in, ours vs the original 0.2.24.
//
// What: wall time of N sequential `fromConfig` + `ensureAccessToken()` (+ `shutdown()`), through the same
// in-memory fake server (bench/lib/sign-in-fixture.mjs: canned challenge and exchange answers, no signature
// checks), so only the clients' own work is timed. Each round runs N sign-ins per candidate in blocks of 500,
// alternating which candidate goes first; the ratio of a round is ours / original. min / median / max over rounds.
// Target: ours <= 1.0x the original.

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
import { fakeAuthFetch, signInOriginal, signInOurs } from "./lib/sign-in-fixture.mjs";

requireBuild();
const N = positiveInt(process.env.BENCH_SIGN_INS, 10_000);
const BLOCK = 500;

header(`${N} sign-ins: fromConfig + ensureAccessToken + shutdown, ours vs the original 0.2.24`, [
  `${ROUNDS} rounds; in each, blocks of ${BLOCK} sign-ins alternate between the candidates`,
  "through an in-memory fake server (no signature checks): the clients' own cost only",
]);

const ours = await import(DIST_INDEX);
const original = await import("lucid-published-agent-auth");
const candidates = [
  { name: "ours", mod: ours, signIn: signInOurs, fake: fakeAuthFetch(), ms: [] },
  { name: "original 0.2.24", mod: original, signIn: signInOriginal, fake: fakeAuthFetch(), ms: [] },
];

async function block(candidate, count) {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const runtime = await candidate.signIn(candidate.mod, candidate.fake.fetch);
    await runtime.shutdown();
  }
  return performance.now() - start;
}

// Warm-up (JIT, module caches), not counted.
for (const candidate of candidates) await block(candidate, 1000);

for (let round = 0; round < ROUNDS; round++) {
  const totals = [0, 0];
  for (let done = 0, n = 0; done < N; done += BLOCK, n++) {
    const order = (n + round) % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) totals[index] += await block(candidates[index], Math.min(BLOCK, N - done));
  }
  candidates.forEach((candidate, i) => {
    candidate.ms.push(totals[i]);
  });
}

const [o, b] = candidates;
const ratio = spread(o.ms.map((ms, i) => ms / b.ms[i]));
const fmt = (values) => Object.values(spread(values)).map((ms) => `${ms.toFixed(0)} ms`);
table([
  ["", "min", "median", "max"],
  [`ours, ${N} sign-ins`, ...fmt(o.ms)],
  [`original, ${N} sign-ins`, ...fmt(b.ms)],
  ["ours / original", fmtRatio(ratio.min), fmtRatio(ratio.median), fmtRatio(ratio.max)],
]);
const requests = candidates.map(
  (c) => `${c.name}: ${c.fake.counts.challenge} challenges, ${c.fake.counts.exchange} exchanges`,
);
console.log(`   requests seen by the fake server: ${requests.join("; ")}`);
verdict("10,000 sign-ins", "ours <= 1.00x the original's time", ratio, 1.0, true, fmtRatio);
process.exit(0);
