// 1. Cached `ensureAccessToken()` with Redis storage vs the in-memory floor.
//
// What: calls per second of `runtime.ensureAccessToken()` while the token is valid, for two runtimes signed in to
// the local server: one on `MemoryStorageAdapter` (the floor) and one on `RedisStorageAdapter` (a real
// redis-server). Both answer from the token manager's in-process cache; the Redis one must not pay a round trip.
// Alternating BENCH_SLICE_MS slices per round; the ratio is the median of per-round ratios.
// Target: Redis >= 0.9x the in-memory rate.
import { AgentRuntime, LocalEoaWalletConnector, MemoryStorageAdapter } from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";
import { createClient } from "redis";
import { privateKeyToAccount } from "viem/accounts";
import { startRedisForBench } from "./lib/redis.mjs";
import {
  DIST_INDEX,
  fmtInt,
  fmtRatio,
  header,
  median,
  positiveInt,
  ROUNDS,
  requireBuild,
  table,
  target,
} from "./lib/report.mjs";

requireBuild();
const ROUND_MS = positiveInt(process.env.BENCH_ROUND_MS, 400);
const SLICE_MS = positiveInt(process.env.BENCH_SLICE_MS, 50);
const TARGET = 0.9;

header("1. cached ensureAccessToken(): RedisStorageAdapter vs MemoryStorageAdapter", [
  `${ROUNDS} rounds of ~${ROUND_MS} ms per candidate, in ${SLICE_MS} ms slices alternating between them`,
]);

const { RedisStorageAdapter } = await import(DIST_INDEX);
const redis = await startRedisForBench();
const server = await startLocalServer({ port: 0 });
const client = createClient({ url: redis.url });
await client.connect();
try {
  const make = (storage) =>
    AgentRuntime.fromConfig({
      config: {
        baseUrl: server.url,
        agentRef: server.seed.agentRef,
        credentialId: server.seed.eoaCredentialId,
      },
      wallet: {
        signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
      },
      storage,
      backgroundRefresh: false,
      telemetry: false,
    });
  const memory = await make(new MemoryStorageAdapter());
  const viaRedis = await make(new RedisStorageAdapter({ client, agentRef: server.seed.agentRef }));
  const tokens = [await memory.ensureAccessToken(), await viaRedis.ensureAccessToken()];
  if (tokens.some((token) => typeof token !== "string")) throw new Error("no token");

  const slice = async (runtime) => {
    const end = performance.now() + SLICE_MS;
    let count = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 256; i += 1) await runtime.ensureAccessToken();
      count += 256;
    }
    return count;
  };
  const rates = { memory: [], redis: [], ratio: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const counts = { memory: 0, redis: 0 };
    const started = { memory: 0, redis: 0 };
    for (let elapsed = 0; elapsed < ROUND_MS; elapsed += SLICE_MS) {
      const order = (round + elapsed / SLICE_MS) % 2 === 0 ? ["memory", "redis"] : ["redis", "memory"];
      for (const name of order) {
        const t0 = performance.now();
        counts[name] += await slice(name === "memory" ? memory : viaRedis);
        started[name] += performance.now() - t0;
      }
    }
    const memoryRate = (counts.memory / started.memory) * 1000;
    const redisRate = (counts.redis / started.redis) * 1000;
    rates.memory.push(memoryRate);
    rates.redis.push(redisRate);
    rates.ratio.push(redisRate / memoryRate);
  }
  const min = (values) => Math.min(...values);
  const max = (values) => Math.max(...values);
  table([
    ["candidate", "min calls/s", "median calls/s", "max calls/s"],
    ["memory (floor)", fmtInt(min(rates.memory)), fmtInt(median(rates.memory)), fmtInt(max(rates.memory))],
    ["redis", fmtInt(min(rates.redis)), fmtInt(median(rates.redis)), fmtInt(max(rates.redis))],
    [
      "ratio redis/memory",
      fmtRatio(min(rates.ratio)),
      fmtRatio(median(rates.ratio)),
      fmtRatio(max(rates.ratio)),
    ],
  ]);
  const ratio = median(rates.ratio);
  target(
    "cached ensureAccessToken with Redis storage",
    `redis >= ${TARGET}x the in-memory rate`,
    fmtRatio(ratio),
    ratio >= TARGET,
  );
  await memory.shutdown();
  await viaRedis.shutdown();
} finally {
  await client.close();
  await server.close();
  await redis.stop();
}
