import { describe, expect, it } from "vitest";
import * as sdk from "./index.js";

interface Captured {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A client whose fetch records the request and answers with a canned JSON body. */
function recordingClient(responseBody: unknown = {}, status = 200) {
  const calls: Captured[] = [];
  const client = sdk.createClient({
    baseUrl: "https://lucid.test",
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const text = await request.text();
      calls.push({
        method: request.method,
        url: request.url,
        headers: Object.fromEntries(request.headers.entries()),
        body: text ? JSON.parse(text) : undefined,
      });
      return new Response(JSON.stringify(responseBody), {
        status,
        headers: { "content-type": "application/json" },
      });
    },
  });
  return { client, calls };
}

const tx = { caip2: "eip155:8453", params: { transaction: { to: `0x${"ab".repeat(20)}`, value: "0x1" } } };

/** Each builder of the design document, one call with representative input, and the request it must send. */
const cases = [
  {
    name: "postV1AuthAgentsByAgentRefChallenge",
    call: (client: sdk.Client) =>
      sdk.postV1AuthAgentsByAgentRefChallenge({
        client,
        path: { agentRef: "agent one" },
        body: { credential_id: "cred_1", scopes: ["wallet.sign"] },
      }),
    method: "POST",
    path: "/v1/auth/agents/agent%20one/challenge",
    body: { credential_id: "cred_1", scopes: ["wallet.sign"] },
    bearer: false,
  },
  {
    name: "postV1AuthAgentsByAgentRefExchange",
    call: (client: sdk.Client) =>
      sdk.postV1AuthAgentsByAgentRefExchange({
        client,
        path: { agentRef: "a" },
        body: { challenge_id: "chl_1", signature: "0xdead" },
      }),
    method: "POST",
    path: "/v1/auth/agents/a/exchange",
    body: { challenge_id: "chl_1", signature: "0xdead" },
    bearer: false,
  },
  {
    name: "postV1AuthAgentsByAgentRefRefresh",
    call: (client: sdk.Client) =>
      sdk.postV1AuthAgentsByAgentRefRefresh({
        client,
        path: { agentRef: "a" },
        body: { refresh_token: "rt" },
      }),
    method: "POST",
    path: "/v1/auth/agents/a/refresh",
    body: { refresh_token: "rt" },
    bearer: false,
  },
  {
    name: "getV1Agents",
    call: (client: sdk.Client) => sdk.getV1Agents({ client, auth: "tok" }),
    method: "GET",
    path: "/v1/agents",
    body: undefined,
    bearer: true,
  },
  {
    name: "getV1AgentsByAgentRef",
    call: (client: sdk.Client) => sdk.getV1AgentsByAgentRef({ client, auth: "tok", path: { agentRef: "a" } }),
    method: "GET",
    path: "/v1/agents/a",
    body: undefined,
    bearer: true,
  },
  {
    name: "postV1AgentsByAgentRefWalletSignMessage",
    call: (client: sdk.Client) =>
      sdk.postV1AgentsByAgentRefWalletSignMessage({
        client,
        auth: "tok",
        path: { agentRef: "a" },
        body: { message: "gm", encoding: "utf-8", idempotency_key: "k1" },
      }),
    method: "POST",
    path: "/v1/agents/a/wallet/sign-message",
    body: { message: "gm", encoding: "utf-8", idempotency_key: "k1" },
    bearer: true,
  },
  {
    name: "postV1AgentsByAgentRefWalletSignTypedData",
    call: (client: sdk.Client) =>
      sdk.postV1AgentsByAgentRefWalletSignTypedData({
        client,
        auth: "tok",
        path: { agentRef: "a" },
        body: {
          typed_data: {
            domain: { name: "x", chainId: 1 },
            primary_type: "Mail",
            types: { Mail: [{ name: "body", type: "string" }] },
            message: { body: "hi" },
          },
        },
      }),
    method: "POST",
    path: "/v1/agents/a/wallet/sign-typed-data",
    body: {
      typed_data: {
        domain: { name: "x", chainId: 1 },
        primary_type: "Mail",
        types: { Mail: [{ name: "body", type: "string" }] },
        message: { body: "hi" },
      },
    },
    bearer: true,
  },
  {
    name: "postV1AgentsByAgentRefWalletSignTransaction",
    call: (client: sdk.Client) =>
      sdk.postV1AgentsByAgentRefWalletSignTransaction({
        client,
        auth: "tok",
        path: { agentRef: "a" },
        body: tx,
      }),
    method: "POST",
    path: "/v1/agents/a/wallet/sign-transaction",
    body: tx,
    bearer: true,
  },
  {
    name: "postV1AgentsByAgentRefWalletSendTransaction",
    call: (client: sdk.Client) =>
      sdk.postV1AgentsByAgentRefWalletSendTransaction({
        client,
        auth: "tok",
        path: { agentRef: "a" },
        body: tx,
      }),
    method: "POST",
    path: "/v1/agents/a/wallet/send-transaction",
    body: tx,
    bearer: true,
  },
] as const;

describe("generated SDK contract", () => {
  it("exports exactly the nine request builders the runtime relies on", () => {
    const builders = Object.keys(sdk)
      .filter((name) => /^(get|post)V1/.test(name))
      .sort();
    expect(builders).toEqual(cases.map((c) => c.name).sort());
    for (const name of builders) expect(typeof (sdk as Record<string, unknown>)[name]).toBe("function");
  });

  it.each(cases)("$name sends $method $path", async (c) => {
    const { client, calls } = recordingClient();
    await c.call(client);
    expect(calls).toHaveLength(1);
    const [sent] = calls;
    expect(sent?.method).toBe(c.method);
    expect(sent?.url).toBe(`https://lucid.test${c.path}`);
    expect(sent?.body).toEqual(c.body);
    if (c.body !== undefined) expect(sent?.headers["content-type"]).toBe("application/json");
    if (c.bearer) expect(sent?.headers.authorization).toBe("Bearer tok");
    else expect(sent?.headers.authorization).toBeUndefined();
  });

  it("surfaces the shared error body on failure instead of throwing", async () => {
    const { client } = recordingClient({ error: "insufficient_scope", message: "needs wallet.sign" }, 403);
    const result = await sdk.postV1AgentsByAgentRefWalletSignMessage({
      client,
      auth: "tok",
      path: { agentRef: "a" },
      body: { message: "gm" },
    });
    expect(result.data).toBeUndefined();
    expect(result.response.status).toBe(403);
    expect(result.error).toEqual({ error: "insufficient_scope", message: "needs wallet.sign" });
  });
});
