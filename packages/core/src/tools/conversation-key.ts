import { digestOf } from "./policy/fingerprint.js";

/**
 * Idempotency keys of tool calls, scoped to a conversation. The rule, for every adapter:
 *
 * - the key is `lucid-tool:<tool>:<conversation>:<toolCallId>`, where `<conversation>` is the conversation's
 *   scope (below) or `-` when the host gives none;
 * - AI SDK: the scope is a digest of the conversation before the call (the step's messages up to, not
 *   including, the assistant message that made this tool call), so a retry, a resumed conversation or another
 *   process computes the same key while two conversations that share a tool-call id do not;
 * - LangChain: the run's `configurable.thread_id` (LangGraph's conversation id), else a host-given
 *   `configurable.lucidConversationId`;
 * - a host can always pass its own conversation id (`LucidToolContext.conversationId`).
 *
 * The same key is the ledger's reservation key and the wallet's `idempotency_key`, so a replay never counts
 * twice and is never signed or broadcast twice.
 */
export function toolIdempotencyKey(toolName: string, toolCallId: string, conversationId?: string): string {
  const scope = conversationId ? conversationId.slice(0, 64) : "-";
  const key = `lucid-tool:${toolName}:${scope}:${toolCallId}`;
  if (key.length <= 200) return key;
  // Keep it within the contract's 255 characters while staying unique to the call id.
  return `lucid-tool:${toolName}:${scope}:${digestOf(toolCallId).slice(0, 32)}:${toolCallId.slice(0, 60)}`;
}

const partsOf = (message: unknown): unknown[] => {
  const content = (message as { content?: unknown })?.content;
  return Array.isArray(content) ? content : [];
};

/**
 * The conversation scope of an AI SDK tool call: a digest of the messages before the assistant message that
 * holds `toolCallId` (all of them when it is not there yet, as during the step that makes the call).
 */
export function conversationIdFromMessages(messages: readonly unknown[], toolCallId: string): string {
  const at = messages.findIndex(
    (message) =>
      (message as { role?: unknown })?.role === "assistant" &&
      partsOf(message).some((part) => (part as { toolCallId?: unknown })?.toolCallId === toolCallId),
  );
  const before = at === -1 ? messages : messages.slice(0, at);
  return `m${digestOf(before).slice(0, 40)}`;
}

/** The conversation scope of a LangChain run: `thread_id`, else `lucidConversationId`, from `configurable`. */
export function conversationIdFromConfigurable(configurable: Record<string, unknown>): string | undefined {
  const id = configurable.thread_id ?? configurable.lucidConversationId;
  if (typeof id === "string" && id !== "") return `t${digestOf(id).slice(0, 40)}`;
  if (typeof id === "number") return `t${digestOf(String(id)).slice(0, 40)}`;
  return undefined;
}
