import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import type { DynamicStructuredTool } from "@langchain/core/tools";
import { Command, interrupt, MemorySaver } from "@langchain/langgraph";
import { AgentRuntime, createLocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import type { LucidSession } from "@lucid-dreams/agent-auth/tools";
import { type LocalServer, type SeededAgent, startLocalServer } from "@lucid-dreams/local-server";
import { createAgent } from "langchain";
import { createPublicClient, defineChain, http, verifyMessage, verifyTypedData } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { LucidToolkit } from "./lucid-toolkit.js";
import { sessionFromConfig } from "./session-from-config.js";

let server: LocalServer;
let alice: AgentRuntime;
let bob: AgentRuntime;
let aliceAgent: SeededAgent;
let bobAgent: SeededAgent;

async function runtimeFor(agent: SeededAgent): Promise<AgentRuntime> {
  const runtime = await AgentRuntime.fromConfig({
    config: { baseUrl: server.url, agentRef: agent.agentRef, credentialId: agent.eoaCredentialId },
    wallet: {
      signer: await createLocalEoaWalletConnector({
        privateKey: agent.eoaPrivateKey,
        caip2: server.seed.caip2,
      }),
    },
    backgroundRefresh: false,
  });
  await runtime.authenticate();
  return runtime;
}

beforeAll(async () => {
  server = await startLocalServer({
    port: 0,
    agents: [
      { ref: "alice", name: "Alice" },
      { ref: "bob", name: "Bob" },
    ],
  });
  [aliceAgent, bobAgent] = server.seed.agents as [SeededAgent, SeededAgent];
  [alice, bob] = await Promise.all([runtimeFor(aliceAgent), runtimeFor(bobAgent)]);
}, 60_000);
afterEach(() => {
  server.counters.reset();
  server.faults.clear();
});
afterAll(async () => {
  await Promise.all([alice?.shutdown(), bob?.shutdown()]);
  await server?.close();
});

interface ScriptedCall {
  name: string;
  args: Record<string, unknown>;
  id: string;
}

/**
 * A real `createAgent` loop with a scripted model: the model asks for `calls`, the agent's tool node runs them,
 * the model answers "done". Returns the tool messages of the run.
 */
async function runAgent(
  tools: DynamicStructuredTool[],
  calls: ScriptedCall[],
  config: { context?: { lucidSession?: LucidSession } } = {},
): Promise<ToolMessage[]> {
  const model = fakeModel().respondWithTools(calls).respond(new AIMessage("done"));
  const agent = createAgent({ model, tools, contextSchema: z.object({ lucidSession: z.any().optional() }) });
  const { messages } = await agent.invoke({ messages: [new HumanMessage("go")] }, config);
  expect(messages.at(-1)?.content).toBe("done");
  return messages.filter((message): message is ToolMessage => ToolMessage.isInstance(message));
}

const contentOf = (message: ToolMessage | undefined) =>
  JSON.parse(String(message?.content)) as {
    ok: boolean;
    result?: Record<string, unknown>;
    code?: string;
    message?: string;
    retryable?: boolean;
  };

const recipient = "0x000000000000000000000000000000000000bEEF";
const send = (amount: string, extra: Record<string, unknown> = {}) => ({
  chain: null,
  to: recipient,
  amount,
  unit: "ether",
  data: null,
  ...extra,
});

const typedData = () => ({
  domain: { name: "Lucid test", version: "1", chainId: server.seed.chainId },
  types: {
    Mail: [
      { name: "contents", type: "string" },
      { name: "amount", type: "uint256" },
    ],
  },
  primaryType: "Mail" as const,
  message: { contents: "hello", amount: "1000000000000000000000" },
});

function localChainClient() {
  const chain = defineChain({
    id: server.seed.chainId,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [server.seed.rpcUrl] } },
  });
  return createPublicClient({ chain, transport: http(server.seed.rpcUrl) });
}

describe("LucidToolkit in a createAgent loop against the local server", () => {
  it("gives every tool but signTransaction by default (signTransaction only when named), or the chosen subset", () => {
    expect(
      new LucidToolkit(alice)
        .getTools()
        .map((tool) => tool.name)
        .sort(),
    ).toEqual([
      "fetchPaidResource",
      "getAgent",
      "getBalance",
      "getWalletAddress",
      "listAgents",
      "sendToken",
      "sendTransaction",
      "signMessage",
      "signTypedData",
    ]);
    expect(new LucidToolkit(alice, { tools: ["signMessage"] }).getTools().map((tool) => tool.name)).toEqual([
      "signMessage",
    ]);
  });

  it("lists agents", async () => {
    const [message] = await runAgent(new LucidToolkit(alice).getTools(), [
      { name: "listAgents", args: { limit: null }, id: "call-list" },
    ]);
    expect(message?.status).toBe("success");
    expect(message?.tool_call_id).toBe("call-list");
    expect(contentOf(message)).toEqual({
      ok: true,
      result: {
        agents: expect.arrayContaining([
          expect.objectContaining({ ref: "alice", walletAddress: aliceAgent.serverWalletAddress }),
        ]),
      },
    });
    expect(server.counters.get("listAgents")).toBe(1);
  });

  it("signs a message and typed data with the agent's server-held wallet", async () => {
    const data = typedData();
    const [signed, typed] = await runAgent(new LucidToolkit(alice).getTools(), [
      { name: "signMessage", args: { message: "gm from LangChain", encoding: null }, id: "call-sign" },
      { name: "signTypedData", args: { typedData: JSON.stringify(data) }, id: "call-typed" },
    ]);
    const signature = contentOf(signed).result?.signature as `0x${string}`;
    expect(
      await verifyMessage({
        address: aliceAgent.serverWalletAddress,
        message: "gm from LangChain",
        signature,
      }),
    ).toBe(true);
    const typedSignature = contentOf(typed).result?.signature as `0x${string}`;
    expect(
      await verifyTypedData({
        address: aliceAgent.serverWalletAddress,
        ...data,
        message: { contents: "hello", amount: 10n ** 21n },
        signature: typedSignature,
      }),
    ).toBe(true);
  });

  it("sends a transaction once the approve callback said yes, with a receipt on the local chain", async () => {
    const approve = vi.fn(() => true);
    const [message] = await runAgent(new LucidToolkit(alice, { approve }).getTools(), [
      { name: "sendTransaction", args: send("0.01"), id: "call-send" },
    ]);
    expect(approve).toHaveBeenCalledWith({
      tool: "sendTransaction",
      input: send("0.01"),
      toolCallId: "call-send",
      preview: expect.objectContaining({
        summary: expect.stringMatching(/^Send 0\.01 ETH to 0x000\.\.\.bEEF, fee /),
        worstCaseCost: expect.any(String),
      }),
    });
    expect(message?.status).toBe("success");
    const result = contentOf(message).result as { transactionHash: `0x${string}`; amountWei: string };
    expect(result.amountWei).toBe("10000000000000000");
    const receipt = await localChainClient().waitForTransactionReceipt({ hash: result.transactionHash });
    expect(receipt.status).toBe("success");
    expect(receipt.from.toLowerCase()).toBe(aliceAgent.serverWalletAddress.toLowerCase());
    expect(receipt.to?.toLowerCase()).toBe(recipient.toLowerCase());
  });

  it("refuses sendTransaction with approval_required when there is no approve callback", async () => {
    const [message] = await runAgent(new LucidToolkit(alice).getTools(), [
      { name: "sendTransaction", args: send("0.01"), id: "call-unapproved" },
    ]);
    expect(message?.status).toBe("error");
    expect(contentOf(message)).toMatchObject({ ok: false, code: "approval_required", retryable: false });
    expect(server.counters.get("sendTransaction")).toBe(0);
  });

  it("refuses by policy before any server call, without asking for approval", async () => {
    const approve = vi.fn(() => true);
    const tools = new LucidToolkit(alice, {
      approve,
      policy: { maxValuePerTransaction: "0.05", allowedChains: [server.seed.caip2] },
    }).getTools();
    const [tooMuch, otherChain] = await runAgent(tools, [
      { name: "sendTransaction", args: send("1", { chain: server.seed.caip2 }), id: "call-big" },
      { name: "sendTransaction", args: send("0.01", { chain: "eip155:1" }), id: "call-chain" },
    ]);
    expect(tooMuch?.status).toBe("error");
    expect(contentOf(tooMuch)).toMatchObject({ ok: false, code: "policy_refused", retryable: false });
    expect(contentOf(otherChain)).toMatchObject({
      code: "policy_refused",
      message: expect.stringContaining("eip155:1"),
    });
    expect(Object.values(server.counters.snapshot()).every((count) => count === 0)).toBe(true);
    expect(approve).not.toHaveBeenCalled();
  });

  it("surfaces tool, input and server errors as ToolMessages with status error", async () => {
    server.faults.inject("signMessage", { status: 403, times: 1 });
    const [serverError, badHex, badAddress] = await runAgent(
      new LucidToolkit(alice, { approve: () => true }).getTools(),
      [
        { name: "signMessage", args: { message: "gm", encoding: null }, id: "call-fault" },
        { name: "signMessage", args: { message: "not hex", encoding: "hex" }, id: "call-hex" },
        { name: "sendTransaction", args: send("0.01", { to: "0x1234" }), id: "call-address" },
      ],
    );
    for (const message of [serverError, badHex, badAddress]) {
      expect(message?.status).toBe("error");
      expect(contentOf(message)).toEqual({
        ok: false,
        code: expect.any(String),
        message: expect.any(String),
        retryable: expect.any(Boolean),
      });
    }
    expect(contentOf(serverError)).toMatchObject({ code: "forbidden", retryable: false });
    expect(contentOf(badHex)).toMatchObject({ code: "invalid_input" });
    expect(contentOf(badAddress)).toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("to: must be an EVM address"),
    });
    expect(server.counters.get("signMessage")).toBe(1);
    expect(server.counters.get("sendTransaction")).toBe(0);
  });

  it("sends once when the same tool call id is replayed", async () => {
    const client = localChainClient();
    const nonceBefore = await client.getTransactionCount({ address: aliceAgent.serverWalletAddress });
    const [sendTool] = new LucidToolkit(alice, {
      approve: () => true,
      tools: ["sendTransaction"],
    }).getTools();
    const call = {
      name: "sendTransaction",
      args: send("0.02"),
      id: "call-replayed",
      type: "tool_call" as const,
    };
    const first = contentOf((await sendTool?.invoke(call)) as ToolMessage);
    const again = contentOf((await sendTool?.invoke(call)) as ToolMessage);
    const hash = first.result?.transactionHash as `0x${string}`;
    expect(again.result?.transactionHash).toBe(hash);
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(await client.getTransactionCount({ address: aliceAgent.serverWalletAddress })).toBe(
      nonceBefore + 1,
    );
  });
});

describe("approval through LangGraph's interrupt (with a checkpointer)", () => {
  it("pauses the run until a human resumes it, then sends once", async () => {
    const tools = new LucidToolkit(alice, {
      // interrupt() pauses the graph on the first pass and returns the human's answer on resume.
      approve: (request) => interrupt(request) === "approve",
    }).getTools();
    const model = fakeModel()
      .respondWithTools([{ name: "sendTransaction", args: send("0.03"), id: "call-hitl" }])
      .respond(new AIMessage("done"));
    const agent = createAgent({ model, tools, checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "thread-hitl" } };

    const paused = await agent.invoke({ messages: [new HumanMessage("pay bob")] }, config);
    expect(paused.__interrupt__?.[0]?.value).toEqual({
      tool: "sendTransaction",
      input: send("0.03"),
      toolCallId: "call-hitl",
      preview: expect.objectContaining({
        tool: "sendTransaction",
        action: expect.stringContaining("0.03 ETH"),
      }),
    });
    expect(server.counters.get("sendTransaction")).toBe(0);

    const resumed = await agent.invoke(new Command({ resume: "approve" }), config);
    const message = resumed.messages.find((candidate) => ToolMessage.isInstance(candidate)) as ToolMessage;
    expect(message.status).toBe("success");
    const hash = contentOf(message).result?.transactionHash as `0x${string}`;
    expect((await localChainClient().waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(server.counters.get("sendTransaction")).toBe(1);
  });
});

describe("per-invocation sessions", () => {
  it("signs with the session of each invocation's configurable (one tool set, a manual tool-calling loop)", async () => {
    const tools = new LucidToolkit(sessionFromConfig, { tools: ["signMessage"] }).getTools();
    const signFor = async (session: LucidSession, message: string) => {
      const model = fakeModel()
        .respondWithTools([{ name: "signMessage", args: { message, encoding: null }, id: `call-${message}` }])
        .bindTools(tools);
      const ai = await model.invoke([new HumanMessage(`sign ${message}`)]);
      const [call] = ai.tool_calls ?? [];
      const tool = tools.find((candidate) => candidate.name === call?.name);
      if (!call || !tool) throw new Error("the model made no tool call");
      const answer = (await tool.invoke(
        { ...call, type: "tool_call" },
        { configurable: { lucidSession: session } },
      )) as ToolMessage;
      return contentOf(answer).result?.signature as `0x${string}`;
    };
    const [aliceSignature, bobSignature] = await Promise.all([signFor(alice, "gm a"), signFor(bob, "gm b")]);
    const verify = (address: `0x${string}`, message: string, signature: `0x${string}`) =>
      verifyMessage({ address, message, signature });
    expect(await verify(aliceAgent.serverWalletAddress, "gm a", aliceSignature)).toBe(true);
    expect(await verify(bobAgent.serverWalletAddress, "gm b", bobSignature)).toBe(true);
    expect(await verify(bobAgent.serverWalletAddress, "gm a", aliceSignature)).toBe(false);
  });

  it("signs with the session of each createAgent run's context", async () => {
    const tools = new LucidToolkit(sessionFromConfig).getTools();
    const signWith = async (session: LucidSession) => {
      const [message] = await runAgent(
        tools,
        [{ name: "getWalletAddress", args: { chain: null }, id: "call-address" }],
        { context: { lucidSession: session } },
      );
      return contentOf(message).result?.address;
    };
    expect(await signWith(bob)).toBe(bobAgent.serverWalletAddress);
    expect(await signWith(alice)).toBe(aliceAgent.serverWalletAddress);
  });
});
