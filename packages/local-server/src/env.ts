import type { SeedResult } from "./seed.js";
import type { LocalX402 } from "./x402/start-x402.js";

/** Which wallet of the first agent the printed variables sign in with. */
export type EnvWallet = "server" | "local";

/**
 * The dotenv values that point a client at this server and its first agent, in the one family every README uses
 * (`LUCID_BASE_URL`, `LUCID_AGENT_REF`, `LUCID_AGENT_CREDENTIAL`, ...).
 *
 * - `server` (default): `LUCID_AGENT_CREDENTIAL` is the agent's server-held wallet credential, and
 *   `LUCID_SERVER_ACCESS_TOKEN` signs its first challenge. The local key is there too, under the `LUCID_AGENT_EOA_*`
 *   names, so that `createWallet()` does not pick it up by itself.
 * - `local`: `LUCID_AGENT_CREDENTIAL` is the credential bound to the local key, and `LUCID_AGENT_PRIVATE_KEY` is
 *   that key (`createWallet()` then signs in with it).
 */
export function buildEnv(input: {
  url: string;
  seed: SeedResult;
  chainId: number;
  rpcUrl: string;
  wallet?: EnvWallet;
  token: { address: string; symbol: string };
  x402: LocalX402 | undefined;
}): Record<string, string> {
  const agent = input.seed.agents[0]!;
  const common = {
    LUCID_BASE_URL: input.url,
    LUCID_AGENT_REF: agent.agentRef,
    LUCID_AGENT_ID: agent.agentId,
  };
  const chain = {
    LUCID_AGENT_WALLET_ADDRESS: agent.serverWalletAddress,
    LUCID_CHAIN_ID: String(input.chainId),
    LUCID_CHAIN_RPC_URL: input.rpcUrl,
    LUCID_TOKEN_ADDRESS: input.token.address,
    LUCID_TOKEN_SYMBOL: input.token.symbol,
    ...(input.x402
      ? { LUCID_X402_URL: input.x402.resourceUrl, LUCID_X402_FACILITATOR_URL: input.x402.facilitatorUrl }
      : {}),
  };
  if (input.wallet === "local") {
    return {
      ...common,
      LUCID_AGENT_CREDENTIAL: agent.eoaCredentialId,
      LUCID_AGENT_PRIVATE_KEY: agent.eoaPrivateKey,
      ...chain,
    };
  }
  return {
    ...common,
    LUCID_AGENT_CREDENTIAL: agent.credentialId,
    LUCID_SERVER_URL: input.url,
    LUCID_SERVER_ACCESS_TOKEN: input.seed.ownerToken,
    LUCID_AGENT_EOA_CREDENTIAL: agent.eoaCredentialId,
    LUCID_AGENT_EOA_PRIVATE_KEY: agent.eoaPrivateKey,
    ...chain,
  };
}

/** `KEY=value` lines (the values never need quoting: URLs, ids, hex). */
export function formatDotenv(env: Record<string, string>): string {
  return `${Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n")}\n`;
}

/** The `.lucid-agent.json` content (as `AgentRuntime.load` reads it) for the server's first agent. No secret. */
export function agentConfigFile(
  server: {
    url: string;
    seed: { agentId: string; agentRef: string; credentialId: string; eoaCredentialId: string };
  },
  wallet: EnvWallet,
): { agentId: string; agentRef: string; credentialId: string; apiBaseUrl: string } {
  return {
    agentId: server.seed.agentId,
    agentRef: server.seed.agentRef,
    credentialId: wallet === "local" ? server.seed.eoaCredentialId : server.seed.credentialId,
    apiBaseUrl: server.url,
  };
}
