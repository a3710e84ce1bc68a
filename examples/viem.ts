/**
 * A full viem workflow with a Lucid agent wallet (the runnable script the design document points to):
 * environment-driven configuration -> `createWallet()` -> `createViemAccount()` -> a viem wallet client that
 * signs a message and EIP-712 typed data (both verified with viem), signs a transaction without sending it, and
 * sends one and waits for its receipt. The agent's key never leaves the Lucid server: viem fills nonce, gas and
 * fees from its own RPC, the server-held wallet signs, viem broadcasts.
 *
 * Configuration: the standard LUCID_* variables (`LUCID_BASE_URL`, `LUCID_AGENT_REF`, `LUCID_AGENT_CREDENTIAL`,
 * `LUCID_SERVER_ACCESS_TOKEN`) plus the chain (`LUCID_CHAIN_ID`, `LUCID_CHAIN_RPC_URL`). When `LUCID_BASE_URL`
 * is unset, the script starts the embedded local Lucid server (with its anvil chain) and uses the values it
 * prints, so it runs with no account and no setup.
 *
 * Run: `pnpm --filter @lucid-dreams/examples viem`
 *  or: `pnpm local-server > .env.local` in one terminal, then `node --env-file=.env.local --import tsx viem.ts`.
 */
import { createViemAccount, createWallet } from "@lucid-dreams/agent-auth";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  formatEther,
  http,
  parseEther,
  recoverTransactionAddress,
  verifyMessage,
  verifyTypedData,
} from "viem";

const say = (step: string, detail = "") => console.log(`${step.padEnd(26)}${detail}`);

// 1. Configuration from the environment, or from the embedded local server when none is set.
let server: LocalServer | undefined;
if (!process.env.LUCID_BASE_URL) {
  server = await startLocalServer({ port: 0 });
  Object.assign(process.env, server.env);
  say("embedded local server", `${server.url} (LUCID_BASE_URL was not set)`);
}

try {
  const chainId = Number(process.env.LUCID_CHAIN_ID);
  const rpcUrl = process.env.LUCID_CHAIN_RPC_URL;
  if (!Number.isSafeInteger(chainId) || !rpcUrl) {
    throw new Error("Set LUCID_CHAIN_ID and LUCID_CHAIN_RPC_URL (the chain the agent's wallet lives on).");
  }
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });

  // 2. The Lucid wallet (server-held by default: its first challenge is signed with LUCID_SERVER_ACCESS_TOKEN)
  //    and a viem account on top of it.
  const lucidWallet = await createWallet();
  const session = await lucidWallet.authenticate();
  say("authenticated", `${session.agentRef}, scopes ${session.scopes.join(", ")}`);
  const account = await createViemAccount(lucidWallet, { chainId });
  say("viem account", account.address);

  const publicClient = createPublicClient({ chain, transport: http() });
  const walletClient = createWalletClient({ account, chain, transport: http() });
  say("balance", `${formatEther(await publicClient.getBalance({ address: account.address }))} ETH`);

  // 3. Sign a message and verify it.
  const message = "gm from viem and Lucid";
  const messageSignature = await walletClient.signMessage({ message });
  const messageValid = await verifyMessage({
    address: account.address,
    message,
    signature: messageSignature,
  });
  say("sign message", `${messageSignature.slice(0, 18)}…, verifies: ${messageValid}`);

  // 4. Sign EIP-712 typed data and verify it.
  const typedData = {
    domain: { name: "Lucid example", version: "1", chainId, verifyingContract: account.address },
    types: {
      Person: [
        { name: "name", type: "string" },
        { name: "wallet", type: "address" },
      ],
      Mail: [
        { name: "from", type: "Person" },
        { name: "to", type: "Person" },
        { name: "contents", type: "string" },
        { name: "amount", type: "uint256" },
      ],
    },
    primaryType: "Mail",
    message: {
      from: { name: "Agent", wallet: account.address },
      to: { name: "Bob", wallet: "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" },
      contents: "Hello, Bob!",
      amount: 42n,
    },
  } as const;
  const typedSignature = await walletClient.signTypedData(typedData);
  const typedValid = await verifyTypedData({
    ...typedData,
    address: account.address,
    signature: typedSignature,
  });
  say("sign typed data", `${typedSignature.slice(0, 18)}…, verifies: ${typedValid}`);

  const recipient = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  const value = parseEther("0.01");

  // 5. Optional: sign a transaction without broadcasting it (viem prepares nonce, gas and fees).
  const prepared = await walletClient.prepareTransactionRequest({ to: recipient, value });
  const signedTransaction = await walletClient.signTransaction(prepared);
  const signer = await recoverTransactionAddress({ serializedTransaction: signedTransaction });
  say(
    "sign transaction",
    `${signedTransaction.slice(0, 18)}…, signed by the account: ${signer === account.address}`,
  );

  // 6. Send a transaction and wait for its receipt.
  const hash = await walletClient.sendTransaction({ to: recipient, value });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  say("send transaction", hash);
  say("", `status ${receipt.status}, block ${receipt.blockNumber}, gas used ${receipt.gasUsed}`);
  say("recipient balance", `${formatEther(await publicClient.getBalance({ address: recipient }))} ETH`);

  if (!messageValid || !typedValid || signer !== account.address || receipt.status !== "success") {
    throw new Error("a step did not verify");
  }
  say("done", "every step verified");
  await lucidWallet.shutdown();
} finally {
  await server?.close();
}
