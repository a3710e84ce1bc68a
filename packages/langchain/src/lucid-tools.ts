import type { DynamicStructuredTool } from "@langchain/core/tools";
import {
  createLucidToolDescriptors,
  type LucidSession,
  type LucidToolsOptions,
} from "@lucid-dreams/agent-auth/tools";
import { type SessionResolver, type ToLangChainToolOptions, toLangChainTool } from "./to-langchain-tool.js";

/**
 * Options of `lucidTools` and `LucidToolkit`: the core tool options (`policy`, `approval`, `tools`,
 * `defaultChain`), `errorMode`, the `onError` hook for unexpected failures and the `approve` callback.
 */
export interface LucidLangChainOptions extends Omit<LucidToolsOptions, "onError">, ToLangChainToolOptions {}

/**
 * The Lucid wallet tools as LangChain structured tools (`listAgents`, `getAgent`, `getWalletAddress`,
 * `signMessage`, `signTypedData`, `signTransaction`, `sendTransaction`).
 *
 * `session` is an `AgentRuntime` or a `createWallet()` client, or a resolver returning one per tool call from
 * the invocation's `configurable` or `context` (e.g. `sessionFromConfig`), so one tool set serves many agents.
 * The model never sees or supplies credentials, tokens or the session. All tools share one policy, so one
 * budget ledger per session.
 */
export function lucidTools(
  session: LucidSession | SessionResolver<LucidSession>,
  options: LucidLangChainOptions = {},
): DynamicStructuredTool[] {
  const { onError, errorMode, approve, ...toolOptions } = options;
  const adapterOptions: ToLangChainToolOptions = {};
  if (onError !== undefined) adapterOptions.onError = onError;
  if (errorMode !== undefined) adapterOptions.errorMode = errorMode;
  if (approve !== undefined) adapterOptions.approve = approve;
  return createLucidToolDescriptors(toolOptions).map((descriptor) =>
    toLangChainTool(descriptor, session, adapterOptions),
  );
}
