/**
 * Design document, "Usage Examples" > "Integrate with `viem`", run against the embedded local Lucid server and
 * its local chain (anvil). The example body below is the design's code; adapted lines carry an `Adapted:`
 * comment.
 *
 * Run: `pnpm --filter @lucid-dreams/examples design:integrate-with-viem`
 */
import { createViemAccount, createWallet } from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";
import { createPublicClient, createWalletClient, defineChain, http, parseEther } from "viem";

// Local setup (not part of the design): a local Lucid server, and the LUCID_* variables it prints put where
// createWallet() reads them (the server-held wallet's credential and the owner token that signs the first
// challenge). The server-held wallet is funded with 100 ETH on the local chain.
const server = await startLocalServer({ port: 0 });
Object.assign(process.env, server.env);

// Adapted: the design imports `base` from "viem/chains"; the local server's wallet lives on its own anvil chain,
// so `base` is that chain. Its default RPC URL is anvil's, so the design's bare `http()` transports reach it.
const base = defineChain({
  id: server.seed.chainId,
  name: "Local anvil",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [server.seed.rpcUrl] } },
});

try {
  const lucidWallet = await createWallet();

  // Ensure the wallet has an address (authenticate once if using the server orchestrator).
  const account = await createViemAccount(lucidWallet, { chainId: base.id });

  const publicClient = createPublicClient({
    chain: base,
    transport: http(),
  });

  const walletClient = createWalletClient({
    account,
    chain: base,
    transport: http(),
  });

  const hash = await walletClient.sendTransaction({
    account,
    to: "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    value: parseEther("0.01"),
  });

  console.log("submitted transaction", hash);

  // Added (not in the design): wait until the transaction landed, and release the wallet.
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  console.log(`transaction landed: ${receipt.status} in block ${receipt.blockNumber}`);
  if (receipt.status !== "success") throw new Error("the transaction reverted");
  if (receipt.from.toLowerCase() !== server.seed.serverWalletAddress.toLowerCase()) {
    throw new Error("the transaction was not sent by the agent's server-held wallet");
  }
  await lucidWallet.shutdown();
} finally {
  await server.close();
}
