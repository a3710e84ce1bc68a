// 3. Recovery after a Redis restart.
//
// What: a worker loops on `RedisSpendLedger.reserve()` and `RedisStorageAdapter.get()` (one connection, the
// README's reconnect delay of 100 ms). Redis (fsync'd append-only file) is stopped, the worker sees its calls
// refused, Redis is started again. Measured from the moment Redis is ready again ("Ready to accept
// connections") to the worker's first reserve that succeeds and its first `get` answered by Redis (not from
// the process's last known value). Reference in the same round: a fresh node-redis connection's first PING
// (Redis reachable at all). For node-redis and ioredis, alternating first. Target: recovery within 2 s of the
// restart, every round (the operation-based check lives in src/redis-outage.integration.test.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startRedisForBench } from "./lib/redis.mjs";
import { DIST_INDEX, fmtMs, header, median, ROUNDS, requireBuild, table, target } from "./lib/report.mjs";

requireBuild();
const ROUND_COUNT = Math.max(5, ROUNDS);
const RECONNECT_MS = 100;
const TARGET_MS = 2_000;
const KINDS = ["node-redis", "ioredis"];

header("3. Recovery after Redis is stopped and restarted (reserve and token read)", [
  `${ROUND_COUNT} restarts per client; reconnect delay ${RECONNECT_MS} ms; measured from Redis ready to the first success`,
]);

const { RedisSpendLedger, RedisStorageAdapter } = await import(DIST_INDEX);
const dir = mkdtempSync(join(tmpdir(), "redis-recovery-bench-"));
const redis = await startRedisForBench({ persistDir: dir });

async function connect(kind) {
  if (kind === "node-redis") {
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: () => RECONNECT_MS } });
    client.on("error", () => undefined);
    await client.connect();
    return { client, close: () => client.close() };
  }
  const client = new Redis(redis.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => RECONNECT_MS,
  });
  client.on("error", () => undefined);
  await client.connect();
  return { client, close: async () => client.disconnect() };
}

async function firstPing() {
  const t0 = performance.now();
  const client = createClient({ url: redis.url });
  client.on("error", () => undefined);
  await client.connect();
  await client.ping();
  const ms = performance.now() - t0;
  await client.close();
  return ms;
}

async function round(kind, index) {
  const { client, close } = await connect(kind);
  const ledger = new RedisSpendLedger({ client, prefix: `recovery-${index}-${kind}:` });
  const storage = new RedisStorageAdapter({ client, agentRef: `recovery-${index}-${kind}` });
  await storage.set("tokens", "T");
  let readyAt = null;
  let reserveAt = null;
  let getAt = null;
  let ok = 0;
  let refused = 0;
  let key = 0;
  const loop = (async () => {
    while (reserveAt === null || getAt === null) {
      let failed = false;
      key += 1;
      try {
        await ledger.reserve({
          scope: "s",
          key: `k${key}`,
          fingerprint: "f",
          items: [{ asset: "wei", amount: 1n, limits: [{ rule: "budget", amount: 10n ** 30n }] }],
        });
        ok += 1;
        if (readyAt !== null && reserveAt === null) reserveAt = performance.now();
      } catch {
        refused += 1;
        failed = true;
      }
      const fallbacks = storage.stats.localFallbacks;
      try {
        await storage.get("tokens");
        const fromRedis = storage.stats.localFallbacks === fallbacks;
        if (fromRedis && readyAt !== null && getAt === null) getAt = performance.now();
        if (!fromRedis) failed = true;
      } catch {
        failed = true;
      }
      await (failed ? sleep(2) : new Promise((resolve) => setImmediate(resolve)));
    }
  })();
  while (ok < 20) await sleep(1);
  await redis.stop();
  const refusedBefore = refused;
  while (refused < refusedBefore + 3) await sleep(1);
  await redis.start();
  readyAt = performance.now();
  const ping = await firstPing();
  await loop;
  await close();
  return { reserve: reserveAt - readyAt, get: getAt - readyAt, ping };
}

const results = Object.fromEntries(KINDS.map((kind) => [kind, { reserve: [], get: [], ping: [] }]));
try {
  for (let index = 0; index < ROUND_COUNT; index += 1) {
    const order = index % 2 === 0 ? KINDS : [...KINDS].reverse();
    for (const kind of order) {
      const r = await round(kind, index);
      for (const name of ["reserve", "get", "ping"]) results[kind][name].push(r[name]);
    }
  }
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

const row = (name, values) => [
  name,
  fmtMs(Math.min(...values)),
  fmtMs(median(values)),
  fmtMs(Math.max(...values)),
];
const rows = [["after Redis is ready again", "min", "median", "max"]];
for (const kind of KINDS) {
  rows.push(row(`${kind}: first reserve that succeeds`, results[kind].reserve));
  rows.push(row(`${kind}: first get answered by Redis`, results[kind].get));
  rows.push(row(`${kind}: (fresh connection's first PING)`, results[kind].ping));
}
table(rows);
const worst = Math.max(...KINDS.flatMap((kind) => [...results[kind].reserve, ...results[kind].get]));
const all = KINDS.flatMap((kind) => [...results[kind].reserve, ...results[kind].get]);
target(
  "recovery after a Redis restart",
  `first reserve and first token read from Redis within ${TARGET_MS} ms of the restart, every round`,
  `min ${fmtMs(Math.min(...all))} / median ${fmtMs(median(all))} / max ${fmtMs(worst)}, reconnect delay ${RECONNECT_MS} ms`,
  worst <= TARGET_MS,
);
