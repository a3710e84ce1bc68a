/**
 * The web chat's server parts without a browser: the preview (against the local server's anvil chain), the
 * scripted model's reading of the demo prompts, and the HTTP routes' answers to bad or missing input.
 */
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { createPublicClient, encodeFunctionData, erc20Abi, formatEther, http, type PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describePolicy, previewToolCall } from "../server/preview.js";
import { SCRIPTED_HELP, summarize, toolCallFor } from "../server/scripted-model.js";
import { startWebChat, type WebChat } from "../server/web-chat-server.js";

const DEAD = "0x000000000000000000000000000000000000dEaD";
let lucid: LocalServer;
let client: PublicClient;

beforeAll(async () => {
  lucid = await startLocalServer({
    port: 0,
    agents: [
      { ref: "alice-agent", name: "Alice's agent" },
      { ref: "bob-agent", name: "Bob's agent" },
    ],
  });
  client = createPublicClient({ transport: http(lucid.seed.rpcUrl) }) as PublicClient;
});
afterAll(async () => {
  await lucid?.close();
});

const send = (amount: string, data: string | null = null) => ({
  chain: null,
  to: DEAD,
  amount,
  unit: "ether",
  data,
});

describe("previewToolCall", () => {
  const context = () => ({
    client,
    caip2: lucid.seed.caip2,
    from: lucid.seed.agents[0]!.serverWalletAddress,
    policy: { maxValuePerTransaction: "0.1" },
  });

  it("previews a transfer: amount, recipient, balance, worst-case fee and the balance after it", async () => {
    const preview = await previewToolCall("sendTransaction", send("0.05"), context());
    const gas = await client.estimateGas({
      account: lucid.seed.agents[0]!.serverWalletAddress,
      to: DEAD,
      value: 50_000_000_000_000_000n,
    });
    const fees = await client.estimateFeesPerGas();
    const maxFee = gas * fees.maxFeePerGas!;
    expect(preview).toEqual({
      tool: "sendTransaction",
      action: "Transfer ETH",
      chain: lucid.seed.caip2,
      from: lucid.seed.agents[0]!.serverWalletAddress,
      to: DEAD,
      amount: "0.05",
      balance: "100",
      balanceAfter: formatEther(100_000_000_000_000_000_000n - 50_000_000_000_000_000n - maxFee),
      maxFee: formatEther(maxFee),
      simulation: { ok: true },
      rules: ["Every send needs your approval", "At most 0.1 ETH per transaction"],
    });
  });

  it("says when the chain would refuse the send, and shows the balance going below zero", async () => {
    const preview = await previewToolCall("sendTransaction", send("500"), context());
    expect(preview?.simulation).toEqual({ ok: false, reason: expect.stringMatching(/fund|balance/i) });
    expect(preview?.balanceAfter).toMatch(/^-400\.\d+$/);
  });

  it("decodes an ERC-20 call, and names an unknown call by its selector", async () => {
    const transfer = encodeFunctionData({
      abi: erc20Abi,
      functionName: "transfer",
      args: [DEAD, 5_000_000n],
    });
    const erc20 = await previewToolCall("sendTransaction", send("0", transfer), context());
    expect(erc20?.action).toBe(`Contract call transfer(${DEAD}, 5000000) on ${DEAD}`);
    const unknown = await previewToolCall("sendTransaction", send("0", "0xdeadbeef00"), context());
    expect(unknown?.action).toBe(`Contract call with 5 bytes of data (selector 0xdeadbeef) on ${DEAD}`);
  });

  it("gives no preview for tools that are not sends", async () => {
    expect(
      await previewToolCall("signMessage", { message: "gm", encoding: null }, context()),
    ).toBeUndefined();
  });

  it("states every policy rule", () => {
    expect(
      describePolicy({
        maxValuePerTransaction: "0.1",
        budgetPerSession: 1_000_000_000_000_000_000n,
        recipientAllowlist: [DEAD],
        allowedChains: ["eip155:31337"],
      }),
    ).toEqual([
      "Every send needs your approval",
      "At most 0.1 ETH per transaction",
      "At most 1 ETH per session",
      `Only to ${DEAD}`,
      "Only on eip155:31337",
    ]);
  });
});

describe("the scripted model", () => {
  it("maps the demo prompts to tool calls", () => {
    expect(toolCallFor(`Send 0.01 ETH to ${DEAD}`)).toEqual({
      toolName: "sendTransaction",
      input: { chain: null, to: DEAD, amount: "0.01", unit: "ether", data: null },
    });
    expect(toolCallFor('sign "hello there"')).toEqual({
      toolName: "signMessage",
      input: { message: "hello there", encoding: null },
    });
    expect(toolCallFor("what is my address?")?.toolName).toBe("getWalletAddress");
    expect(toolCallFor("list my agents")?.toolName).toBe("listAgents");
    // no address, no send: the model never makes one up
    expect(toolCallFor("send 0.01 ETH to bob")).toBeUndefined();
    expect(toolCallFor("hello")).toBeUndefined();
  });

  it("sums up results, telling a policy refusal and a denial apart from a failure", () => {
    const result = (value: unknown) => ({
      type: "tool-result" as const,
      toolName: "sendTransaction",
      output: { type: "json", value },
    });
    expect(summarize(result({ ok: false, code: "policy_refused", message: "over 0.1 ETH" }))).toBe(
      "The wallet policy refused this: over 0.1 ETH",
    );
    expect(summarize(result({ ok: false, code: "network_error", message: "down" }))).toBe(
      "That did not work (network_error): down",
    );
    expect(
      summarize({ type: "tool-result", toolName: "sendTransaction", output: { type: "execution-denied" } }),
    ).toBe("Not sent: you denied the request.");
    expect(SCRIPTED_HELP).toContain("no OPENAI_API_KEY");
  });
});

describe("the web chat's routes", () => {
  let app: WebChat;
  beforeAll(async () => {
    app = await startWebChat({
      lucid,
      port: 0,
      env: { OPENAI_API_KEY: "sk-test-not-a-real-key", OPENAI_MODEL: "gpt-test" },
      log: () => {},
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (path: string, body: string, cookie?: string) =>
    fetch(`${app.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body,
    });

  it("uses OpenAI when OPENAI_API_KEY is set, and never hands the key to the browser", async () => {
    expect(app.modelName).toBe("gpt-test");
    const me = await fetch(`${app.url}/api/me`).then((response) => response.text());
    expect(JSON.parse(me)).toEqual({ user: null, model: "gpt-test" });
    const signedIn = await post("/api/sign-in", JSON.stringify({ user: "bob" }));
    expect(await signedIn.text()).not.toContain("sk-test");
  });

  it("answers bad input with 400 and a missing session with 401", async () => {
    expect((await post("/api/sign-in", JSON.stringify({ user: "mallory" }))).status).toBe(400);
    expect((await post("/api/sign-in", "{not json")).status).toBe(400);
    expect((await post("/api/chat", JSON.stringify({ messages: [] }))).status).toBe(401);
    expect((await post("/api/chat", "{}", "lucid_chat_session=made-up")).status).toBe(401);
    const signedIn = await post("/api/sign-in", JSON.stringify({ user: "alice" }));
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
    expect(signedIn.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict/);
    const bad = await post("/api/chat", JSON.stringify({ messages: [{ id: "1", role: "robot" }] }), cookie);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "bad request" });
    // signed out: the cookie no longer works
    await fetch(`${app.url}/api/sign-out`, { method: "POST", headers: { cookie } });
    expect((await post("/api/chat", JSON.stringify({ messages: [] }), cookie)).status).toBe(401);
  });
});
