/**
 * The per-call context of a `generateText` / `streamText` call for the Lucid tools, spelled for AI SDK 6 and 7 at
 * once: AI SDK 6 reads `experimental_context`; AI SDK 7 ignores that and gives each tool its entry of
 * `toolsContext` (by tool name). Spread it into the call: `generateText({ model, tools, prompt,
 * ...lucidCallContext(tools, { tenant }) })`; each version reads its own key and ignores the other.
 */
export function lucidCallContext<Context>(
  tools: Record<string, unknown>,
  context: Context,
): { experimental_context: Context; toolsContext: Record<string, Context> } {
  return {
    experimental_context: context,
    toolsContext: Object.fromEntries(Object.keys(tools).map((name) => [name, context])),
  };
}
