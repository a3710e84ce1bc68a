import { ConfigurationError } from "../runtime/errors.js";
import { PolicyRefusedError, ToolInputError } from "./tool-errors.js";

/** One token the host lets the tools use, by symbol. Limits are decimal strings in the token's own units. */
export interface LucidTokenConfig {
  /** The token contract. Its symbol and decimals are read from the chain. */
  address: string;
  /** CAIP-2 chain of the token. Default: the chain of the call (the configured default or the wallet's). */
  chain?: string;
  /** Largest amount of one transfer or payment, e.g. "25" (USDC). Default: none. */
  maxPerTransaction?: string;
  /** Total the tools may move of this token (transfers and x402 payments together), e.g. "100". Default: none. */
  budget?: string;
}

/** The host's token list: symbol -> token (e.g. `{ USDC: { address: "0x...", maxPerTransaction: "5" } }`). */
export type LucidTokens = Readonly<Record<string, LucidTokenConfig>>;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** A listed token, resolved for a call. */
export interface ResolvedToken {
  /** The key of the host's list ("USDC"). */
  symbol: string;
  address: `0x${string}`;
  chain: string;
  config: LucidTokenConfig;
}

/** Checks the list once, when the tools are built, so a typo fails at startup and not mid-conversation. */
export function validateTokens(tokens: LucidTokens | undefined): void {
  for (const [symbol, config] of Object.entries(tokens ?? {})) {
    if (!config || typeof config.address !== "string" || !ADDRESS.test(config.address)) {
      throw new ConfigurationError(`tokens.${symbol}.address is not an EVM address.`, {
        hint: 'Write tokens: { USDC: { address: "0x...", maxPerTransaction: "5", budget: "50" } }.',
      });
    }
    for (const field of ["maxPerTransaction", "budget"] as const) {
      const value = config[field];
      if (value !== undefined && !/^\d+(\.\d+)?$/.test(value)) {
        throw new ConfigurationError(`tokens.${symbol}.${field} "${value}" is not a decimal amount.`, {
          hint: 'Write limits in the token\'s units as strings, e.g. maxPerTransaction: "5".',
        });
      }
    }
  }
}

/** Finds a token of the host's list by symbol (case-insensitive) or address, on `chain`. */
export function resolveToken(
  tokens: LucidTokens | undefined,
  symbolOrAddress: string,
  chain: string,
): ResolvedToken {
  const entries = Object.entries(tokens ?? {});
  const wanted = symbolOrAddress.trim();
  const byAddress = ADDRESS.test(wanted);
  for (const [symbol, config] of entries) {
    const tokenChain = config.chain ?? chain;
    if (tokenChain !== chain) continue;
    const hit = byAddress
      ? config.address.toLowerCase() === wanted.toLowerCase()
      : symbol.toLowerCase() === wanted.toLowerCase();
    if (hit) return { symbol, address: config.address as `0x${string}`, chain: tokenChain, config };
  }
  const listed = entries.map(([symbol]) => symbol).join(", ") || "none";
  if (byAddress) {
    throw new PolicyRefusedError(
      "token_allowlist",
      `Token ${wanted} is not on the host's token list for ${chain} (listed: ${listed}).`,
    );
  }
  throw new ToolInputError(`Unknown token "${wanted.slice(0, 40)}" on ${chain}; listed tokens: ${listed}.`);
}
