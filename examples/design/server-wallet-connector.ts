/**
 * Design document, "Usage Examples" > "Use the server wallet connector", run against the embedded local Lucid
 * server. The example body below is the design's code; adapted lines carry an `Adapted:` comment.
 *
 * The design's snippet stops once the runtime is wired; the lines marked `Added` sign in and sign a message
 * with the agent's server-held wallet, so the wiring is exercised.
 *
 * Run: `pnpm --filter @lucid-dreams/examples design:server-wallet-connector`
 */
import {
  AgentRuntime,
  MemoryStorageAdapter,
  ServerOrchestratorWalletConnector,
} from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";
import { verifyMessage } from "viem";

// Local setup (not part of the design): a local Lucid server, and the LUCID_* variables it prints put where the
// design reads them: LUCID_SERVER_URL and LUCID_BASE_URL (the local server, so the hosted-platform fallbacks
// below are never used), LUCID_AGENT_REF, LUCID_AGENT_CREDENTIAL (the credential bound to the server-held
// wallet) and LUCID_SERVER_ACCESS_TOKEN (the owner token that signs the first challenge).
const server = await startLocalServer({ port: 0 });
Object.assign(process.env, server.env);

try {
  const serverWallet = new ServerOrchestratorWalletConnector({
    baseUrl: process.env.LUCID_SERVER_URL ?? process.env.LUCID_BASE_URL ?? "https://lucid.daydream.systems",
    agentRef: process.env.LUCID_AGENT_REF!,
  });

  // As in the design. Note: a token given with setAccessToken() is the connector's session token, which the
  // runtime replaces with the agent's own token and clears before signing in again after a revocation; the
  // owner token is then gone. Passing it to the constructor instead (`accessToken: process.env.
  // LUCID_SERVER_ACCESS_TOKEN`) keeps it as the fallback for every later sign-in.
  if (process.env.LUCID_SERVER_ACCESS_TOKEN) {
    serverWallet.setAccessToken(process.env.LUCID_SERVER_ACCESS_TOKEN);
  }

  const runtime = await AgentRuntime.fromConfig({
    config: {
      baseUrl: process.env.LUCID_BASE_URL ?? "https://lucid.daydream.systems",
      agentRef: process.env.LUCID_AGENT_REF!,
      credentialId: process.env.LUCID_AGENT_CREDENTIAL!,
      refreshToken: process.env.LUCID_AGENT_REFRESH_TOKEN,
    },
    wallet: { signer: serverWallet },
    storage: new MemoryStorageAdapter(),
  });

  // Keep the orchestrator token in sync with runtime refresh events
  // (The runtime already does this by itself through the connector's setAccessToken; these handlers are
  // harmless duplicates.)
  runtime.on("authenticated", (event) => {
    serverWallet.setAccessToken(event.accessToken);
  });
  runtime.on("tokenRefreshed", (event) => {
    serverWallet.setAccessToken(event.accessToken);
  });

  // Added (not in the design): sign in (the server-held wallet signs the challenge, authorised by the owner
  // token), then sign a message with that wallet using the agent's own token, and check the signature.
  const session = await runtime.authenticate();
  console.log("signed in as", session.agentRef, "with credential", session.credentialId);
  console.log("scopes", session.scopes.join(", "));
  const signed = await runtime.api.signMessage({ message: "gm from the server wallet" });
  const valid = await verifyMessage({
    address: server.seed.serverWalletAddress,
    message: "gm from the server wallet",
    signature: signed.signature,
  });
  console.log("server wallet", signed.wallet.address, "signature verifies:", valid);
  if (!valid) throw new Error("the signature does not verify");
  await runtime.shutdown();
} finally {
  await server.close();
}
