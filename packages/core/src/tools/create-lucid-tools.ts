import { ConfigurationError } from "../runtime/errors.js";
import type { LucidToolsRpc } from "./chain-client.js";
import { fetchPaidResourceTool } from "./fetch-paid-resource.js";
import { getAgentTool } from "./get-agent.js";
import { getBalanceTool } from "./get-balance.js";
import { getWalletAddressTool } from "./get-wallet-address.js";
import { listAgentsTool } from "./list-agents.js";
import { type LucidPaymentPolicy, validatePaymentPolicy } from "./payment-policy.js";
import { type LucidToolPolicy, PolicyEnforcer } from "./policy.js";
import { sendTokenTool } from "./send-token.js";
import { sendTransactionTool } from "./send-transaction.js";
import { signMessageTool } from "./sign-message.js";
import { signTransactionTool } from "./sign-transaction.js";
import { signTypedDataTool } from "./sign-typed-data.js";
import { MemorySpendLedger, type SpendLedger } from "./spend-ledger.js";
import { type LucidTokens, validateTokens } from "./token-policy.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";
import type { LucidToolErrorHandler } from "./tool-error-result.js";

/** The tools, by name. */
export const LUCID_TOOL_NAMES = [
  "listAgents",
  "getAgent",
  "getWalletAddress",
  "signMessage",
  "signTypedData",
  "signTransaction",
  "sendTransaction",
  "getBalance",
  "sendToken",
  "fetchPaidResource",
] as const;

export type LucidToolName = (typeof LUCID_TOOL_NAMES)[number];

/** The tools created when `tools` is not given: every tool but `signTransaction` (opt in by naming it). */
export const DEFAULT_LUCID_TOOL_NAMES: readonly LucidToolName[] = LUCID_TOOL_NAMES.filter(
  (name) => name !== "signTransaction",
);

/** Options shared by every framework adapter. */
export interface LucidToolsOptions {
  /**
   * Default-deny rules checked before anything is signed or sent (chains, worst-case cost, budgets, decoded
   * calldata, simulation, typed data, messages). See the README's security section.
   */
  policy?: LucidToolPolicy;
  /**
   * How the tools read each chain (simulation, fees, nonces, balances): a JSON-RPC URL or a viem
   * `PublicClient` per CAIP-2 chain id. Chains without an entry are not simulated (see `policy.simulation`).
   */
  rpc?: LucidToolsRpc;
  /**
   * Which tools need a human's approval before each call, through the framework's own mechanism.
   * Default: `{ sendTransaction: true, signTransaction: true, sendToken: true }` (`fetchPaidResource` asks
   * `payments.approve` with the price, which is known only after the seller's 402).
   */
  approval?: Partial<Record<LucidToolName, boolean>>;
  /** Only these tools. Default: `DEFAULT_LUCID_TOOL_NAMES` (every tool but `signTransaction`). */
  tools?: readonly LucidToolName[];
  /** CAIP-2 chain used when the model passes `chain: null` and the wallet's record names none. */
  defaultChain?: string;
  /**
   * Called with each unexpected tool failure (an error that is not a Lucid error: a bug, a broken dependency),
   * with the thrown error and its cause. The model still sees only `internal_error`; the session's logger gets
   * an `error` record as well.
   */
  onError?: LucidToolErrorHandler;
  /**
   * The tokens `getBalance` reports by symbol, with limits in the token's units: an alias of `policy.tokens`
   * (the source of truth for every token movement). Each entry becomes a `policy.tokens` entry whose limits are
   * converted with the decimals read from the chain on first use; a token with limits in both places is a
   * `ConfigurationError`.
   */
  tokens?: LucidTokens;
  /** x402 rules of `fetchPaidResource` (hosts, pay-to, networks, assets, caps, budget, approval). */
  payments?: LucidPaymentPolicy;
  /**
   * Where budgets are counted (also `policy.ledger`, which wins). Default: one `MemorySpendLedger` per tool
   * set; a `RedisSpendLedger` shares them across a fleet.
   */
  ledger?: SpendLedger;
}

const FACTORIES: Record<LucidToolName, (deps: ToolDeps) => LucidTool<never>> = {
  listAgents: listAgentsTool as (deps: ToolDeps) => LucidTool<never>,
  getAgent: getAgentTool as (deps: ToolDeps) => LucidTool<never>,
  getWalletAddress: getWalletAddressTool as (deps: ToolDeps) => LucidTool<never>,
  signMessage: signMessageTool as (deps: ToolDeps) => LucidTool<never>,
  signTypedData: signTypedDataTool as (deps: ToolDeps) => LucidTool<never>,
  signTransaction: signTransactionTool as (deps: ToolDeps) => LucidTool<never>,
  sendTransaction: sendTransactionTool as (deps: ToolDeps) => LucidTool<never>,
  getBalance: getBalanceTool as (deps: ToolDeps) => LucidTool<never>,
  sendToken: sendTokenTool as (deps: ToolDeps) => LucidTool<never>,
  fetchPaidResource: fetchPaidResourceTool as (deps: ToolDeps) => LucidTool<never>,
};

const DEFAULT_APPROVAL: Partial<Record<LucidToolName, boolean>> = {
  sendTransaction: true,
  signTransaction: true,
  sendToken: true,
};

/**
 * The framework-neutral Lucid tools: one descriptor per tool, sharing one policy (and so one budget ledger).
 * Adapters map them to their framework; the session is injected per call and never comes from the model.
 */
export function createLucidToolDescriptors(options: LucidToolsOptions = {}): LucidTool<never>[] {
  const ledger = options.policy?.ledger ?? options.ledger ?? new MemorySpendLedger();
  validateTokens(options.tokens);
  const policy = new PolicyEnforcer(
    { ...options.policy, ledger },
    { ...(options.rpc ? { rpc: options.rpc } : {}), tokens: options.tokens },
  );
  const approval = { ...DEFAULT_APPROVAL, ...options.approval };
  const names = options.tools ?? DEFAULT_LUCID_TOOL_NAMES;
  validatePaymentPolicy(options.payments);
  const chainClient = (caip2: string) => policy.clientFor(caip2);
  const shared = {
    chainClient,
    readToken: policy.readToken,
    ...(options.tokens ? { tokens: options.tokens } : {}),
    ...(options.payments ? { payments: options.payments } : {}),
  };
  const filled = new Map<string, Record<string, string>>();
  return names.map((name) => {
    const factory = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
    if (!factory) {
      throw new ConfigurationError(`Unknown Lucid tool "${String(name)}".`, {
        hint: `Pick from: ${LUCID_TOOL_NAMES.join(", ")}.`,
      });
    }
    const tool = factory({
      policy,
      filled,
      defaultChain: options.defaultChain,
      needsApproval: approval[name] ?? false,
      ...shared,
    });
    if (options.onError) tool.onError = options.onError;
    return tool;
  });
}
