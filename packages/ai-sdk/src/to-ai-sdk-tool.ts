import type { LucidToolDescriptor, LucidToolResult } from "@lucid-dreams/agent-auth";
import { toolErrorResult } from "@lucid-dreams/agent-auth";
import { type Tool, tool } from "ai";

/** What the AI SDK tells a tool about the call it is running in. */
export interface AiSdkCallInfo {
  toolCallId: string;
  /** AI SDK 6's per-call context (`generateText({ experimental_context })`). */
  experimentalContext: unknown;
}

/** Returns the session for one tool call: a fixed runtime, or one looked up from the call's context. */
export type SessionResolver<Session> = (call: AiSdkCallInfo) => Session | Promise<Session>;

/**
 * Maps one framework-neutral Lucid tool to an AI SDK tool. The session is resolved per call and never comes
 * from the model; errors come back as `{ ok: false, code, message, retryable }` results the model can read.
 */
export function toAiSdkTool<Input, Output, Session>(
  descriptor: LucidToolDescriptor<Input, Output, Session>,
  resolveSession: SessionResolver<Session>,
): Tool<Input, LucidToolResult<Output>> {
  return tool<Input, LucidToolResult<Output>>({
    description: descriptor.description,
    inputSchema: descriptor.inputSchema,
    execute: async (input, options) => {
      try {
        const session = await resolveSession({
          toolCallId: options.toolCallId,
          experimentalContext: options.experimental_context,
        });
        const result = await descriptor.execute(input, {
          session,
          toolCallId: options.toolCallId,
          signal: options.abortSignal,
        });
        return { ok: true, result };
      } catch (error) {
        return toolErrorResult(error);
      }
    },
  } as Parameters<typeof tool<Input, LucidToolResult<Output>>>[0]);
}
