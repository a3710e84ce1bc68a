import { ToolMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { type DynamicStructuredTool, tool } from "@langchain/core/tools";
import type { LucidToolDescriptor, LucidToolResult } from "@lucid-dreams/agent-auth";
import { toolErrorResult } from "@lucid-dreams/agent-auth";

/** What LangChain tells a tool about the call it is running in. */
export interface LangChainCallInfo {
  toolCallId: string;
  /** The invocation's `RunnableConfig.configurable`, where hosts put per-request sessions. */
  configurable: Record<string, unknown>;
}

/** Returns the session for one tool call: a fixed runtime, or one looked up from the call's config. */
export type SessionResolver<Session> = (call: LangChainCallInfo) => Session | Promise<Session>;

/**
 * Maps one framework-neutral Lucid tool to a LangChain structured tool. The session is resolved per call and
 * never comes from the model. Failures become a `ToolMessage` with status `error` whose content is the
 * `{ ok: false, code, message, retryable }` result.
 */
export function toLangChainTool<Input, Output, Session>(
  descriptor: LucidToolDescriptor<Input, Output, Session>,
  resolveSession: SessionResolver<Session>,
): DynamicStructuredTool {
  return tool(
    async (input: Input, config: RunnableConfig & { toolCall?: { id?: string } }) => {
      const toolCallId = config.toolCall?.id ?? crypto.randomUUID();
      let result: LucidToolResult<Output>;
      try {
        const session = await resolveSession({ toolCallId, configurable: config.configurable ?? {} });
        result = {
          ok: true,
          result: await descriptor.execute(input, { session, toolCallId, signal: config.signal }),
        };
      } catch (error) {
        result = toolErrorResult(error);
      }
      if (result.ok) return JSON.stringify(result);
      return new ToolMessage({
        content: JSON.stringify(result),
        tool_call_id: toolCallId,
        name: descriptor.name,
        status: "error",
      });
    },
    {
      name: descriptor.name,
      description: descriptor.description,
      // Zod 3.25+/4 schemas are both Standard Schemas and LangChain's interop zod types.
      schema: descriptor.inputSchema as never,
    } as never,
  ) as unknown as DynamicStructuredTool;
}
