// 2. First sign-in under load: 1000 concurrent ensureAccessToken() on an empty cache.
//
// What: the requests the local server receives (its counters) and the distinct tokens handed out.
// How: a fresh runtime, counters reset, Promise.allSettled of 1000 calls. Then the published original
// (@lucid-dreams/agent-auth@0.2.24) twice: as shipped (its fetch facade hands fetch a streamed Request body
// without `duplex`, which Node's fetch rejects), and with that facade bypassed (its AgentAuthClient given
// Node's fetch directly) to show what its sign-in does once requests get through.
// Target: ours causes exactly 1 challenge and 1 exchange and hands out 1 token.

import { startLocalServer } from "@lucid-dreams/local-server";
import { privateKeyToAccount } from "viem/accounts";
import { DIST_INDEX, fmtMs, header, requireBuild, table, target } from "./lib/report.mjs";

requireBuild();
const CALLERS = 1000;

header(`2. first sign-in under load: ${CALLERS} concurrent ensureAccessToken() on an empty cache`, [
  "counts from the local server's counters; tokens = distinct access tokens handed out",
]);

const ours = await import(DIST_INDEX);
const server = await startLocalServer({ port: 0 });
const account = privateKeyToAccount(server.seed.eoaPrivateKey);
const config = {
  baseUrl: server.url,
  agentRef: server.seed.agentRef,
  credentialId: server.seed.eoaCredentialId,
};
const rows = [["", "challenge", "exchange", "refresh", "tokens", "failed calls", "wall"]];
const notes = [];

/** The first line of an error and of each of its causes (the original wraps errors two levels deep). */
function describe(error) {
  const parts = [];
  for (let e = error, depth = 0; e && depth < 5; e = e.cause, depth++) {
    const message =
      e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : JSON.stringify(e).slice(0, 160);
    parts.push(message);
    if (!(e instanceof Error) && e.error) parts.push(`server said ${JSON.stringify(e.error).slice(0, 160)}`);
  }
  return parts.join(" <- ");
}

/** Runs CALLERS concurrent ensureAccessToken() and records what the server saw. */
async function storm(name, runtime) {
  server.counters.reset();
  const start = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CALLERS }, () => runtime.ensureAccessToken()),
  );
  const wall = performance.now() - start;
  const tokens = new Set(results.filter((r) => r.status === "fulfilled").map((r) => r.value));
  const failures = results.filter((r) => r.status === "rejected");
  const counts = {
    challenge: server.counters.get("challenge"),
    exchange: server.counters.get("exchange"),
    refresh: server.counters.get("refresh"),
  };
  rows.push([
    name,
    counts.challenge,
    counts.exchange,
    counts.refresh,
    tokens.size,
    failures.length,
    fmtMs(wall),
  ]);
  if (failures.length) notes.push(`${name}: fails with ${describe(failures[0].reason)}`);
  return { ...counts, tokens: tokens.size, failures: failures.length };
}

let result;
try {
  const runtime = await ours.AgentRuntime.fromConfig({
    config,
    wallet: { signer: new ours.LocalEoaWalletConnector({ signer: account }) },
  });
  result = await storm("ours", runtime);
  await runtime.shutdown();

  let original;
  try {
    original = await import("lucid-published-agent-auth");
  } catch (error) {
    notes.push(`original 0.2.24 not measured: cannot be imported (${error.message})`);
  }
  if (original) {
    // Its LocalEoaWalletConnector calls signer.signMessage(message) with a string (or bytes), not viem's
    // { message } object, so a viem account is adapted to the signer shape it documents.
    const signer = () =>
      new original.LocalEoaWalletConnector({
        signer: {
          signMessage: (message) =>
            account.signMessage({ message: typeof message === "string" ? message : { raw: message } }),
          getAddress: async () => account.address,
        },
      });
    const asShipped = await original.AgentRuntime.fromConfig({ config, wallet: { signer: signer() } });
    await storm("original 0.2.24 (as shipped)", asShipped);
    await asShipped.shutdown();

    const bypassed = await original.AgentRuntime.fromConfig({
      config,
      wallet: { signer: signer() },
      authClient: new original.AgentAuthClient({ ...config, fetch: globalThis.fetch }),
    });
    await storm("original 0.2.24 (fetch facade bypassed)", bypassed);
    await bypassed.shutdown(); // clears its last refresh timer (its timers are not unref'd)
  }

  table(rows);
  for (const note of notes) console.log(`   ${note}`);
  target(
    "first sign-in under load",
    "ours: 1 challenge, 1 exchange, 1 token, 0 failures",
    `${result.challenge} challenge, ${result.exchange} exchange, ${result.tokens} token(s), ${result.failures} failures`,
    result.challenge === 1 && result.exchange === 1 && result.tokens === 1 && result.failures === 0,
  );
} finally {
  await server.close();
}
process.exit(0);
