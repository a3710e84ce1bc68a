import { ConfigurationError, TransportError } from "@lucid-dreams/agent-auth";
import type { LucidToolDescriptor } from "@lucid-dreams/agent-auth/tools";
import { PolicyRefusedError } from "@lucid-dreams/agent-auth/tools";
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { lucidCallContext } from "./call-context.js";
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
  inputSchema: z.strictObject({ greeting: z.string() }),
  execute: async (input, context) => ({
    agentRef: context.session.agentRef,
    greeting: input.greeting,
    toolCallId: context.toolCallId,
  }),
};

describe("toAiSdkTool", () => {
  it("runs in a real generateText loop with the session taken from the call's context", async () => {
    const tools = { whoami: toAiSdkTool(whoami, ({ context }) => context as Session) };
    const result = await generateText({
      model: scriptedModel("whoami", { greeting: "gm" }),
      prompt: "who are you?",
      tools,
      ...lucidCallContext(tools, { agentRef: "tenant-a" } satisfies Session),
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

  it("reads AI SDK 7's `context` when there is no experimental_context", async () => {
    const mapped = toAiSdkTool(whoami, ({ context }) => context as Session);
    // AI SDK 7 calls execute with { toolCallId, messages, abortSignal, context }.
    const v7Options = { toolCallId: "call-7", messages: [], context: { agentRef: "tenant-7" } };
    expect(await mapped.execute?.({ greeting: "gm" }, v7Options as never)).toEqual({
      ok: true,
      result: { agentRef: "tenant-7", greeting: "gm", toolCallId: "call-7" },
    });
  });

  it("accepts a fixed session instead of a resolver", async () => {
    const mapped = toAiSdkTool(whoami, { agentRef: "fixed" });
    expect(await mapped.execute?.({ greeting: "gm" }, { toolCallId: "c", messages: [] })).toMatchObject({
      ok: true,
      result: { agentRef: "fixed" },
    });
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

  it("reports an unexpected failure to the session's logger and the onError hook; the model sees internal_error", async () => {
    const secret = "lrt_very_secret_refresh_token";
    const bug = new TypeError("Cannot read properties of undefined (reading 'address')", {
      cause: new Error(`upstream said ${secret}`),
    });
    const failing: LucidToolDescriptor<{ greeting: string }, never, Session> = {
      ...whoami,
      execute: async () => {
        throw bug;
      },
    };
    const records: Array<{ obj: unknown; msg: string | undefined }> = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error(obj: object | string, msg?: string) {
        records.push({ obj, msg });
      },
    };
    const hooked: unknown[] = [];
    const session = { agentRef: "a", logger };
    const result = await generateText({
      model: scriptedModel("whoami", { greeting: "gm" }),
      prompt: "who are you?",
      tools: {
        whoami: toAiSdkTool(failing, () => session, {
          onError: (event) => {
            hooked.push(event);
            throw new Error("a failing hook is ignored");
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    const output = result.steps.flatMap((step) => step.toolResults)[0]?.output;
    expect(output).toEqual({
      ok: false,
      code: "internal_error",
      message: "The tool failed unexpectedly.",
      retryable: false,
    });
    expect(JSON.stringify(result.response.messages)).not.toContain(secret);
    expect(hooked).toEqual([{ tool: "whoami", toolCallId: "call-1", error: bug }]);
    expect(records).toHaveLength(1);
    expect(records[0]?.msg).toBe("the Lucid tool whoami failed unexpectedly");
    expect(records[0]?.obj).toMatchObject({ tool: "whoami", toolCallId: "call-1", err: bug });
  });

  it("explains a resolver that fails on a call without context (AI SDK 7 ignores experimental_context)", async () => {
    const mapped = toAiSdkTool(whoami, ({ context }) => ({ agentRef: (context as Session).agentRef }));
    // What AI SDK 7 passes when the host gave only experimental_context: no context at all.
    const answer = await mapped.execute?.({ greeting: "gm" }, { toolCallId: "c7", messages: [] });
    expect(answer).toMatchObject({ ok: false, code: "configuration_error" });
    expect((answer as { message: string }).message).toContain("AI SDK 7 ignores experimental_context");
  });

  it("reports a failing session resolver to the descriptor's own onError; Lucid errors are not reported", async () => {
    const hooked: unknown[] = [];
    const descriptor = { ...whoami, onError: (event: unknown) => hooked.push(event) };
    const broken = toAiSdkTool(descriptor, () => {
      throw new RangeError("tenant table is empty");
    });
    const withContext = { toolCallId: "c1", messages: [], context: { agentRef: "a" } };
    expect(await broken.execute?.({ greeting: "gm" }, withContext as never)).toMatchObject({
      code: "internal_error",
    });
    expect(hooked).toEqual([{ tool: "whoami", toolCallId: "c1", error: expect.any(RangeError) }]);
    const typed = toAiSdkTool(descriptor, () => {
      throw new ConfigurationError("No Lucid session for this request.");
    });
    expect(await typed.execute?.({ greeting: "gm" }, { toolCallId: "c2", messages: [] })).toMatchObject({
      code: "configuration_error",
    });
    expect(hooked).toHaveLength(1);
  });

  describe("approval with a preflight", () => {
    /** `whoami` needing approval, with a preflight that fails as told, counting its executions. */
    function guarded(preflightError?: Error) {
      const calls = { preflight: 0, execute: 0 };
      const descriptor: LucidToolDescriptor<{ greeting: string }, { agentRef: string }, Session> = {
        ...whoami,
        needsApproval: true,
        preflight: async () => {
          calls.preflight += 1;
          if (preflightError) throw preflightError;
        },
        execute: async (_input, context) => {
          calls.execute += 1;
          return { agentRef: context.session.agentRef };
        },
      };
      return { calls, tool: toAiSdkTool(descriptor, ({ context }) => context as Session) };
    }
    const generate = (tool: ReturnType<typeof guarded>["tool"]) =>
      generateText({
        model: scriptedModel("whoami", { greeting: "gm" }),
        prompt: "who are you?",
        tools: { whoami: tool },
        ...lucidCallContext({ whoami: tool }, { agentRef: "tenant-a" } satisfies Session),
        stopWhen: stepCountIs(3),
      });

    it("asks for approval when the preflight passes, and does not execute", async () => {
      const { calls, tool } = guarded();
      const result = await generate(tool);
      expect(result.content.filter((part) => part.type === "tool-approval-request")).toHaveLength(1);
      expect(calls).toEqual({ preflight: 1, execute: 0 });
    });

    it("answers a refused call with the refusal instead of asking, and never executes it", async () => {
      const { calls, tool } = guarded(new PolicyRefusedError("max_value", "1 ETH exceeds the maximum."));
      const result = await generate(tool);
      expect(result.content.filter((part) => part.type === "tool-approval-request")).toEqual([]);
      expect(result.steps.flatMap((step) => step.toolResults)[0]?.output).toEqual({
        ok: false,
        code: "policy_refused",
        message: "1 ETH exceeds the maximum.",
        retryable: false,
      });
      expect(calls).toEqual({ preflight: 1, execute: 0 });
    });

    it("still asks when the preflight failed for a reason that may pass (retryable, or not ours)", async () => {
      for (const error of [
        new TransportError("The network is down.", { retryable: true }),
        new Error("boom"),
      ]) {
        const { calls, tool } = guarded(error);
        const result = await generate(tool);
        expect(result.content.filter((part) => part.type === "tool-approval-request")).toHaveLength(1);
        expect(calls.execute).toBe(0);
      }
    });
  });

  it("maps needsApproval and nothing else of its own", () => {
    expect(toAiSdkTool({ ...whoami, needsApproval: true }, { agentRef: "a" }).needsApproval).toBe(true);
    const withPreflight = { ...whoami, needsApproval: true, preflight: async () => {} };
    expect(toAiSdkTool(withPreflight, { agentRef: "a" }).needsApproval).toBeTypeOf("function");
    const plain = toAiSdkTool(whoami, { agentRef: "a" });
    expect(plain.needsApproval).toBeUndefined();
    expect(plain.description).toBe(whoami.description);
    expect(plain.inputSchema).toBe(whoami.inputSchema);
  });
});
