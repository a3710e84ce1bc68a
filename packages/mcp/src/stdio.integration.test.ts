import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_LUCID_TOOL_NAMES } from "@lucid-dreams/agent-auth/tools";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { createPublicClient, erc20Abi, type Hex, http, parseEther, verifyMessage } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ChildProcessTransport,
  createClient,
  type MessageLog,
  recordMessages,
  ScriptedHuman,
  type SpawnedCli,
  secretsIn,
  spawnCli,
} from "../test/helpers.js";

let server: LocalServer;
let dir: string;
let cli: SpawnedCli;
let client: Client;
const human = new ScriptedHuman();
const messages: MessageLog = [];

/** What a tool answered, as structured content. */
type Envelope = { ok: boolean; result?: Record<string, unknown>; code?: string; message?: string };
async function call(name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  return { isError: result.isError === true, envelope: result.structuredContent as Envelope };
}

const recipient = () => privateKeyToAccount(generatePrivateKey()).address;
const x402 = () => {
  if (!server.x402) throw new Error("the local server was started without its x402 seller");
  return server.x402;
};
const usdcBalance = (address: Hex) =>
  createPublicClient({ transport: http(server.seed.rpcUrl) }).readContract({
    address: server.seed.token.address,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [address],
  });

beforeAll(async () => {
  server = await startLocalServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "lucid-mcp-stdio-"));
  // No "rpc": the child takes it from LUCID_CHAIN_RPC_URL / LUCID_CHAIN_ID of the local server's env.
  await writeFile(
    join(dir, "policy.json"),
    JSON.stringify({
      allowedChains: [server.seed.caip2],
      maxValuePerTransaction: "1",
      simulation: "required",
      tokens: { USDC: { address: server.seed.token.address, maxPerTransaction: "1", budget: "5" } },
      payments: { allowedHosts: [new URL(x402().sellerUrl).host], maxPerPayment: "0.05" },
    }),
  );
  // The child gets the local server's env and nothing else (its cwd has no .lucid-agent.json).
  cli = spawnCli(["--policy", join(dir, "policy.json")], server.env, dir);
  client = createClient(human);
  await client.connect(recordMessages(new ChildProcessTransport(cli.child), messages));
}, 60_000);

afterAll(async () => {
  await client?.close();
  if (cli && cli.child.exitCode === null) {
    cli.child.kill("SIGKILL");
    await cli.closed;
  }
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("lucid-mcp over stdio, with the SDK's Client", () => {
  it("lists the core tools with JSON Schema input, the output schema and hints from each tool's kind", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([...DEFAULT_LUCID_TOOL_NAMES]);
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    for (const name of ["listAgents", "getAgent", "getWalletAddress"]) {
      expect(byName[name]?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    }
    expect(byName.sendTransaction?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.signMessage?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(byName.signMessage?.inputSchema).toMatchObject({
      type: "object",
      required: ["message", "encoding"],
      additionalProperties: false,
      properties: { message: { type: "string" } },
    });
    expect(byName.sendTransaction?.outputSchema).toMatchObject({ type: "object", required: ["ok"] });
  });

  it("signs a message with the agent's wallet: the signature verifies against its address", async () => {
    const { envelope, isError } = await call("signMessage", { message: "gm from MCP", encoding: null });
    expect(isError).toBe(false);
    expect(envelope.ok).toBe(true);
    const signature = envelope.result?.signature as Hex;
    expect(envelope.result?.address).toBe(server.seed.serverWalletAddress);
    await expect(
      verifyMessage({ address: server.seed.serverWalletAddress, message: "gm from MCP", signature }),
    ).resolves.toBe(true);
  });

  it("asks the human before a send; once accepted it is sent, once, and lands on the chain", async () => {
    const to = recipient();
    const asked = human.asked.length;
    const sendsBefore = server.counters.get("sendTransaction");
    human.answerNext({ action: "accept", content: { approve: true } });
    const { envelope } = await call("sendTransaction", {
      chain: null,
      to,
      amount: "0.01",
      unit: "ether",
      data: null,
    });
    expect(envelope).toMatchObject({
      ok: true,
      result: { to, amountEther: "0.01", chain: server.seed.caip2 },
    });
    expect(human.asked.length).toBe(asked + 1);
    expect(human.asked.at(-1)?.message).toMatch(/^Send 0\.01 ETH to 0x/);
    expect(human.asked.at(-1)?.message).toContain(to);
    // rpc came from the environment: the send was simulated on the local chain before anyone was asked
    expect(human.asked.at(-1)?.message).toContain("Simulation: simulated");
    expect(server.counters.get("sendTransaction")).toBe(sendsBefore + 1);
    const chain = createPublicClient({ transport: http(server.seed.rpcUrl) });
    const receipt = await chain.waitForTransactionReceipt({ hash: envelope.result?.transactionHash as Hex });
    expect(receipt.status).toBe("success");
    expect(await chain.getBalance({ address: to })).toBe(parseEther("0.01"));
  });

  it("sends nothing when the human declines, or accepts without saying yes", async () => {
    const sendsBefore = server.counters.get("sendTransaction");
    human.answerNext({ action: "decline" }, { action: "accept", content: { approve: false } });
    for (let i = 0; i < 2; i++) {
      const { envelope, isError } = await call("sendTransaction", {
        chain: null,
        to: recipient(),
        amount: "0.01",
        unit: "ether",
        data: null,
      });
      expect(isError).toBe(true);
      expect(envelope).toMatchObject({ ok: false, code: "approval_denied", retryable: false });
    }
    expect(server.counters.get("sendTransaction")).toBe(sendsBefore);
  });

  it("refuses what the policy refuses before asking anyone", async () => {
    const asked = human.asked.length;
    const sendsBefore = server.counters.get("sendTransaction");
    const { envelope, isError } = await call("sendTransaction", {
      chain: null,
      to: recipient(),
      amount: "5",
      unit: "ether",
      data: null,
    });
    expect(isError).toBe(true);
    expect(envelope).toMatchObject({ ok: false, code: "policy_refused" });
    expect(envelope.message).toContain("maximum of 1 ETH");
    expect(human.asked.length).toBe(asked);
    expect(server.counters.get("sendTransaction")).toBe(sendsBefore);
  });

  it("asks the human before an x402 payment, with its host, amount, asset, pay-to and network; accepted, it pays once", async () => {
    const asked = human.asked.length;
    const settled = x402().counts().settle;
    const payee = await usdcBalance(x402().payTo);
    const payer = await usdcBalance(server.seed.serverWalletAddress);
    human.answerNext({ action: "accept", content: { approve: true } });
    const { envelope, isError } = await call("fetchPaidResource", {
      url: x402().resourceUrl,
      method: null,
      body: null,
    });
    expect(isError).toBe(false);
    expect(envelope).toMatchObject({
      ok: true,
      result: { status: 200, payment: { amount: "0.01", asset: "USDC" } },
    });
    expect(human.asked.length).toBe(asked + 1);
    const question = human.asked.at(-1)?.message ?? "";
    expect(question).toMatch(/^Pay 0\.01 USDC to /);
    for (const part of [new URL(x402().sellerUrl).host, x402().payTo, x402().network, x402().resourceUrl]) {
      expect(question).toContain(part);
    }
    expect(x402().counts().settle).toBe(settled + 1);
    expect(await usdcBalance(x402().payTo)).toBe(payee + x402().price);
    expect(await usdcBalance(server.seed.serverWalletAddress)).toBe(payer - x402().price);
  });

  it("signs no payment when the human declines it, or accepts without saying yes", async () => {
    const settled = x402().counts();
    const signs = server.counters.get("signTypedData");
    const payee = await usdcBalance(x402().payTo);
    human.answerNext({ action: "decline" }, { action: "accept", content: { approve: false } });
    for (let i = 0; i < 2; i++) {
      const asked = human.asked.length;
      const { envelope, isError } = await call("fetchPaidResource", {
        url: x402().resourceUrl,
        method: null,
        body: null,
      });
      expect(isError).toBe(true);
      expect(envelope).toMatchObject({ ok: false, code: "approval_denied" });
      expect(human.asked.length).toBe(asked + 1);
    }
    expect(server.counters.get("signTypedData")).toBe(signs);
    expect(x402().counts()).toEqual(settled);
    expect(await usdcBalance(x402().payTo)).toBe(payee);
  });

  it("answers an unknown tool with a JSON-RPC invalid-params error", async () => {
    const error = await client.callTool({ name: "drainWallet", arguments: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((error as McpError).message).toContain('Unknown tool "drainWallet"');
  });

  it("answers invalid arguments with an invalid_input tool error naming the field, without running the tool", async () => {
    const signsBefore = server.counters.get("signMessage");
    const { envelope, isError } = await call("signMessage", { message: 42, encoding: "base64", extra: 1 });
    expect(isError).toBe(true);
    expect(envelope).toMatchObject({ ok: false, code: "invalid_input", retryable: false });
    expect(envelope.message).toMatch(/message/);
    expect(envelope.message).toMatch(/encoding/);
    expect(server.counters.get("signMessage")).toBe(signsBefore);
  });

  it("never puts a token, key or credential id in an MCP message, either way", () => {
    const text = JSON.stringify(messages);
    expect(messages.length).toBeGreaterThan(10);
    const secrets = [
      server.seed.ownerToken,
      server.seed.credentialId,
      server.seed.eoaCredentialId,
      server.seed.eoaPrivateKey,
      server.seed.eoaPrivateKey.slice(2),
    ];
    expect(secretsIn(text, secrets)).toEqual([]);
    expect(secretsIn(cli.stderr(), secrets)).toEqual([]);
  });

  it("exits with code 0 when stdin closes", async () => {
    await client.close();
    expect(await cli.closed).toEqual({ code: 0, signal: null });
  });
});

describe("lucid-mcp process lifecycle", () => {
  it("exits with code 0 on SIGTERM", async () => {
    const child = spawnCli([], server.env, dir);
    const other = createClient();
    await other.connect(new ChildProcessTransport(child.child));
    await other.listTools();
    child.child.kill("SIGTERM");
    expect(await child.closed).toEqual({ code: 0, signal: null });
  });

  it("refuses a malformed policy file with exit code 2 and a message naming the field", async () => {
    await writeFile(
      join(dir, "bad-policy.json"),
      JSON.stringify({ maxValuePerTx: "1", budgetPerSession: "-1" }),
    );
    const child = spawnCli(["--policy", join(dir, "bad-policy.json")], server.env, dir);
    expect((await child.closed).code).toBe(2);
    expect(child.stderr()).toContain("maxValuePerTx");
    expect(child.stderr()).toContain("budgetPerSession");
  });

  it("without LUCID_CHAIN_RPC_URL nor a policy rpc, a send is not simulated (and refused under simulation: required)", async () => {
    const { LUCID_CHAIN_RPC_URL: _url, ...env } = server.env;
    const child = spawnCli(["--policy", join(dir, "policy.json")], env, dir);
    const other = createClient(new ScriptedHuman());
    await other.connect(new ChildProcessTransport(child.child));
    const sendsBefore = server.counters.get("sendTransaction");
    const result = await other.callTool({
      name: "sendTransaction",
      arguments: { chain: null, to: recipient(), amount: "0.01", unit: "ether", data: null },
    });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ ok: false, code: "policy_refused" });
    expect((result.structuredContent as Envelope).message).toMatch(/simulat/i);
    expect(server.counters.get("sendTransaction")).toBe(sendsBefore);
    await other.close();
    expect(await child.closed).toEqual({ code: 0, signal: null });
  });

  it("refuses to start without a session in the environment, with exit code 2 and a hint", async () => {
    const child = spawnCli([], {}, dir);
    expect((await child.closed).code).toBe(2);
    expect(child.stderr()).toMatch(/agentRef is missing/);
    expect(child.stderr()).toMatch(/Hint:/);
  });
});
