/**
 * The web chat's server parts without a browser: the card's fields, the policy's previews on the chat route
 * (against the local server's anvil chain), the scripted model's reading of the demo prompts, and the HTTP
 * routes' answers to bad or missing input.
 */

import type { LucidToolPreview } from "@lucid-dreams/agent-auth/tools";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { createPublicClient, http, type PublicClient, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApprovalPreview, approvalPreview } from "../server/preview.js";
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

describe("approvalPreview", () => {
  const preview = { summary: "Send 0.01 ETH to 0x000...dEaD, fee at most 0.0001 ETH" } as LucidToolPreview;

  it("leads with the policy's summary, and takes the recipient (checksummed) and the ETH amount from the input", () => {
    const input = {
      chain: null,
      to: DEAD.toLowerCase(),
      amount: "10000000000000000",
      unit: "wei",
      data: null,
    };
    expect(approvalPreview("sendTransaction", input, preview)).toEqual({
      preview,
      missing: null,
      summary: preview.summary,
      tool: "sendTransaction",
      to: DEAD,
      amount: "0.01",
      asset: "ETH",
    });
  });

  it("says why a call has no preview, and sums up a token transfer from its input", () => {
    const input = { chain: null, token: "USDC", to: DEAD, amount: "1.5" };
    expect(approvalPreview("sendToken", input, "not-previewed")).toEqual({
      preview: null,
      missing: "not-previewed",
      summary: "Send 1.5 USDC to 0x000...dEaD",
      tool: "sendToken",
      to: DEAD,
      amount: "1.5",
      asset: "USDC",
    });
    expect(approvalPreview("signMessage", { message: "gm", encoding: null }, "unavailable")).toMatchObject({
      preview: null,
      missing: "unavailable",
      summary: "Run signMessage",
      to: null,
      amount: null,
    });
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
    expect(toolCallFor(`send 1.5 usdc to ${DEAD}`)).toEqual({
      toolName: "sendToken",
      input: { chain: null, token: "usdc", to: DEAD, amount: "1.5" },
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

/** The chunks of a UI message stream (server-sent events, one JSON chunk per `data:` line). */
const chunksOf = (stream: string) =>
  stream
    .split("\n")
    .filter((line) => line.startsWith("data: {"))
    .map((line) => JSON.parse(line.slice("data: ".length)) as { type: string; [key: string]: unknown });

describe("the chat route's approval previews (scripted model, the policy simulating on anvil)", () => {
  let app: WebChat;
  let cookie: string;
  beforeAll(async () => {
    app = await startWebChat({ lucid, port: 0, env: {}, log: () => {} });
    const signedIn = await fetch(`${app.url}/api/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "alice" }),
    });
    cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
  });
  afterAll(async () => {
    await app?.close();
  });

  const ask = async (text: string) => {
    const response = await fetch(`${app.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ messages: [{ id: "u1", role: "user", parts: [{ type: "text", text }] }] }),
    });
    expect(response.status).toBe(200);
    return chunksOf(await response.text());
  };
  const previewChunk = (chunks: Array<{ type: string; [key: string]: unknown }>) =>
    chunks.find((chunk) => chunk.type === "data-preview") as
      | { id: string; data: ApprovalPreview }
      | undefined;

  it("streams the policy's simulated preview of a send just before its approval request", async () => {
    const wallet = app.users[0]!.walletAddress;
    const balance = await client.getBalance({ address: wallet });
    const chunks = await ask(`send 0.05 ETH to ${DEAD}`);
    const types = chunks.map((chunk) => chunk.type);
    const request = chunks.find((chunk) => chunk.type === "tool-approval-request")!;
    expect(types.indexOf("data-preview")).toBe(types.indexOf("tool-approval-request") - 1);
    const card = previewChunk(chunks)!;
    expect(card.id).toBe(request.toolCallId);
    expect(card.data).toMatchObject({ tool: "sendTransaction", to: DEAD, amount: "0.05", asset: "ETH" });
    const preview = card.data.preview as LucidToolPreview;
    expect(preview).toMatchObject({
      tool: "sendTransaction",
      kind: "send",
      chain: lucid.seed.caip2,
      simulation: "simulated",
      simulationNote: null,
    });
    expect(preview.rules).toEqual(expect.arrayContaining(["max_value", "simulation"]));
    const fee = parseEther(preview.worstCaseFee!);
    expect(fee > 0n).toBe(true);
    expect(parseEther(preview.worstCaseCost!)).toBe(parseEther("0.05") + fee);
    expect(parseEther(preview.balanceAfter!)).toBe(balance - parseEther("0.05") - fee);
    expect(preview.balanceChanges).toEqual([
      {
        asset: `${lucid.seed.caip2}/slip44:60`,
        amount: `-${parseEther("0.05") + fee}`,
        display: expect.any(String),
      },
    ]);
    expect(preview.summary).toBe(
      `Send 0.05 ETH to 0x000...dEaD, fee at most ${preview.worstCaseFee} ETH, balance after ${preview.balanceAfter} ETH`,
    );
    // nothing was sent: the call waits for the approval
    expect(await client.getBalance({ address: wallet })).toBe(balance);
  });

  it("streams a token transfer's card with core's simulated preview (token units, fee, balance after)", async () => {
    const chunks = await ask(`send 1 USDC to ${DEAD}`);
    const card = previewChunk(chunks)!;
    expect(card.data).toMatchObject({
      missing: null,
      tool: "sendToken",
      to: DEAD,
      amount: "1",
      asset: "USDC",
      preview: { tool: "sendToken", simulation: "simulated", chain: lucid.seed.caip2 },
    });
    const data = card.data as { summary: string; preview: { summary: string; rules: string[] } };
    expect(data.summary).toMatch(
      /^Send 1 USDC to 0x000\.\.\.dEaD, fee at most [\d.]+ ETH, USDC balance after 999$/,
    );
    expect(data.preview.summary).toBe(data.summary);
    expect(data.preview.rules).toContain("tokens");
    expect(chunks.some((chunk) => chunk.type === "tool-approval-request")).toBe(true);
  });

  it("refuses a token transfer over the token's cap before anyone is asked", async () => {
    const chunks = await ask(`send 6 USDC to ${DEAD}`);
    expect(previewChunk(chunks)).toBeUndefined();
    expect(chunks.some((chunk) => chunk.type === "tool-approval-request")).toBe(false);
    const output = chunks.find((chunk) => chunk.type === "tool-output-available") as unknown as {
      output: unknown;
    };
    expect(output.output).toMatchObject({ ok: false, code: "policy_refused" });
  });

  it("streams no preview and no approval request for a send the policy refuses", async () => {
    const chunks = await ask(`send 1 ETH to ${DEAD}`);
    expect(previewChunk(chunks)).toBeUndefined();
    expect(chunks.some((chunk) => chunk.type === "tool-approval-request")).toBe(false);
    const output = chunks.find((chunk) => chunk.type === "tool-output-available") as unknown as {
      output: unknown;
    };
    expect(output.output).toMatchObject({ ok: false, code: "policy_refused" });
  });
});
