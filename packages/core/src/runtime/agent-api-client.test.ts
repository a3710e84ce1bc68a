import { describe, expect, it } from "vitest";
import { AgentApiClient, isAgentApiClientError } from "./agent-api-client.js";
import { isCoverageMismatch } from "./errors.js";

const wallet = {
  account: { id: "acc", displayName: null },
  wallet: {
    id: "w",
    address: "0x00000000000000000000000000000000000000aa",
    chain: "eip155:1",
    provider: "x",
    chainType: "ethereum",
    externalId: null,
    privyWalletId: null,
    status: "active",
  },
};
const signature = `0x${"11".repeat(65)}`;

function recordingFetch(
  respond: (request: {
    url: string;
    auth: string | null;
    body: Record<string, unknown>;
    headers: Headers;
  }) => {
    status: number;
    body: unknown;
  },
) {
  const sent: Array<{ url: string; auth: string | null; body: Record<string, unknown>; headers: Headers }> =
    [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = await request.text();
    const entry = {
      url: request.url,
      auth: request.headers.get("authorization"),
      body: text ? JSON.parse(text) : undefined,
      headers: request.headers,
    };
    sent.push(entry);
    const { status, body } = respond(entry);
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  return { fetch, sent };
}

describe("AgentApiClient", () => {
  it("attaches the bearer lazily and gives every wallet call an idempotency key", async () => {
    let token = "lat_one";
    const { fetch, sent } = recordingFetch(() => ({
      status: 200,
      body: { ...wallet, signed: { signature } },
    }));
    const api = new AgentApiClient({
      baseUrl: "https://lucid.test",
      agentRef: "a",
      fetch,
      getAccessToken: async () => token,
      idempotencyKey: () => "generated-key",
    });
    const first = await api.signMessage({ message: "gm" });
    token = "lat_two";
    await api.signMessage({ message: "gm", idempotency_key: "mine" });
    expect(first.signature).toBe(signature);
    expect(sent.map((s) => s.auth)).toEqual(["Bearer lat_one", "Bearer lat_two"]);
    expect(sent.map((s) => s.body.idempotency_key)).toEqual(["generated-key", "mine"]);
    expect(sent.map((s) => s.headers.get("idempotency-key"))).toEqual(["generated-key", "mine"]);
  });

  it("on 401 forces one refresh and retries once with the same idempotency key", async () => {
    let token = "lat_stale";
    let refreshes = 0;
    const { fetch, sent } = recordingFetch(({ auth }) =>
      auth === "Bearer lat_fresh"
        ? {
            status: 200,
            body: {
              ...wallet,
              transaction: { hash: `0x${"ab".repeat(32)}`, caip2: "eip155:1", from: wallet.wallet.address },
            },
          }
        : { status: 401, body: { error: "token_expired" } },
    );
    const api = new AgentApiClient({
      baseUrl: "https://lucid.test",
      agentRef: "a",
      fetch,
      getAccessToken: async () => token,
      onUnauthorized: async () => {
        refreshes += 1;
        token = "lat_fresh";
      },
    });
    const sentTx = await api.sendTransaction({
      caip2: "eip155:1",
      params: { transaction: { to: wallet.wallet.address, value: "1" } },
    });
    expect(sentTx.hash).toBe(`0x${"ab".repeat(32)}`);
    expect(refreshes).toBe(1);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.body.idempotency_key).toBe(sent[1]?.body.idempotency_key);
  });

  it("does not loop when the retry is unauthorized too, and types server errors", async () => {
    const { fetch, sent } = recordingFetch(() => ({ status: 401, body: { error: "token_expired" } }));
    const api = new AgentApiClient({
      baseUrl: "https://lucid.test",
      agentRef: "a",
      fetch,
      getAccessToken: async () => "t",
      onUnauthorized: async () => {},
    });
    const error = await api.listAgents().catch((e) => e);
    expect(sent).toHaveLength(2);
    expect(isAgentApiClientError(error)).toBe(true);
    // The stable code, with the server's own code beside it.
    expect(error.code).toBe("unauthorized");
    expect(error.serverCode).toBe("token_expired");
    expect(error.status).toBe(401);
  });

  it("rejects a response without the fields it promises", async () => {
    const { fetch } = recordingFetch(() => ({ status: 200, body: { ...wallet, signed: {} } }));
    const api = new AgentApiClient({
      baseUrl: "https://lucid.test",
      agentRef: "a",
      fetch,
      getAccessToken: async () => "t",
    });
    expect(
      isCoverageMismatch(
        await api
          .signTypedData({ typed_data: { domain: {}, primary_type: "X", types: {}, message: {} } })
          .catch((e) => e),
      ),
    ).toBe(true);
  });

  it("explains a missing access token", async () => {
    const api = new AgentApiClient({
      baseUrl: "https://lucid.test",
      agentRef: "a",
      fetch: recordingFetch(() => ({ status: 200, body: {} })).fetch,
      getAccessToken: async () => null,
    });
    await expect(api.getAgent()).rejects.toMatchObject({ code: "access_token_required" });
  });
});
