/**
 * The language model of the AI SDK examples: OpenAI when `OPENAI_API_KEY` is set (`@ai-sdk/openai`, loaded only
 * then; `OPENAI_MODEL` picks the model, default `gpt-4o-mini`), otherwise a scripted `MockLanguageModelV3` from
 * `ai/test` that makes the tool calls a script gives it, so the examples run with no account and no network.
 */
import type { LanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";

/** What the model is sent: the prompt of a `doGenerate` call. */
export type ModelPrompt = MockLanguageModelV3["doGenerateCalls"][number]["prompt"];

/** One tool call the scripted model makes. */
export interface ScriptedCall {
  toolName: string;
  input: Record<string, unknown>;
}

/** One model turn of a script: tool calls, or a final text (computed from what the model was sent). */
export type ScriptedStep = { calls: ScriptedCall[] } | { text: string | ((prompt: ModelPrompt) => string) };

const usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 0, text: 0, reasoning: 0 },
};

/**
 * A model that answers each call with the next step of `script` (shared across `generateText` calls, so a script
 * can span turns), then with "Done." once the script is over.
 */
export function scriptedModel(script: ScriptedStep[]): LanguageModel {
  const steps = [...script];
  let ids = 0;
  return new MockLanguageModelV3({
    modelId: "scripted",
    doGenerate: async ({ prompt }) => {
      const step = steps.shift() ?? { text: "Done." };
      if ("calls" in step) {
        return {
          content: step.calls.map((call) => ({
            type: "tool-call" as const,
            toolCallId: `call_${++ids}`,
            toolName: call.toolName,
            input: JSON.stringify(call.input),
          })),
          finishReason: { unified: "tool-calls" as const, raw: "tool_calls" },
          usage,
          warnings: [],
        };
      }
      const text = typeof step.text === "function" ? step.text(prompt) : step.text;
      return {
        content: [{ type: "text" as const, text }],
        finishReason: { unified: "stop" as const, raw: "stop" },
        usage,
        warnings: [],
      };
    },
  });
}

/** The output of the last tool result the model was sent (what a scripted answer can talk about). */
export function lastToolOutput(prompt: ModelPrompt): unknown {
  for (const message of [...prompt].reverse()) {
    if (message.role !== "tool") continue;
    for (const part of [...message.content].reverse()) {
      if (part.type === "tool-result" && part.output.type === "json") return part.output.value;
    }
  }
  return undefined;
}

/** OpenAI when `OPENAI_API_KEY` is set, else `undefined` (the caller falls back to a scripted model). */
export async function realModel(): Promise<{ model: LanguageModel; name: string } | undefined> {
  if (!process.env.OPENAI_API_KEY) return undefined;
  const { openai } = await import("@ai-sdk/openai");
  const name = process.env.OPENAI_MODEL ?? "gpt-4o-mini";
  return { model: openai(name), name: `OpenAI ${name}` };
}
