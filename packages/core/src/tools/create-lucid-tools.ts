import { ConfigurationError } from "../runtime/errors.js";
import { createChainClients, type LucidToolsRpc } from "./chain-client.js";
import { createTokenReader } from "./erc20.js";
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

/** Options shared by every framework adapter. */
export interface LucidToolsOptions {
  /** Rules checked before any network call (chains, value limits, budget, recipients, typed data). */
  policy?: LucidToolPolicy;
  /**
   * Which tools need a human's approval before each call, through the framework's own mechanism.
   * Default: `{ sendTransaction: true, sendToken: true }` (`fetchPaidResource` asks `payments.approve` with the price).
   */
  approval?: Partial<Record<LucidToolName, boolean>>;
  /** Only these tools. Default: all of them. */
  tools?: readonly LucidToolName[];
  /** CAIP-2 chain used when the model passes `chain: null` and the wallet's record names none. */
  defaultChain?: string;
  /**
   * Called with each unexpected tool failure (an error that is not a Lucid error: a bug, a broken dependency),
   * with the thrown error and its cause. The model still sees only `internal_error`; the session's logger gets
   * an `error` record as well.
   */
  onError?: LucidToolErrorHandler;
  /** How the tools read each chain: CAIP-2 -> JSON-RPC URL or viem `PublicClient`. */
  rpc?: LucidToolsRpc;
  /** The tokens `getBalance` reports and `sendToken` / `fetchPaidResource` may move, with their limits. */
  tokens?: LucidTokens;
  /** x402 rules of `fetchPaidResource` (hosts, pay-to, networks, assets, caps, budget, approval). */
  payments?: LucidPaymentPolicy;
  /** Where token and payment budgets are counted. Default: one `MemorySpendLedger` per tool set. */
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

const DEFAULT_APPROVAL: Partial<Record<LucidToolName, boolean>> = { sendTransaction: true, sendToken: true };

/**
 * The framework-neutral Lucid tools: one descriptor per tool, sharing one policy (and so one budget ledger).
 * Adapters map them to their framework; the session is injected per call and never comes from the model.
 */
export function createLucidToolDescriptors(options: LucidToolsOptions = {}): LucidTool<never>[] {
  const policy = new PolicyEnforcer(options.policy);
  const approval = { ...DEFAULT_APPROVAL, ...options.approval };
  const names = options.tools ?? LUCID_TOOL_NAMES;
  validateTokens(options.tokens);
  validatePaymentPolicy(options.payments);
  const chainClient = createChainClients(options.rpc);
  const shared = {
    chainClient,
    readToken: createTokenReader(chainClient),
    ledger: options.ledger ?? new MemorySpendLedger(),
    ...(options.tokens ? { tokens: options.tokens } : {}),
    ...(options.payments ? { payments: options.payments } : {}),
  };
  return names.map((name) => {
    const factory = FACTORIES[name];
    if (!factory) {
      throw new ConfigurationError(`Unknown Lucid tool "${String(name)}".`, {
        hint: `Pick from: ${LUCID_TOOL_NAMES.join(", ")}.`,
      });
    }
    const tool = factory({
      policy,
      defaultChain: options.defaultChain,
      needsApproval: approval[name] ?? false,
      ...shared,
    });
    if (options.onError) tool.onError = options.onError;
    return tool;
  });
}
