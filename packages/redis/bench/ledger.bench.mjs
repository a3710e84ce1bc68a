// 2. A ledger reservation vs one raw Redis round trip.
//
// What: latency (p50) of `RedisSpendLedger.reserve()` (one item, a lifetime limit and a 1 h window, distinct
// keys, budget never reached) vs `client.get(key)` (one raw round trip on the same connection), sequential,
// interleaved in batches so load hits both alike. Target: reserve p50 <= 1.5x the raw round trip p50.
import { createClient } from "redis";
import { startRedisForBench } from "./lib/redis.mjs";
import {
  DIST_INDEX,
  fmtMs,
  fmtRatio,
  header,
  median,
  percentile,
  positiveInt,
  ROUNDS,
  requireBuild,
  table,
  target,
} from "./lib/report.mjs";

requireBuild();
const BATCH = positiveInt(process.env.BENCH_BATCH, 200);
const TARGET = 1.5;

header("2. RedisSpendLedger.reserve() vs one raw Redis round trip (GET)", [
  `${ROUNDS} rounds of ${BATCH} reserves and ${BATCH} GETs, interleaved in batches of 20; p50 per round`,
]);

const { RedisSpendLedger } = await import(DIST_INDEX);
const redis = await startRedisForBench();
const client = createClient({ url: redis.url });
await client.connect();
try {
  const ledger = new RedisSpendLedger({ client, prefix: "bench:" });
  const limits = [
    { rule: "budget", amount: 10n ** 30n },
    { rule: "budget:1h", amount: 10n ** 30n, windowMs: 3_600_000 },
  ];
  let key = 0;
  const reserve = () => {
    key += 1;
    return ledger.reserve({
      scope: "agent:bench",
      key: `k${key}`,
      fingerprint: "f",
      items: [{ asset: "eip155:8453/slip44:60", amount: 1_000_000_000_000_000n, limits }],
    });
  };
  const get = () => client.get("bench:raw");
  await client.set("bench:raw", "x");
  for (let i = 0; i < 200; i += 1) {
    await reserve();
    await get();
  }
  const p50 = { reserve: [], raw: [], ratio: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const samples = { reserve: [], raw: [] };
    for (let done = 0; done < BATCH; done += 20) {
      for (const [name, fn] of round % 2
        ? [
            ["raw", get],
            ["reserve", reserve],
          ]
        : [
            ["reserve", reserve],
            ["raw", get],
          ]) {
        for (let i = 0; i < 20; i += 1) {
          const t0 = performance.now();
          await fn();
          samples[name].push(performance.now() - t0);
        }
      }
    }
    p50.reserve.push(percentile(samples.reserve, 50));
    p50.raw.push(percentile(samples.raw, 50));
    p50.ratio.push(percentile(samples.reserve, 50) / percentile(samples.raw, 50));
  }
  const row = (name, values, fmt) => [
    name,
    fmt(Math.min(...values)),
    fmt(median(values)),
    fmt(Math.max(...values)),
  ];
  table([
    ["p50 per round", "min", "median", "max"],
    row("raw GET", p50.raw, fmtMs),
    row("ledger reserve", p50.reserve, fmtMs),
    row("ratio reserve/raw", p50.ratio, fmtRatio),
  ]);
  const ratio = median(p50.ratio);
  target(
    "ledger reservation latency",
    `reserve p50 <= ${TARGET}x one raw Redis round trip`,
    fmtRatio(ratio),
    ratio <= TARGET,
  );
} finally {
  await client.close();
  await redis.stop();
}
