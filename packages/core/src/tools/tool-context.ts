import type { PublicClient } from "viem";
import type { TokenInfo } from "./erc20.js";
import type { LucidPaymentPolicy } from "./payment-policy.js";
import type { PolicyEnforcer } from "./policy.js";
import type { LucidTokens } from "./token-policy.js";
import type { LucidToolDescriptor } from "./tool-descriptor.js";
import { ToolInputError } from "./tool-errors.js";
import type { LucidSession, ToolSession } from "./tool-session.js";

/** What every tool factory gets from `createLucidToolDescriptors`. */
export interface ToolDeps {
  policy: PolicyEnforcer;
  /** Transactions this process filled and signed, by idempotency key: a replay signs the same body. */
  filled: Map<string, Record<string, string>>;
  /** Chain used when the model passes `chain: null` and the wallet does not name one. */
  defaultChain: string | undefined;
  /** Whether this tool needs human approval. */
  needsApproval: boolean;
  /** Chain readers from `LucidToolsOptions.rpc` (balances, token decimals). */
  chainClient?: (caip2: string) => PublicClient | undefined;
  /** Reads (and caches) a token's symbol and decimals from the chain. */
  readToken?: (caip2: string, address: `0x${string}`) => Promise<TokenInfo>;
  /** The host's token list. */
  tokens?: LucidTokens;
  /** x402 payment rules. */
  payments?: LucidPaymentPolicy;
}

/** A descriptor over the injected `LucidSession`. */
export type LucidTool<Input = never, Output = unknown> = LucidToolDescriptor<Input, Output, LucidSession>;

/** The chain of a call: the model's, else the configured default, else the wallet's own. */
export async function resolveChain(
  chain: string | null,
  deps: ToolDeps,
  session: ToolSession,
  signal?: AbortSignal,
): Promise<string> {
  const resolved = chain ?? deps.defaultChain ?? (await session.wallet(signal)).caip2;
  if (!resolved) {
    throw new ToolInputError('chain is required: pass a CAIP-2 chain id such as "eip155:8453".');
  }
  deps.policy.checkChain(resolved);
  return resolved;
}
