// 1. Tool-call overhead: `signMessage` through `lucidTools(runtime)` vs the generated SDK call.
//
// What: a server-side signature (POST /v1/agents/{agentRef}/wallet/sign-message) against the local server,
// which runs in a process of its own (bench-lib/server-process.mjs), so this process holds only the client:
//   tool  `lucidTools(runtime).signMessage.execute({ message, encoding: null }, { toolCallId, messages: [] })`,
//         as the AI SDK calls it (a fresh toolCallId per call, so the server signs every time);
//   sdk   `postV1AgentsByAgentRefWalletSignMessage({ client, auth: token, path, body, headers })` of
//         @lucid-dreams/sdk with a plain `createClient({ baseUrl })` and the same token, a fresh idempotency key
//         per call. The server gets the same request from both: the body the tool sends (`message`, `encoding`,
//         `idempotency_key`) and the `idempotency-key` header the runtime adds (its retry rule reads it).
// First a warm-up of BENCH_WARMUP calls per candidate, in chunks alternating between the candidates and between
// concurrency 1 and 8, so that both paths are compiled (JIT) before anything is measured; its CPU per call is
// printed for information (it includes compiling the longer path). Then, at concurrency 1 and 8 (that many
// callers in flight), each round runs BENCH_CALLS calls per candidate in slices of BENCH_SLICE (100) calls,
// A B B A A B B A ... (B A A B ... the next round), so that a drift during the round (the machine's load, late JIT
// work) longer than a slice (about 0.1 s) weighs on both alike. Per round:
// p50 and p99 latency, throughput and the client's CPU time per call (process.cpuUsage, user + system). Ratios
// tool / sdk per round; min / median / max.
// Targets: tool throughput >= 0.95x the SDK's and client CPU per call <= 1.1x, at both concurrencies; p50 and
// p99 reported (and held to <= 1.05x). At concurrency 1 a round's p99 is its 4th-slowest call: a call that
// meets a young-generation GC (a few per round, longer on a loaded machine), so it moves with how much each
// path allocates.

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { AgentRuntime, LocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import { privateKeyToAccount } from "viem/accounts";
import { startServerProcess } from "../../../bench-lib/server-process.mjs";
import {
  DIST_INDEX,
  fmtRatio,
  header,
  PACKAGE_DIR,
  percentile,
  positiveInt,
  ROUNDS,
  requireBuild,
  spread,
  table,
  target,
  verdict,
} from "./lib/report.mjs";

requireBuild();
const CALLS = positiveInt(process.env.BENCH_CALLS, 2000);
const WARMUP = positiveInt(process.env.BENCH_WARMUP, 1500);
const WARMUP_CHUNK = 100;
const SLICE = positiveInt(process.env.BENCH_SLICE, 100);
const CONCURRENCY = [1, 8];

header(
  "1. tool-call overhead: lucidTools(runtime).signMessage vs the generated SDK, local server in its own process",
  [
    `${ROUNDS} rounds x ${CALLS} calls per candidate and concurrency, in slices of ${SLICE} calls A B B A A B B A ... (B A A B ... the next round)`,
    "every call is a real signature by the server wallet; CPU = this (client) process's user + system time",
  ],
);

const { lucidTools } = await import(DIST_INDEX);
// The very copy of the generated SDK the runtime uses.
const sdkPath = createRequire(import.meta.resolve("@lucid-dreams/agent-auth")).resolve("@lucid-dreams/sdk");
const sdk = await import(pathToFileURL(sdkPath).href);
const runId = Date.now().toString(36);
let next = 0;
/** Distinct messages of the same length for every call. */
const message = () => `bench ${runId} ${String(next++).padStart(8, "0")}`;

/** Runs `calls` calls of `call` with `concurrency` callers; latencies (ms), wall (ms) and CPU (µs) per call. */
async function run(call, calls, concurrency) {
  const latencies = [];
  let issued = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < calls) {
        issued++;
        const t = performance.now();
        await call();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { latencies, wall, cpu: used.user + used.system, calls };
}

/**
 * Runs both candidates for `calls` calls each, in slices of SLICE calls alternating A B B A A B B A ...: a change
 * of the machine's speed longer than a slice (about 0.1 s) hits both alike. Combined figures per candidate.
 */
async function abba(first, second, calls, concurrency) {
  const slices = { [first.name]: [], [second.name]: [] };
  const pattern = [first, second, second, first];
  const count = { [first.name]: 0, [second.name]: 0 };
  for (let i = 0; count[first.name] < calls || count[second.name] < calls; i++) {
    const candidate = pattern[i % 4];
    const size = Math.min(SLICE, calls - count[candidate.name]);
    if (size <= 0) continue;
    slices[candidate.name].push(await run(candidate.call, size, concurrency));
    count[candidate.name] += size;
  }
  const combined = {};
  for (const [name, runs] of Object.entries(slices)) {
    const wall = runs.reduce((sum, r) => sum + r.wall, 0);
    const count = runs.reduce((sum, r) => sum + r.calls, 0);
    combined[name] = {
      latencies: runs.flatMap((r) => r.latencies),
      cpuPerCall: runs.reduce((sum, r) => sum + r.cpu, 0) / count,
      perSecond: (count / wall) * 1000,
    };
  }
  return combined;
}

const server = await startServerProcess(PACKAGE_DIR);
let runtime;
try {
  const { seed } = server;
  runtime = await AgentRuntime.fromConfig({
    config: { baseUrl: server.url, agentRef: seed.agentRef, credentialId: seed.eoaCredentialId },
    wallet: { signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(seed.eoaPrivateKey) }) },
  });
  const token = await runtime.ensureAccessToken();
  const tools = lucidTools(runtime);
  const client = sdk.createClient({ baseUrl: server.url });
  const candidates = [
    {
      name: "tool",
      async call() {
        const result = await tools.signMessage.execute(
          { message: message(), encoding: null },
          { toolCallId: `call_${runId}_${next}`, messages: [] },
        );
        if (!result.ok) throw new Error(`tool call failed: ${JSON.stringify(result)}`);
      },
    },
    {
      name: "sdk",
      async call() {
        const idempotencyKey = `idem_${runId}_${next}`;
        const { data, response, error } = await sdk.postV1AgentsByAgentRefWalletSignMessage({
          client,
          auth: token,
          path: { agentRef: seed.agentRef },
          body: { message: message(), encoding: "utf-8", idempotency_key: idempotencyKey },
          headers: { "idempotency-key": idempotencyKey },
        });
        if (!response?.ok || !data?.signed?.signature) {
          throw new Error(`SDK call failed: ${response?.status} ${JSON.stringify(error)}`);
        }
      },
    },
  ];
  const warm = { tool: { cpu: 0, calls: 0 }, sdk: { cpu: 0, calls: 0 } };
  for (let done = 0, chunk = 0; done < WARMUP; done += WARMUP_CHUNK, chunk++) {
    const order = chunk % 2 === 0 ? candidates : [...candidates].reverse();
    for (const candidate of order) {
      const r = await run(candidate.call, Math.min(WARMUP_CHUNK, WARMUP - done), chunk % 4 < 2 ? 1 : 8);
      warm[candidate.name].cpu += r.cpu;
      warm[candidate.name].calls += r.calls;
    }
  }
  const warmCpu = (name) => (warm[name].cpu / warm[name].calls).toFixed(0);
  console.log(
    `   warm-up (${WARMUP} calls each, not measured below): CPU per call tool ${warmCpu("tool")} µs, sdk ${warmCpu("sdk")} µs`,
  );

  const before = (await server.counters()).signMessage;
  const results = {}; // results[concurrency][candidate] = per-round figures
  for (const concurrency of CONCURRENCY) {
    results[concurrency] = { tool: [], sdk: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const [first, second] = round % 2 === 0 ? candidates : [...candidates].reverse();
      const figures = await abba(first, second, CALLS, concurrency);
      for (const candidate of candidates) {
        const r = figures[candidate.name];
        results[concurrency][candidate.name].push({
          p50: percentile(r.latencies, 50),
          p99: percentile(r.latencies, 99),
          perSecond: r.perSecond,
          cpu: r.cpuPerCall,
        });
      }
    }
  }
  const served = (await server.counters()).signMessage - before;

  const rows = [["", "metric", "tool (median)", "sdk (median)", "tool/sdk min", "median", "max"]];
  const ratios = {};
  for (const concurrency of CONCURRENCY) {
    const { tool, sdk: direct } = results[concurrency];
    for (const [metric, unit] of [
      ["p50", "ms"],
      ["p99", "ms"],
      ["perSecond", "calls/s"],
      ["cpu", "µs CPU/call"],
    ]) {
      const ratio = spread(tool.map((t, i) => t[metric] / direct[i][metric]));
      ratios[`${concurrency}:${metric}`] = ratio;
      const med = (list) => spread(list.map((x) => x[metric])).median;
      rows.push([
        `concurrency ${concurrency}`,
        `${metric === "perSecond" ? "throughput" : metric} (${unit})`,
        med(tool).toFixed(metric === "perSecond" ? 0 : 2),
        med(direct).toFixed(metric === "perSecond" ? 0 : 2),
        fmtRatio(ratio.min),
        fmtRatio(ratio.median),
        fmtRatio(ratio.max),
      ]);
    }
  }
  table(rows);
  const expected = CONCURRENCY.length * ROUNDS * 2 * Math.ceil(CALLS / 2) * candidates.length;
  console.log(`   server signatures during the measured calls: ${served} (expected ${expected})`);
  for (const concurrency of CONCURRENCY) {
    const at = `at concurrency ${concurrency}`;
    verdict(
      `tool-call p50 ${at}`,
      `tool p50 <= 1.05x the SDK's ${at}`,
      ratios[`${concurrency}:p50`],
      1.05,
      true,
      fmtRatio,
    );
    verdict(
      `tool-call p99 ${at}`,
      `tool p99 <= 1.05x the SDK's ${at}`,
      ratios[`${concurrency}:p99`],
      1.05,
      true,
      fmtRatio,
    );
    verdict(
      `tool-call throughput ${at}`,
      `tool throughput >= 0.95x the SDK's ${at}`,
      ratios[`${concurrency}:perSecond`],
      0.95,
      false,
      fmtRatio,
    );
    verdict(
      `tool-call client CPU ${at}`,
      `tool client CPU per call <= 1.1x the SDK's ${at}`,
      ratios[`${concurrency}:cpu`],
      1.1,
      true,
      fmtRatio,
    );
  }
} catch (error) {
  console.log(`   could not measure: ${error?.stack ?? error}`);
  target("tool-call overhead", "tool vs SDK", "failed", null);
} finally {
  await runtime?.shutdown();
  await server.close();
}
process.exit(0);
