// 1. Tool-call overhead of MCP over stdio: a Lucid tool called through `lucid-mcp` (the built bin, a child
// process, the SDK's Client over stdio) vs the same descriptor called directly in this process.
//
// What: latency of sequential calls, per candidate:
//   mcp      `client.callTool({ name, arguments })` with the SDK's `Client` and `StdioClientTransport`, against
//            `node dist/cli.js` started with the local server's environment (its own `createWallet()` session);
//   direct   `descriptor.execute(input, { session: wallet, toolCallId })` of `createLucidToolDescriptors()`, with
//            `wallet = await createWallet({ env })` from the same environment, in this process;
// for two tools: `signMessage` (a real signature by the agent's server-held wallet on the local server, started
// in this process, a distinct message per call) and `getWalletAddress` (answered from the session's cached
// wallet record: no server request, so the pure cost of the MCP round trip shows).
// Each round runs BENCH_CALLS calls per candidate, interleaved in blocks of BENCH_BLOCK whose order is random
// per block, and takes the ratio of the medians mcp / direct. Reported: min / median / max of the per-round
// ratios over BENCH_ROUNDS rounds, and the median latencies.
// Target: the median ratio for signMessage <= 2x: the MCP hop (JSON-RPC over a pipe to a second process, which
// then makes the same HTTP call) costs less than the signature round trip to a server on the same machine.
// Against a remote Lucid server (tens of ms per call) the same fixed cost is a few percent.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWallet } from "@lucid-dreams/agent-auth";
import { createLucidToolDescriptors } from "@lucid-dreams/agent-auth/tools";
import { startLocalServer } from "@lucid-dreams/local-server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { verifyMessage } from "viem";
import {
  DIST_ENTRIES,
  fmtMs,
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
const CALLS = positiveInt(process.env.BENCH_CALLS, 100);
const BLOCK = positiveInt(process.env.BENCH_BLOCK, 10);
const WARMUP = positiveInt(process.env.BENCH_WARMUP, 30);
const TARGET = 2;
const CLI = DIST_ENTRIES[1];

header("1. tool call over MCP stdio (lucid-mcp) vs the same descriptor called directly", [
  `${ROUNDS} rounds of ${CALLS} sequential calls per candidate and tool (after ${WARMUP} warm-up calls),`,
  `interleaved in blocks of ${BLOCK} in a random order per block; ratio = median(mcp) / median(direct) per round`,
]);

const server = await startLocalServer({ port: 0 });
const dir = mkdtempSync(join(tmpdir(), "lucid-mcp-bench-"));
const wallet = await createWallet({ env: server.env });
const descriptors = Object.fromEntries(createLucidToolDescriptors().map((tool) => [tool.name, tool]));
const client = new Client({ name: "lucid-mcp-bench", version: "1.0.0" });
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: { PATH: process.env.PATH ?? "", ...server.env },
    cwd: dir,
    stderr: "ignore",
  }),
);

const runId = Date.now().toString(36);
let calls = 0;
const inputs = {
  signMessage: () => ({ message: `bench ${runId} ${String(calls++).padStart(8, "0")}`, encoding: null }),
  getWalletAddress: () => ({ chain: null }),
};

const candidates = (tool) => ({
  async mcp() {
    const result = await client.callTool({ name: tool, arguments: inputs[tool]() });
    if (result.isError) throw new Error(`mcp ${tool} failed: ${JSON.stringify(result.structuredContent)}`);
    return result.structuredContent.result;
  },
  async direct() {
    return descriptors[tool].execute(inputs[tool](), {
      session: wallet,
      toolCallId: `bench-${runId}-${calls}`,
    });
  },
});

// Both paths sign with the same wallet: check once that the answers are real.
{
  const message = "bench check";
  for (const via of ["mcp", "direct"]) {
    const signed =
      via === "mcp"
        ? (await client.callTool({ name: "signMessage", arguments: { message, encoding: null } }))
            .structuredContent.result
        : await descriptors.signMessage.execute(
            { message, encoding: null },
            { session: wallet, toolCallId: via },
          );
    const valid = await verifyMessage({
      address: server.seed.serverWalletAddress,
      message,
      signature: signed.signature,
    });
    if (!valid) throw new Error(`${via} returned a signature that does not verify`);
  }
}

async function timeOne(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const results = {};
try {
  for (const tool of ["signMessage", "getWalletAddress"]) {
    const run = candidates(tool);
    for (let i = 0; i < WARMUP; i++) {
      await run.mcp();
      await run.direct();
    }
    const ratios = [];
    const medians = { mcp: [], direct: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const samples = { mcp: [], direct: [] };
      for (let done = 0; done < CALLS; done += BLOCK) {
        const order = Math.random() < 0.5 ? ["mcp", "direct"] : ["direct", "mcp"];
        for (const name of order) {
          for (let i = 0; i < Math.min(BLOCK, CALLS - done); i++)
            samples[name].push(await timeOne(run[name]));
        }
      }
      const mcp = median(samples.mcp);
      const direct = median(samples.direct);
      medians.mcp.push(mcp);
      medians.direct.push(direct);
      ratios.push(mcp / direct);
    }
    results[tool] = { ratios, mcp: median(medians.mcp), direct: median(medians.direct) };
  }
} finally {
  await client.close();
  await wallet.shutdown();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

table([
  ["tool", "direct (median)", "mcp stdio (median)", "added", "ratio min", "ratio median", "ratio max"],
  ...Object.entries(results).map(([tool, r]) => [
    tool,
    fmtMs(r.direct),
    fmtMs(r.mcp),
    fmtMs(r.mcp - r.direct),
    fmtRatio(Math.min(...r.ratios)),
    fmtRatio(median(r.ratios)),
    fmtRatio(Math.max(...r.ratios)),
  ]),
]);
const signRatio = median(results.signMessage.ratios);
target(
  "MCP stdio overhead (signMessage)",
  `median ratio mcp/direct <= ${TARGET}x`,
  `${fmtRatio(signRatio)} (min ${fmtRatio(Math.min(...results.signMessage.ratios))}, max ${fmtRatio(Math.max(...results.signMessage.ratios))})`,
  signRatio <= TARGET,
);
process.exit(0);
