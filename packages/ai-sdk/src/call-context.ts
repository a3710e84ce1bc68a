/**
 * The per-call context of a `generateText` / `streamText` call for the Lucid tools, spelled for AI SDK 6 and 7 at
 * once: AI SDK 6 reads `experimental_context`; AI SDK 7 ignores that and gives each tool its entry of
 * `toolsContext` (by tool name). Spread it into the call: `generateText({ model, tools, prompt,
 * ...lucidCallContext(tools, { tenant }) })`; each version reads its own key and ignores the other.
 *
 * `toolsContext` is typed `never`: AI SDK 7 types that option only for tools that declare a `contextSchema`
 * (the Lucid tools take any context), and accepts `never` for the others. At run time it maps every tool name
 * of `tools` to `context`.
 */
export function lucidCallContext<Context>(
  tools: Record<string, unknown>,
  context: Context,
): { experimental_context: Context; toolsContext: never } {
  return {
    experimental_context: context,
    toolsContext: Object.fromEntries(Object.keys(tools).map((name) => [name, context])) as never,
  };
}
