/**
 * `lucidTools` in the AI SDK's streaming paths, the ones a chat app uses: `streamText` in a route handler whose
 * `toUIMessageStream()` feeds `useChat`, and `ToolLoopAgent`. Every case runs twice (see vitest.config.ts): with
 * `ai` 6 (the installed peer) and with `ai` 7 (the `ai7` devDependency, aliased to `ai` for this file and for the
 * adapter source it imports). The scripted model is the AI SDK's own `MockLanguageModelV3`; the wallet is the
 * local server's, over loopback, on a real anvil chain.
 *
 * The approval round trip is the one `useChat` makes: the first turn's UI stream is folded into UI messages
 * with `readUIMessageStream`, the tool part is answered the way `addToolApprovalResponse` answers it
 * (`state: "approval-responded"`), and the next request converts the UI messages back with
 * `convertToModelMessages`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { AgentRuntime, LocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import {
  convertToModelMessages,
  type ModelMessage,
  readUIMessageStream,
  stepCountIs,
  streamText,
  ToolLoopAgent,
  type ToolSet,
  type UIMessage,
  type UIMessageChunk,
} from "ai";
import { convertArrayToReadableStream, MockLanguageModelV3 } from "ai/test";
import { createPublicClient, defineChain, type Hex, http, parseEther, verifyMessage } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lucidTools } from "./lucid-tools.js";

/** The major version of `ai` this run resolves (`ai` is aliased to `ai7` in the `ai7` vitest project). */
const aiMajor = Number(process.env.LUCID_AI_SDK_MAJOR ?? "6");

let server: LocalServer;
let alice: AgentRuntime;
let bob: AgentRuntime;
const closers: Array<() => Promise<void>> = [];
type Agent = LocalServer["seed"]["agents"][number];

async function runtimeFor(agent: Agent): Promise<AgentRuntime> {
  const created = await AgentRuntime.fromConfig({
    config: { baseUrl: server.url, agentRef: agent.agentRef, credentialId: agent.eoaCredentialId },
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
  alice = await runtimeFor(server.seed.agents[0]!);
  bob = await runtimeFor(server.seed.agents[1]!);
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

let callIds = 0;
/**
 * A streaming model that answers step N with the tool calls of `steps[N]`, and with the text "done" once the
 * script is used up. Both `doStream` and `doGenerate` follow the script (the agent's `generate` uses the latter).
 */
function scriptedModel(steps: ScriptedCall[][]) {
  let step = 0;
  const next = () => {
    const calls = steps[step++];
    return calls?.map((call) => ({
      type: "tool-call" as const,
      toolCallId: call.toolCallId ?? `call-${aiMajor}-${++callIds}`,
      toolName: call.toolName,
      input: JSON.stringify(call.input),
    }));
  };
  return new MockLanguageModelV3({
    doStream: async () => {
      const calls = next();
      return {
        stream: convertArrayToReadableStream([
          { type: "stream-start" as const, warnings: [] },
          ...(calls ?? [
            { type: "text-start" as const, id: "t" },
            { type: "text-delta" as const, id: "t", delta: "done" },
            { type: "text-end" as const, id: "t" },
          ]),
          {
            type: "finish" as const,
            finishReason: calls
              ? { unified: "tool-calls" as const, raw: "tool_calls" }
              : { unified: "stop" as const, raw: "stop" },
            usage,
          },
        ]),
      };
    },
    doGenerate: async () => {
      const calls = next();
      return {
        content: calls ?? [{ type: "text" as const, text: "done" }],
        finishReason: calls
          ? { unified: "tool-calls" as const, raw: "tool_calls" }
          : { unified: "stop" as const, raw: "stop" },
        usage,
        warnings: [],
      };
    },
  });
}

/** The per-call context option: `experimental_context` in AI SDK 6, per-tool `toolsContext` in AI SDK 7. */
function contextOption(tools: ToolSet, context: unknown): Record<string, unknown> {
  if (aiMajor >= 7) {
    return { toolsContext: Object.fromEntries(Object.keys(tools).map((name) => [name, context])) };
  }
  return { experimental_context: context };
}

/**
 * One chat turn as a route handler runs it: UI messages in, `streamText(...).toUIMessageStream()` out. Returns
 * the chunks the browser would receive and the UI messages after folding them in, as `useChat` does.
 */
async function chatTurn(
  tools: ToolSet,
  messages: UIMessage[],
  steps: ScriptedCall[][],
  extra: Record<string, unknown> = {},
) {
  const model = scriptedModel(steps);
  const errors: unknown[] = [];
  const result = streamText({
    model,
    tools,
    messages: await convertToModelMessages(messages),
    stopWhen: stepCountIs(4),
    onError: ({ error }) => {
      errors.push(error);
    },
    ...extra,
  });
  const chunks: UIMessageChunk[] = [];
  const reader = result.toUIMessageStream({ originalMessages: messages }).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const last = messages.at(-1);
  const continuing = last?.role === "assistant";
  let message: UIMessage | undefined;
  for await (const partial of readUIMessageStream({
    stream: convertArrayToReadableStream(chunks),
    ...(continuing ? { message: structuredClone(last) } : {}),
  })) {
    message = partial;
  }
  const next = continuing ? [...messages.slice(0, -1), message!] : [...messages, message!];
  return { chunks, messages: next, model, errors };
}

const userMessage = (text: string): UIMessage => ({
  id: `user-${++callIds}`,
  role: "user",
  parts: [{ type: "text", text }],
});

interface ToolPart {
  type: string;
  toolCallId: string;
  state: string;
  input?: unknown;
  output?: unknown;
  approval?: { id: string; approved?: boolean; reason?: string; signature?: string };
}
const toolParts = (messages: UIMessage[]) =>
  messages.flatMap((message) => message.parts).filter((part) => part.type.startsWith("tool-")) as ToolPart[];

/** What `useChat`'s `addToolApprovalResponse({ id, approved, reason })` does to the message list. */
function answerApproval(messages: UIMessage[], approvalId: string, approved: boolean, reason?: string) {
  return messages.map((message) => ({
    ...message,
    parts: message.parts.map((part) => {
      const tool = part as unknown as ToolPart;
      if (tool.state !== "approval-requested" || tool.approval?.id !== approvalId) return part;
      return {
        ...part,
        state: "approval-responded",
        approval: { ...tool.approval, id: approvalId, approved, ...(reason ? { reason } : {}) },
      } as unknown as UIMessage["parts"][number];
    }),
  }));
}

const recipient = "0x000000000000000000000000000000000000dEaD";
const send = (amount: string) => ({ chain: null, to: recipient, amount, unit: "ether", data: null });

function chainClient() {
  const chain = defineChain({
    id: server.seed.chainId,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [server.seed.rpcUrl] } },
  });
  return createPublicClient({ chain, transport: http(server.seed.rpcUrl) });
}

const ofType = <T extends UIMessageChunk["type"]>(chunks: UIMessageChunk[], type: T) =>
  chunks.filter((chunk): chunk is Extract<UIMessageChunk, { type: T }> => chunk.type === type);

describe(`lucidTools under streamText (ai ${aiMajor}): the UI message stream a chat page reads`, () => {
  it("streams a signMessage call and its result, which verifies against the agent's wallet", async () => {
    const { chunks, messages } = await chatTurn(
      lucidTools(alice),
      [userMessage("Sign gm")],
      [[{ toolName: "signMessage", input: { message: "gm from a stream", encoding: null } }]],
    );
    expect(ofType(chunks, "tool-input-available")).toEqual([
      expect.objectContaining({
        toolName: "signMessage",
        input: { message: "gm from a stream", encoding: null },
      }),
    ]);
    const [output] = ofType(chunks, "tool-output-available");
    const result = output?.output as { ok: true; result: { signature: Hex; address: string } };
    expect(result.ok).toBe(true);
    expect(
      await verifyMessage({
        address: server.seed.agents[0]!.serverWalletAddress,
        message: "gm from a stream",
        signature: result.result.signature,
      }),
    ).toBe(true);
    expect(toolParts(messages)).toEqual([expect.objectContaining({ state: "output-available" })]);
    // the browser never receives a token, a key or a credential id
    const wire = JSON.stringify(chunks);
    expect(wire).not.toMatch(/lat_|lrt_|lot_|cred_/);
    expect(wire).not.toContain(server.seed.agents[0]!.eoaPrivateKey.slice(2));
  });

  it("streams an approval request for sendTransaction and sends nothing until it is answered", async () => {
    const { chunks, messages } = await chatTurn(
      lucidTools(alice),
      [userMessage("send 0.01 ETH to 0xdead")],
      [[{ toolName: "sendTransaction", input: send("0.01") }]],
    );
    const [request] = ofType(chunks, "tool-approval-request");
    expect(request).toEqual({
      type: "tool-approval-request",
      approvalId: expect.any(String),
      toolCallId: ofType(chunks, "tool-input-available")[0]!.toolCallId,
    });
    expect(ofType(chunks, "tool-output-available")).toEqual([]);
    expect(toolParts(messages)).toEqual([
      expect.objectContaining({
        type: "tool-sendTransaction",
        state: "approval-requested",
        input: send("0.01"),
        approval: { id: request!.approvalId },
      }),
    ]);
    expect(server.counters.get("sendTransaction")).toBe(0);
  });

  it("sends once the approval comes back, and streams the hash of a transaction that landed", async () => {
    const tools = lucidTools(alice);
    const client = chainClient();
    const before = await client.getBalance({ address: recipient });
    const first = await chatTurn(
      tools,
      [userMessage("send 0.01 ETH to 0xdead")],
      [[{ toolName: "sendTransaction", input: send("0.01") }]],
    );
    const approvalId = ofType(first.chunks, "tool-approval-request")[0]!.approvalId;
    const second = await chatTurn(tools, answerApproval(first.messages, approvalId, true), []);
    expect(server.counters.get("sendTransaction")).toBe(1);
    const [output] = ofType(second.chunks, "tool-output-available");
    const result = output?.output as { ok: true; result: { transactionHash: Hex } };
    expect(result.ok).toBe(true);
    const receipt = await client.waitForTransactionReceipt({ hash: result.result.transactionHash });
    expect(receipt.status).toBe("success");
    expect(receipt.from.toLowerCase()).toBe(server.seed.agents[0]!.serverWalletAddress.toLowerCase());
    expect((await client.getBalance({ address: recipient })) - before).toBe(parseEther("0.01"));
    expect(toolParts(second.messages)).toEqual([
      expect.objectContaining({
        state: "output-available",
        approval: expect.objectContaining({ approved: true }),
      }),
    ]);
    expect(ofType(second.chunks, "text-delta").map((chunk) => chunk.delta)).toEqual(["done"]);
  });

  it("sends once when the same approval is submitted twice (a double click, a replayed request)", async () => {
    const tools = lucidTools(alice);
    const client = chainClient();
    const wallet = server.seed.agents[0]!.serverWalletAddress;
    const nonceBefore = await client.getTransactionCount({ address: wallet });
    const first = await chatTurn(
      tools,
      [userMessage("send 0.01 ETH to 0xdead")],
      [[{ toolName: "sendTransaction", input: send("0.01") }]],
    );
    const approvalId = ofType(first.chunks, "tool-approval-request")[0]!.approvalId;
    const approved = answerApproval(first.messages, approvalId, true);
    const [a, b] = await Promise.all([chatTurn(tools, approved, []), chatTurn(tools, approved, [])]);
    const outputs = [a, b].map(
      (turn) =>
        ofType(turn.chunks, "tool-output-available")[0]?.output as
          | { ok: true; result: { transactionHash: Hex } }
          | { ok: false; code: string; retryable: boolean },
    );
    // One request sends; the concurrent duplicate is told the send is under way (and never sends).
    const sent = outputs.filter((output) => output.ok);
    expect(sent).toHaveLength(1);
    expect(outputs.filter((output) => !output.ok)).toEqual([
      expect.objectContaining({ ok: false, code: "idempotency_in_progress", retryable: true }),
    ]);
    const hash = (sent[0] as { result: { transactionHash: Hex } }).result.transactionHash;
    await client.waitForTransactionReceipt({ hash });
    // A later replay of the same approval answers with the same transaction.
    const replay = await chatTurn(tools, approved, []);
    expect(ofType(replay.chunks, "tool-output-available")[0]?.output).toMatchObject({
      ok: true,
      result: { transactionHash: hash },
    });
    expect(await client.getTransactionCount({ address: wallet })).toBe(nonceBefore + 1);
  });

  it("does not send when the approval is denied, and streams the denial", async () => {
    const tools = lucidTools(alice);
    const client = chainClient();
    const before = await client.getBalance({ address: recipient });
    const first = await chatTurn(
      tools,
      [userMessage("send 0.01 ETH to 0xdead")],
      [[{ toolName: "sendTransaction", input: send("0.01") }]],
    );
    const approvalId = ofType(first.chunks, "tool-approval-request")[0]!.approvalId;
    const second = await chatTurn(tools, answerApproval(first.messages, approvalId, false, "not today"), []);
    expect(ofType(second.chunks, "tool-output-denied")).toEqual([
      { type: "tool-output-denied", toolCallId: ofType(first.chunks, "tool-input-available")[0]!.toolCallId },
    ]);
    expect(ofType(second.chunks, "tool-output-available")).toEqual([]);
    expect(toolParts(second.messages)).toEqual([expect.objectContaining({ state: "output-denied" })]);
    expect(server.counters.get("sendTransaction")).toBe(0);
    expect(await client.getBalance({ address: recipient })).toBe(before);
  });

  it("streams a policy refusal as a result, without asking anyone to approve", async () => {
    const tools = lucidTools(alice, { policy: { maxValuePerTransaction: "0.05" } });
    const { chunks, messages } = await chatTurn(
      tools,
      [userMessage("send 1 ETH to 0xdead")],
      [[{ toolName: "sendTransaction", input: send("1") }]],
    );
    expect(ofType(chunks, "tool-approval-request")).toEqual([]);
    expect(ofType(chunks, "tool-output-available").map((chunk) => chunk.output)).toEqual([
      { ok: false, code: "policy_refused", message: expect.stringContaining("0.05"), retryable: false },
    ]);
    expect(toolParts(messages)).toEqual([expect.objectContaining({ state: "output-available" })]);
    expect(server.counters.get("sendTransaction")).toBe(0);
  });

  it("with experimental_toolApprovalSecret, never sends an approval the client forged or altered", async () => {
    const tools = lucidTools(alice);
    const secret = { experimental_toolApprovalSecret: "a server-side secret the browser never sees" };
    const first = await chatTurn(
      tools,
      [userMessage("send 0.01 ETH to 0xdead")],
      [[{ toolName: "sendTransaction", input: send("0.01") }]],
      secret,
    );
    const approvalId = ofType(first.chunks, "tool-approval-request")[0]!.approvalId;
    const approved = answerApproval(first.messages, approvalId, true);
    const alter = (change: (part: ToolPart) => ToolPart) =>
      approved.map((message) => ({
        ...message,
        parts: message.parts.map((part) =>
          (part as unknown as ToolPart).state === "approval-responded"
            ? (change(part as unknown as ToolPart) as unknown as UIMessage["parts"][number])
            : part,
        ),
      }));
    const forgeries = {
      // the human approved 0.01 ETH; the request now says 5 ETH
      "altered amount": alter((part) => ({ ...part, input: send("5") })),
      // an approval id the server never issued (with the signature of another one)
      "made-up approval id": alter((part) => ({
        ...part,
        approval: { ...part.approval!, id: "forged-approval" },
      })),
      // no signature at all
      "unsigned approval": alter((part) => ({ ...part, approval: { id: approvalId, approved: true } })),
    };
    for (const [forgery, messages] of Object.entries(forgeries)) {
      const turn = await chatTurn(tools, messages, [], secret);
      expect({ forgery, sends: server.counters.get("sendTransaction") }).toEqual({ forgery, sends: 0 });
      expect({ forgery, outputs: ofType(turn.chunks, "tool-output-available") }).toEqual({
        forgery,
        outputs: [],
      });
      expect({ forgery, error: String(turn.errors[0]) }).toEqual({
        forgery,
        error: expect.stringContaining("signature verification failed"),
      });
      expect(ofType(turn.chunks, "error")).toHaveLength(1);
    }
    // the genuine approval still goes through
    const genuine = await chatTurn(tools, approved, [], secret);
    expect(ofType(genuine.chunks, "tool-output-available")[0]?.output).toMatchObject({ ok: true });
    expect(server.counters.get("sendTransaction")).toBe(1);
  });

  it("resolves the session per request from the call's context (one tool set, two users)", async () => {
    const sessions = new Map([
      ["alice", alice],
      ["bob", bob],
    ]);
    const tools = lucidTools(({ context }) => {
      const user = (context as { user?: string } | undefined)?.user ?? "";
      const session = sessions.get(user);
      if (!session) throw new Error(`no session for ${user}`);
      return session;
    });
    for (const [user, agent] of [
      ["alice", server.seed.agents[0]!],
      ["bob", server.seed.agents[1]!],
    ] as const) {
      const { chunks } = await chatTurn(
        tools,
        [userMessage("my address?")],
        [[{ toolName: "getWalletAddress", input: { chain: null } }]],
        contextOption(tools, { user }),
      );
      expect(ofType(chunks, "tool-output-available").map((chunk) => chunk.output)).toEqual([
        {
          ok: true,
          result: { address: agent.serverWalletAddress, chain: server.seed.caip2, agentRef: agent.agentRef },
        },
      ]);
    }
  });

  it("resolves a per-request session for the approval check and for the approved send", async () => {
    const currentUser = new AsyncLocalStorage<AgentRuntime>();
    const tools = lucidTools(() => currentUser.getStore()!, { policy: { maxValuePerTransaction: "0.05" } });
    const client = chainClient();
    const bobWallet = server.seed.agents[1]!.serverWalletAddress;
    const nonceBefore = await client.getTransactionCount({ address: bobWallet });
    const first = await currentUser.run(bob, () =>
      chatTurn(
        tools,
        [userMessage("send 0.01 ETH")],
        [[{ toolName: "sendTransaction", input: send("0.01") }]],
      ),
    );
    const approvalId = ofType(first.chunks, "tool-approval-request")[0]!.approvalId;
    const second = await currentUser.run(bob, () =>
      chatTurn(tools, answerApproval(first.messages, approvalId, true), []),
    );
    const output = ofType(second.chunks, "tool-output-available")[0]?.output as {
      result: { transactionHash: Hex };
    };
    const receipt = await client.waitForTransactionReceipt({ hash: output.result.transactionHash });
    expect(receipt.from.toLowerCase()).toBe(bobWallet.toLowerCase());
    expect(await client.getTransactionCount({ address: bobWallet })).toBe(nonceBefore + 1);
  });
});

describe.runIf(aiMajor >= 7)("lucidTools under AI SDK 7's call-level toolApproval", () => {
  // AI SDK 7 lets the host ask for approval per call (`toolApproval`) instead of the tool's `needsApproval`.
  const userApproval = { toolApproval: { sendTransaction: "user-approval" } };

  it("streams the approval request the host asked for, and sends once when approved", async () => {
    const tools = lucidTools(alice, { approval: { sendTransaction: false } });
    const first = await chatTurn(
      tools,
      [userMessage("send 0.01 ETH to 0xdead")],
      [[{ toolName: "sendTransaction", input: send("0.01") }]],
      userApproval,
    );
    const [request] = ofType(first.chunks, "tool-approval-request");
    expect(request).toBeDefined();
    expect(server.counters.get("sendTransaction")).toBe(0);
    const second = await chatTurn(
      tools,
      answerApproval(first.messages, request!.approvalId, true),
      [],
      userApproval,
    );
    expect(ofType(second.chunks, "tool-output-available")[0]?.output).toMatchObject({ ok: true });
    expect(server.counters.get("sendTransaction")).toBe(1);
  });

  // As the README says: under the host's call-level `toolApproval`, AI SDK 7 asks without consulting the tool,
  // so the adapter's preflight cannot skip the approval of a call the policy refuses. The policy still holds:
  // the approved call is refused when it runs, and nothing is sent.
  it("refuses an approved send that the policy forbids, and sends nothing", async () => {
    const tools = lucidTools(alice, {
      approval: { sendTransaction: false },
      policy: { maxValuePerTransaction: "0.05" },
    });
    const first = await chatTurn(
      tools,
      [userMessage("send 1 ETH to 0xdead")],
      [[{ toolName: "sendTransaction", input: send("1") }]],
      userApproval,
    );
    const [request] = ofType(first.chunks, "tool-approval-request");
    expect(request).toBeDefined();
    const second = await chatTurn(
      tools,
      answerApproval(first.messages, request!.approvalId, true),
      [],
      userApproval,
    );
    expect(ofType(second.chunks, "tool-output-available").map((chunk) => chunk.output)).toEqual([
      expect.objectContaining({ ok: false, code: "policy_refused" }),
    ]);
    expect(server.counters.get("sendTransaction")).toBe(0);
  });
});

describe(`lucidTools in a ToolLoopAgent (ai ${aiMajor})`, () => {
  const agentFor = (tools: ToolSet, steps: ScriptedCall[][]) => {
    const model = scriptedModel(steps);
    return Object.assign(new ToolLoopAgent({ model, tools, stopWhen: stepCountIs(4) }), { model });
  };

  it("generate: lists the agents, then answers", async () => {
    const result = await agentFor(lucidTools(alice), [
      [{ toolName: "listAgents", input: { limit: null } }],
    ]).generate({ prompt: "Which agents do I have?" });
    expect(result.steps.flatMap((step) => step.toolResults).map((part) => part.output)).toEqual([
      { ok: true, result: { agents: [expect.objectContaining({ ref: "alice-agent" })] } },
    ]);
    expect(result.text).toBe("done");
  });

  it("generate: asks for approval, sends once when approved", async () => {
    const tools = lucidTools(alice);
    const prompt: ModelMessage[] = [{ role: "user", content: "send 0.01 ETH to 0xdead" }];
    const first = await agentFor(tools, [[{ toolName: "sendTransaction", input: send("0.01") }]]).generate({
      messages: prompt,
    });
    const request = first.content.find((part) => part.type === "tool-approval-request");
    expect(request).toMatchObject({ toolCall: { toolName: "sendTransaction", input: send("0.01") } });
    expect(server.counters.get("sendTransaction")).toBe(0);
    const continued = agentFor(tools, []);
    const second = await continued.generate({
      messages: [
        ...prompt,
        ...first.response.messages,
        {
          role: "tool",
          content: [{ type: "tool-approval-response", approvalId: request!.approvalId, approved: true }],
        },
      ],
    });
    expect(server.counters.get("sendTransaction")).toBe(1);
    // The approved call ran before the model was called again: the model saw its result.
    const seen = JSON.stringify(continued.model.doGenerateCalls[0]?.prompt ?? []);
    const hash = /\\?"transactionHash\\?":\\?"(0x[0-9a-f]{64})/.exec(seen)?.[1] as Hex | undefined;
    expect(hash).toBeDefined();
    const receipt = await chainClient().waitForTransactionReceipt({ hash: hash! });
    expect(receipt.status).toBe("success");
    expect(second.text).toBe("done");
  });

  it("stream: the UI message stream carries the approval request, and the approved send's result", async () => {
    const tools = lucidTools(alice);
    const uiTurn = async (messages: UIMessage[], steps: ScriptedCall[][]) => {
      const result = await agentFor(tools, steps).stream({
        messages: await convertToModelMessages(messages),
      });
      const chunks: UIMessageChunk[] = [];
      const reader = result.toUIMessageStream({ originalMessages: messages }).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
      }
      return chunks;
    };
    const prompt = [userMessage("send 0.01 ETH to 0xdead")];
    const chunks = await uiTurn(prompt, [[{ toolName: "sendTransaction", input: send("0.01") }]]);
    const [request] = ofType(chunks, "tool-approval-request");
    expect(request).toBeDefined();
    expect(server.counters.get("sendTransaction")).toBe(0);

    let assistant: UIMessage | undefined;
    for await (const message of readUIMessageStream({ stream: convertArrayToReadableStream(chunks) })) {
      assistant = message;
    }
    const approved = answerApproval([...prompt, assistant!], request!.approvalId, true);
    const after = await uiTurn(approved, []);
    expect(server.counters.get("sendTransaction")).toBe(1);
    expect(ofType(after, "tool-output-available").map((chunk) => chunk.output)).toEqual([
      {
        ok: true,
        result: expect.objectContaining({ transactionHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) }),
      },
    ]);
  });
});
