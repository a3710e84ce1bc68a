import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import type { DynamicStructuredTool } from "@langchain/core/tools";
import {
  AgentRuntime,
  createLocalEoaWalletConnector,
  createWallet,
  type WalletClient,
} from "@lucid-dreams/agent-auth";
import type { LucidSession, LucidToolsOptions } from "@lucid-dreams/agent-auth/tools";
import { type LocalServer, startLocalServer, X402_CONTENT } from "@lucid-dreams/local-server";
import { createAgent } from "langchain";
import { createPublicClient, defineChain, erc20Abi, http } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lucidTools } from "./lucid-tools.js";

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
      signer: await createLocalEoaWalletConnector({
        privateKey: server.seed.eoaPrivateKey,
        caip2: server.seed.caip2,
      }),
    },
    backgroundRefresh: false,
  });
  await runtime.authenticate();
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

/** A real `createAgent` loop: the model asks for `calls` (one step each), then answers "done". */
async function runAgent(
  tools: DynamicStructuredTool[],
  steps: Array<Array<{ name: string; args: Record<string, unknown>; id: string }>>,
): Promise<
  Array<{ ok: boolean; result?: PaidResult; code?: string; message?: string; retryable?: boolean }>
> {
  let model = fakeModel();
  for (const calls of steps) model = model.respondWithTools(calls);
  const agent = createAgent({ model: model.respond(new AIMessage("done")), tools });
  const { messages } = await agent.invoke({ messages: [new HumanMessage("go")] });
  expect(messages.at(-1)?.content).toBe("done");
  return messages
    .filter((message): message is ToolMessage => ToolMessage.isInstance(message))
    .map((message) => JSON.parse(String(message.content)));
}

const usdcOf = (owner: `0x${string}`) =>
  createPublicClient({
    chain: defineChain({
      id: server.seed.chainId,
      name: "local",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [server.seed.rpcUrl] } },
    }),
    transport: http(server.seed.rpcUrl),
  }).readContract({
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

describe("payments in a LangChain createAgent loop against the local stack", () => {
  it.each([
    ["server-held wallet", () => runtime as LucidSession, () => server.seed.serverWalletAddress],
    ["local key", () => localWallet as LucidSession, () => server.seed.eoaAddress],
  ] as const)(
    "reads the balance and pays for the resource once, replay included (%s)",
    async (name, session, address) => {
      const payee = await usdcOf(server.x402!.payTo);
      const before = await usdcOf(address());
      const settled = server.x402!.counts().settle;
      const buy = {
        name: "fetchPaidResource",
        args: { url: server.x402!.resourceUrl, method: null, body: null },
      };
      const id = `lc-buy-${name.replace(/\W/g, "")}`;
      const [balance, paid, replayed] = await runAgent(lucidTools(session(), options()), [
        [{ name: "getBalance", args: { chain: null }, id: `${id}-balance` }],
        [{ ...buy, id }],
        [{ ...buy, id }],
      ]);
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
      expect(server.x402!.counts().settle).toBe(settled + 1);
      expect(await usdcOf(server.x402!.payTo)).toBe(payee + server.x402!.price);
      expect(await usdcOf(address())).toBe(before - server.x402!.price);
    },
  );

  it("refuses a payment on another network and a refused settlement with typed results", async () => {
    const url = server.x402!.resourceUrl;
    const [otherNetwork] = await runAgent(
      lucidTools(
        runtime,
        options({ payments: { allowedHosts: [new URL(url).host], networks: ["eip155:8453"] } }),
      ),
      [[{ name: "fetchPaidResource", args: { url, method: null, body: null }, id: "lc-network" }]],
    );
    expect(otherNetwork).toMatchObject({
      ok: false,
      code: "policy_refused",
      message: expect.stringContaining("eip155:8453"),
    });
    expect(server.counters.get("signTypedData")).toBe(0);
    server.x402!.setFacilitatorMode("refuse");
    const payee = await usdcOf(server.x402!.payTo);
    const [refused] = await runAgent(lucidTools(runtime, options()), [
      [{ name: "fetchPaidResource", args: { url, method: null, body: null }, id: "lc-refused" }],
    ]);
    expect(refused).toMatchObject({ ok: false, code: "payment_not_settled", retryable: true });
    expect(await usdcOf(server.x402!.payTo)).toBe(payee);
  });

  it("sendToken runs after approval and moves exactly the amount; over the budget it is refused unsigned, before anyone is asked", async () => {
    const recipient = "0x000000000000000000000000000000000000bEEF";
    const asked: string[] = [];
    const tools = lucidTools(runtime, {
      ...options({ tokens: { USDC: { address: server.seed.token.address, budget: "1" } } }),
      approve: ({ tool }) => {
        asked.push(tool);
        return true;
      },
    });
    const before = await usdcOf(recipient);
    const send = (amount: string, id: string) => ({
      name: "sendToken",
      args: { chain: null, token: "USDC", to: recipient, amount },
      id,
    });
    const [sent, overBudget] = await runAgent(tools, [
      [send("0.75", "lc-send-1")],
      [send("0.5", "lc-send-2")],
    ]);
    expect(sent).toMatchObject({ ok: true, result: { amount: "0.75", amountRaw: "750000" } });
    expect(overBudget).toMatchObject({
      ok: false,
      code: "policy_refused",
      message: expect.stringContaining("budget"),
    });
    expect(await usdcOf(recipient)).toBe(before + 750_000n);
    expect(server.counters.get("sendTransaction")).toBe(1);
    // the preview runs the budget check, so the human is asked only for the transfer the policy allows
    expect(asked).toEqual(["sendToken"]);
  });
});
