/**
 * Design document, "Usage Examples" > "Quick start with `createWallet`", run against the embedded local
 * Lucid server. The example body below is the design's code; adapted lines carry an `Adapted:` comment.
 *
 * Run: `pnpm --filter @lucid-dreams/examples design:quick-start-create-wallet`
 */
import { createWallet } from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";
import { verifyMessage } from "viem";

// Local setup (not part of the design): a local Lucid server, and the LUCID_* variables it prints put where
// createWallet() reads them (LUCID_BASE_URL, LUCID_AGENT_REF, LUCID_AGENT_CREDENTIAL = the credential bound to
// the server-held wallet, LUCID_SERVER_ACCESS_TOKEN = the owner token that signs the first challenge).
const server = await startLocalServer({ port: 0 });
Object.assign(process.env, server.env);

try {
  const wallet = await createWallet({
    // Omitting `config` lets createWallet read standard LUCID_* environment variables
    events: {
      authenticated: (event) => {
        // Adapted: the design logs `event.accessToken`, the bearer token itself. A token is a secret that must
        // never reach a log, so this logs who signed in and until when instead.
        console.log("agent authenticated", event.agentRef, "until", event.expiresAt.toISOString());
      },
    },
  });

  await wallet.ensureAccessToken();

  const signed = await wallet.signMessage({
    message: "gm",
  });

  console.log("signature", signed.signed);

  // Added (not in the design): check the signature against the agent's server-held wallet.
  const valid = await verifyMessage({
    address: server.seed.serverWalletAddress,
    message: "gm",
    signature: signed.signature,
  });
  console.log("signature verifies against the server wallet", valid);
  if (!valid) throw new Error("the signature does not verify");

  await wallet.shutdown();
} finally {
  await server.close();
}
