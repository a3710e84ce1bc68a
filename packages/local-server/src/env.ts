import type { SeedResult } from "./seed.js";
import type { LocalX402 } from "./x402/start-x402.js";

/** The dotenv values that point a client at this server and its first agent. */
export function buildEnv(input: {
  url: string;
  seed: SeedResult;
  chainId: number;
  rpcUrl: string;
  token: { address: string; symbol: string };
  x402: LocalX402 | undefined;
}): Record<string, string> {
  const agent = input.seed.agents[0]!;
  return {
    LUCID_BASE_URL: input.url,
    LUCID_AGENT_REF: agent.agentRef,
    LUCID_AGENT_ID: agent.agentId,
    LUCID_AGENT_CREDENTIAL: agent.credentialId,
    LUCID_SERVER_URL: input.url,
    LUCID_SERVER_ACCESS_TOKEN: input.seed.ownerToken,
    LUCID_AGENT_EOA_CREDENTIAL: agent.eoaCredentialId,
    LUCID_AGENT_PRIVATE_KEY: agent.eoaPrivateKey,
    LUCID_AGENT_WALLET_ADDRESS: agent.serverWalletAddress,
    LUCID_CHAIN_ID: String(input.chainId),
    LUCID_CHAIN_RPC_URL: input.rpcUrl,
    LUCID_AGENT_BASE_URL: input.url,
    LUCID_AGENT_AGENT_REF: agent.agentRef,
    LUCID_AGENT_AGENT_ID: agent.agentId,
    LUCID_AGENT_CREDENTIAL_ID: agent.credentialId,
    LUCID_TOKEN_ADDRESS: input.token.address,
    LUCID_TOKEN_SYMBOL: input.token.symbol,
    ...(input.x402
      ? { LUCID_X402_URL: input.x402.resourceUrl, LUCID_X402_FACILITATOR_URL: input.x402.facilitatorUrl }
      : {}),
  };
}

/** `KEY=value` lines (the values never need quoting: URLs, ids, hex). */
export function formatDotenv(env: Record<string, string>): string {
  return `${Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n")}\n`;
}
