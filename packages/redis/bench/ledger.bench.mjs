// 2. A ledger reservation vs one raw Redis round trip.
//
// What: latency (p50) of `RedisSpendLedger.reserve()` (one item, a lifetime limit and a 1 h window, distinct
// keys, budget never reached) vs three references on the same connection: `GET` (one raw round trip),
// `EVALSHA` of an empty script (the floor of any Lua script) and `EVALSHA` of a script that runs only the four
// commands a reservation needs (HMGET, TIME, ZADD, HSET) on keys and arguments of the same shape (the floor of
// this design: everything a reservation computes, in Lua and in the client, is the difference). Sequential;
// they alternate one operation at a time, in a rotating order: a shared virtual machine's round trip is
// bimodal (about 25 us or about 75 us here, switching every few milliseconds), and alternating one by one puts
// every subject in both modes alike (batches let a round's GETs land in one mode and its reservations in the
// other: ratios from 0.8x to 2.8x in one run). The two scripts go the way the ledger sends its own
// (`sendCommand`, a shared abort signal, no per-command timer): sent through `evalSha` with node-redis's
// default 5 s timeout, they cost what that timer costs (a timer per command, fired 5 s later by thousands), and
// their timers slowed the reservations measured between them (reserve/GET 1.40-1.48x -> 1.6-1.7x in the fast
// mode). A round is 1,000 operations of each subject (BENCH_BATCH): its p50 then holds the machine's modes in
// about the same mix for every subject (with 200, one round in a run now and then came out 0.1x above the
// others). Target: reserve p50 <= 1.5x the GET p50.
// Verdict over the rounds' ratios: met only if the max is within the target, missed if even the min is
// outside it, not decided otherwise. At least 7 rounds (BENCH_ROUNDS may ask for more): the max of more rounds
// is a stricter test, and 7 is what the README reports.
//
// Then the server's side, from `INFO commandstats`: commands run per reservation (TIME, HMGET, ZADD, HSET; no
// ZRANGEBYSCORE, nothing leaves the 1 h window) and the server time of one: the most stable figure on a shared
// machine, where round trips vary with the load.
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
  verdict,
} from "./lib/report.mjs";

requireBuild();
const BATCH = positiveInt(process.env.BENCH_BATCH, 1000);
const ROUND_COUNT = Math.max(7, ROUNDS);
const TARGET = 1.5;

header("2. RedisSpendLedger.reserve() vs one raw Redis round trip (GET) and an empty EVALSHA", [
  `${ROUND_COUNT} rounds of ${BATCH} reserves, GETs, empty EVALSHAs and 4-command EVALSHAs, alternating one by one; p50 per round`,
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
  await client.set("bench:raw", "x");
  const get = () => client.get("bench:raw");
  // the same GET without node-redis's per-command timer (its default 5 s timeout makes an AbortSignal.timeout()
  // per command; the ledger's commands carry a shared signal instead), sent as the ledger sends its scripts
  const bareOptions = { timeout: undefined };
  const bare = () => client.sendCommand(["GET", "bench:raw"], bareOptions);
  // the scripts below go the way the ledger sends its own: `sendCommand`, an abort signal shared by many
  // commands, no per-command timer (the ledger's commands never make one)
  const scriptOptions = { abortSignal: new AbortController().signal, timeout: undefined };
  const emptySha = await client.scriptLoad("return 1");
  const empty = () => client.sendCommand(["EVALSHA", emptySha, "1", "bench:raw"], scriptOptions);
  // the four commands of a reservation, nothing computed: same number of keys and arguments, sizes alike
  const floorSha = await client.scriptLoad(`
local got = redis.call('HMGET', KEYS[1], 'e:' .. ARGV[2], 'n', 's:' .. ARGV[4])
local t = redis.call('TIME')
redis.call('ZADD', KEYS[3], t[1], ARGV[5])
redis.call('HSET', KEYS[1], 'n', string.sub(ARGV[1], 1, 24), 'e:' .. ARGV[2], ARGV[3], 's:' .. ARGV[4], string.sub(ARGV[1], 1, 128))
return 'reserved'`);
  const floorArgs = Buffer.alloc(176, 1);
  const floor = () => {
    key += 1;
    return client.sendCommand(
      [
        "EVALSHA",
        floorSha,
        "3",
        "bench:floor:{s}",
        "bench:floor:{s}:keys",
        "bench:floor:{s}:win",
        floorArgs,
        `f${key}`,
        '1 f[["eip155:8453/slip44:60","1000000000000000000"]]',
        "eip155:8453/slip44:60",
        `1000000000000000000:f${key}`,
      ],
      scriptOptions,
    );
  };
  const subjects = [
    ["raw", get],
    ["bare", bare],
    ["empty", empty],
    ["floor", floor],
    ["reserve", reserve],
  ];
  for (let i = 0; i < 500; i += 1) for (const [, fn] of subjects) await fn();

  const p50 = {
    reserve: [],
    raw: [],
    bare: [],
    empty: [],
    floor: [],
    ratio: [],
    ratioBare: [],
    ratioEmpty: [],
    ratioFloor: [],
  };
  for (let round = 0; round < ROUND_COUNT; round += 1) {
    const samples = { reserve: [], raw: [], bare: [], empty: [], floor: [] };
    for (let done = 0; done < BATCH; done += 1) {
      const shift = (round + done) % subjects.length;
      for (const [name, fn] of [...subjects.slice(shift), ...subjects.slice(0, shift)]) {
        const t0 = performance.now();
        await fn();
        samples[name].push(performance.now() - t0);
      }
    }
    const r = percentile(samples.reserve, 50);
    const raw = percentile(samples.raw, 50);
    p50.reserve.push(r);
    p50.raw.push(raw);
    p50.bare.push(percentile(samples.bare, 50));
    p50.ratioBare.push(r / percentile(samples.bare, 50));
    p50.empty.push(percentile(samples.empty, 50));
    p50.floor.push(percentile(samples.floor, 50));
    p50.ratio.push(r / raw);
    p50.ratioEmpty.push(r / percentile(samples.empty, 50));
    p50.ratioFloor.push(percentile(samples.floor, 50) / raw);
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
    row("GET without a per-command timer", p50.bare, fmtMs),
    row("empty EVALSHA", p50.empty, fmtMs),
    row("4-command floor script", p50.floor, fmtMs),
    row("ledger reserve", p50.reserve, fmtMs),
    row("ratio reserve/GET", p50.ratio, fmtRatio),
    row("ratio reserve/GET without timer", p50.ratioBare, fmtRatio),
    row("ratio reserve/empty EVALSHA", p50.ratioEmpty, fmtRatio),
    row("ratio floor/GET (the design's floor)", p50.ratioFloor, fmtRatio),
  ]);

  // The server's side: what one reservation runs, and how long Redis spends on it.
  const N = 2000;
  await client.sendCommand(["CONFIG", "RESETSTAT"]);
  for (let i = 0; i < N; i += 1) await reserve();
  const stats = String(await client.sendCommand(["INFO", "commandstats"]));
  const rows = [["per reservation (INFO commandstats)", "calls", "server us/call"]];
  for (const line of stats.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(line.trim());
    if (!m || m[1].startsWith("config")) continue;
    rows.push([
      m[1] === "evalsha" ? "EVALSHA (the whole script)" : `  ${m[1].toUpperCase()}`,
      (Number(m[2]) / N).toFixed(2),
      m[4],
    ]);
  }
  table(rows);

  verdict(
    "ledger reservation latency",
    `reserve p50 <= ${TARGET}x one raw Redis round trip (GET), every round`,
    p50.ratio,
    TARGET,
  );
} finally {
  await client.close();
  await redis.stop();
}
