import { createClient } from "redis";
import { startRedisForBench } from "/work/wt/ledger/packages/redis/bench/lib/redis.mjs";
const { RedisSpendLedger } = await import("/work/wt/ledger/packages/redis/dist/index.js");
const redis = await startRedisForBench();
const client = createClient({ url: redis.url });
await client.connect();
const ledger = new RedisSpendLedger({ client, prefix: "bench:" });
const limits = [
  { rule: "budget", amount: 10n ** 30n },
  { rule: "budget:1h", amount: 10n ** 30n, windowMs: 3_600_000 },
];
let key = 0;
const reserve = () =>
  ledger.reserve({
    scope: "agent:bench",
    key: `k${++key}`,
    fingerprint: "f",
    items: [{ asset: "eip155:8453/slip44:60", amount: 1_000_000_000_000_000n, limits }],
  });
for (let i = 0; i < 2000; i++) await reserve();
await client.sendCommand(["CONFIG", "RESETSTAT"]);
const N = 5000;
let t0 = performance.now();
for (let i = 0; i < N; i++) await reserve();
const tRes = ((performance.now() - t0) / N) * 1000;
const stats = await client.sendCommand(["INFO", "commandstats"]);
console.log(
  stats
    .split("\n")
    .filter((l) => l.startsWith("cmdstat"))
    .map((l) => l.trim())
    .map((l) => {
      const m = l.match(/cmdstat_([\w|]+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/);
      return `${m[1]} calls/res=${(m[2] / N).toFixed(2)} usec/call=${m[4]}`;
    })
    .join("\n"),
);
const empty = await client.scriptLoad("return 1");
t0 = performance.now();
for (let i = 0; i < N; i++) await client.evalSha(empty, { keys: ["a"], arguments: [] });
const tE = ((performance.now() - t0) / N) * 1000;
t0 = performance.now();
for (let i = 0; i < N; i++) await client.get("x");
const tG = ((performance.now() - t0) / N) * 1000;
console.log({ tRes, tE, tG });
await client.close();
await redis.stop();
