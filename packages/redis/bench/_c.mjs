import { createClient } from "redis";
import { startRedisForBench } from "./lib/redis.mjs";
const { ScriptRunner, script } = await import("../dist/redis-client.js");
const redis = await startRedisForBench();
const client = createClient({ url: redis.url });
await client.connect();
const s = script("return 1");
await client.scriptLoad(s.source);
const runner = new ScriptRunner(client, undefined, "x");
const timed = client.withCommandOptions({ timeout: 1000 });
const fns = {
  raw: () => client.evalSha(s.sha, { keys: ["a"], arguments: [] }),
  timedOpt: () => timed.evalSha(s.sha, { keys: ["a"], arguments: [] }),
  runner: () => runner.eval(s, ["a"], []),
};
for (let r = 0; r < 5; r++) {
  const out = {};
  for (const [n, f] of Object.entries(fns)) {
    const xs = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      await f();
      xs.push(performance.now() - t0);
    }
    xs.sort((a, b) => a - b);
    out[n] = (xs[1000] * 1000).toFixed(1);
  }
  console.log(out);
}
await client.close();
await redis.stop();
