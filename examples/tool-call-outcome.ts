/**
 * What a finished tool call produced, from the `experimental_onToolCallFinish` event of AI SDK 6
 * (`success`, `output` / `error`) or AI SDK 7 (`toolOutput: { type: "tool-result", output }` or
 * `{ type: "tool-error", error }`), so the examples print the same transcript on both.
 */
export function toolCallOutcome(
  event: unknown,
): { ok: true; output: unknown } | { ok: false; error: unknown } {
  const e = event as {
    success?: boolean;
    output?: unknown;
    error?: unknown;
    toolOutput?: { type: string; output?: unknown; error?: unknown };
  };
  if (e.toolOutput) {
    return e.toolOutput.type === "tool-error"
      ? { ok: false, error: e.toolOutput.error }
      : { ok: true, output: e.toolOutput.output };
  }
  return e.success ? { ok: true, output: e.output } : { ok: false, error: e.error };
}
