import {
  createLucidToolDescriptors,
  type LucidSession,
  type LucidToolName,
  type LucidToolResult,
  type LucidToolsOptions,
  type LucidToolTypes,
} from "@lucid-dreams/agent-auth/tools";
import type { Tool } from "ai";
import { type SessionResolver, type ToAiSdkToolOptions, toAiSdkTool } from "./to-ai-sdk-tool.js";

/**
 * Options of `lucidTools`: the core tool options (policy, rpc, approval, tools, defaultChain, tokens, payments),
 * `errorMode`, the `onError` hook for unexpected failures and `onApprovalPreview`.
 */
export interface LucidToolsAiSdkOptions<Name extends LucidToolName = LucidToolName>
  extends Omit<LucidToolsOptions, "onError" | "tools">,
    ToAiSdkToolOptions {
  /** Only these tools. Default: every tool but `signTransaction`. */
  tools?: readonly Name[];
}

/** One Lucid tool as an AI SDK tool, typed with its real input and output (`{ ok: true, result }` or an error). */
export type LucidAiSdkTool<Name extends LucidToolName> = Tool<
  LucidToolTypes[Name]["input"],
  LucidToolResult<LucidToolTypes[Name]["output"]>
>;

/**
 * The Lucid tools as AI SDK tools, by tool name (`listAgents`, `signMessage`, `sendTransaction`, ...), each with
 * its real output type, so `toolResults` and `steps` are typed for TypeScript users. `LucidToolSet<"signMessage">`
 * is the set of exactly those tools; plain `LucidToolSet` is any set of them (untyped), so a variable of
 * that type can hold the result of `lucidTools` with any `tools` option.
 */
export type LucidToolSet<Name extends LucidToolName = never> = [Name] extends [never]
  ? // biome-ignore lint/suspicious/noExplicitAny: the AI SDK's own ToolSet is built on Tool<any, any> too.
    Record<string, Tool<any, any>>
  : { [N in Name]: LucidAiSdkTool<N> };

/**
 * The Lucid wallet tools for `generateText`/`streamText`: `tools: lucidTools(runtime)`.
 *
 * `session` is an `AgentRuntime` or a `createWallet()` client, or a resolver that returns one per tool call
 * from the call's context (one tool set for a multi-tenant server). The model never sees or supplies
 * credentials, tokens or the session. All tools share one policy, so one budget ledger per session.
 */
export function lucidTools<const Name extends LucidToolName = LucidToolName>(
  session: LucidSession | SessionResolver<LucidSession>,
  options: LucidToolsAiSdkOptions<Name> = {},
): LucidToolSet<Name> {
  const { onError, errorMode, onApprovalPreview, ...toolOptions } = options;
  const adapterOptions: ToAiSdkToolOptions = {};
  if (onError !== undefined) adapterOptions.onError = onError;
  if (errorMode !== undefined) adapterOptions.errorMode = errorMode;
  if (onApprovalPreview !== undefined) adapterOptions.onApprovalPreview = onApprovalPreview;
  return Object.fromEntries(
    createLucidToolDescriptors(toolOptions).map((descriptor) => [
      descriptor.name,
      // strict: the Lucid input schemas stay inside OpenAI's strict-mode subset (a test checks each one).
      { ...toAiSdkTool(descriptor, session, adapterOptions), strict: true },
    ]),
  ) as LucidToolSet<Name>;
}
