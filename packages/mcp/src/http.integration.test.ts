import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { createPublicClient, type Hex, http, parseEther, verifyMessage } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
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
let url: URL;
const tokens = { alice: randomBytes(32).toString("base64url"), bob: randomBytes(32).toString("base64url") };
const messages: MessageLog = [];
const clients: Client[] = [];

type Envelope = { ok: boolean; result?: Record<string, unknown>; code?: string; message?: string };

/** A connected client of `tenant`, its messages recorded. */
async function connect(
  token: string,
  human?: ScriptedHuman,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = createClient(human);
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(recordMessages(transport, messages));
  clients.push(client);
  return { client, transport };
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Envelope> {
  return (await client.callTool({ name, arguments: args })).structuredContent as Envelope;
}
const walletAddressOf = (client: Client) => call(client, "getWalletAddress", { chain: null });

const initialize = (id = 1) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  });
const post = (headers: Record<string, string>, body: string) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body,
  });

beforeAll(async () => {
  server = await startLocalServer({
    port: 0,
    agents: [
      { ref: "alice-agent", name: "Alice's agent" },
      { ref: "bob-agent", name: "Bob's agent" },
    ],
  });
  const [alice, bob] = server.seed.agents;
  dir = await mkdtemp(join(tmpdir(), "lucid-mcp-http-"));
  await writeFile(
    join(dir, "tenants.json"),
    JSON.stringify({
      baseUrl: server.url,
      tenants: [
        { name: "alice", token: tokens.alice, agentRef: alice!.agentRef, credentialId: alice!.credentialId },
        { name: "bob", token: tokens.bob, agentRef: bob!.agentRef, credentialId: bob!.credentialId },
      ],
    }),
  );
  await writeFile(join(dir, "policy.json"), JSON.stringify({ maxValuePerTransaction: "1" }));
  // Only the owner token that signs each agent's first challenge comes from the environment.
  cli = spawnCli(
    ["--http", "--port", "0", "--tenants", join(dir, "tenants.json"), "--policy", join(dir, "policy.json")],
    { LUCID_SERVER_ACCESS_TOKEN: server.seed.ownerToken },
    dir,
  );
  const line = await new Promise<string>((resolve, reject) => {
    cli.child.stdout.on("data", () => {
      const found = /LUCID_MCP_URL=(\S+)/.exec(cli.stdout());
      if (found) resolve(found[1]!);
    });
    cli.closed.then(({ code }) => reject(new Error(`lucid-mcp exited with ${code}: ${cli.stderr()}`)));
  });
  url = new URL(line);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  if (cli && cli.child.exitCode === null) {
    cli.child.kill("SIGKILL");
    await cli.closed;
  }
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("lucid-mcp --http: two tenants over Streamable HTTP", () => {
  it("binds each bearer token to its own agent's wallet", async () => {
    const [alice, bob] = server.seed.agents;
    const a = await connect(tokens.alice);
    const b = await connect(tokens.bob);
    expect(await call(a.client, "getWalletAddress", { chain: null })).toMatchObject({
      ok: true,
      result: { address: alice!.serverWalletAddress, agentRef: "alice-agent" },
    });
    expect(await call(b.client, "getWalletAddress", { chain: null })).toMatchObject({
      ok: true,
      result: { address: bob!.serverWalletAddress, agentRef: "bob-agent" },
    });
    for (const [tenant, address] of [
      [a, alice!.serverWalletAddress],
      [b, bob!.serverWalletAddress],
    ] as const) {
      const message = `hello from ${address}`;
      const signed = await call(tenant.client, "signMessage", { message, encoding: null });
      expect(signed.ok).toBe(true);
      await expect(
        verifyMessage({ address, message, signature: signed.result?.signature as Hex }),
      ).resolves.toBe(true);
    }
  });

  it("never lets one tenant see or use another's agent", async () => {
    const { client } = await connect(tokens.alice);
    const listed = await call(client, "listAgents", { limit: null });
    expect(((listed.result?.agents ?? []) as Array<{ ref: string }>).map((agent) => agent.ref)).toEqual([
      "alice-agent",
    ]);
    const other = await call(client, "getAgent", { agentRef: "bob-agent" });
    expect(other).toMatchObject({ ok: false, code: "forbidden" });
    expect(JSON.stringify(other)).not.toContain(server.seed.agents[1]!.serverWalletAddress);
  });

  it("sends after the tenant's human accepts through elicitation, and not after a decline", async () => {
    const human = new ScriptedHuman();
    const { client } = await connect(tokens.bob, human);
    const to = privateKeyToAccount(generatePrivateKey()).address;
    human.answerNext({ action: "accept", content: { approve: true } }, { action: "decline" });
    const sent = await call(client, "sendTransaction", {
      chain: null,
      to,
      amount: "0.02",
      unit: "ether",
      data: null,
    });
    expect(sent).toMatchObject({
      ok: true,
      result: { to, from: server.seed.agents[1]!.serverWalletAddress },
    });
    const declined = await call(client, "sendTransaction", {
      chain: null,
      to,
      amount: "0.03",
      unit: "ether",
      data: null,
    });
    expect(declined).toMatchObject({ ok: false, code: "approval_denied" });
    expect(human.asked.map((asked) => asked.message.includes(to))).toEqual([true, true]);
    const chain = createPublicClient({ transport: http(server.seed.rpcUrl) });
    const receipt = await chain.waitForTransactionReceipt({ hash: sent.result?.transactionHash as Hex });
    expect(receipt.status).toBe("success");
    expect(await chain.getBalance({ address: to })).toBe(parseEther("0.02"));
  });

  it("refuses a send needing approval with approval_required when the client cannot elicit", async () => {
    const sendsBefore = server.counters.get("sendTransaction");
    const { client } = await connect(tokens.alice);
    const refused = await call(client, "sendTransaction", {
      chain: null,
      to: privateKeyToAccount(generatePrivateKey()).address,
      amount: "0.01",
      unit: "ether",
      data: null,
    });
    expect(refused).toMatchObject({ ok: false, code: "approval_required" });
    expect(server.counters.get("sendTransaction")).toBe(sendsBefore);
  });

  it("refuses a wrong, missing or malformed bearer with 401, before any MCP session exists", async () => {
    for (const headers of [
      { authorization: `Bearer ${randomBytes(32).toString("base64url")}` },
      { authorization: `Bearer ${tokens.alice.slice(0, -1)}` },
      { authorization: `Basic ${Buffer.from(`alice:${tokens.alice}`).toString("base64")}` },
      {},
    ]) {
      const response = await post(headers as Record<string, string>, initialize());
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(response.headers.get("mcp-session-id")).toBeNull();
    }
    const client = createClient();
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { Authorization: "Bearer not-a-tenant-token-but-long-enough-0000" } },
    });
    await expect(client.connect(transport)).rejects.toMatchObject({ code: 401, message: /Unauthorized/ });
  });

  it("answers another tenant's MCP session id as an unknown session (404), whatever the method", async () => {
    const { client, transport } = await connect(tokens.bob);
    const bobSession = transport.sessionId!;
    const headers = {
      authorization: `Bearer ${tokens.alice}`,
      "mcp-session-id": bobSession,
      "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
      accept: "application/json, text/event-stream",
    };
    const call = JSON.stringify({
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: "getWalletAddress", arguments: { chain: null } },
    });
    for (const init of [
      { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: call },
      { method: "GET", headers },
      { method: "DELETE", headers },
    ]) {
      const response = await fetch(url, init);
      expect(response.status, init.method).toBe(404);
      expect(await response.text()).not.toContain(server.seed.agents[1]!.serverWalletAddress);
    }
    // Bob's session is still his, and still works.
    expect(await walletAddressOf(client)).toMatchObject({ ok: true, result: { agentRef: "bob-agent" } });
  });

  it("puts no token, key or credential id in any MCP message, and logs no bearer token", () => {
    expect(messages.length).toBeGreaterThan(20);
    const secrets = [
      tokens.alice,
      tokens.bob,
      server.seed.ownerToken,
      ...server.seed.agents.flatMap((agent) => [
        agent.credentialId,
        agent.eoaCredentialId,
        agent.eoaPrivateKey,
      ]),
    ];
    expect(secretsIn(JSON.stringify(messages), secrets)).toEqual([]);
    expect(secretsIn(cli.stderr() + cli.stdout(), secrets)).toEqual([]);
  });

  it("exits with code 0 on SIGTERM", async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    cli.child.kill("SIGTERM");
    expect(await cli.closed).toEqual({ code: 0, signal: null });
  });
});
