import { AgentAuthError } from "../runtime/errors.js";
import type { LucidToolResult } from "./tool-descriptor.js";

/**
 * Turns anything a tool threw into a result the model can read: the error's stable code, its one-line message
 * and whether retrying may help. Never a stack trace, a hint meant for developers, or a cause (which could
 * carry a secret): errors that are not ours become a generic `internal_error`.
 */
export function toolErrorResult(error: unknown): Extract<LucidToolResult<never>, { ok: false }> {
  if (AgentAuthError.isInstance(error)) {
    const firstLine = error.message.split("\n", 1)[0] ?? error.code;
    return { ok: false, code: error.code, message: firstLine, retryable: error.retryable };
  }
  return { ok: false, code: "internal_error", message: "The tool failed unexpectedly.", retryable: false };
}
