// 1. Tool-call overhead: `signMessage` through `lucidTools(runtime)` vs a direct generated-SDK call.
//
// What: latency of one server-side signature (POST /v1/agents/{agentRef}/wallet/sign-message against the local
// server, started in this process), made with the same access token by:
//   tool       `lucidTools(runtime).signMessage.execute({ message, encoding: null }, { toolCallId, messages: [] })`,
//              as the AI SDK calls it, a fresh toolCallId per call (so a fresh idempotency key: the server
//              signs every time);
//   sdk        `postV1AgentsByAgentRefWalletSignMessage({ client, auth: token, path, body })` of
//              `@lucid-dreams/sdk` with a plain `createClient({ baseUrl })`, a fresh idempotency key per call;
// and, as references that split the difference into layers:
//   sdk+transport  the same SDK call with `createClient({ baseUrl, fetch: createFetchTransport({ baseUrl }).asFetch() })`,
//              the transport the runtime uses (retries, timeouts, abort links);
//   runtime    `runtime.api.signMessage({ message, idempotency_key })`: the runtime without the tool adapter.
// The runtime is authenticated first (the local-EOA credential, a LocalEoaWalletConnector over viem's
// `privateKeyToAccount(seed.eoaPrivateKey)`); `runtime.api` signs with the agent's server-held wallet.
// Calls are sequential, interleaved in blocks (a new random order of the candidates per block), so load
// bursts on a shared machine hit all of them alike and no candidate always follows the same other one. Every message is distinct.
// Then, to say where the difference goes, the client-side cost of each layer alone: the same calls over a
// stub fetch that answers at once (no server, no network), in alternating slices, medians of rounds.
// Target: median tool latency <= 1.05x the median direct-SDK latency (BENCH_CALLS calls each, default 1000).

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import {
  AgentApiClient,
  AgentRuntime,
  createFetchTransport,
  createTelemetry,
  LocalEoaWalletConnector,
} from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";
import { verifyMessage } from "viem";
import { privateKeyToAccount } from "viem/accounts";
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
  target,
} from "./lib/report.mjs";

requireBuild();
const CALLS = positiveInt(process.env.BENCH_CALLS, 1000);
const BLOCK = positiveInt(process.env.BENCH_BLOCK, 20);
const WARMUP = positiveInt(process.env.BENCH_WARMUP, 100);
const TARGET = 1.05;
const GOAL = `median tool latency <= ${TARGET}x the direct SDK call`;
const NAME = "tool-call overhead (signMessage via lucidTools vs direct SDK)";

header("1. tool-call overhead: lucidTools(runtime).signMessage vs the generated SDK, local server", [
  `${CALLS} sequential calls per candidate after ${WARMUP} warm-up calls each, in blocks of ${BLOCK} whose`,
  "order is random per block; every call is a real signature by the server wallet",
]);

const { lucidTools } = await import(DIST_INDEX);
// The generated SDK is a dependency of @lucid-dreams/agent-auth: resolve it from there, so that the direct
// calls use the very copy (and module instance) the runtime uses.
const sdkPath = createRequire(import.meta.resolve("@lucid-dreams/agent-auth")).resolve("@lucid-dreams/sdk");
const sdk = await import(pathToFileURL(sdkPath).href);
const runId = Date.now().toString(36);
/** Distinct messages of the same length for every candidate and call. */
const messageOf = (name, i) => `bench ${name.padEnd(4, "_")} ${runId} ${String(i).padStart(7, "0")}`;

/**
 * The ways of signing: the tool over `runtime`, the SDK over a plain `client` and over `transportClient`, and
 * `runtime.api` of `runtime` and of `quietRuntime` (the same runtime with `telemetry: false`).
 */
function candidatesOf({ tools, client, transportClient, runtime, quietRuntime, token, agentRef }) {
  const path = { agentRef };
  const direct = (name, on) => async (i) => {
    const { data, response, error } = await sdk.postV1AgentsByAgentRefWalletSignMessage({
      client: on,
      auth: token,
      path,
      body: { message: messageOf(name, i), idempotency_key: `idem_${name}_${runId}_${i}` },
    });
    if (!response?.ok || !data?.signed?.signature) {
      throw new Error(`direct SDK call failed: ${response?.status} ${JSON.stringify(error)}`);
    }
    return data.signed.signature;
  };
  return [
    {
      name: "tool",
      label: "tool: lucidTools(runtime).signMessage.execute",
      async call(i) {
        const result = await tools.signMessage.execute(
          { message: messageOf("tool", i), encoding: null },
          { toolCallId: `call_${runId}_${i}`, messages: [] },
        );
        if (!result.ok) throw new Error(`tool call failed: ${JSON.stringify(result)}`);
        return result.result.signature;
      },
    },
    { name: "sdk", label: "sdk: postV1AgentsByAgentRefWalletSignMessage", call: direct("sdk", client) },
    {
      name: "sdk+transport",
      label: "sdk over createFetchTransport().asFetch() (ref.)",
      call: direct("sdkt", transportClient),
    },
    {
      name: "runtime, no telemetry",
      label: "runtime.api.signMessage, telemetry: false (ref.)",
      async call(i) {
        const result = await quietRuntime.api.signMessage({
          message: messageOf("rtq", i),
          idempotency_key: `idem_rtq_${runId}_${i}`,
        });
        return result.signature;
      },
    },
    {
      name: "runtime",
      label: "runtime.api.signMessage (ref.)",
      async call(i) {
        const result = await runtime.api.signMessage({
          message: messageOf("rt", i),
          idempotency_key: `idem_rt_${runId}_${i}`,
        });
        return result.signature;
      },
    },
  ];
}

/** A copy of `items` in random order (Fisher-Yates). */
function shuffled(items) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Part 1: against the local server. Returns the candidates with their per-call latencies (ms). */
async function measureAgainstServer(server) {
  const { seed } = server;
  const runtimeOf = (options) =>
    AgentRuntime.fromConfig({
      config: { baseUrl: server.url, agentRef: seed.agentRef, credentialId: seed.eoaCredentialId },
      wallet: { signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(seed.eoaPrivateKey) }) },
      ...options,
    });
  const runtime = await runtimeOf({});
  const quietRuntime = await runtimeOf({ telemetry: false });
  try {
    const token = await runtime.ensureAccessToken();
    await quietRuntime.ensureAccessToken();
    const tools = lucidTools(runtime);
    const candidates = candidatesOf({
      tools,
      client: sdk.createClient({ baseUrl: server.url }),
      transportClient: sdk.createClient({
        baseUrl: server.url,
        fetch: createFetchTransport({ baseUrl: server.url }).asFetch(),
      }),
      runtime,
      quietRuntime,
      token,
      agentRef: seed.agentRef,
    });

    // Sanity: the tool's signature is the server wallet's.
    const probe = await tools.signMessage.execute(
      { message: "bench probe", encoding: null },
      { toolCallId: `probe_${runId}`, messages: [] },
    );
    const verified =
      probe.ok &&
      (await verifyMessage({
        address: seed.serverWalletAddress,
        message: "bench probe",
        signature: probe.result.signature,
      }));
    if (!verified)
      throw new Error(`the tool's signature is not the server wallet's: ${JSON.stringify(probe)}`);

    let next = 0;
    for (let i = 0; i < WARMUP; i++) {
      for (const candidate of candidates) await candidate.call(next++);
    }
    for (const candidate of candidates) candidate.times = [];

    const before = server.counters.snapshot().signMessage;
    const blocks = Math.ceil(CALLS / BLOCK);
    for (let block = 0; block < blocks; block++) {
      const size = Math.min(BLOCK, CALLS - block * BLOCK);
      // A new random order per block: no candidate always runs after the same other one.
      for (const candidate of shuffled(candidates)) {
        for (let j = 0; j < size; j++) {
          const i = next++;
          const start = performance.now();
          await candidate.call(i);
          candidate.times.push(performance.now() - start);
        }
      }
    }
    const served = server.counters.snapshot().signMessage - before;
    return { candidates, served, blocks };
  } finally {
    await runtime.shutdown();
    await quietRuntime.shutdown();
  }
}

/**
 * Part 2: the client-side cost of each layer alone, over a stub fetch that answers at once with a canned
 * sign-message response: µs per call, in alternating slices, median of rounds. The runtime gets an
 * AgentApiClient over the same stub (its token is a constant) and the default telemetry, as `fromConfig` does.
 */
async function clientSideCost() {
  const baseUrl = "http://127.0.0.1:9"; // never contacted
  const agentRef = "bench-agent";
  const answer = JSON.stringify({
    account: { id: "agt_bench", displayName: "Bench" },
    wallet: {
      id: "wal_bench",
      address: "0x1A144a97B7899F0b781e300e2D17bBd52ebFcC33",
      chain: "eip155:31337",
      caip2: "eip155:31337",
      provider: "lucid-local",
      chainType: "ethereum",
      externalId: null,
      privyWalletId: null,
      status: "active",
    },
    signed: { signature: `0x${"ab".repeat(65)}` },
  });
  const stub = async () =>
    new Response(answer, { status: 200, headers: { "content-type": "application/json" } });
  const token = `lat_${"x".repeat(40)}`;
  const runtimeOf = (telemetry) =>
    AgentRuntime.fromConfig({
      config: { baseUrl, agentRef, credentialId: "cred_bench" },
      apiClient: new AgentApiClient({
        baseUrl,
        agentRef,
        transport: createFetchTransport({ baseUrl, fetch: stub }),
        telemetry,
        getAccessToken: async () => token,
      }),
    });
  const runtime = await runtimeOf(createTelemetry());
  const quietRuntime = await runtimeOf(createTelemetry({ enabled: false }));
  try {
    const candidates = [
      { name: "stub fetch", label: "the stub fetch itself", call: () => stub() },
      ...candidatesOf({
        tools: lucidTools(runtime),
        client: sdk.createClient({ baseUrl, fetch: stub }),
        transportClient: sdk.createClient({
          baseUrl,
          fetch: createFetchTransport({ baseUrl, fetch: stub }).asFetch(),
        }),
        runtime,
        quietRuntime,
        token,
        agentRef,
      }),
    ];
    const SLICE = 500;
    let next = 0;
    for (const candidate of candidates) {
      for (let i = 0; i < 3 * SLICE; i++) await candidate.call(next++);
      candidate.us = [];
    }
    for (let round = 0; round < ROUNDS * 2; round++) {
      for (let k = 0; k < candidates.length; k++) {
        const candidate = candidates[(round + k) % candidates.length];
        const start = performance.now();
        for (let j = 0; j < SLICE; j++) await candidate.call(next++);
        candidate.us.push(((performance.now() - start) * 1000) / SLICE);
      }
    }
    return Object.fromEntries(candidates.map((c) => [c.name, { label: c.label, us: median(c.us) }]));
  } finally {
    await runtime.shutdown();
    await quietRuntime.shutdown();
  }
}

const server = await startLocalServer({ port: 0 });
try {
  const { candidates, served, blocks } = await measureAgainstServer(server);
  const byName = Object.fromEntries(candidates.map((c) => [c.name, c]));
  const rows = [["", "calls", "median", "p90", "p99", "mean"]];
  for (const candidate of candidates) {
    const t = candidate.times;
    rows.push([
      candidate.label,
      t.length,
      fmtMs(median(t)),
      fmtMs(percentile(t, 90)),
      fmtMs(percentile(t, 99)),
      fmtMs(t.reduce((a, b) => a + b, 0) / t.length),
    ]);
  }
  table(rows);
  const med = (name) => median(byName[name].times);
  const ratio = med("tool") / med("sdk");
  const ratioP90 = percentile(byName.tool.times, 90) / percentile(byName.sdk.times, 90);
  // Per-block ratios (tool block median / sdk block median of the same block index): robust to drift.
  const blockRatios = [];
  for (let b = 0; b < blocks; b++) {
    const slice = (name) => byName[name].times.slice(b * BLOCK, (b + 1) * BLOCK);
    blockRatios.push(median(slice("tool")) / median(slice("sdk")));
  }
  console.log(
    `   tool / sdk: median ${fmtRatio(ratio)}, p90 ${fmtRatio(ratioP90)}, median of per-block ratios ` +
      `${fmtRatio(median(blockRatios))}; extra per call ${fmtMs(med("tool") - med("sdk"))}`,
  );
  console.log(
    "   layers (ratios of medians): " +
      `sdk+transport / sdk ${fmtRatio(med("sdk+transport") / med("sdk"))}, ` +
      `runtime.api without telemetry / sdk+transport ${fmtRatio(med("runtime, no telemetry") / med("sdk+transport"))}, ` +
      `runtime.api / runtime.api without telemetry ${fmtRatio(med("runtime") / med("runtime, no telemetry"))}, ` +
      `tool / runtime.api ${fmtRatio(med("tool") / med("runtime"))}`,
  );
  console.log(
    `   server signatures during the measured calls: ${served} (expected ${candidates.length * CALLS}); ` +
      "the tool's signature verifies against the server wallet",
  );

  const cost = await clientSideCost();
  console.log("   client-side cost per call over a stub fetch (no server, no network), median of rounds:");
  const us = (name) => cost[name].us;
  table([
    ["", "µs/call", "added by the layer"],
    [cost["stub fetch"].label, us("stub fetch").toFixed(1), ""],
    [cost.sdk.label, us("sdk").toFixed(1), "(baseline)"],
    [
      cost["sdk+transport"].label,
      us("sdk+transport").toFixed(1),
      (us("sdk+transport") - us("sdk")).toFixed(1),
    ],
    [
      cost["runtime, no telemetry"].label,
      us("runtime, no telemetry").toFixed(1),
      (us("runtime, no telemetry") - us("sdk+transport")).toFixed(1),
    ],
    [cost.runtime.label, us("runtime").toFixed(1), (us("runtime") - us("runtime, no telemetry")).toFixed(1)],
    [cost.tool.label, us("tool").toFixed(1), (us("tool") - us("runtime")).toFixed(1)],
  ]);
  console.log(
    `   budget at this server latency: ${TARGET}x of ${fmtMs(med("sdk"))} allows ` +
      `${((TARGET - 1) * med("sdk") * 1000).toFixed(0)} µs over the SDK; the client side adds ` +
      `${(us("tool") - us("sdk")).toFixed(0)} µs (CPU, no I/O)`,
  );
  target(
    NAME,
    GOAL,
    `${fmtMs(med("tool"))} vs ${fmtMs(med("sdk"))}: ${fmtRatio(ratio)}, p90 ${fmtRatio(ratioP90)}`,
    ratio <= TARGET,
  );
} catch (error) {
  console.log(`   could not measure: ${error?.stack ?? error}`);
  target(NAME, GOAL, "failed", null);
} finally {
  await server.close();
}
process.exit(0);
