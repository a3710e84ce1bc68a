// 6. The policy's cost per call.
//
// Without simulation: `signTransaction` through the tool (policy: chain, fee ceiling, worst-case cost, decoded
// ERC-20 calldata, token and recipient rules, the ledger's reserve/commit, conversation-scoped key) vs the same
// transaction signed by the same local-key wallet directly (`wallet.signTransaction(body)`): the tool call
// without the policy. Both sign in this process (a local-EOA `createWallet`), with every fee field given, so no
// network is involved. Interleaved slices per round; ratio = median of per-round ratios.
// With simulation: the same call with the fee fields left null and `rpc` set to the local anvil, so the tool
// simulates (`eth_simulateV1`), estimates fees and reads nonce and balance. HTTP requests and JSON-RPC calls are
// counted per call through the transport (`http(url, { batch: true })`), and the time is reported as a ratio to
// the call without simulation.
// Targets: without simulation, the policy costs at most 1.5x the tool call without it; with simulation, at most
// one extra round trip (HTTP request) per call.

import { startLocalServer } from "@lucid-dreams/local-server";
import { createPublicClient, encodeFunctionData, http, parseAbi } from "viem";
import { interleavedRates, warmUp } from "../../../bench-lib/interleave.mjs";
import {
  DIST_INDEX,
  DIST_TOOLS,
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
const ROUND_MS = positiveInt(process.env.BENCH_ROUND_MS, 300);
const SLICE_MS = 30;
const SIM_CALLS = positiveInt(process.env.BENCH_SIM_CALLS, 40);
const TARGET = 1.5;
const NAME = "policy cost per call (no simulation)";
const GOAL = `signTransaction with the policy <= ${TARGET}x the same signature without it`;
const SIM_NAME = "policy with simulation: extra round trips";
const SIM_GOAL = "at most 1 extra HTTP request per call (simulation batched with fees, nonce, balance)";

header("6. policy cost per call: signTransaction tool vs the wallet's own signTransaction", [
  `${ROUNDS} rounds of ~${ROUND_MS} ms per candidate, ${SLICE_MS} ms slices rotating; then ${SIM_CALLS} simulated calls`,
]);

const { createWallet } = await import(DIST_INDEX);
const { createLucidToolDescriptors } = await import(DIST_TOOLS);
const server = await startLocalServer({ port: 0 });
const { seed } = server;
let wallet;
try {
  wallet = await createWallet({
    config: { baseUrl: server.url, agentRef: seed.agentRef, credentialId: seed.eoaCredentialId },
    wallet: { privateKey: seed.eoaPrivateKey },
    env: {},
  });
  const TOKEN = "0x00000000000000000000000000000000000070c0";
  const FRIEND = "0x000000000000000000000000000000000000f00d";
  const data = encodeFunctionData({
    abi: parseAbi(["function transfer(address,uint256)"]),
    functionName: "transfer",
    args: [FRIEND, 5n],
  });
  const policy = {
    allowedChains: [seed.caip2],
    maxValuePerTransaction: "0.05",
    budgetPerSession: "1000000",
    recipientAllowlist: [TOKEN, FRIEND],
    tokens: { [TOKEN]: { maxPerTransaction: "1000" } },
  };
  const fees = { nonce: "0", gas: "60000", maxFeePerGas: "2000000000", maxPriorityFeePerGas: "1000000000" };
  const input = { chain: seed.caip2, to: TOKEN, amount: "0", unit: "ether", data, ...fees };
  const sign = createLucidToolDescriptors({ policy, tools: ["signTransaction"] })[0];
  let n = 0;
  const candidates = [
    {
      name: "wallet.signTransaction (no policy)",
      call: () =>
        wallet.signTransaction({
          caip2: seed.caip2,
          params: { transaction: { to: TOKEN, value: "0", data, ...fees } },
          idempotency_key: `direct-${++n}`,
        }),
    },
    {
      name: "signTransaction tool (policy)",
      call: () => sign.execute(input, { session: wallet, toolCallId: `bench-${++n}` }),
    },
  ];
  const [direct, tool] = candidates;
  const probe = await tool.call();
  if (!probe.signedTransaction) throw new Error("the tool did not sign");

  await warmUp(candidates, SLICE_MS);
  const before = server.counters.snapshot();
  await interleavedRates(candidates, { rounds: ROUNDS, roundMs: ROUND_MS, sliceMs: SLICE_MS });
  const ratios = direct.rates.map((rate, round) => rate / tool.rates[round]);
  const after = server.counters.snapshot();
  const requests = Object.keys(after).reduce((sum, op) => sum + after[op] - before[op], 0);
  table([
    ["", "calls/s (median)", "min", "max", "µs/call", "time ratio to no policy"],
    ...candidates.map((candidate) => [
      candidate.name,
      fmtInt(median(candidate.rates)),
      fmtInt(Math.min(...candidate.rates)),
      fmtInt(Math.max(...candidate.rates)),
      (1e6 / median(candidate.rates)).toFixed(1),
      fmtRatio(median(candidate.rates.map((rate, round) => direct.rates[round] / rate))),
    ]),
  ]);
  const ratio = median(ratios);
  console.log(
    `   per-round time ratios: ${ratios.map((r) => r.toFixed(3)).join(", ")} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}); ` +
      `server requests during the loop: ${requests}`,
  );
  target(NAME, GOAL, `${fmtRatio(ratio)}`, ratio <= TARGET);

  // ---- with simulation: count what reaches the node --------------------------------------------------------
  const counts = { http: 0, rpc: 0, methods: new Map() };
  const transport = http(seed.rpcUrl, {
    batch: true,
    onFetchRequest: async (request) => {
      counts.http += 1;
      const body = await request.clone().json();
      for (const item of Array.isArray(body) ? body : [body]) {
        counts.rpc += 1;
        counts.methods.set(item.method, (counts.methods.get(item.method) ?? 0) + 1);
      }
    },
  });
  const client = createPublicClient({ transport });
  const simulated = createLucidToolDescriptors({
    policy,
    tools: ["signTransaction"],
    rpc: { [seed.caip2]: client },
  })[0];
  const nullFees = { nonce: null, gas: null, maxFeePerGas: null, maxPriorityFeePerGas: null };
  const simInput = { ...input, ...nullFees };
  const first = await simulated.execute(simInput, { session: wallet, toolCallId: "sim-warm" });
  if (!first.signedTransaction) throw new Error("the simulated call did not sign");
  counts.http = 0;
  counts.rpc = 0;
  counts.methods.clear();
  const simTimes = [];
  const plainTimes = [];
  for (let i = 0; i < SIM_CALLS; i++) {
    let start = performance.now();
    await simulated.execute(simInput, { session: wallet, toolCallId: `sim-${i}` });
    simTimes.push(performance.now() - start);
    start = performance.now();
    await sign.execute(input, { session: wallet, toolCallId: `plain-${i}` });
    plainTimes.push(performance.now() - start);
  }
  const perCall = counts.http / SIM_CALLS;
  table([
    ["", "per call"],
    ["HTTP requests to the node", perCall.toFixed(2)],
    ["JSON-RPC calls (batched)", (counts.rpc / SIM_CALLS).toFixed(2)],
    ...[...counts.methods].map(([method, count]) => [`  ${method}`, (count / SIM_CALLS).toFixed(2)]),
    ["time with simulation (median ms)", median(simTimes).toFixed(2)],
    ["time without (median ms)", median(plainTimes).toFixed(2)],
    [
      "ratio with / without (median, min, max)",
      `${fmtRatio(median(simTimes) / median(plainTimes))}, ${fmtRatio(Math.min(...simTimes) / median(plainTimes))}, ${fmtRatio(Math.max(...simTimes) / median(plainTimes))}`,
    ],
  ]);
  target(SIM_NAME, SIM_GOAL, `${perCall.toFixed(2)} HTTP requests per call`, perCall <= 1);
} catch (error) {
  console.log(`   could not measure: ${error?.stack ?? error}`);
  target(NAME, GOAL, "failed", null);
} finally {
  await wallet?.shutdown?.();
  await server.close();
}
process.exit(0);
