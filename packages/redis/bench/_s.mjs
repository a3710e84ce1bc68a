import { createClient } from "redis";
import { startRedisForBench } from "./lib/redis.mjs";
const { RESERVE } = await import("../dist/ledger-scripts.js");
const redis = await startRedisForBench();
const client = createClient({ url: redis.url });
await client.connect();
const N = 4000;
const markers = [
  "local H = KEYS[1]",
  "local p = 6 + nA",
  "local totals, states = {}, {}",
  "-- the sum of the amounts",
  "-- the new sums, computed once",
  "local entry = { 'R', fp, now }",
  "  redis.call('ZADD', z, now, amount .. ':' .. key)",
  "  if now >= s.clean then",
  "  entry[#entry + 1] = ARGV[5 + i]",
  "out[#out + 1] = 'e:' .. key",
  "redis.call('HSET', H, unpack(out))\nreturn {'reserved'}",
  "return {'reserved'}",
];
let src = RESERVE.source;
src = src.replace(
  "local function clock(arg)",
  "local __T = {}\nlocal function __t() local t = redis.call('TIME') __T[#__T+1] = tonumber(t[1]) * 1000000 + tonumber(t[2]) end\nlocal function clock(arg)",
);
src = "local __T0 = redis.call('TIME')\n" + src;
for (const [i, m] of markers.entries()) {
  if (!src.includes(m)) throw new Error(m);
  src = src.replace(m, `__t()\n${m}`);
}
src = src.replace(/return \{'reserved'\}\n$/, "return __T\n");
const sha = await client.scriptLoad(src);
const args = (i) => [
  "",
  "2678400000",
  `k${i}`,
  "f",
  "1",
  "eip155:8453/slip44:60",
  "1",
  "1",
  "1000000000000000000",
  "2",
  "budget",
  "1000000000000000000000000000000",
  "",
  "budget:1h",
  "1000000000000000000000000000000",
  "3600000",
];
const keys = ["bench:ledger:{s}:v2", "bench:ledger:{s}:v2:win:eip155:8453/slip44:60"];
for (let i = 0; i < 500; i++) await client.evalSha(sha, { keys, arguments: args(i) });
const acc = new Array(markers.length).fill(0);
for (let i = 0; i < N; i++) {
  const r = await client.evalSha(sha, { keys, arguments: args(i + 1000) });
  for (let j = 1; j < r.length; j++) acc[j] += r[j] - r[j - 1];
}
for (let j = 1; j < markers.length; j++)
  console.log(`${(acc[j] / N).toFixed(2)} us  before ${JSON.stringify(markers[j]).slice(0, 50)}`);
await client.close();
await redis.stop();
