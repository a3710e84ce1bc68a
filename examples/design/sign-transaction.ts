/**
 * Design document, "Usage Examples" > "Sign a transaction", run against the embedded local Lucid server and its
 * local chain (anvil). The example body below is the design's code; adapted lines carry an `Adapted:` comment.
 *
 * The design's snippet continues an earlier one (it uses `runtime` and `config` from "your loaded config"), so
 * the setup loads them with `AgentRuntime.load` and the server wallet connector, as the earlier examples do.
 *
 * Run: `pnpm --filter @lucid-dreams/examples design:sign-transaction`
 */
import { AgentRuntime, ServerOrchestratorWalletConnector } from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";
import {
  createPublicClient,
  defineChain,
  http,
  recoverTransactionAddress,
  type TransactionSerialized,
} from "viem";

// Local setup (not part of the design): a local Lucid server whose anvil chain has Base's chain id (8453), so the
// design's `caip2: "eip155:8453"` runs as written, its LUCID_* variables, and the runtime and config the snippet
// expects, loaded from the environment. The challenge is signed by the agent's server-held wallet, authorised by
// the owner token (LUCID_SERVER_ACCESS_TOKEN); the signed transaction comes from that wallet too.
const server = await startLocalServer({ port: 0, chainId: 8453 });
Object.assign(process.env, server.env);

try {
  const { runtime, config } = await AgentRuntime.load({
    wallet: {
      signer: new ServerOrchestratorWalletConnector({
        baseUrl: process.env.LUCID_SERVER_URL!,
        agentRef: process.env.LUCID_AGENT_REF!,
        accessToken: process.env.LUCID_SERVER_ACCESS_TOKEN!,
      }),
    },
  });
  const chain = defineChain({
    id: server.seed.chainId,
    name: "Local anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [server.seed.rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport: http() });
  // The server fills what the design's transaction leaves out (the pending nonce, the estimated gas and the
  // node's fees), as an orchestrator does, and returns them with the signature.

  // The design's snippet starts here.
  const agentRef = process.env.LUCID_AGENT_REF ?? config.agentRef; // reuse the agent ref from your loaded config

  const signed = await runtime.api.signTransaction(
    {
      caip2: "eip155:8453",
      params: {
        transaction: {
          to: "0x0000000000000000000000000000000000000000",
          value: "0x0",
          data: "0x",
        },
      },
      authorization_context: {
        reason: "lucid.example.sign-transaction",
      },
    },
    { agentRef },
  );

  console.log("signed transaction", signed.signed);

  // Added (not in the design): recover the signer, broadcast the signed transaction and wait for it to land.
  // (viem types serialized transactions by their type byte; the Lucid wallet returns plain 0x-hex.)
  const serializedTransaction = signed.signedTransaction as TransactionSerialized;
  const signer = await recoverTransactionAddress({ serializedTransaction });
  console.log(
    "recovered signer",
    signer,
    "is the server wallet:",
    signer === server.seed.serverWalletAddress,
  );
  if (signer !== server.seed.serverWalletAddress) throw new Error("unexpected signer");
  const hash = await publicClient.sendRawTransaction({ serializedTransaction });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  console.log(`broadcast ${hash}: ${receipt.status} in block ${receipt.blockNumber}`);
  if (hash !== signed.transactionHash) throw new Error("the transaction hash differs from the signed one");

  await runtime.shutdown();
} finally {
  await server.close();
}
