import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { ConfigurationError, type LucidToolDescriptor } from "@lucid-dreams/agent-auth";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toLangChainTool } from "./to-langchain-tool.js";

interface Session {
  agentRef: string;
}

const whoami: LucidToolDescriptor<{ greeting: string }, { agentRef: string; toolCallId: string }, Session> = {
  name: "whoami",
  description: "Says which agent the session belongs to.",
  inputSchema: z.object({ greeting: z.string() }),
  execute: async (_input, context) => ({
    agentRef: context.session.agentRef,
    toolCallId: context.toolCallId,
  }),
};

/** One turn of a tool-calling loop: the scripted model asks for the tool, the tool answers with a ToolMessage. */
async function runOneToolTurn(
  tool: ReturnType<typeof toLangChainTool>,
  configurable: Record<string, unknown>,
) {
  const model = fakeModel().respondWithTools([{ name: "whoami", args: { greeting: "gm" }, id: "call-7" }]);
  const ai = await model.bindTools([tool]).invoke([new HumanMessage("who are you?")]);
  const [call] = ai.tool_calls ?? [];
  if (!call) throw new Error("the model made no tool call");
  return (await tool.invoke({ ...call, type: "tool_call" }, { configurable })) as ToolMessage;
}

describe("toLangChainTool", () => {
  it("answers a scripted tool call with the session from the invocation's configurable", async () => {
    const tool = toLangChainTool(whoami, ({ configurable }) => configurable.lucidSession as Session);
    const message = await runOneToolTurn(tool, { lucidSession: { agentRef: "tenant-b" } });
    expect(message).toBeInstanceOf(ToolMessage);
    expect(message.tool_call_id).toBe("call-7");
    expect(message.status).toBe("success");
    expect(JSON.parse(message.content as string)).toEqual({
      ok: true,
      result: { agentRef: "tenant-b", toolCallId: "call-7" },
    });
  });

  it("surfaces typed errors as a ToolMessage with status error", async () => {
    const tool = toLangChainTool(
      {
        ...whoami,
        execute: async () => {
          throw new ConfigurationError("No Lucid session for this request.");
        },
      },
      () => ({ agentRef: "a" }),
    );
    const message = await runOneToolTurn(tool, {});
    expect(message.status).toBe("error");
    expect(message.content).toContain('"code":"configuration_error"');
    expect(message.content).toContain("No Lucid session for this request.");
  });
});
