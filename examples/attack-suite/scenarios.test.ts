/**
 * The ledger and idempotency attacks, and the demo's legitimate operations, through real `generateText` loops
 * against the local server: budgets hold across sign and send under one tool-call id, two conversations that
 * share a tool-call id get two transactions, a replay is answered from the first and never sent twice, and a
 * different body under a used key is refused before the wallet is called.
 */
import { lucidTools } from "@lucid-dreams/ai-sdk";
import { generateText, type LanguageModel, type ModelMessage, stepCountIs } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { formatEther, type Hex, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FRIEND, startWorld, type World } from "./fixture.js";

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 60_000);
afterAll(async () => {
  await world?.close();
});

const usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 0, text: 0, reasoning: 0 },
};

/** A model that makes one tool call per step from `calls` (with the given ids), then says "done". */
function model(calls: Array<{ id: string; tool: string; input: Record<string, unknown> }>): LanguageModel {
  const steps = [...calls];
  return new MockLanguageModelV3({
    doGenerate: async () => {
      const next = steps.shift();
      if (!next) {
        return {
          content: [{ type: "text", text: "done" }],
          finishReason: { unified: "stop", raw: "stop" },
          usage,
          warnings: [],
        };
      }
      return {
        content: [
          { type: "tool-call", toolCallId: next.id, toolName: next.tool, input: JSON.stringify(next.input) },
        ],
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        usage,
        warnings: [],
      };
    },
  });
}

const send = (amount: string, unit = "ether") => ({ chain: null, to: FRIEND, amount, unit, data: null });
const signTx = (amount: string, unit = "ether") => ({
  ...send(amount, unit),
  nonce: null,
  gas: null,
  maxFeePerGas: null,
  maxPriorityFeePerGas: null,
});

type Outcome = { ok: boolean; code?: string; message?: string; result?: Record<string, string> };

async function converse(tools: ReturnType<typeof lucidTools>, prompt: ModelMessage[], m: LanguageModel) {
  const result = await generateText({ model: m, tools, messages: prompt, stopWhen: stepCountIs(20) });
  return result.steps.flatMap((s) => s.toolResults).map((r) => r.output as Outcome);
}

const balance = () => world.chain.getBalance({ address: world.wallet as Hex });
const nonce = () => world.chain.getTransactionCount({ address: world.wallet as Hex });

describe("ledger and idempotency attacks", () => {
  it("sign and send under one tool-call id both count; the budget holds, fees included", async () => {
    const tools = lucidTools(world.runtime, world.options);
    const before = await balance();
    const calls = [
      { id: "call_0", tool: "signTransaction", input: signTx("1", "wei") },
      { id: "call_0", tool: "sendTransaction", input: send("0.045") },
      ...[1, 2, 3, 4, 5].map((n) => ({ id: `call_${n}`, tool: "sendTransaction", input: send("0.045") })),
    ];
    const outcomes = await converse(tools, [{ role: "user", content: "spend it all" }], model(calls));
    expect(outcomes.map((o) => (o.ok ? "ok" : o.message?.split(":")[0]))).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "This would exceed the budget budgetPerSession",
      "This would exceed the budget budgetPerSession",
    ]);
    const spent = before - (await balance());
    expect(spent).toBeLessThanOrEqual(parseEther("0.2"));
    expect(formatEther(spent)).toMatch(/^0\.180/);
  });

  it("a provider that reuses a tool-call id within a conversation gets one transaction, not one per call", async () => {
    const tools = lucidTools(world.runtime, {
      ...world.options,
      policy: { ...world.policy, budgetPerSession: "1" },
    });
    const start = await nonce();
    const calls = [1, 2, 3].map(() => ({ id: "call_same", tool: "sendTransaction", input: send("0.001") }));
    const outcomes = await converse(tools, [{ role: "user", content: "tip" }], model(calls));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(new Set(outcomes.map((o) => o.result?.transactionHash)).size).toBe(1);
    expect(await nonce()).toBe(start + 1);
  });

  it("two conversations that share a tool-call id get two transactions; a replay gets the first", async () => {
    const tools = lucidTools(world.runtime, {
      ...world.options,
      policy: { ...world.policy, budgetPerSession: "1" },
    });
    const start = await nonce();
    const conversationA: ModelMessage[] = [{ role: "user", content: "pay my friend for lunch" }];
    const conversationB: ModelMessage[] = [{ role: "user", content: "pay my friend for the taxi" }];
    const [a] = await converse(
      tools,
      conversationA,
      model([{ id: "call_0", tool: "sendTransaction", input: send("0.01") }]),
    );
    const [b] = await converse(
      tools,
      conversationB,
      model([{ id: "call_0", tool: "sendTransaction", input: send("0.01") }]),
    );
    expect(a?.ok && b?.ok).toBe(true);
    expect(a?.result?.transactionHash).not.toBe(b?.result?.transactionHash);
    expect(await nonce()).toBe(start + 2);
    // conversation A resumed after a crash, in a new tool set (a new process): the same call is not sent again
    const restarted = lucidTools(world.runtime, {
      ...world.options,
      policy: { ...world.policy, budgetPerSession: "1" },
    });
    const [replay] = await converse(
      restarted,
      conversationA,
      model([{ id: "call_0", tool: "sendTransaction", input: send("0.01") }]),
    );
    expect(replay?.result?.transactionHash).toBe(a?.result?.transactionHash);
    expect(await nonce()).toBe(start + 2);
  });

  it("a different body under a used key is refused before the wallet is called", async () => {
    const tools = lucidTools(world.runtime, world.options);
    const conversation: ModelMessage[] = [{ role: "user", content: "pay once" }];
    const [first] = await converse(
      tools,
      conversation,
      model([{ id: "call_7", tool: "sendTransaction", input: send("0.001") }]),
    );
    expect(first?.ok).toBe(true);
    const calls = world.walletCalls();
    const [second] = await converse(
      tools,
      conversation,
      model([{ id: "call_7", tool: "sendTransaction", input: send("0.002") }]),
    );
    expect(second).toMatchObject({
      ok: false,
      code: "policy_refused",
      message: expect.stringContaining("already used"),
    });
    expect(world.walletCalls()).toBe(calls);
  });
});

describe("the demo's legitimate operations under a policy that allows them", () => {
  it("list, sign a message, sign typed data, send: all succeed", async () => {
    const tools = lucidTools(world.runtime, world.options);
    const typedData = {
      domain: { name: "Lucid demo", version: "1", chainId: world.server.seed.chainId },
      types: {
        Order: [
          { name: "item", type: "string" },
          { name: "quantity", type: "uint256" },
        ],
      },
      primaryType: "Order",
      message: { item: "coffee", quantity: 2 },
    };
    const outcomes = await converse(
      tools,
      [{ role: "user", content: "demo" }],
      model([
        { id: "d1", tool: "listAgents", input: { limit: null } },
        { id: "d2", tool: "signMessage", input: { message: "gm from the Lucid demo", encoding: null } },
        { id: "d3", tool: "signTypedData", input: { typedData: JSON.stringify(typedData) } },
        { id: "d4", tool: "sendTransaction", input: send("0.01") },
        { id: "d5", tool: "getWalletAddress", input: { chain: null } },
      ]),
    );
    expect(outcomes.map((o) => (o.ok ? "ok" : o.message))).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(outcomes[3]?.result).toMatchObject({ amountEther: "0.01", simulated: true });
  });
});
