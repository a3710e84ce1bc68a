import { AsyncLocalStorage } from "node:async_hooks";
import { AgentRuntime, LocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import { LUCID_TOOL_NAMES, strictModeProblems } from "@lucid-dreams/agent-auth/tools";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { asSchema, generateText, type ModelMessage, stepCountIs, type ToolSet } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { createPublicClient, defineChain, type Hex, http, verifyMessage, verifyTypedData } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { lucidCallContext } from "./call-context.js";
import { lucidTools } from "./lucid-tools.js";
import { responseMessages } from "./response-messages.js";
import { lucidToolPreview } from "./to-ai-sdk-tool.js";

let server: LocalServer;
let runtime: AgentRuntime;
const closers: Array<() => Promise<void>> = [];

type Agent = LocalServer["seed"]["agents"][number];

/** A runtime signed in with the agent's local-key credential; its wallet calls use the server-held wallet. */
async function runtimeFor(agent: Agent, scopes?: string[]): Promise<AgentRuntime> {
  const created = await AgentRuntime.fromConfig({
    config: {
      baseUrl: server.url,
      agentRef: agent.agentRef,
      credentialId: agent.eoaCredentialId,
      ...(scopes ? { scopes } : {}),
    },
    wallet: { signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(agent.eoaPrivateKey) }) },
    backgroundRefresh: false,
  });
  closers.push(() => created.shutdown());
  return created;
}

beforeAll(async () => {
  server = await startLocalServer({
    port: 0,
    agents: [
      { ref: "alice-agent", name: "Alice's agent" },
      { ref: "bob-agent", name: "Bob's agent" },
    ],
  });
  runtime = await runtimeFor(server.seed.agents[0]!);
}, 30_000);
afterEach(() => server.counters.reset());
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await server?.close();
});

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

interface ScriptedCall {
  toolName: string;
  input: unknown;
  toolCallId?: string;
}

/**
 * A model that answers each step from `steps` (a list of tool calls), then with text. It records every prompt
 * it was sent, so tests can check what the model saw.
 */
function scriptedModel(steps: ScriptedCall[][]) {
  let step = 0;
  let callIds = 0;
  return new MockLanguageModelV3({
    doGenerate: async () => {
      const calls = steps[step++];
      if (!calls) {
        return {
          content: [{ type: "text", text: "done" }],
          finishReason: { unified: "stop", raw: "stop" },
          usage,
          warnings: [],
        };
      }
      return {
        content: calls.map((call) => ({
          type: "tool-call" as const,
          toolCallId: call.toolCallId ?? `call-${step}-${++callIds}`,
          toolName: call.toolName,
          input: JSON.stringify(call.input),
        })),
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        usage,
        warnings: [],
      };
    },
  });
}

/** One `generateText` run where the model makes `calls` in its first step, then answers with text. */
async function run(
  tools: ToolSet,
  calls: ScriptedCall[],
  extra: { context?: unknown; messages?: ModelMessage[] } = {},
) {
  const model = scriptedModel(calls.length > 0 ? [calls] : []);
  const result = await generateText({
    model,
    tools,
    stopWhen: stepCountIs(4),
    ...(extra.messages ? { messages: extra.messages } : { prompt: "Use the wallet." }),
    // AI SDK 6 reads experimental_context, AI SDK 7 toolsContext: the helper spells both.
    ...(extra.context === undefined ? {} : lucidCallContext(tools, extra.context)),
  });
  const outputs = result.steps.flatMap((step) => step.toolResults).map((part) => part.output);
  return { result, model, outputs };
}

const recipient = "0x000000000000000000000000000000000000bEEF";
const send = (amount: string) => ({ chain: null, to: recipient, amount, unit: "ether", data: null });

function localChainClient() {
  const chain = defineChain({
    id: server.seed.chainId,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [server.seed.rpcUrl] } },
  });
  return createPublicClient({ chain, transport: http(server.seed.rpcUrl) });
}

describe("lucidTools in a generateText loop against the local server", () => {
  it("lists the agents the session can see", async () => {
    const { outputs, result, model } = await run(lucidTools(runtime), [
      { toolName: "listAgents", input: { limit: null } },
    ]);
    expect(outputs).toEqual([
      {
        ok: true,
        result: {
          agents: [
            expect.objectContaining({
              ref: "alice-agent",
              name: "Alice's agent",
              walletAddress: server.seed.agents[0]!.serverWalletAddress,
            }),
          ],
        },
      },
    ]);
    expect(result.text).toBe("done");
    // the model saw the result, and never a token or a key
    const seen = JSON.stringify(model.doGenerateCalls.map((call) => [call.prompt, call.tools]));
    expect(seen).toContain("alice-agent");
    expect(seen).not.toMatch(/lat_|lrt_|lot_|cred_/);
    expect(seen).not.toContain(server.seed.agents[0]!.eoaPrivateKey.slice(2));
  });

  it("signs a message that verifies against the agent's server-held wallet", async () => {
    const { outputs } = await run(lucidTools(runtime), [
      { toolName: "signMessage", input: { message: "gm from the AI SDK", encoding: null } },
    ]);
    const [output] = outputs as Array<{ ok: true; result: { signature: Hex; address: string } }>;
    expect(output?.ok).toBe(true);
    expect(output?.result.address).toBe(server.seed.agents[0]!.serverWalletAddress);
    expect(
      await verifyMessage({
        address: server.seed.agents[0]!.serverWalletAddress,
        message: "gm from the AI SDK",
        signature: output!.result.signature,
      }),
    ).toBe(true);
  });

  it("signs EIP-712 typed data that verifies against the server-held wallet", async () => {
    const typedData = {
      domain: { name: "Lucid AI SDK test", version: "1", chainId: server.seed.chainId },
      types: {
        Mail: [
          { name: "contents", type: "string" },
          { name: "amount", type: "uint256" },
        ],
      },
      primaryType: "Mail" as const,
      message: { contents: "hello", amount: "42" },
    };
    const { outputs } = await run(lucidTools(runtime), [
      { toolName: "signTypedData", input: { typedData: JSON.stringify(typedData) } },
    ]);
    const [output] = outputs as Array<{ ok: true; result: { signature: Hex; primaryType: string } }>;
    expect(output?.result.primaryType).toBe("Mail");
    expect(
      await verifyTypedData({
        address: server.seed.agents[0]!.serverWalletAddress,
        ...typedData,
        message: { contents: "hello", amount: 42n },
        signature: output!.result.signature,
      }),
    ).toBe(true);
  });

  it("asks for approval before sending, and sends once when the approval comes back", async () => {
    const tools = lucidTools(runtime);
    const prompt: ModelMessage[] = [{ role: "user", content: "Send 0.01 ETH to 0xbeef." }];
    const first = await run(tools, [{ toolName: "sendTransaction", input: send("0.01") }], {
      messages: prompt,
    });
    const approvals = first.result.content.filter((part) => part.type === "tool-approval-request");
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({ toolCall: { toolName: "sendTransaction" } });
    expect(first.outputs).toEqual([]);
    expect(server.counters.get("sendTransaction")).toBe(0);

    // The host shows the request to a human, who approves: answer with a tool-approval-response.
    const approvalId = approvals[0]!.approvalId;
    const messages: ModelMessage[] = [
      ...prompt,
      ...responseMessages(first.result),
      { role: "tool", content: [{ type: "tool-approval-response", approvalId, approved: true }] },
    ];
    const second = await run(tools, [], { messages });
    expect(server.counters.get("sendTransaction")).toBe(1);
    // The approved call runs before the model is called again: its result opens the response messages (AI SDK 7:
    // responseMessages; its response.messages holds the last step only).
    const [toolMessage] = responseMessages(second.result);
    expect(toolMessage?.role).toBe("tool");
    const [part] = toolMessage!.content as Array<{ type: string; toolName?: string; output?: unknown }>;
    expect(part).toMatchObject({ type: "tool-result", toolName: "sendTransaction" });
    const output = (part!.output as { type: "json"; value: { ok: true; result: { transactionHash: Hex } } })
      .value;
    expect(output.ok).toBe(true);
    const hash = output.result.transactionHash;
    expect(second.result.text).toBe("done");
    // The conversation goes on (no AI_MissingToolResultsError): every tool call has its result.
    const third = await run(tools, [], {
      messages: [...messages, ...responseMessages(second.result), { role: "user", content: "Thanks." }],
    });
    expect(third.result.text).toBe("done");
    expect(server.counters.get("sendTransaction")).toBe(1);
    const receipt = await localChainClient().waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    expect(receipt.from.toLowerCase()).toBe(server.seed.agents[0]!.serverWalletAddress.toLowerCase());
    expect(receipt.to?.toLowerCase()).toBe(recipient.toLowerCase());
  });

  it("does not send when the approval is denied", async () => {
    const tools = lucidTools(runtime);
    const prompt: ModelMessage[] = [{ role: "user", content: "Send 0.01 ETH to 0xbeef." }];
    const first = await run(tools, [{ toolName: "sendTransaction", input: send("0.01") }], {
      messages: prompt,
    });
    const approval = first.result.content.find((part) => part.type === "tool-approval-request");
    const second = await run(tools, [], {
      messages: [
        ...prompt,
        ...responseMessages(first.result),
        {
          role: "tool",
          content: [
            {
              type: "tool-approval-response",
              approvalId: approval!.approvalId,
              approved: false,
              reason: "no",
            },
          ],
        },
      ],
    });
    expect(server.counters.get("sendTransaction")).toBe(0);
    expect(responseMessages(second.result)[0]?.content).toEqual([
      expect.objectContaining({ type: "tool-result", output: { type: "execution-denied", reason: "no" } }),
    ]);
  });

  it("refuses by policy before any wallet call, without asking anyone to approve", async () => {
    // sends need approval; the cap counts the worst case (value + fee; without rpc the 0.01 ETH fee ceiling)
    const tools = lucidTools(runtime, { policy: { maxValuePerTransaction: "0.02" } });
    const { outputs, result } = await run(tools, [{ toolName: "sendTransaction", input: send("1") }]);
    expect(result.content.filter((part) => part.type === "tool-approval-request")).toEqual([]);
    expect(outputs).toEqual([
      {
        ok: false,
        code: "policy_refused",
        message: expect.stringContaining("0.02"),
        retryable: false,
      },
    ]);
    expect(server.counters.get("sendTransaction")).toBe(0);

    // within the limit, the same tool set asks for approval as usual
    const within = await run(tools, [{ toolName: "sendTransaction", input: send("0.001") }]);
    expect(within.result.content.filter((part) => part.type === "tool-approval-request")).toHaveLength(1);
    expect(server.counters.get("sendTransaction")).toBe(0);
  });

  it("hands the approval step a preview (simulated, worst case) and computes one for a pending request", async () => {
    const previews: Array<{ summary: string; simulation: string; toolName: string }> = [];
    const tools = lucidTools(runtime, {
      rpc: { [server.seed.caip2]: server.seed.rpcUrl },
      onApprovalPreview: (preview, call) =>
        previews.push({
          summary: preview?.summary ?? "",
          simulation: preview?.simulation ?? "",
          toolName: call.toolName,
        }),
    });
    const { result } = await run(tools, [{ toolName: "sendTransaction", input: send("0.01") }]);
    const request = result.content.find((part) => part.type === "tool-approval-request");
    expect(previews).toEqual([
      {
        summary: expect.stringMatching(
          /^Send 0\.01 ETH to 0x000\.\.\.bEEF, fee at most 0\.0000\d+ ETH, balance after \d+\.\d+ ETH$/,
        ),
        simulation: "simulated",
        toolName: "sendTransaction",
      },
    ]);
    // a host holding the approval request computes the same preview; nothing is signed or sent
    const again = await lucidToolPreview(tools, {
      toolName: "sendTransaction",
      input: request?.type === "tool-approval-request" ? request.toolCall.input : undefined,
      toolCallId: "pending",
    });
    expect(again.summary).toBe(previews[0]?.summary);
    await expect(
      lucidToolPreview(tools, { toolName: "sendTransaction", input: send("1000000"), toolCallId: "pending" }),
    ).rejects.toMatchObject({ code: "policy_refused", rule: "simulation" });
    expect(server.counters.get("sendTransaction")).toBe(0);
  });

  it("returns the server's refusal as a readable result, or rethrows it with errorMode: throw", async () => {
    const readOnly = await runtimeFor(server.seed.agents[0]!, ["agents.read"]);
    const call = { toolName: "signMessage", input: { message: "gm", encoding: null } };
    const { outputs } = await run(lucidTools(readOnly), [call]);
    expect(outputs).toEqual([
      { ok: false, code: "insufficient_scope", message: expect.any(String), retryable: false },
    ]);
    expect(JSON.stringify(outputs)).not.toMatch(/lat_|lrt_/);

    const thrown = await run(lucidTools(readOnly, { errorMode: "throw" }), [call]);
    const errors = thrown.result.steps.flatMap((step) => step.content).filter((p) => p.type === "tool-error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toMatchObject({ code: "insufficient_scope" });
  });

  it("reports an unexpected failure (a broken session resolver) to onError; the model sees internal_error", async () => {
    const hooked: Array<{ tool: string; error: unknown }> = [];
    const broken = new Error("tenant store unreachable: password=hunter2");
    const tools = lucidTools(
      () => {
        throw broken;
      },
      { onError: (event) => hooked.push(event) },
    );
    const { outputs } = await run(tools, [{ toolName: "listAgents", input: { limit: null } }], {
      context: { tenant: "acme" },
    });
    expect(outputs).toEqual([
      { ok: false, code: "internal_error", message: "The tool failed unexpectedly.", retryable: false },
    ]);
    expect(hooked).toEqual([{ tool: "listAgents", toolCallId: expect.any(String), error: broken }]);
  });

  it("lets the AI SDK reject malformed input before the tool runs", async () => {
    const { result, outputs } = await run(lucidTools(runtime), [
      { toolName: "signMessage", input: { message: "gm" } }, // encoding missing
      { toolName: "getWalletAddress", input: { chain: "base" } }, // not CAIP-2
    ]);
    expect(outputs).toEqual([]);
    const errors = result.steps[0]!.content.filter((part) => part.type === "tool-error");
    expect(errors.map((part) => part.toolName)).toEqual(["signMessage", "getWalletAddress"]);
    expect(String(errors[1]?.error)).toContain("CAIP-2");
    expect(server.counters.get("signMessage")).toBe(0);
  });

  it("answers invalid_input for input the schema allows but the tool cannot use", async () => {
    const { outputs } = await run(lucidTools(runtime), [
      { toolName: "signTypedData", input: { typedData: "{not json" } },
    ]);
    expect(outputs).toEqual([
      { ok: false, code: "invalid_input", message: expect.stringContaining("JSON"), retryable: false },
    ]);
  });

  it("resolves a session per request from the call's context (one tool set, two agents)", async () => {
    const [alice, bob] = server.seed.agents as [Agent, Agent];
    const sessions = new Map([
      ["alice", await runtimeFor(alice)],
      ["bob", await runtimeFor(bob)],
    ]);
    const seenCallIds: string[] = [];
    const tools = lucidTools(({ context, toolCallId }) => {
      seenCallIds.push(toolCallId);
      const tenant = (context as { tenant?: string } | undefined)?.tenant ?? "";
      const session = sessions.get(tenant);
      if (!session) throw new Error(`unknown tenant ${tenant}`);
      return session;
    });
    for (const [tenant, agent] of [
      ["alice", alice],
      ["bob", bob],
    ] as const) {
      const message = `gm from ${tenant}`;
      const { outputs } = await run(
        tools,
        [{ toolName: "signMessage", input: { message, encoding: null }, toolCallId: `sign-${tenant}` }],
        { context: { tenant } },
      );
      const [output] = outputs as Array<{ ok: true; result: { signature: Hex; address: string } }>;
      expect(output?.result.address).toBe(agent.serverWalletAddress);
      expect(
        await verifyMessage({
          address: agent.serverWalletAddress,
          message,
          signature: output!.result.signature,
        }),
      ).toBe(true);
    }
    expect(alice.serverWalletAddress).not.toBe(bob.serverWalletAddress);
    expect(seenCallIds).toEqual(["sign-alice", "sign-bob"]);

    // No context (AI SDK 7 given only experimental_context looks like this): the resolver throws, and the answer
    // says why instead of a bare internal_error; the resolver's own message ("unknown tenant") is not shown.
    const { outputs } = await run(tools, [{ toolName: "getWalletAddress", input: { chain: null } }]);
    expect(outputs).toEqual([
      {
        ok: false,
        code: "configuration_error",
        message: expect.stringContaining("AI SDK 7 ignores experimental_context"),
        retryable: false,
      },
    ]);
    expect(JSON.stringify(outputs)).not.toContain("unknown tenant");
  });

  it("resolves a session from AsyncLocalStorage (no context plumbing, same code for AI SDK 6 and 7)", async () => {
    const bob = server.seed.agents[1]!;
    const bobRuntime = await runtimeFor(bob);
    const currentSession = new AsyncLocalStorage<AgentRuntime>();
    const tools = lucidTools(() => currentSession.getStore()!);
    const { outputs } = await currentSession.run(bobRuntime, () =>
      run(tools, [{ toolName: "getWalletAddress", input: { chain: null } }]),
    );
    expect(outputs).toEqual([
      {
        ok: true,
        result: { address: bob.serverWalletAddress, chain: server.seed.caip2, agentRef: "bob-agent" },
      },
    ]);
  });

  it("broadcasts once when the same tool call is retried", async () => {
    const tools = lucidTools(runtime, { approval: { sendTransaction: false } });
    const client = localChainClient();
    const wallet = server.seed.agents[0]!.serverWalletAddress;
    const nonceBefore = await client.getTransactionCount({ address: wallet });
    const call = { toolName: "sendTransaction", input: send("0.02"), toolCallId: "retried-send" };
    const first = await run(tools, [call]);
    const again = await run(tools, [call]);
    const hashOf = (outputs: unknown[]) =>
      (outputs[0] as { ok: true; result: { transactionHash: Hex } }).result.transactionHash;
    expect(hashOf(again.outputs)).toBe(hashOf(first.outputs));
    const receipt = await client.waitForTransactionReceipt({ hash: hashOf(first.outputs) });
    expect(receipt.status).toBe("success");
    expect(await client.getTransactionCount({ address: wallet })).toBe(nonceBefore + 1);
  });

  it("exposes only the tools asked for (signTransaction only when named)", () => {
    expect(Object.keys(lucidTools(runtime))).toEqual([
      "listAgents",
      "getAgent",
      "getWalletAddress",
      "signMessage",
      "signTypedData",
      "sendTransaction",
      "getBalance",
      "sendToken",
      "fetchPaidResource",
    ]);
    expect(lucidTools(runtime, { tools: ["signTransaction"] }).signTransaction?.needsApproval).toBeTypeOf(
      "function",
    );
    const tools = lucidTools(runtime, {
      tools: ["listAgents", "signMessage"],
      approval: { signMessage: true },
    });
    expect(Object.keys(tools)).toEqual(["listAgents", "signMessage"]);
    expect(tools.signMessage?.needsApproval).toBeTypeOf("function");
    expect(tools.listAgents?.needsApproval).toBeUndefined();
  });
});

describe("types", () => {
  it("gives each tool its real input and output type, and only the tools asked for", async () => {
    const tools = lucidTools(runtime, { tools: ["signMessage", "listAgents"] });
    expectTypeOf(tools).toHaveProperty("signMessage");
    expectTypeOf(tools).not.toHaveProperty("sendTransaction");
    const result = await generateText({
      model: scriptedModel([
        [{ toolName: "signMessage", input: { message: "typed gm", encoding: null }, toolCallId: "typed-1" }],
      ]),
      tools,
      prompt: "Sign gm.",
      stopWhen: stepCountIs(3),
    });
    const part = result.steps.flatMap((step) => step.toolResults).find((p) => p.toolName === "signMessage");
    if (!part || part.dynamic || part.toolName !== "signMessage") throw new Error("no signMessage result");
    expectTypeOf(part.input).toEqualTypeOf<{ message: string; encoding: "utf-8" | "hex" | null }>();
    const output = part.output;
    if (!output.ok) throw new Error(output.message);
    expectTypeOf(output.result.signature).toBeString();
    expect(output.result.signature).toMatch(/^0x[0-9a-f]{130}$/);
    expect(Object.keys(tools).sort()).toEqual(["listAgents", "signMessage"]);
  });
});

describe("input schemas", () => {
  it("every tool's JSON schema, as the AI SDK sends it, fits OpenAI strict mode", async () => {
    const tools = lucidTools(() => runtime, { tools: LUCID_TOOL_NAMES });
    expect(Object.keys(tools)).toHaveLength(10);
    for (const [name, tool] of Object.entries(tools as ToolSet)) {
      const jsonSchema = (await asSchema(tool.inputSchema).jsonSchema) as Record<string, unknown>;
      expect(jsonSchema.type, name).toBe("object");
      expect(strictModeProblems(jsonSchema, name), name).toEqual([]);
      expect(tool.strict, name).toBe(true);
      expect(tool.description?.length, name).toBeGreaterThan(40);
    }
  });
});
