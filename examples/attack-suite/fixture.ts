/**
 * The attack suite's world: a local Lucid server (real anvil), a signed-in runtime of the seeded agent, two
 * contracts deployed on the chain (a "drainer" that moves the caller's tokens to the attacker, and a contract
 * that always reverts), and the policy an attacker is tried against.
 */
import { AgentRuntime, createLocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import type { LucidToolPolicy, LucidToolsOptions } from "@lucid-dreams/agent-auth/tools";
import { LUCID_TOOL_NAMES } from "@lucid-dreams/agent-auth/tools";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { createPublicClient, createTestClient, type Hex, http, toEventSelector } from "viem";

export const TOKEN = "0x00000000000000000000000000000000000070c0";
export const FRIEND = "0x000000000000000000000000000000000000f00d";
export const ATTACKER = "0x000000000000000000000000000000000000bad0";
export const DRAINER = "0x00000000000000000000000000000000000d7a1e";
export const REVERTER = "0x000000000000000000000000000000000000e0e0";
/** Any selector: the two contracts ignore their calldata. */
export const CONTRACT_CALL = "0x12345678";

/** Runtime code that emits `Transfer(caller, ATTACKER, 42)`: a token contract draining whoever calls it. */
const drainerCode = (): Hex =>
  `0x602a600052${`73${ATTACKER.slice(2)}`}33${`7f${toEventSelector("Transfer(address,address,uint256)").slice(2)}`}60206000a300`;
/** Runtime code that always reverts. */
const REVERTER_CODE: Hex = "0x60006000fd";

export interface World {
  server: LocalServer;
  runtime: AgentRuntime;
  wallet: string;
  caip2: string;
  /** The issue's policy, plus the two contracts on the contracts list (so only simulation can refuse them). */
  policy: LucidToolPolicy;
  /** Tool options: every tool, approval off, the chain's RPC for simulation. */
  options: LucidToolsOptions;
  chain: ReturnType<typeof createPublicClient>;
  /** Wallet operations the server saw (sign and send), the "nothing reached the wallet" counter. */
  walletCalls(): number;
  close(): Promise<void>;
}

/** Starts the world. */
export async function startWorld(): Promise<World> {
  const server = await startLocalServer({ port: 0 });
  const { seed } = server;
  const test = createTestClient({ mode: "anvil", transport: http(seed.rpcUrl) });
  await test.setCode({ address: DRAINER, bytecode: drainerCode() });
  await test.setCode({ address: REVERTER, bytecode: REVERTER_CODE });
  const runtime = await AgentRuntime.fromConfig({
    config: { baseUrl: server.url, agentRef: seed.agentRef, credentialId: seed.eoaCredentialId },
    wallet: {
      signer: await createLocalEoaWalletConnector({ privateKey: seed.eoaPrivateKey, caip2: seed.caip2 }),
    },
    backgroundRefresh: false,
  });
  await runtime.authenticate();
  const policy: LucidToolPolicy = {
    allowedChains: [seed.caip2],
    maxValuePerTransaction: "0.05",
    budgetPerSession: "0.2",
    recipientAllowlist: [TOKEN, FRIEND],
    contracts: [
      { address: DRAINER, functions: [CONTRACT_CALL] },
      { address: REVERTER, functions: [CONTRACT_CALL] },
    ],
  };
  return {
    server,
    runtime,
    wallet: seed.serverWalletAddress,
    caip2: seed.caip2,
    policy,
    options: {
      policy,
      rpc: { [seed.caip2]: seed.rpcUrl },
      tools: LUCID_TOOL_NAMES,
      approval: { sendTransaction: false, signTransaction: false },
    },
    chain: createPublicClient({ transport: http(seed.rpcUrl) }),
    walletCalls: () =>
      ["signMessage", "signTypedData", "signTransaction", "sendTransaction"].reduce(
        (sum, op) => sum + server.counters.get(op as never),
        0,
      ),
    async close() {
      await runtime.shutdown();
      await server.close();
    },
  };
}
