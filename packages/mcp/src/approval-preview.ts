import type { LucidSession, LucidToolContext } from "@lucid-dreams/agent-auth/tools";
import type { AnyLucidDescriptor } from "./lucid-mcp-call.js";

/**
 * What the human is shown when asked to approve a call: the descriptor's own `preview(input)` when it has one
 * (given the input and the call's context; text, or a value shown as JSON), else the tool's name and its validated input as JSON. The one place to
 * change what an approval shows.
 */
export async function approvalPreview(
  descriptor: AnyLucidDescriptor,
  input: unknown,
  context?: LucidToolContext<LucidSession>,
): Promise<string> {
  const preview = (descriptor as { preview?: (input: unknown, context?: unknown) => unknown }).preview;
  if (typeof preview === "function") {
    const shown = await preview.call(descriptor, input, context);
    if (typeof shown === "string" && shown.trim() !== "") return shown;
    if (typeof shown === "object" && shown !== null) {
      return `Approve ${descriptor.name}?\n\n${JSON.stringify(shown, null, 2)}`;
    }
  }
  return `Approve ${descriptor.name}?\n\n${JSON.stringify(input, null, 2)}`;
}
