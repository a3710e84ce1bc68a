import { describe, expect, it } from "vitest";
import { AgentAuthClient } from "./agent-auth-client.js";
import {
  isChallengeFailed,
  isCoverageMismatch,
  isCredentialRevoked,
  isRefreshFailed,
  isTransportError,
} from "./errors.js";

const bundle = {
  access_token: "lat_access",
  token_type: "bearer",
  expires_at: "2030-01-01T00:00:00.000Z",
  refresh_token: "lrt_refresh",
  refresh_token_expires_at: "2030-02-01T00:00:00.000Z",
  credential: { id: "cred_1", scopes: ["wallet.sign"], revocation_nonce: "n1" },
};

/** A fetch that answers each request with the next scripted response and records what was sent. */
function scriptedFetch(...responses: Array<{ status: number; body: unknown } | Error>) {
  const sent: Array<{ method: string; url: string; body: unknown }> = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = await request.text();
    sent.push({ method: request.method, url: request.url, body: text ? JSON.parse(text) : undefined });
    const next = responses.shift();
    if (!next) throw new Error("unexpected request");
    if (next instanceof Error) throw next;
    return new Response(JSON.stringify(next.body), {
      status: next.status,
      headers: { "content-type": "application/json" },
    });
  };
  return { fetch, sent };
}

describe("AgentAuthClient", () => {
  it("clients of different servers share the generated client but reach their own base URL and fetch", async () => {
    const a = scriptedFetch({ status: 201, body: { challenge: { id: "chl_a", nonce: "abcdefgh" } } });
    const b = scriptedFetch({ status: 201, body: { challenge: { id: "chl_b", nonce: "abcdefgh" } } });
    const first = new AgentAuthClient({ baseUrl: "https://a.test/api", agentRef: "agent-a", fetch: a.fetch });
    const second = new AgentAuthClient({ baseUrl: "https://b.test", agentRef: "agent-b", fetch: b.fetch });
    const [ca, cb] = await Promise.all([
      first.requestChallenge({ credential_id: "cred_a" }),
      second.requestChallenge({ credential_id: "cred_b" }),
    ]);
    expect([ca.challenge.id, cb.challenge.id]).toEqual(["chl_a", "chl_b"]);
    expect(a.sent.map((r) => r.url)).toEqual(["https://a.test/api/v1/auth/agents/agent-a/challenge"]);
    expect(b.sent.map((r) => r.url)).toEqual(["https://b.test/v1/auth/agents/agent-b/challenge"]);
  });

  it("sends challenge, exchange and refresh to the contract's paths", async () => {
    const { fetch, sent } = scriptedFetch(
      { status: 201, body: { challenge: { id: "chl_1", nonce: "abcdefgh" } } },
      { status: 200, body: bundle },
      { status: 200, body: bundle },
    );
    const client = new AgentAuthClient({ baseUrl: "https://lucid.test", agentRef: "agent-1", fetch });
    const { challenge } = await client.requestChallenge({ credential_id: "cred_1", scopes: ["wallet.sign"] });
    expect(challenge.id).toBe("chl_1");
    await client.exchange({ challenge_id: "chl_1", signature: "0xabcd" });
    const refreshed = await client.refresh({ refresh_token: "lrt_old" }, { agentRef: "agent-2" });
    // an older server's refresh_token_expires_at is normalised to refresh_expires_at
    expect(refreshed.refresh_expires_at).toBe("2030-02-01T00:00:00.000Z");
    expect(sent.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      "POST /v1/auth/agents/agent-1/challenge",
      "POST /v1/auth/agents/agent-1/exchange",
      "POST /v1/auth/agents/agent-2/refresh",
    ]);
    expect(sent[1]?.body).toEqual({ challenge_id: "chl_1", signature: "0xabcd" });
  });

  it("maps a revoked family to CredentialRevokedError and a rejected refresh to RefreshFailedError", async () => {
    const { fetch } = scriptedFetch(
      { status: 401, body: { error: "credential_revoked", message: "token family revoked" } },
      { status: 401, body: { error: "refresh_token_expired" } },
      { status: 503, body: { error: "unavailable" } },
    );
    const client = new AgentAuthClient({ baseUrl: "https://lucid.test", agentRef: "a", fetch });
    const revoked = await client.refresh({ refresh_token: "x" }).catch((e) => e);
    expect(isCredentialRevoked(revoked)).toBe(true);
    expect(revoked.status).toBe(401);
    expect(revoked.serverCode).toBe("credential_revoked");
    const expired = await client.refresh({ refresh_token: "x" }).catch((e) => e);
    expect(isRefreshFailed(expired)).toBe(true);
    expect(expired.retryable).toBe(false);
    expect(expired.serverCode).toBe("refresh_token_expired");
    const unavailable = await client.refresh({ refresh_token: "x" }).catch((e) => e);
    expect(isRefreshFailed(unavailable)).toBe(true);
    expect(unavailable.retryable).toBe(true);
  });

  it("maps challenge failures, network failures and malformed bundles to typed errors", async () => {
    const { fetch } = scriptedFetch(
      { status: 401, body: { error: "invalid_signature", message: "signature does not match" } },
      new TypeError("fetch failed"),
      { status: 200, body: { access_token: "lat_x" } },
    );
    const client = new AgentAuthClient({
      baseUrl: "https://lucid.test",
      agentRef: "a",
      fetch,
      challengeRetry: { attempts: 1 },
    });
    const badSignature = await client.exchange({ challenge_id: "c", signature: "0x00" }).catch((e) => e);
    expect(isChallengeFailed(badSignature)).toBe(true);
    expect(badSignature.message).toContain("HTTP 401 invalid_signature: signature does not match");
    expect(badSignature.hint).toContain("credentialId");
    const down = await client.requestChallenge({}).catch((e) => e);
    expect(isTransportError(down)).toBe(true);
    const malformed = await client.exchange({ challenge_id: "c", signature: "0x00" }).catch((e) => e);
    expect(isCoverageMismatch(malformed)).toBe(true);
    expect(malformed.message).toContain("refresh_token");
  });

  it("refuses to start without a base URL or an agent ref", async () => {
    expect(() => new AgentAuthClient({})).toThrow(/baseUrl/);
    const client = new AgentAuthClient({ baseUrl: "https://lucid.test", fetch: scriptedFetch().fetch });
    await expect(client.requestChallenge({})).rejects.toThrow(/agent ref/);
  });

  it("retries a challenge answered 5xx (500 included) or not answered, with growing backoff", async () => {
    const { fetch, sent } = scriptedFetch(
      { status: 500, body: { error: "internal_error" } },
      new TypeError("fetch failed"),
      { status: 503, body: { error: "unavailable" } },
      { status: 201, body: { challenge: { id: "chl_ok", nonce: "abcdefgh" } } },
    );
    const delays: number[] = [];
    const client = new AgentAuthClient({
      baseUrl: "https://lucid.test",
      agentRef: "agent-1",
      fetch,
      sleep: async (ms) => void delays.push(ms),
      random: () => 1,
    });
    const { challenge } = await client.requestChallenge({ credential_id: "cred_1" });
    expect(challenge.id).toBe("chl_ok");
    expect(sent).toHaveLength(4);
    expect(delays).toEqual([100, 200, 400]);
  });

  it("gives up on the challenge after its attempts, and never retries a 4xx, an exchange or a refresh", async () => {
    const failing = scriptedFetch(
      { status: 502, body: { error: "bad_gateway" } },
      { status: 502, body: { error: "bad_gateway" } },
    );
    const client = new AgentAuthClient({
      baseUrl: "https://lucid.test",
      agentRef: "agent-1",
      fetch: failing.fetch,
      challengeRetry: { attempts: 2 },
      sleep: async () => undefined,
    });
    const error = await client.requestChallenge({ credential_id: "c" }).catch((caught: unknown) => caught);
    expect(isChallengeFailed(error)).toBe(true);
    expect(failing.sent).toHaveLength(2);

    const notFound = scriptedFetch({ status: 404, body: { error: "not_found" } });
    const strict = new AgentAuthClient({
      baseUrl: "https://lucid.test",
      agentRef: "a",
      fetch: notFound.fetch,
      sleep: async () => undefined,
    });
    await expect(strict.requestChallenge({ credential_id: "c" })).rejects.toMatchObject({ status: 404 });
    expect(notFound.sent).toHaveLength(1);

    const once = scriptedFetch({ status: 500, body: { error: "internal_error" } }, { status: 500, body: {} });
    const single = new AgentAuthClient({
      baseUrl: "https://lucid.test",
      agentRef: "a",
      fetch: once.fetch,
      sleep: async () => undefined,
    });
    await expect(single.refresh({ refresh_token: "lrt" })).rejects.toMatchObject({ status: 500 });
    await expect(single.exchange({ challenge_id: "chl", signature: "0x" })).rejects.toMatchObject({
      status: 500,
    });
    expect(once.sent).toHaveLength(2);
  });
});
