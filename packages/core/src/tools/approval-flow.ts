import { AgentAuthError } from "../runtime/errors.js";
import type { LucidToolPreview } from "./policy/preview.js";
import type { LucidToolContext, LucidToolDescriptor } from "./tool-descriptor.js";

/** What to do with a call that needs approval, decided once in core for every adapter. */
export type ApprovalStep =
  /** Ask the human, showing `preview` (null only when the checks could not run, e.g. the chain was down). */
  | { action: "ask"; preview: LucidToolPreview | null }
  /** Do not ask: the policy (or the input) refuses the call; answer the model with `error`. */
  | { action: "refuse"; error: AgentAuthError };

/**
 * The step between the model's call and a human's approval: runs the descriptor's `preview` (every policy
 * check, no signing). A refusal (a non-retryable error of ours) means nobody is asked; a failure that may pass
 * on retry (the network) still asks, without a preview, and `execute` checks everything again.
 */
export async function prepareApproval<Input, Session>(
  descriptor: LucidToolDescriptor<Input, unknown, Session>,
  input: Input,
  context: LucidToolContext<Session>,
): Promise<ApprovalStep> {
  try {
    if (descriptor.preview) return { action: "ask", preview: await descriptor.preview(input, context) };
    await descriptor.preflight?.(input, context);
    return { action: "ask", preview: null };
  } catch (error) {
    if (AgentAuthError.isInstance(error) && !error.retryable) return { action: "refuse", error };
    return { action: "ask", preview: null };
  }
}
