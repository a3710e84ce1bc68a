import {
  AgentRuntime,
  createWallet,
  LocalEoaWalletConnector,
  type WalletClient,
} from "@lucid-dreams/agent-auth";
import type { LucidToolsOptions, PaymentPreview } from "@lucid-dreams/agent-auth/tools";
import { type LocalServer, startLocalServer, X402_CONTENT } from "@lucid-dreams/local-server";
import { generateText, type ModelMessage, stepCountIs } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { createPublicClient, defineChain, erc20Abi, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lucidTools } from "./lucid-tools.js";
import { responseMessages } from "./response-messages.js";

/** The parts of a tool result the tests read. */
type PaidResult = Record<string, unknown> & { body: string; payment: { transactionHash: `0x${string}` } };

let server: LocalServer;
let runtime: AgentRuntime;
let localWallet: WalletClient;

beforeAll(async () => {
  server = await startLocalServer({ port: 0 });
  runtime = await AgentRuntime.fromConfig({
    config: {
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
    },
    wallet: {
      signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
    },
    backgroundRefresh: false,
  });
  localWallet = await createWallet({
    config: {
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
    },
    wallet: { privateKey: server.seed.eoaPrivateKey },
    env: {},
  });
}, 60_000);
afterEach(() => {
  server.counters.reset();
  server.x402!.setFacilitatorMode("ok");
});
afterAll(async () => {
  await localWallet?.shutdown();
  await runtime?.shutdown();
  await server?.close();
});

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

/** A model that makes `steps` of tool calls (one step each), then answers "done". */
function scriptedModel(steps: Array<Array<{ toolName: string; input: unknown; toolCallId: string }>>) {
  let step = 0;
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
          ...call,
          input: JSON.stringify(call.input),
        })),
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        usage,
        warnings: [],
      };
    },
  });
}

const chain = () =>
  createPublicClient({
    chain: defineChain({
      id: server.seed.chainId,
      name: "local",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [server.seed.rpcUrl] } },
    }),
    transport: http(server.seed.rpcUrl),
  });
const usdcOf = (owner: `0x${string}`) =>
  chain().readContract({
    address: server.seed.token.address,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [owner],
  });

const options = (extra: Partial<LucidToolsOptions> = {}): LucidToolsOptions => ({
  rpc: { [server.seed.caip2]: server.seed.rpcUrl },
  defaultChain: server.seed.caip2,
  tokens: { USDC: { address: server.seed.token.address, maxPerTransaction: "5", budget: "20" } },
  payments: { allowedHosts: [new URL(server.x402!.sellerUrl).host], maxPerPayment: "0.05" },
  ...extra,
});

const outputsOf = (result: { steps: ReadonlyArray<{ toolResults: ReadonlyArray<{ output: unknown }> }> }) =>
  result.steps
    .flatMap((step) => step.toolResults)
    .map((part) => part.output as { ok: boolean; result?: PaidResult; code?: string });

describe("payments in a generateText loop against the local stack", () => {
  it.each([
    ["server-held wallet", () => runtime, () => server.seed.serverWalletAddress],
    ["local key", () => localWallet, () => server.seed.eoaAddress],
  ] as const)(
    "checks the balance, buys the paywalled resource once, even when the call is replayed (%s)",
    async (_name, session, address) => {
      const previews: PaymentPreview[] = [];
      const base = options();
      const tools = lucidTools(session(), {
        ...base,
        payments: {
          ...base.payments,
          approve: (preview) => {
            previews.push(preview);
            return true;
          },
        },
      });
      const payee = await usdcOf(server.x402!.payTo);
      const before = await usdcOf(address());
      const buy = {
        toolName: "fetchPaidResource",
        input: { url: server.x402!.resourceUrl, method: null, body: null },
      };
      const id = `buy-${_name.replace(/\W/g, "")}`;
      const result = await generateText({
        model: scriptedModel([
          [{ toolName: "getBalance", input: { chain: null }, toolCallId: `${id}-balance` }],
          [{ ...buy, toolCallId: id }],
          [{ ...buy, toolCallId: id }], // a replayed tool call: answered from the first, not paid again
        ]),
        tools,
        stopWhen: stepCountIs(5),
        prompt: "Buy the report.",
      });
      const [balance, paid, replayed] = outputsOf(result);
      expect(balance).toMatchObject({
        ok: true,
        result: { tokens: [{ symbol: "USDC", raw: before.toString() }] },
      });
      expect(paid).toMatchObject({
        ok: true,
        result: { status: 200, payment: { amount: "0.01", asset: "USDC" } },
      });
      expect(JSON.parse(paid!.result!.body)).toEqual(X402_CONTENT);
      expect(replayed).toEqual(paid);
      expect(previews).toHaveLength(1);
      expect(await usdcOf(server.x402!.payTo)).toBe(payee + server.x402!.price);
      expect(await usdcOf(address())).toBe(before - server.x402!.price);
      const receipt = await chain().waitForTransactionReceipt({
        hash: paid!.result!.payment.transactionHash,
        pollingInterval: 50,
      });
      expect(receipt.status).toBe("success");
    },
  );

  it("refuses an over-cap payment and an unlisted host as results the model can read, with nothing signed", async () => {
    const verified = server.x402!.counts().verify;
    const url = server.x402!.resourceUrl;
    const result = await generateText({
      model: scriptedModel([
        [{ toolName: "fetchPaidResource", input: { url, method: null, body: null }, toolCallId: "over-cap" }],
      ]),
      tools: lucidTools(
        runtime,
        options({ payments: { allowedHosts: [new URL(url).host], maxPerPayment: "0.001" } }),
      ),
      stopWhen: stepCountIs(3),
      prompt: "Buy it.",
    });
    expect(outputsOf(result)).toEqual([
      {
        ok: false,
        code: "policy_refused",
        message: expect.stringContaining("maximum of 0.001 USDC"),
        retryable: false,
      },
    ]);
    const elsewhere = await generateText({
      model: scriptedModel([
        [
          {
            toolName: "fetchPaidResource",
            input: { url, method: null, body: null },
            toolCallId: "other-host",
          },
        ],
      ]),
      tools: lucidTools(runtime, options({ payments: { allowedHosts: ["shop.example.com"] } })),
      stopWhen: stepCountIs(3),
      prompt: "Buy it.",
    });
    expect(outputsOf(elsewhere)).toEqual([expect.objectContaining({ ok: false, code: "policy_refused" })]);
    expect(server.counters.get("signTypedData")).toBe(0);
    expect(server.x402!.counts().verify).toBe(verified);
  });

  it("a down facilitator is a retryable typed result", async () => {
    server.x402!.setFacilitatorMode("unavailable");
    const result = await generateText({
      model: scriptedModel([
        [
          {
            toolName: "fetchPaidResource",
            input: { url: server.x402!.resourceUrl, method: null, body: null },
            toolCallId: "facilitator-down",
          },
        ],
      ]),
      tools: lucidTools(runtime, options()),
      stopWhen: stepCountIs(3),
      prompt: "Buy it.",
    });
    expect(outputsOf(result)).toEqual([
      expect.objectContaining({ ok: false, code: "payment_not_settled", retryable: true }),
    ]);
  });

  it("sendToken asks for approval, then moves exactly the amount once", async () => {
    const recipient = "0x000000000000000000000000000000000000bEEF";
    const tools = lucidTools(runtime, options());
    const call = {
      toolName: "sendToken",
      input: { chain: null, token: "USDC", to: recipient, amount: "0.5" },
      toolCallId: "send-usdc",
    };
    const before = await usdcOf(recipient);
    const first = await generateText({
      model: scriptedModel([[call]]),
      tools,
      stopWhen: stepCountIs(3),
      prompt: "Pay Bob.",
    });
    const approval = first.content.find((part) => part.type === "tool-approval-request");
    expect(approval).toMatchObject({ toolCall: { toolName: "sendToken", input: call.input } });
    expect(server.counters.get("sendTransaction")).toBe(0);
    const messages: ModelMessage[] = [
      { role: "user", content: "Pay Bob." },
      ...responseMessages(first),
      {
        role: "tool",
        content: [{ type: "tool-approval-response", approvalId: approval!.approvalId, approved: true }],
      },
    ];
    const second = await generateText({
      model: scriptedModel([]),
      tools,
      stopWhen: stepCountIs(3),
      messages,
    });
    // The approved call runs before the model is called again: its result opens the response messages.
    const [toolMessage] = responseMessages(second);
    const [output] = toolMessage!.content as Array<{ type: string; output?: unknown }>;
    expect(output).toMatchObject({
      type: "tool-result",
      output: { value: { ok: true, result: { amount: "0.5", token: "USDC" } } },
    });
    expect(await usdcOf(recipient)).toBe(before + 500_000n);
    expect(server.counters.get("sendTransaction")).toBe(1);
  });
});
