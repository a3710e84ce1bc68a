import type { LucidSession, LucidToolDescriptor } from "@lucid-dreams/agent-auth/tools";

/** Any Lucid tool descriptor over an injected `LucidSession` (the core tools, or a host's own). */
// biome-ignore lint/suspicious/noExplicitAny: descriptors of any input and output type are mapped alike.
export type AnyLucidDescriptor = LucidToolDescriptor<any, unknown, LucidSession>;

/** What a session resolver is told about the MCP tool call it resolves a session for. */
export interface LucidMcpCall {
  /** The tool being called. */
  toolName: string;
  /** This call's id (a fresh one per `tools/call`); idempotency keys of signatures and sends derive from it. */
  toolCallId: string;
  /** The MCP session id (Streamable HTTP), undefined over stdio. */
  sessionId: string | undefined;
  /** Aborted when the client cancels the call or the connection closes. */
  signal: AbortSignal;
}

/**
 * Returns the Lucid session of one MCP tool call (an `AgentRuntime` or a `createWallet()` client). Return the
 * same object for the same tenant: the policy's budget is kept per session object.
 */
export type LucidMcpSessionResolver = (call: LucidMcpCall) => LucidSession | Promise<LucidSession>;
