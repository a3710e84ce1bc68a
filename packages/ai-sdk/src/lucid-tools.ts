import {
  createLucidToolDescriptors,
  type LucidSession,
  type LucidToolResult,
  type LucidToolsOptions,
} from "@lucid-dreams/agent-auth/tools";
import type { Tool } from "ai";
import { type SessionResolver, type ToAiSdkToolOptions, toAiSdkTool } from "./to-ai-sdk-tool.js";

/** Options of `lucidTools`: the core tool options (policy, rpc, approval, tools, defaultChain) plus `onError` and `onApprovalPreview`. */
export interface LucidToolsAiSdkOptions extends LucidToolsOptions, ToAiSdkToolOptions {}

/** The Lucid tools as AI SDK tools, by tool name (`listAgents`, `signMessage`, `sendTransaction`, ...). */
export type LucidToolSet = Record<string, Tool<Record<string, unknown>, LucidToolResult<unknown>>>;

/**
 * The Lucid wallet tools for `generateText`/`streamText`: `tools: lucidTools(runtime)`.
 *
 * `session` is an `AgentRuntime` or a `createWallet()` client, or a resolver that returns one per tool call
 * from the call's context (one tool set for a multi-tenant server). The model never sees or supplies
 * credentials, tokens or the session. All tools share one policy, so one budget ledger per session.
 */
export function lucidTools(
  session: LucidSession | SessionResolver<LucidSession>,
  options: LucidToolsAiSdkOptions = {},
): LucidToolSet {
  const { onError, onApprovalPreview, ...toolOptions } = options;
  return Object.fromEntries(
    createLucidToolDescriptors(toolOptions).map((descriptor) => [
      descriptor.name,
      // strict: the Lucid input schemas stay inside OpenAI's strict-mode subset (a test checks each one).
      {
        ...toAiSdkTool(descriptor, session, { onError, onApprovalPreview }),
        strict: true,
      } as LucidToolSet[string],
    ]),
  );
}
