// 2. Local signing: `lucidTools(wallet).signMessage` with a local-EOA session vs raw viem signing.
//
// What: messages signed per second, sequentially, by
//   viem     `privateKeyToAccount(key).signMessage({ message })` (the floor: secp256k1 + keccak, nothing else);
//   tool     `lucidTools(wallet).signMessage.execute({ message, encoding: null }, { toolCallId, messages: [] })`
//            where `wallet = await createWallet({ config: { baseUrl, agentRef, credentialId: seed.eoaCredentialId },
//            wallet: { privateKey: seed.eoaPrivateKey }, env: {} })` (a local-EOA session: signs in this process);
//   wallet   `wallet.signMessage({ message })` (reference: the WalletClient without the tool adapter).
// Every message is distinct (a counter), of the same length for every candidate. Each round alternates
// BENCH_SLICE_MS slices of the candidates (order rotated), so load bursts hit all alike; the ratio is the median
// of per-round ratios. Checks: the tool's signature equals viem's for the same message, and the loop makes no
// request to the server (counted by the local server, started for the session's base URL).
// Target: tool >= 0.9x the rate of raw viem signing in every round (min / median / max of per-round ratios).

import { createWallet } from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";
import { privateKeyToAccount } from "viem/accounts";
import { interleavedRates, warmUp } from "../../../bench-lib/interleave.mjs";
import {
  DIST_INDEX,
  fmtInt,
  fmtRatio,
  header,
  median,
  positiveInt,
  ROUNDS,
  requireBuild,
  spread,
  table,
  target,
  verdict,
} from "./lib/report.mjs";

requireBuild();
const ROUND_MS = positiveInt(process.env.BENCH_ROUND_MS, 600);
const SLICE_MS = positiveInt(process.env.BENCH_SLICE_MS, 50);
const TARGET = 0.9;
const NAME = "local signing (lucidTools(wallet).signMessage vs viem)";
const GOAL = `tool >= ${TARGET}x the rate of raw viem signMessage`;

header("2. local-EOA signing: lucidTools(wallet).signMessage vs viem privateKeyToAccount().signMessage", [
  `${ROUNDS} rounds of ~${ROUND_MS} ms per candidate, as ${SLICE_MS} ms slices rotating between the candidates;`,
  "sequential calls, a distinct message per call; ratio = median of per-round ratios",
]);

const { lucidTools } = await import(DIST_INDEX);
const server = await startLocalServer({ port: 0 });
let wallet;
try {
  const { seed } = server;
  wallet = await createWallet({
    config: { baseUrl: server.url, agentRef: seed.agentRef, credentialId: seed.eoaCredentialId },
    wallet: { privateKey: seed.eoaPrivateKey },
    env: {},
  });
  if (!wallet.signsLocally) throw new Error("createWallet({ wallet: { privateKey } }) does not sign locally");
  const tools = lucidTools(wallet);
  const account = privateKeyToAccount(seed.eoaPrivateKey);
  const runId = Date.now().toString(36);
  let next = 0;
  const nextMessage = () => `local signing ${runId} ${String(next++).padStart(9, "0")}`;

  const candidates = [
    {
      name: "viem privateKeyToAccount(key).signMessage",
      call: () => account.signMessage({ message: nextMessage() }),
    },
    {
      name: "tool: lucidTools(wallet).signMessage.execute",
      async call() {
        const n = next;
        const result = await tools.signMessage.execute(
          { message: nextMessage(), encoding: null },
          { toolCallId: `call_${runId}_${n}`, messages: [] },
        );
        if (!result.ok) throw new Error(`tool call failed: ${JSON.stringify(result)}`);
        return result.result.signature;
      },
    },
    {
      name: "wallet.signMessage (reference)",
      async call() {
        return (await wallet.signMessage({ message: nextMessage() })).signature;
      },
    },
  ];
  const [viem, tool] = candidates;

  // Correctness: same key, same message, same (deterministic, RFC 6979) signature; the tool reports the address.
  const probe = await tools.signMessage.execute(
    { message: "bench probe", encoding: null },
    { toolCallId: `probe_${runId}`, messages: [] },
  );
  const expected = await account.signMessage({ message: "bench probe" });
  if (!probe.ok || probe.result.signature !== expected || probe.result.address !== seed.eoaAddress) {
    throw new Error(`the tool's signature or address differs from viem's: ${JSON.stringify(probe)}`);
  }

  // Warm up (JIT), then the rounds.
  await warmUp(candidates, SLICE_MS);
  const before = server.counters.snapshot();
  await interleavedRates(candidates, { rounds: ROUNDS, roundMs: ROUND_MS, sliceMs: SLICE_MS });
  const ratios = tool.rates.map((rate, round) => rate / viem.rates[round]);
  const after = server.counters.snapshot();
  const requests = Object.keys(after).reduce((sum, op) => sum + after[op] - before[op], 0);

  table([
    ["", "msgs/s (median)", "min", "max", "µs/msg", "ratio to viem"],
    ...candidates.map((candidate) => [
      candidate.name,
      fmtInt(median(candidate.rates)),
      fmtInt(Math.min(...candidate.rates)),
      fmtInt(Math.max(...candidate.rates)),
      (1e6 / median(candidate.rates)).toFixed(1),
      fmtRatio(median(candidate.rates.map((rate, round) => rate / viem.rates[round]))),
    ]),
  ]);
  const ratio = median(ratios);
  console.log(
    `   per-round ratios tool / viem: ${ratios.map((r) => r.toFixed(3)).join(", ")}; ` +
      `extra per message ${(1e6 / median(tool.rates) - 1e6 / median(viem.rates)).toFixed(1)} µs`,
  );
  console.log(
    `   server requests during the loop: ${requests} (a local-EOA session signs in this process); ` +
      "the tool's signature equals viem's for the same message",
  );
  console.log(
    `   median rates: ${fmtInt(median(tool.rates))} vs ${fmtInt(median(viem.rates))} msgs/s: ${fmtRatio(ratio)}`,
  );
  verdict(NAME, GOAL, spread(ratios), TARGET, false, fmtRatio);
} catch (error) {
  console.log(`   could not measure: ${error?.stack ?? error}`);
  target(NAME, GOAL, "failed", null);
} finally {
  await wallet?.shutdown();
  await server.close();
}
process.exit(0);
