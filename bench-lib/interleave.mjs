// Call rates of several candidates measured in interleaved time slices, so that the machine's drift hits all
// alike: each round runs roundMs / sliceMs slices of every candidate, in an order rotated slice by slice and round
// by round; a candidate's rate in a round is its calls over its own time in that round.

/** Calls `candidate.call()` for about `sliceMs`; returns [calls, elapsed ms]. */
async function slice(candidate, sliceMs) {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < sliceMs) {
    await candidate.call();
    calls += 1;
    elapsed = performance.now() - start;
  }
  return [calls, elapsed];
}

/** Warms every candidate up: 3 slices each, so the JIT has compiled what the rounds run. */
export async function warmUp(candidates, sliceMs) {
  for (const candidate of candidates) {
    for (let i = 0; i < 3; i++) await slice(candidate, sliceMs);
  }
}

/**
 * Sets `candidate.rates` to its calls per second in each of `rounds` rounds.
 * @param {Array<{ call: () => Promise<unknown>, rates?: number[] }>} candidates
 * @param {{ rounds: number, roundMs: number, sliceMs: number }} options
 */
export async function interleavedRates(candidates, { rounds, roundMs, sliceMs }) {
  for (const candidate of candidates) candidate.rates = [];
  for (let round = 0; round < rounds; round++) {
    const totals = candidates.map(() => [0, 0]);
    for (let n = 0; n < roundMs / sliceMs; n++) {
      for (let k = 0; k < candidates.length; k++) {
        const index = (round + n + k) % candidates.length;
        const [calls, elapsed] = await slice(candidates[index], sliceMs);
        totals[index][0] += calls;
        totals[index][1] += elapsed;
      }
    }
    candidates.forEach((candidate, i) => {
      candidate.rates.push((totals[i][0] / totals[i][1]) * 1000);
    });
  }
}
