import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { ConfigurationError } from "@lucid-dreams/agent-auth";
import type { LucidToolDescriptor } from "@lucid-dreams/agent-auth/tools";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { sessionFromConfig } from "./session-from-config.js";
import { type ToLangChainToolOptions, toLangChainTool } from "./to-langchain-tool.js";

interface Session {
  agentRef: string;
}

const whoami: LucidToolDescriptor<{ greeting: string }, { agentRef: string; toolCallId: string }, Session> = {
  name: "whoami",
  description: "Says which agent the session belongs to.",
  inputSchema: z.strictObject({
    greeting: z.string().refine((value) => value.startsWith("g"), { message: "must start with g" }),
  }),
  execute: async (_input, context) => ({
    agentRef: context.session.agentRef,
    toolCallId: context.toolCallId,
  }),
};

/** One turn of a tool-calling loop: the scripted model asks for the tool, the tool answers with a ToolMessage. */
async function runOneToolTurn(
  tool: ReturnType<typeof toLangChainTool>,
  configurable: Record<string, unknown> = {},
  args: Record<string, unknown> = { greeting: "gm" },
) {
  const model = fakeModel().respondWithTools([{ name: "whoami", args, id: "call-7" }]);
  const ai = await model.bindTools([tool]).invoke([new HumanMessage("who are you?")]);
  const [call] = ai.tool_calls ?? [];
  if (!call) throw new Error("the model made no tool call");
  return (await tool.invoke({ ...call, type: "tool_call" }, { configurable })) as ToolMessage;
}

const contentOf = (message: ToolMessage) => JSON.parse(message.content as string) as Record<string, unknown>;

describe("toLangChainTool", () => {
  it("answers a scripted tool call with the session from the invocation's configurable", async () => {
    const tool = toLangChainTool(whoami, ({ configurable }) => configurable.lucidSession as Session);
    const message = await runOneToolTurn(tool, { lucidSession: { agentRef: "tenant-b" } });
    expect(message).toBeInstanceOf(ToolMessage);
    expect(message.tool_call_id).toBe("call-7");
    expect(message.status).toBe("success");
    expect(contentOf(message)).toEqual({ ok: true, result: { agentRef: "tenant-b", toolCallId: "call-7" } });
  });

  it("takes a fixed session, and answers plain (non tool call) invocations with the JSON content", async () => {
    const tool = toLangChainTool(whoami, { agentRef: "fixed" });
    expect(contentOf(await runOneToolTurn(tool))).toMatchObject({ result: { agentRef: "fixed" } });
    const plain = await tool.invoke({ greeting: "gm" });
    expect(JSON.parse(plain as string)).toMatchObject({ ok: true, result: { agentRef: "fixed" } });
  });

  it("surfaces typed errors as a ToolMessage with status error", async () => {
    const tool = toLangChainTool(
      {
        ...whoami,
        execute: async () => {
          throw new ConfigurationError("No Lucid session for this request.", { hint: "a developer hint" });
        },
      },
      { agentRef: "a" },
    );
    const message = await runOneToolTurn(tool);
    expect(message.status).toBe("error");
    expect(message.tool_call_id).toBe("call-7");
    expect(contentOf(message)).toEqual({
      ok: false,
      code: "configuration_error",
      message: "No Lucid session for this request.",
      retryable: false,
    });
  });

  it("hides errors that are not ours behind internal_error", async () => {
    const tool = toLangChainTool(
      {
        ...whoami,
        execute: async () => {
          throw new Error("secret lat_abcdefghijklmnop in a stack");
        },
      },
      { agentRef: "a" },
    );
    const message = await runOneToolTurn(tool);
    expect(message.status).toBe("error");
    expect(message.content).not.toContain("lat_");
    expect(contentOf(message)).toMatchObject({ code: "internal_error" });
  });

  it("reports an unexpected failure to the onError hook and the session's logger", async () => {
    const bug = new TypeError("x is undefined");
    const hooked: unknown[] = [];
    const logged: unknown[] = [];
    const session = {
      agentRef: "a",
      logger: { debug() {}, info() {}, warn() {}, error: (obj: unknown) => logged.push(obj) },
    };
    const tool = toLangChainTool(
      {
        ...whoami,
        execute: async () => {
          throw bug;
        },
      },
      session,
      { onError: (event) => hooked.push(event) },
    );
    const message = await runOneToolTurn(tool);
    expect(contentOf(message)).toMatchObject({
      code: "internal_error",
      message: "The tool failed unexpectedly.",
    });
    expect(hooked).toEqual([{ tool: "whoami", toolCallId: "call-7", error: bug }]);
    expect(logged).toEqual([{ tool: "whoami", toolCallId: "call-7", err: bug }]);
  });

  it("rethrows the typed error with errorMode: throw", async () => {
    const error = new ConfigurationError("boom");
    const tool = toLangChainTool(
      {
        ...whoami,
        execute: async () => {
          throw error;
        },
      },
      { agentRef: "a" },
      { errorMode: "throw" },
    );
    await expect(runOneToolTurn(tool)).rejects.toBe(error);
  });

  it("answers input that fails the schema with invalid_input instead of throwing", async () => {
    const tool = toLangChainTool(whoami, { agentRef: "a" });
    const message = await runOneToolTurn(tool, {}, { greeting: "hello" });
    expect(message.status).toBe("error");
    expect(contentOf(message)).toEqual({
      ok: false,
      code: "invalid_input",
      message: "Invalid input for whoami: greeting: must start with g.",
      retryable: false,
    });
    const thrown = toLangChainTool(whoami, { agentRef: "a" }, { errorMode: "throw" });
    await expect(runOneToolTurn(thrown, {}, { greeting: "hello" })).rejects.toThrow(/did not match/);
  });

  describe("approval", () => {
    const guarded = { ...whoami, needsApproval: true };
    const run = async (options: ToLangChainToolOptions) => {
      const execute = vi.fn(whoami.execute);
      const message = await runOneToolTurn(
        toLangChainTool({ ...guarded, execute }, { agentRef: "a" }, options),
      );
      return { message, executed: execute.mock.calls.length };
    };

    it("refuses with approval_required when there is no approve callback", async () => {
      const { message, executed } = await run({});
      expect(executed).toBe(0);
      expect(message.status).toBe("error");
      expect(contentOf(message)).toMatchObject({ ok: false, code: "approval_required", retryable: false });
    });

    it("refuses with approval_denied when the callback says no", async () => {
      const approve = vi.fn(async () => false);
      const { message, executed } = await run({ approve });
      expect(approve).toHaveBeenCalledWith({
        tool: "whoami",
        input: { greeting: "gm" },
        toolCallId: "call-7",
        preview: null,
      });
      expect(executed).toBe(0);
      expect(contentOf(message)).toMatchObject({ ok: false, code: "approval_denied" });
    });

    it("runs the call once the callback approved it", async () => {
      const { message, executed } = await run({ approve: () => true });
      expect(executed).toBe(1);
      expect(message.status).toBe("success");
    });

    it("lets an error of the callback propagate (it is the host's, not the model's)", async () => {
      const failure = new Error("approval service down");
      await expect(
        run({
          approve: () => {
            throw failure;
          },
        }),
      ).rejects.toBe(failure);
    });

    it("does not ask for tools that need no approval", async () => {
      const approve = vi.fn(() => false);
      const message = await runOneToolTurn(toLangChainTool(whoami, { agentRef: "a" }, { approve }));
      expect(approve).not.toHaveBeenCalled();
      expect(message.status).toBe("success");
    });
  });
});

describe("sessionFromConfig", () => {
  const a = { api: {}, name: "a" };
  const b = { api: {}, name: "b" };
  it("reads lucidSession from the run's context first, then from configurable", () => {
    expect(
      sessionFromConfig({ toolCallId: "1", configurable: { lucidSession: b }, context: { lucidSession: a } }),
    ).toBe(a);
    expect(
      sessionFromConfig({ toolCallId: "1", configurable: { lucidSession: b }, context: undefined }),
    ).toBe(b);
  });

  it("refuses a call without a session with configuration_error", async () => {
    const tool = toLangChainTool(whoami as never, sessionFromConfig);
    const message = await runOneToolTurn(tool);
    expect(message.status).toBe("error");
    expect(contentOf(message)).toMatchObject({ code: "configuration_error" });
  });
});
