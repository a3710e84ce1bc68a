import { ConfigurationError } from "../runtime/errors.js";
import type { LucidToolPreview } from "./policy/preview.js";
import type { LucidTool } from "./tool-context.js";
import type { LucidToolContext } from "./tool-descriptor.js";
import { ToolInputError } from "./tool-errors.js";
import type { LucidSession } from "./tool-session.js";

/** A pending tool call whose preview a host wants: which tool, the model's input, and the call's context. */
export interface PendingLucidToolCall {
  /** The tool's name, as in the framework's approval request. */
  tool: string;
  /** The model's input, as in the approval request (validated against the tool's schema here). */
  input: unknown;
  session: LucidSession;
  toolCallId: string;
  conversationId?: string;
  signal?: AbortSignal;
}

/**
 * The preview of a pending call, for a host that holds an approval request (e.g. a web chat server that got an
 * AI SDK `tool-approval-request` with the tool name and input): runs every check of the policy on the same
 * descriptors the model calls, without signing, and returns what to show the human. Throws the refusal
 * (`PolicyRefusedError`), `ToolInputError` for input that fails the schema.
 */
export async function previewLucidToolCall(
  tools: readonly LucidTool<never>[],
  call: PendingLucidToolCall,
): Promise<LucidToolPreview> {
  const descriptor = tools.find((tool) => tool.name === call.tool) as LucidTool<unknown> | undefined;
  if (!descriptor?.preview) {
    throw new ConfigurationError(`No Lucid tool "${call.tool}" with a preview in this tool set.`, {
      hint: "Pass the descriptors from createLucidToolDescriptors (the same options as the model's tools).",
    });
  }
  const checked = await descriptor.inputSchema["~standard"].validate(call.input);
  if (checked.issues) {
    throw new ToolInputError(
      `Invalid input for ${call.tool}: ${checked.issues.map((issue) => issue.message).join("; ")}.`,
    );
  }
  const context: LucidToolContext<LucidSession> = {
    session: call.session,
    toolCallId: call.toolCallId,
    conversationId: call.conversationId,
    signal: call.signal,
  };
  return descriptor.preview(checked.value, context);
}
