// 6. x402: the overhead of fetchPaidResource over the official x402 fetch wrapper alone.
//
// What: wall time of one paid fetch of the local server's paywalled resource (402, sign an EIP-3009
// authorization, retry, the facilitator verifies and settles on anvil, 200 with the content).
// How: one local server (anvil, seller, facilitator); the same signer on both sides (the agent's server-held
// wallet through the sign-typed-data endpoint). Baseline: `wrapFetchWithPayment(fetch, x402Client)` with
// `registerExactEvmScheme` and that signer. Ours: the `fetchPaidResource` descriptor's execute (policy checks,
// ledger reserve/commit, body cap, receipt) on the same stack. Runs interleaved, the order alternating, after
// warm-up rounds; each run is a new payment (a new tool call id).
// Target: median(ours) / median(baseline) <= 1.1.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startLocalServer } from "@lucid-dreams/local-server";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { privateKeyToAccount } from "viem/accounts";
import {
  DIST_INDEX,
  fmtMs,
  fmtRatio,
  header,
  median,
  PACKAGE_DIR,
  positiveInt,
  requireBuild,
  table,
  target,
} from "./lib/report.mjs";

requireBuild();
const RUNS = positiveInt(process.env.BENCH_X402_RUNS, 150);
const WARMUP = 5;
const GOAL = 1.1;

header(`6. x402: fetchPaidResource vs the official x402 fetch wrapper alone (${RUNS} paid fetches each)`, [
  "same local stack and signer (server-held wallet); interleaved; ratio = median(ours) / median(baseline)",
]);

const { AgentRuntime, LocalEoaWalletConnector } = await import(DIST_INDEX);
const { createLucidToolDescriptors } = await import(
  pathToFileURL(join(PACKAGE_DIR, "dist", "tools.js")).href
);
const server = await startLocalServer({ port: 0 });
const runtime = await AgentRuntime.fromConfig({
  config: { baseUrl: server.url, agentRef: server.seed.agentRef, credentialId: server.seed.eoaCredentialId },
  wallet: { signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }) },
  backgroundRefresh: false,
});
await runtime.authenticate();

let signatures = 0;
/** The baseline's signer: the server-held wallet's sign-typed-data endpoint, as fetchPaidResource uses it. */
const signer = {
  address: server.seed.serverWalletAddress,
  async signTypedData({ domain, types, primaryType, message }) {
    const json = (value) =>
      JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
    const signed = await runtime.api.signTypedData({
      typed_data: { domain: json(domain), types, primary_type: primaryType, message: json(message) },
      idempotency_key: `bench-baseline-${++signatures}`,
    });
    return signed.signature;
  },
};

async function baseline() {
  const client = new x402Client();
  registerExactEvmScheme(client, { signer });
  client.setSpendControls(false);
  const response = await wrapFetchWithPayment(fetch, client)(server.x402.resourceUrl);
  if (response.status !== 200) throw new Error(`baseline got ${response.status}`);
  await response.text();
}

const [tool] = createLucidToolDescriptors({
  tools: ["fetchPaidResource"],
  rpc: { [server.seed.caip2]: server.seed.rpcUrl },
  defaultChain: server.seed.caip2,
  tokens: { USDC: { address: server.seed.token.address, maxPerTransaction: "1", budget: "100" } },
  payments: { allowedHosts: [new URL(server.x402.sellerUrl).host], maxPerPayment: "0.05" },
});
let calls = 0;
async function ours() {
  const result = await tool.execute(
    { url: server.x402.resourceUrl, method: null, body: null },
    { session: runtime, toolCallId: `bench-${++calls}` },
  );
  if (result.status !== 200 || !result.payment?.transactionHash) throw new Error("ours did not pay");
}

const times = { baseline: [], ours: [] };
try {
  for (let i = 0; i < WARMUP; i++) {
    await baseline();
    await ours();
  }
  const settledBefore = server.x402.counts().settle;
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? ["baseline", "ours"] : ["ours", "baseline"];
    for (const name of order) {
      const start = performance.now();
      await (name === "baseline" ? baseline() : ours());
      times[name].push(performance.now() - start);
    }
  }
  const settled = server.x402.counts().settle - settledBefore;
  const stats = (values) => [fmtMs(Math.min(...values)), fmtMs(median(values)), fmtMs(Math.max(...values))];
  table([
    ["", "min", "median", "max"],
    ["official wrapFetchWithPayment alone", ...stats(times.baseline)],
    ["fetchPaidResource", ...stats(times.ours)],
  ]);
  console.log(`   settlements in the timed runs: ${settled} (expected ${2 * RUNS})`);
  const ratio = median(times.ours) / median(times.baseline);
  target(
    "x402: fetchPaidResource vs official wrapper",
    `fetchPaidResource <= ${GOAL}x the official x402 fetch wrapper (median paid fetch)`,
    fmtRatio(ratio),
    ratio <= GOAL && settled === 2 * RUNS,
  );
} catch (error) {
  target(
    "x402: fetchPaidResource vs official wrapper",
    `fetchPaidResource <= ${GOAL}x the official x402 fetch wrapper (median paid fetch)`,
    `failed: ${error instanceof Error ? error.message : String(error)}`,
    null,
  );
} finally {
  await runtime.shutdown();
  await server.close();
}
