/**
 * Design document, "Usage Examples" > "Bootstrap with explicit config", run against the embedded local Lucid
 * server. The example body below is the design's code; adapted lines carry an `Adapted:` comment.
 *
 * Run: `pnpm --filter @lucid-dreams/examples design:bootstrap-explicit-config`
 */
import { AgentRuntime, createLocalEoaWalletConnector, MemoryStorageAdapter } from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";

// Local setup (not part of the design). Adapted: a short access-token lifetime (4 s; the default is 15 min) so
// that the background refresh happens while the example runs and the design's "tokens rotated" line prints.
const server = await startLocalServer({ port: 0, accessTtlSeconds: 4 });
Object.assign(process.env, server.env);
// Adapted: `myWalletConnector` is a local key (below), so LUCID_AGENT_CREDENTIAL names the credential bound to
// that key; the one the server prints is bound to the server-held wallet.
process.env.LUCID_AGENT_CREDENTIAL = server.seed.eoaCredentialId;

// Adapted: the design leaves `myWalletConnector` to the reader; here it is the local key the server seeded for
// the agent (a throwaway test key), wrapped in a LocalEoaWalletConnector.
const myWalletConnector = await createLocalEoaWalletConnector({ privateKey: server.seed.eoaPrivateKey });

try {
  const runtime = await AgentRuntime.fromConfig({
    config: {
      // Adapted: the local server instead of https://lucid.daydream.systems.
      baseUrl: server.url,
      agentRef: process.env.LUCID_AGENT_REF!,
      credentialId: process.env.LUCID_AGENT_CREDENTIAL!,
      refreshToken: process.env.LUCID_AGENT_REFRESH_TOKEN,
      scopes: ["agents.read"],
    },
    wallet: {
      signer: myWalletConnector, // e.g. new ServerOrchestratorWalletConnector({...})
    },
    storage: new MemoryStorageAdapter(), // swap in a durable adapter in production
  });

  runtime.on("tokenRefreshed", (event) => {
    console.log("tokens rotated", event.expiresAt.toISOString());
  });

  const agents = await runtime.api.listAgents();
  console.log("agent count", agents.items.length);

  // Added (not in the design): wait for the background refresh (due at half the 4 s lifetime), so the
  // "tokens rotated" handler above runs before shutdown.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no background refresh within 15 s")), 15_000);
    const stop = runtime.on("tokenRefreshed", () => {
      clearTimeout(timer);
      stop();
      resolve();
    });
  });

  await runtime.shutdown();
} finally {
  await server.close();
}
