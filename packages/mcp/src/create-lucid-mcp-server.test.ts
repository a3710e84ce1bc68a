import { AgentRuntime, LocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import type { PaymentPreview } from "@lucid-dreams/agent-auth/tools";
import { type LucidSession, type LucidTool, PolicyRefusedError } from "@lucid-dreams/agent-auth/tools";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { createPublicClient, http as rpcTransport } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod/v4";
import { createClient, ScriptedHuman } from "../test/helpers.js";
import {
  createLucidMcpServer,
  IDEMPOTENCY_META_KEY,
  type LucidMcpServerOptions,
} from "./create-lucid-mcp-server.js";
import { createLucidMcpHttpHandler } from "./lucid-mcp-http-handler.js";
import { approvePaymentByElicitation, paymentPreviewText } from "./payment-approval.js";
import { startLucidMcpHttpServer } from "./start-lucid-mcp-http-server.js";

let server: LocalServer;
let runtime: AgentRuntime;
const closers: Array<() => Promise<unknown>> = [];

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
}, 30_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await runtime?.shutdown();
  await server?.close();
});

/** A client connected in memory to `createLucidMcpServer(options)`. */
async function connected(options: LucidMcpServerOptions, client: Client = createClient()): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mcp = createLucidMcpServer(options);
  await mcp.connect(serverSide);
  await client.connect(clientSide);
  closers.push(
    () => client.close(),
    () => mcp.close(),
  );
  return client;
}

/** A client connected over HTTP to `url` with `authorization: Bearer <token>` (closed in teardown). */
async function connectedOverHttp(url: string, token: string): Promise<Client> {
  const client = createClient();
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  closers.push(() => client.close());
  return client;
}

type Envelope = { ok: boolean; result?: Record<string, unknown>; code?: string; message?: string };
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })).structuredContent as Envelope;
const send = (amount: string) => ({
  chain: null,
  to: privateKeyToAccount(generatePrivateKey()).address,
  amount,
  unit: "ether",
  data: null,
});

describe("createLucidMcpServer", () => {
  it("runs an approval-needing tool unasked only when autoApprove allows it and the client cannot elicit", async () => {
    const before = server.counters.get("sendTransaction");
    const strict = await connected({ session: runtime });
    expect(await call(strict, "sendTransaction", send("0.001"))).toMatchObject({ code: "approval_required" });
    const auto = await connected({ session: runtime, autoApprove: { sendTransaction: true } });
    expect(await call(auto, "sendTransaction", send("0.001"))).toMatchObject({ ok: true });
    expect(server.counters.get("sendTransaction")).toBe(before + 1);
  });

  it("replays a call the client retries under the same _meta idempotency key, from any MCP session", async () => {
    const options = { session: runtime, autoApprove: { sendTransaction: true } };
    const key = `order-${crypto.randomUUID()}`;
    const body = send("0.001");
    const sendWithKey = (client: Client, args: Record<string, unknown>, meta: Record<string, unknown>) =>
      client
        .callTool({ name: "sendTransaction", arguments: args, _meta: meta })
        .then((answer) => answer.structuredContent as Envelope);
    // What the chain shows: the wallet's transactions (pending included), not the requests the server answered.
    const sent = () =>
      createPublicClient({ transport: rpcTransport(server.seed.rpcUrl) }).getTransactionCount({
        address: server.seed.serverWalletAddress,
        blockTag: "pending",
      });
    const before = await sent();
    const first = await sendWithKey(await connected(options), body, { [IDEMPOTENCY_META_KEY]: key });
    expect(first).toMatchObject({ ok: true });
    // The connection dropped before the answer arrived: the client reconnects and retries the same call.
    const retry = await sendWithKey(await connected(options), body, { [IDEMPOTENCY_META_KEY]: key });
    expect(retry).toEqual(first);
    expect(await sent()).toBe(before + 1);
    // The same key for another body is not the same call: refused, nothing sent.
    const other = await sendWithKey(await connected(options), send("0.002"), { [IDEMPOTENCY_META_KEY]: key });
    expect(other).toMatchObject({ ok: false });
    expect(await sent()).toBe(before + 1);
    // Without a key every call is a new one.
    const plain = await connected(options);
    await call(plain, "sendTransaction", body);
    await call(plain, "sendTransaction", body);
    expect(await sent()).toBe(before + 3);
  });

  it("refuses a malformed _meta idempotency key without running the call", async () => {
    const before = server.counters.get("sendTransaction");
    const client = await connected({ session: runtime, autoApprove: { sendTransaction: true } });
    for (const bad of ["", "x".repeat(129), "a b", "key\u0000", 42, { id: 1 }]) {
      await expect(
        client.callTool({
          name: "sendTransaction",
          arguments: send("0.001"),
          _meta: { [IDEMPOTENCY_META_KEY]: bad },
        }),
      ).rejects.toThrow(/lucid\/idempotencyKey/);
    }
    expect(server.counters.get("sendTransaction")).toBe(before);
  });

  it("still asks a client that can elicit, even with autoApprove", async () => {
    const human = new ScriptedHuman();
    const client = await connected(
      { session: runtime, autoApprove: { sendTransaction: true } },
      createClient(human),
    );
    expect(await call(client, "sendTransaction", send("0.001"))).toMatchObject({ code: "approval_denied" });
    expect(human.asked).toHaveLength(1);
  });

  it("treats a malformed or failed elicitation answer as a refusal", async () => {
    const before = server.counters.get("sendTransaction");
    const answers = [
      async () => ({ action: "accept" as const, content: { approve: "yes" } }),
      async () => ({ action: "accept" as const }),
      async () => {
        throw new Error("the client's UI crashed");
      },
    ];
    const client = new Client({ name: "t", version: "1" }, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, () => answers.shift()!());
    await connected({ session: runtime }, client);
    for (let i = 0; i < 3; i++) {
      expect(await call(client, "sendTransaction", send("0.001"))).toMatchObject({ code: "approval_denied" });
    }
    expect(server.counters.get("sendTransaction")).toBe(before);
  });

  it("sends nothing when the client cancels the call while the human is being asked, even if they then accept", async () => {
    const before = server.counters.get("sendTransaction");
    const controller = new AbortController();
    const client = new Client({ name: "t", version: "1" }, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async () => {
      controller.abort(); // the first time: the user closes the chat, then clicks "approve" on the stale dialog
      return { action: "accept", content: { approve: true } };
    });
    await connected({ session: runtime }, client);
    await expect(
      client.callTool({ name: "sendTransaction", arguments: send("0.001") }, undefined, {
        signal: controller.signal,
      }),
    ).rejects.toThrow(/abort/i);
    // A second, approved call on the same connection runs after the cancelled one was handled: only it is sent.
    expect(await call(client, "sendTransaction", send("0.001"))).toMatchObject({ ok: true });
    expect(server.counters.get("sendTransaction")).toBe(before + 1);
  });

  it("shows the policy's preview from core's approval step, and asks nobody about a refused call", async () => {
    const ran: string[] = [];
    const transfer: LucidTool<{ to: string }, { to: string }> = {
      name: "transferPoints",
      kind: "send",
      description: "Transfer loyalty points.",
      inputSchema: z.strictObject({ to: z.string() }),
      needsApproval: true,
      async preview({ to }, { toolCallId }) {
        ran.push(`preview ${to} ${toolCallId.startsWith("mcp-")}`);
        if (to === "mallory") throw new PolicyRefusedError("recipient_allowlist", "mallory is not allowed.");
        return {
          tool: "transferPoints",
          kind: "send",
          summary: `Transfer 10 points to ${to}`,
          chain: null,
          action: `transfer 10 points to ${to}`,
          balanceChanges: [],
          worstCaseFee: null,
          worstCaseCost: null,
          balanceAfter: null,
          simulation: "not-applicable",
          simulationNote: null,
          rules: ["recipient_allowlist"],
        } as never;
      },
      async execute({ to }) {
        ran.push(`execute ${to}`);
        return { to };
      },
    };
    const human = new ScriptedHuman();
    human.answerNext({ action: "accept", content: { approve: true } });
    const client = await connected(
      { session: runtime, descriptors: [transfer as unknown as LucidTool<never>] },
      createClient(human),
    );
    expect(await call(client, "transferPoints", { to: "mallory" })).toMatchObject({ code: "policy_refused" });
    expect(await call(client, "transferPoints", { to: "alice" })).toEqual({
      ok: true,
      result: { to: "alice" },
    });
    expect(ran).toEqual(["preview mallory true", "preview alice true", "execute alice"]);
    expect(human.asked).toHaveLength(1);
    expect(human.asked[0]?.message).toMatch(
      /^Transfer 10 points to alice\n\nAction: transfer 10 points to alice\n/,
    );
    expect(human.asked[0]?.message).toContain("Policy: recipient_allowlist");
  });

  it("answers a failing session resolver with a generic error that does not repeat its message", async () => {
    const client = await connected({
      session: () => {
        throw new Error("could not load lat_0123456789abcdef for tenant");
      },
    });
    const answer = await call(client, "getWalletAddress", { chain: null });
    expect(answer).toMatchObject({ ok: false, code: "internal_error" });
    expect(JSON.stringify(answer)).not.toContain("lat_");
  });
});

describe("startLucidMcpHttpServer (host-supplied resolver)", () => {
  it("keeps one budget per Lucid session across the tenant's MCP sessions", async () => {
    const seen: Array<string | undefined> = [];
    const http = await startLucidMcpHttpServer({
      authenticate: (request) => (request.headers.authorization === "Bearer host-token" ? "t1" : undefined),
      session: (tenant, call): LucidSession => {
        seen.push(`${tenant}:${call.toolName}:${call.sessionId !== undefined}`);
        return runtime;
      },
      policy: { budgetPerSession: "0.015" },
      rpc: { [server.seed.caip2]: server.seed.rpcUrl },
      autoApprove: { sendTransaction: true },
    });
    closers.push(() => http.close());
    const open = () => connectedOverHttp(http.url, "host-token");
    const first = await open();
    expect(await call(first, "sendTransaction", send("0.01"))).toMatchObject({ ok: true });
    const second = await open();
    const refused = await call(second, "sendTransaction", send("0.01"));
    expect(refused).toMatchObject({ ok: false, code: "policy_refused" });
    expect(refused.message).toContain("budget");
    expect(http.handler.sessionCount).toBe(2);
    expect(seen).toEqual(["t1:sendTransaction:true", "t1:sendTransaction:true"]);
  });

  it("scopes client idempotency keys per tenant: a tenant never replays another's call under the same key", async () => {
    const http = await startLucidMcpHttpServer({
      authenticate: (request) => /^Bearer (t[12])$/.exec(request.headers.authorization ?? "")?.[1],
      session: () => runtime, // both tenants share one Lucid session (one wallet)
      autoApprove: { sendTransaction: true },
    });
    closers.push(() => http.close());
    const open = (tenant: string) => connectedOverHttp(http.url, tenant);
    const sent = () =>
      createPublicClient({ transport: rpcTransport(server.seed.rpcUrl) }).getTransactionCount({
        address: server.seed.serverWalletAddress,
        blockTag: "pending",
      });
    const key = `shared-${crypto.randomUUID()}`;
    const body = send("0.001");
    const sendWithKey = async (client: Client) =>
      (
        await client.callTool({
          name: "sendTransaction",
          arguments: body,
          _meta: { [IDEMPOTENCY_META_KEY]: key },
        })
      ).structuredContent as Envelope;
    const before = await sent();
    const first = await sendWithKey(await open("t1"));
    expect(first).toMatchObject({ ok: true });
    expect(await sendWithKey(await open("t1"))).toEqual(first); // the same tenant, another MCP session: a replay
    expect(await sent()).toBe(before + 1);
    const other = await sendWithKey(await open("t2")); // another tenant, the same key: its own call
    expect(other).toMatchObject({ ok: true });
    expect(other.result?.transactionHash).not.toBe(first.result?.transactionHash);
    expect(await sent()).toBe(before + 2);
  });

  it("caps the sessions of one tenant by closing its oldest, without touching another tenant's", async () => {
    const http = await startLucidMcpHttpServer({
      authenticate: (request) => /^Bearer (t[12])$/.exec(request.headers.authorization ?? "")?.[1],
      session: () => runtime,
      maxSessionsPerTenant: 2,
    });
    closers.push(() => http.close());
    const open = (tenant: string) => connectedOverHttp(http.url, tenant);
    const other = await open("t2");
    const oldest = await open("t1");
    await open("t1");
    const newest = await open("t1");
    expect(http.handler.sessionCount).toBe(3);
    await expect(oldest.listTools()).rejects.toMatchObject({ code: 404 });
    expect((await newest.listTools()).tools.length).toBeGreaterThan(0);
    expect((await other.listTools()).tools.length).toBeGreaterThan(0);
  });

  it("closes sessions idle past idleSessionMs, freeing their slots, but never a session in use", async () => {
    let clock = 1_000_000;
    const http = await startLucidMcpHttpServer({
      authenticate: (request) => /^Bearer (t[12])$/.exec(request.headers.authorization ?? "")?.[1],
      session: () => runtime,
      maxSessions: 2,
      idleSessionMs: 60_000,
      now: () => clock,
    });
    closers.push(() => http.close());
    const headers = (tenant: string, sessionId?: string) => ({
      authorization: `Bearer ${tenant}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(sessionId ? { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-03-26" } : {}),
    });
    // A client that initializes, then vanishes without a DELETE (no stream left open).
    const initialize = async (tenant: string) => {
      const response = await fetch(http.url, {
        method: "POST",
        headers: headers(tenant),
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-03-26",
            capabilities: {},
            clientInfo: { name: "gone", version: "1" },
          },
        }),
      });
      await response.text();
      return { status: response.status, sessionId: response.headers.get("mcp-session-id") ?? undefined };
    };
    const listTools = async (tenant: string, sessionId: string | undefined) => {
      const response = await fetch(http.url, {
        method: "POST",
        headers: headers(tenant, sessionId),
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      });
      await response.text();
      return response.status;
    };
    const abandoned = await initialize("t1");
    expect(abandoned.status).toBe(200);
    // A client holding its GET event stream open: a session in use however long it goes without a request.
    const active = await initialize("t2");
    const stream = new AbortController();
    closers.push(async () => stream.abort());
    const events = await fetch(http.url, {
      headers: { ...headers("t2", active.sessionId), accept: "text/event-stream" },
      signal: stream.signal,
    });
    expect(events.status).toBe(200); // headers received: the server is handling the stream
    expect(http.handler.sessionCount).toBe(2);
    expect((await initialize("t1")).status).toBe(503); // full while both are fresh
    clock += 59_999;
    expect((await initialize("t1")).status).toBe(503); // one millisecond short of idle
    clock += 1;
    const fresh = await initialize("t1");
    expect(fresh.status).toBe(200);
    expect(http.handler.sessionCount).toBe(2);
    expect(await listTools("t1", abandoned.sessionId)).toBe(404);
    clock += 10 * 60_000;
    expect(await listTools("t2", active.sessionId)).toBe(200);
    // An idle session addressed directly is closed and answered like an unknown one.
    expect(await listTools("t1", fresh.sessionId)).toBe(404);
    expect(http.handler.sessionCount).toBe(1);
  });

  it("refuses a non-positive idleSessionMs", () => {
    expect(() =>
      createLucidMcpHttpHandler({ authenticate: () => "t1", session: () => runtime, idleSessionMs: 0 }),
    ).toThrow(/idleSessionMs must be a positive number/);
  });

  it("refuses oversized, non-JSON and session-less requests before any MCP processing", async () => {
    const http = await startLucidMcpHttpServer({
      authenticate: () => "t1",
      session: () => runtime,
      maxBodyBytes: 1024,
    });
    closers.push(() => http.close());
    const post = (body: string) =>
      fetch(http.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body,
      });
    expect((await post(JSON.stringify({ padding: "x".repeat(2048) }))).status).toBe(413);
    expect((await post("{not json")).status).toBe(400);
    const toolsCall = {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "signMessage", arguments: {} },
    };
    expect((await post(JSON.stringify(toolsCall))).status).toBe(400);
    expect((await fetch(http.url.replace("/mcp", "/other"), { method: "POST" })).status).toBe(404);
    expect(http.handler.sessionCount).toBe(0);
  });
});

describe("fetchPaidResource over MCP: payments.approve", () => {
  const x402 = () => {
    if (!server.x402) throw new Error("the local server was started without its x402 seller");
    return server.x402;
  };
  const paying = (extra: Partial<LucidMcpServerOptions> = {}): LucidMcpServerOptions => ({
    session: runtime,
    rpc: { [server.seed.caip2]: server.seed.rpcUrl },
    defaultChain: server.seed.caip2,
    tokens: { USDC: { address: server.seed.token.address, maxPerTransaction: "1" } },
    payments: { allowedHosts: [new URL(x402().sellerUrl).host], maxPerPayment: "0.05" },
    ...extra,
  });
  const buy = { url: "", method: null, body: null };

  it("refuses to pay when the client cannot elicit, and pays unasked only with autoApprove.fetchPaidResource", async () => {
    const settled = x402().counts().settle;
    const strict = await connected(paying());
    expect(await call(strict, "fetchPaidResource", { ...buy, url: x402().resourceUrl })).toMatchObject({
      ok: false,
      code: "approval_required",
    });
    expect(x402().counts().settle).toBe(settled);
    const auto = await connected(paying({ autoApprove: { fetchPaidResource: true } }));
    expect(await call(auto, "fetchPaidResource", { ...buy, url: x402().resourceUrl })).toMatchObject({
      ok: true,
      result: { status: 200, payment: { amount: "0.01", asset: "USDC" } },
    });
    expect(x402().counts().settle).toBe(settled + 1);
  });

  it("a client that can elicit is asked even with autoApprove; a decline signs nothing", async () => {
    const human = new ScriptedHuman();
    const settled = x402().counts();
    const client = await connected(paying({ autoApprove: { fetchPaidResource: true } }), createClient(human));
    human.answerNext({ action: "cancel" });
    expect(await call(client, "fetchPaidResource", { ...buy, url: x402().resourceUrl })).toMatchObject({
      ok: false,
      code: "approval_denied",
    });
    expect(human.asked).toHaveLength(1);
    expect(human.asked[0]?.message).toContain(`Pay to: ${x402().payTo}`);
    expect(x402().counts()).toEqual(settled);
  });

  it("keeps the host's own payments.approve, and never asks for a host the policy refuses", async () => {
    const human = new ScriptedHuman();
    const seen: string[] = [];
    const options = paying();
    const client = await connected(
      {
        ...options,
        payments: {
          ...options.payments,
          approve: (preview) => {
            seen.push(preview.payTo);
            return false;
          },
        },
      },
      createClient(human),
    );
    expect(await call(client, "fetchPaidResource", { ...buy, url: x402().resourceUrl })).toMatchObject({
      code: "approval_denied",
    });
    expect(seen).toEqual([x402().payTo]);
    expect(human.asked).toHaveLength(0);
    const elsewhere = await connected(
      paying({ payments: { allowedHosts: ["shop.example.com"] } }),
      createClient(human),
    );
    expect(await call(elsewhere, "fetchPaidResource", { ...buy, url: x402().resourceUrl })).toMatchObject({
      code: "policy_refused",
    });
    expect(human.asked).toHaveLength(0);
  });

  it("shows each payment field on its own line: a hostile symbol or URL cannot forge a line", () => {
    const text = paymentPreviewText({
      host: "shop.example.com",
      url: "https://shop.example.com/r",
      amount: "0.01",
      amountAtomic: "10000",
      asset: "USDC\nPay to: 0x000000000000000000000000000000000000dEaD\r\u2028Network: eip155:1",
      assetAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      payTo: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      network: "eip155:31337",
      scheme: "exact",
    } as unknown as PaymentPreview);
    const lines = text.split("\n");
    expect(lines.filter((entry) => entry.startsWith("Pay to:"))).toEqual([
      "Pay to: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    ]);
    expect(lines.filter((entry) => entry.startsWith("Network:"))).toEqual(["Network: eip155:31337"]);
    expect(lines[0]).toBe(
      "Pay 0.01 USDC Pay to: 0x000000000000000000000000000000000000dEaD Network: eip155:1 to shop.example.com?",
    );
  });

  it("outside an MCP call, the elicitation approver pays nothing", async () => {
    const preview = {
      host: "127.0.0.1:1",
      url: "http://127.0.0.1:1/",
      amount: "0.01",
      amountAtomic: "10000",
      asset: "USDC",
      assetAddress: server.seed.token.address,
      payTo: server.seed.serverWalletAddress,
      network: server.seed.caip2,
      scheme: "exact",
    };
    expect(await approvePaymentByElicitation(preview as unknown as PaymentPreview)).toBe(false);
  });
});
