import { ConfigurationError, type LucidToolDescriptor } from "@lucid-dreams/agent-auth";
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toAiSdkTool } from "./to-ai-sdk-tool.js";

interface Session {
  agentRef: string;
}

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

/** A model that calls `toolName` with `input` once, then answers with text. */
function scriptedModel(toolName: string, input: unknown) {
  let step = 0;
  return new MockLanguageModelV3({
    doGenerate: async () => {
      step += 1;
      if (step === 1) {
        return {
          content: [{ type: "tool-call", toolCallId: "call-1", toolName, input: JSON.stringify(input) }],
          finishReason: { unified: "tool-calls", raw: "tool_calls" },
          usage,
          warnings: [],
        };
      }
      return {
        content: [{ type: "text", text: "done" }],
        finishReason: { unified: "stop", raw: "stop" },
        usage,
        warnings: [],
      };
    },
  });
}

const whoami: LucidToolDescriptor<
  { greeting: string },
  { agentRef: string; greeting: string; toolCallId: string },
  Session
> = {
  name: "whoami",
  description: "Says which agent the session belongs to.",
  inputSchema: z.object({ greeting: z.string() }),
  execute: async (input, context) => ({
    agentRef: context.session.agentRef,
    greeting: input.greeting,
    toolCallId: context.toolCallId,
  }),
};

describe("toAiSdkTool", () => {
  it("runs in a real generateText loop with the session taken from the call's context", async () => {
    const result = await generateText({
      model: scriptedModel("whoami", { greeting: "gm" }),
      prompt: "who are you?",
      tools: { whoami: toAiSdkTool(whoami, ({ experimentalContext }) => experimentalContext as Session) },
      experimental_context: { agentRef: "tenant-a" } satisfies Session,
      stopWhen: stepCountIs(3),
    });
    const toolResults = result.steps.flatMap((step) => step.toolResults);
    expect(toolResults).toHaveLength(1);
    expect(toolResults[0]?.output).toEqual({
      ok: true,
      result: { agentRef: "tenant-a", greeting: "gm", toolCallId: "call-1" },
    });
    expect(result.text).toBe("done");
  });

  it("returns typed errors as results the model can read", async () => {
    const failing: LucidToolDescriptor<{ greeting: string }, never, Session> = {
      ...whoami,
      execute: async () => {
        throw new ConfigurationError("No Lucid session for this request.", { hint: "Pass a runtime." });
      },
    };
    const result = await generateText({
      model: scriptedModel("whoami", { greeting: "gm" }),
      prompt: "who are you?",
      tools: { whoami: toAiSdkTool(failing, () => ({ agentRef: "a" })) },
      stopWhen: stepCountIs(3),
    });
    expect(result.steps.flatMap((step) => step.toolResults)[0]?.output).toEqual({
      ok: false,
      code: "configuration_error",
      message: "No Lucid session for this request.",
      retryable: false,
    });
  });
});
