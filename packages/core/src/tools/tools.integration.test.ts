import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { createPublicClient, defineChain, http, verifyMessage, verifyTypedData } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod/v4";
import { createWallet, type WalletClient } from "../create-wallet.js";
import { AgentRuntime } from "../runtime/agent-runtime.js";
import { LocalEoaWalletConnector } from "../runtime/wallet/local-key-connector.js";
import { createLucidToolDescriptors, type LucidToolsOptions } from "./create-lucid-tools.js";
import { previewLucidToolCall } from "./preview-call.js";
import { strictModeProblems } from "./strict-mode.js";
import type { LucidTool } from "./tool-context.js";
import { toolErrorResult } from "./tool-error-result.js";

let server: LocalServer;
let runtime: AgentRuntime;
const closers: Array<() => Promise<void>> = [];

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
  await runtime.authenticate();
});
afterEach(async () => {
  server.counters.reset();
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(async () => {
  await runtime.shutdown();
  await server.close();
});

function tools(options?: LucidToolsOptions) {
  const byName = new Map(createLucidToolDescriptors(options).map((tool) => [tool.name, tool]));
  return (name: string) => byName.get(name) as LucidTool<Record<string, unknown>, Record<string, unknown>>;
}

let callCounter = 0;
const run = (
  tool: LucidTool<Record<string, unknown>, Record<string, unknown>>,
  input: Record<string, unknown>,
  session: AgentRuntime | WalletClient = runtime,
  toolCallId = `call-${++callCounter}`,
) => tool.execute(input, { session, toolCallId });

const recipient = "0x000000000000000000000000000000000000bEEF";
const send = (amount: string, extra: Record<string, unknown> = {}) => ({
  chain: null,
  to: recipient,
  amount,
  unit: "ether",
  data: null,
  ...extra,
});

describe("Lucid tools against the local server", () => {
  it("every input schema fits OpenAI strict mode", () => {
    for (const tool of createLucidToolDescriptors()) {
      const schema = z.toJSONSchema(tool.inputSchema as z.ZodType) as Record<string, unknown>;
      expect(strictModeProblems(schema, tool.name), tool.name).toEqual([]);
      expect(tool.description.length).toBeGreaterThan(40);
    }
  });

  it("lists agents and reads the session's wallet address", async () => {
    const tool = tools();
    const { agents } = (await run(tool("listAgents"), { limit: null })) as {
      agents: Array<Record<string, unknown>>;
    };
    expect(agents).toEqual([
      expect.objectContaining({ ref: server.seed.agentRef, walletAddress: server.seed.serverWalletAddress }),
    ]);
    expect(await run(tool("getWalletAddress"), { chain: null })).toEqual({
      address: server.seed.serverWalletAddress,
      chain: server.seed.caip2,
      agentRef: server.seed.agentRef,
    });
  });

  it("signs a message and typed data with the server-held wallet", async () => {
    const tool = tools();
    const signed = (await run(tool("signMessage"), { message: "gm", encoding: null })) as {
      signature: `0x${string}`;
    };
    expect(
      await verifyMessage({
        address: server.seed.serverWalletAddress,
        message: "gm",
        signature: signed.signature,
      }),
    ).toBe(true);
    const typedData = {
      domain: { name: "Lucid test", version: "1", chainId: server.seed.chainId },
      types: {
        Mail: [
          { name: "contents", type: "string" },
          { name: "amount", type: "uint256" },
        ],
      },
      primaryType: "Mail" as const,
      message: { contents: "hello", amount: "1000000000000000000000" },
    };
    const typed = (await run(tool("signTypedData"), { typedData: JSON.stringify(typedData) })) as {
      signature: `0x${string}`;
    };
    expect(
      await verifyTypedData({
        address: server.seed.serverWalletAddress,
        ...typedData,
        message: { contents: "hello", amount: 10n ** 21n },
        signature: typed.signature,
      }),
    ).toBe(true);
  });

  it("sends a transaction once per tool call, even when the call is replayed", async () => {
    const tool = tools();
    const chain = defineChain({
      id: server.seed.chainId,
      name: "local",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [server.seed.rpcUrl] } },
    });
    const client = createPublicClient({ chain, transport: http(server.seed.rpcUrl) });
    const nonceBefore = await client.getTransactionCount({ address: server.seed.serverWalletAddress });
    const first = (await run(tool("sendTransaction"), send("0.01"), runtime, "replayed-call")) as {
      transactionHash: `0x${string}`;
    };
    const again = (await run(tool("sendTransaction"), send("0.01"), runtime, "replayed-call")) as {
      transactionHash: `0x${string}`;
    };
    expect(again.transactionHash).toBe(first.transactionHash);
    const receipt = await client.waitForTransactionReceipt({ hash: first.transactionHash });
    expect(receipt.status).toBe("success");
    expect(await client.getTransactionCount({ address: server.seed.serverWalletAddress })).toBe(
      nonceBefore + 1,
    );
  });

  it("signs a transaction without broadcasting it; the result can be broadcast and lands", async () => {
    const chain = defineChain({
      id: server.seed.chainId,
      name: "local",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [server.seed.rpcUrl] } },
    });
    const client = createPublicClient({ chain, transport: http(server.seed.rpcUrl) });
    const nonce = await client.getTransactionCount({ address: server.seed.serverWalletAddress });
    const fees = await client.estimateFeesPerGas();
    const signed = (await run(tools({ tools: ["signTransaction"] })("signTransaction"), {
      ...send("0.001"),
      nonce: String(nonce),
      gas: "21000",
      maxFeePerGas: String(fees.maxFeePerGas * 2n),
      maxPriorityFeePerGas: String(fees.maxPriorityFeePerGas),
    })) as { signedTransaction: `0x${string}`; transactionHash: `0x${string}`; from: string };
    expect(signed.from).toBe(server.seed.serverWalletAddress);
    const hash = await client.sendRawTransaction({ serializedTransaction: signed.signedTransaction });
    expect(hash).toBe(signed.transactionHash);
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
  });

  it("refuses by policy before any network call", async () => {
    const tool = tools({
      policy: {
        maxValuePerTransaction: "0.05",
        budgetPerSession: "0.06",
        allowedChains: [server.seed.caip2],
      },
    });
    const errorOf = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (error: unknown) => toolErrorResult(error),
      );
    expect(await errorOf(run(tool("sendTransaction"), send("1")))).toMatchObject({
      ok: false,
      code: "policy_refused",
    });
    expect(await errorOf(run(tool("sendTransaction"), send("0.01", { chain: "eip155:1" })))).toMatchObject({
      code: "policy_refused",
      message: expect.stringContaining("eip155:1"),
    });
    const permit = {
      domain: { name: "Token", version: "1", chainId: server.seed.chainId },
      types: {
        Permit: [
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
        ],
      },
      primaryType: "Permit",
      message: { spender: recipient, value: "1" },
    };
    expect(await errorOf(run(tool("signTypedData"), { typedData: JSON.stringify(permit) }))).toMatchObject({
      code: "policy_refused",
    });
    expect(server.counters.get("sendTransaction")).toBe(0);
    expect(server.counters.get("signTypedData")).toBe(0);
    // the budget counts the worst case: without an rpc, value + the 0.01 ETH fee ceiling. 0.03 (+0.01) fits,
    // the next 0.03 (+0.01) would pass the 0.06 budget.
    await run(tool("sendTransaction"), send("0.03"));
    expect(await errorOf(run(tool("sendTransaction"), send("0.03")))).toMatchObject({
      code: "policy_refused",
      message: expect.stringContaining("budget"),
    });
    expect(server.counters.get("sendTransaction")).toBe(1);
  });

  it("replaying a sent call is answered from the server's record, not refused by the budget", async () => {
    const tool = tools({ policy: { budgetPerSession: "0.03" } });
    const first = await run(tool("sendTransaction"), send("0.02"), runtime, "budget-replay");
    const replay = await run(tool("sendTransaction"), send("0.02"), runtime, "budget-replay");
    expect(replay).toEqual(first);
    await expect(
      tool("sendTransaction").preview?.(send("0.02"), { session: runtime, toolCallId: "new" }),
    ).rejects.toMatchObject({
      code: "policy_refused",
    });
  });

  it("previews a pending call (simulated, worst case) without signing, and refuses what the policy refuses", async () => {
    const descriptors = createLucidToolDescriptors({
      policy: { maxValuePerTransaction: "0.05", recipientAllowlist: [recipient] },
      rpc: { [server.seed.caip2]: server.seed.rpcUrl },
    });
    const pending = { tool: "sendTransaction", session: runtime, toolCallId: "pending-1" };
    const preview = await previewLucidToolCall(descriptors, { ...pending, input: send("0.01") });
    expect(preview).toMatchObject({
      tool: "sendTransaction",
      kind: "send",
      chain: server.seed.caip2,
      simulation: "simulated",
      balanceChanges: [expect.objectContaining({ asset: `${server.seed.caip2}/slip44:60` })],
    });
    expect(preview.summary).toMatch(
      /^Send 0\.01 ETH to 0x000\.\.\.bEEF, fee at most 0\.0000\d+ ETH, balance after/,
    );
    await expect(
      previewLucidToolCall(descriptors, { ...pending, input: send("0.01", { to: `0x${"11".repeat(20)}` }) }),
    ).rejects.toMatchObject({ code: "policy_refused", rule: "recipient_allowlist" });
    await expect(
      previewLucidToolCall(descriptors, { ...pending, input: { to: "nope" } }),
    ).rejects.toMatchObject({
      code: "invalid_input",
    });
    expect(server.counters.get("sendTransaction")).toBe(0);
  });

  it("rejects malformed input with messages a model can act on", async () => {
    const tool = tools();
    const schema = tool("sendTransaction").inputSchema as z.ZodType;
    const parsed = schema.safeParse(send("0.01", { to: "0x123" }));
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain("40 hex digits");
    await expect(run(tool("signTypedData"), { typedData: "{not json" })).rejects.toMatchObject({
      code: "invalid_input",
    });
    await expect(run(tool("signMessage"), { message: "gm", encoding: "hex" })).rejects.toMatchObject({
      code: "invalid_input",
    });
  });

  it("returns the server's refusal as a typed, readable error", async () => {
    const narrow = await AgentRuntime.fromConfig({
      config: {
        baseUrl: server.url,
        agentRef: server.seed.agentRef,
        credentialId: server.seed.eoaCredentialId,
        scopes: ["agents.read"],
      },
      wallet: {
        signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
      },
      backgroundRefresh: false,
    });
    closers.push(() => narrow.shutdown());
    const result = await run(tools()("signMessage"), { message: "gm", encoding: null }, narrow).catch(
      toolErrorResult,
    );
    expect(result).toMatchObject({ ok: false, code: "insufficient_scope", retryable: false });
    expect(JSON.stringify(result)).not.toMatch(/lat_|lrt_/);
  });

  it("signs locally with a local-key session, without a server signature", async () => {
    const wallet = await createWallet({
      config: {
        baseUrl: server.url,
        agentRef: server.seed.agentRef,
        credentialId: server.seed.eoaCredentialId,
      },
      wallet: { privateKey: server.seed.eoaPrivateKey },
      env: {},
    });
    closers.push(() => wallet.shutdown());
    const signed = (await run(tools()("signMessage"), { message: "local gm", encoding: null }, wallet)) as {
      signature: `0x${string}`;
      address: string;
    };
    expect(signed.address).toBe(server.seed.eoaAddress);
    expect(
      await verifyMessage({
        address: server.seed.eoaAddress,
        message: "local gm",
        signature: signed.signature,
      }),
    ).toBe(true);
    expect(server.counters.get("signMessage")).toBe(0);
  });
});
