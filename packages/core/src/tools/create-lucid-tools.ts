import { ConfigurationError } from "../runtime/errors.js";
import type { LucidToolsRpc } from "./chain-client.js";
import { getAgentTool } from "./get-agent.js";
import { getWalletAddressTool } from "./get-wallet-address.js";
import { listAgentsTool } from "./list-agents.js";
import { type LucidToolPolicy, PolicyEnforcer } from "./policy.js";
import { sendTransactionTool } from "./send-transaction.js";
import { signMessageTool } from "./sign-message.js";
import { signTransactionTool } from "./sign-transaction.js";
import { signTypedDataTool } from "./sign-typed-data.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";

/** The tools, by name. */
export const LUCID_TOOL_NAMES = [
  "listAgents",
  "getAgent",
  "getWalletAddress",
  "signMessage",
  "signTypedData",
  "signTransaction",
  "sendTransaction",
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
   * Default: `{ sendTransaction: true, signTransaction: true }`.
   */
  approval?: Partial<Record<LucidToolName, boolean>>;
  /** Only these tools. Default: `DEFAULT_LUCID_TOOL_NAMES` (every tool but `signTransaction`). */
  tools?: readonly LucidToolName[];
  /** CAIP-2 chain used when the model passes `chain: null` and the wallet's record names none. */
  defaultChain?: string;
}

const FACTORIES: Record<LucidToolName, (deps: ToolDeps) => LucidTool<never>> = {
  listAgents: listAgentsTool as (deps: ToolDeps) => LucidTool<never>,
  getAgent: getAgentTool as (deps: ToolDeps) => LucidTool<never>,
  getWalletAddress: getWalletAddressTool as (deps: ToolDeps) => LucidTool<never>,
  signMessage: signMessageTool as (deps: ToolDeps) => LucidTool<never>,
  signTypedData: signTypedDataTool as (deps: ToolDeps) => LucidTool<never>,
  signTransaction: signTransactionTool as (deps: ToolDeps) => LucidTool<never>,
  sendTransaction: sendTransactionTool as (deps: ToolDeps) => LucidTool<never>,
};

const DEFAULT_APPROVAL: Partial<Record<LucidToolName, boolean>> = {
  sendTransaction: true,
  signTransaction: true,
};

/**
 * The framework-neutral Lucid tools: one descriptor per tool, sharing one policy (and so one budget ledger).
 * Adapters map them to their framework; the session is injected per call and never comes from the model.
 */
export function createLucidToolDescriptors(options: LucidToolsOptions = {}): LucidTool<never>[] {
  const policy = new PolicyEnforcer(options.policy, options.rpc ? { rpc: options.rpc } : {});
  const approval = { ...DEFAULT_APPROVAL, ...options.approval };
  const names = options.tools ?? DEFAULT_LUCID_TOOL_NAMES;
  const filled = new Map<string, Record<string, string>>();
  return names.map((name) => {
    const factory = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
    if (!factory) {
      throw new ConfigurationError(`Unknown Lucid tool "${String(name)}".`, {
        hint: `Pick from: ${LUCID_TOOL_NAMES.join(", ")}.`,
      });
    }
    return factory({
      policy,
      filled,
      defaultChain: options.defaultChain,
      needsApproval: approval[name] ?? false,
    });
  });
}
